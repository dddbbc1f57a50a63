"""Answers first: work promised after an answer (a confirmation DM, a Home tab) waits
while the app is answering other Slack requests, so that a burst of submissions is
acknowledged without queueing behind the DMs of the ones before it; and it still
starts when the answers never pause."""

from __future__ import annotations

import asyncio

from bot.playground.standin import SlackStandin
from bot.runtime import background
from tests.conftest import ADMIN, Running, serving, until


async def test_work_after_an_answer_waits_for_the_answer_in_progress(
    db_url: str, standin: SlackStandin, clock
) -> None:
    async with serving(db_url, standin, clock) as app:
        standin.delay_next("views.open", 0.5)  # /hire role is answered once its form opens
        answering = asyncio.create_task(app.slack.command("role", user=ADMIN))
        await until(lambda: standin.holding("views.open") == 1)

        ran: list[bool] = []

        async def confirmation() -> None:
            ran.append(len(standin.calls_to("views.open")) == 1)

        app.deps.background.run(confirmation(), name="confirmation")
        await asyncio.sleep(0.1)
        assert ran == []  # the form is still opening: the answer comes first

        assert (await answering).status_code == 200
        await app.settle()
        assert ran == [True]  # it ran once the form had opened and the answer gone


async def test_work_after_an_answer_starts_when_answers_never_pause(
    app: Running, standin: SlackStandin, monkeypatch
) -> None:
    monkeypatch.setattr(background, "ANSWERS_FIRST_SECONDS", 0.2)
    standin.delay_next("views.open", 3.0)
    answering = asyncio.create_task(app.slack.command("role", user=ADMIN))
    await until(lambda: standin.holding("views.open") == 1)
    ran = asyncio.Event()

    async def confirmation() -> None:
        ran.set()

    app.deps.background.run(confirmation(), name="confirmation")
    await asyncio.wait_for(ran.wait(), timeout=2.0)
    assert not answering.done()  # it went beside the answer, not after it
    await answering


async def test_work_cancelled_while_waiting_never_starts(app: Running, standin) -> None:
    standin.delay_next("views.open", 0.5)
    answering = asyncio.create_task(app.slack.command("role", user=ADMIN))
    await until(lambda: standin.holding("views.open") == 1)
    ran: list[str] = []

    async def confirmation() -> None:
        ran.append("ran")

    app.deps.background.run(confirmation(), name="confirmation")
    # What a shutdown past its grace does to unfinished work.
    for task in asyncio.all_tasks():
        if task.get_name() == "confirmation":
            task.cancel()
    await answering
    await app.settle()
    assert ran == []
    assert app.deps.background.pending == 0
