"""Every click gets an answer: a click whose work fails tells the person so (its empty
ack has already gone), and the failure is logged and counted as any listener's."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from handlers import actions
from handlers.errors import SORRY
from tests.conftest import RECRUITER, Running
from tests.flows import add_candidate, create_role, press
from tests.runtime.test_operations import metric, scrape


async def test_a_click_that_fails_says_so_and_is_logged_and_counted(
    app: Running, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    jane = await add_candidate(app, "Jane Doe", role=await create_role(app))
    errors_before = metric(await scrape(app), "loopkeeper_database_errors_total")

    async def broken(*_: object, **__: object) -> None:
        raise OperationalError("SELECT …", {}, Exception("disk I/O error"))

    monkeypatch.setattr(actions, "status_of", broken)
    with caplog.at_level(logging.ERROR, logger="loopkeeper.errors"):
        [reply] = await press(app, f"status_open_{jane.id}", str(jane.id), user=RECRUITER)

    assert reply.args["text"] == SORRY and reply.args["replace_original"] is False
    [logged] = [r for r in caplog.records if r.name == "loopkeeper.errors"]
    assert logged.getMessage() == "unhandled error in a block_actions listener"
    assert logged.exc_info is not None  # with its traceback
    after = metric(await scrape(app), "loopkeeper_database_errors_total")
    assert after == errors_before + 1


async def test_a_click_on_the_home_tab_that_fails_says_so_by_dm(
    app: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    jane = await add_candidate(app, "Jane Doe", role=await create_role(app))

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(actions, "status_of", broken)
    dms_before = len(app.standin.calls_to("chat.postMessage"))
    response = await app.slack.action(
        f"status_open_{jane.id}", str(jane.id), user=RECRUITER, view={"type": "home", "blocks": []}
    )
    assert response.status_code == 200
    await app.settle()
    [dm] = app.standin.calls_to("chat.postMessage")[dms_before:]
    assert dm.args["channel"] == RECRUITER and dm.args["text"] == SORRY
