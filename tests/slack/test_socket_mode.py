"""`loopkeeper serve --socket`: the same app over a Socket Mode websocket."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from bot.playground.sender import state_values
from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.slack.app import create_socket_mode
from bot.slack.deps import Deps
from tests.conftest import ADMIN, HIRING_CHANNEL, HM, RECRUITER, make_settings
from tests.flows import blocks_text


@pytest.fixture
async def socket_app(db_url: str, standin: SlackStandin, clock: ManualClock) -> AsyncIterator[Deps]:
    settings = make_settings(db_url=db_url, api_url=standin.url, slack_app_token=standin.app_token)
    handler, deps = create_socket_mode(settings, clock=clock)
    await handler.connect_async()
    try:
        yield deps
    finally:
        await handler.close_async()
        await deps.db.close()


def command(text: str, user: str) -> dict:
    return {
        "token": "x",
        "team_id": "T111",
        "team_domain": "test",
        "channel_id": "C111",
        "channel_name": "hiring",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/hire",
        "text": text,
        "api_app_id": "A111",
        "response_url": "http://127.0.0.1:9/unused",
        "trigger_id": f"trigger-{text}-{user}",
    }


async def test_help_comes_back_in_the_ack(socket_app: Deps, standin: SlackStandin) -> None:
    ack = await standin.socket_request("slash_commands", command("help", RECRUITER))
    assert "/hire status" in blocks_text(ack["payload"]["blocks"])


async def test_a_role_created_over_socket_mode_answers_status(
    socket_app: Deps, standin: SlackStandin
) -> None:
    await standin.socket_request("slash_commands", command("role", ADMIN))
    view = standin.calls_to("views.open")[-1].response["view"]  # type: ignore[index]
    view["state"] = {
        "values": state_values(
            view,
            {
                "title": "MLOps Engineer",
                "hiring_manager": HM,
                "recruiters": [RECRUITER],
                "channel": HIRING_CHANNEL,
            },
        )
    }
    submission = {
        "type": "view_submission",
        "team": {"id": "T111", "domain": "test"},
        "user": {"id": ADMIN, "username": "admin", "team_id": "T111"},
        "api_app_id": "A111",
        "view": view,
    }
    ack = await standin.socket_request("interactive", submission)
    assert "payload" not in ack or not ack["payload"]  # empty ack closes the modal
    await socket_app.background.drain()

    await standin.socket_request("slash_commands", command("add", RECRUITER))
    answer = await standin.socket_request("slash_commands", command("status nobody", HM))
    assert "couldn't find a candidate" in answer["payload"]["text"]
    assert standin.calls_to("views.open")[-1].args["view"]["callback_id"] == "candidate_add"


async def test_serve_socket_answers_and_reaches_slack_over_one_kept_session(
    db_url: str, standin: SlackStandin
) -> None:
    """What `loopkeeper serve --socket` runs: the scheduler, the shared connections to
    Slack's Web API, and a clean stop."""
    from bot.runtime.cli import _serve_socket

    settings = make_settings(db_url=db_url, api_url=standin.url, slack_app_token=standin.app_token)
    serving = asyncio.create_task(_serve_socket(settings))
    try:
        ack = await standin.socket_request("slash_commands", command("help", RECRUITER))
        assert "/hire status" in blocks_text(ack["payload"]["blocks"])
        await standin.socket_request("slash_commands", command("role", ADMIN))
        opened = await standin.wait_for("views.open")
        assert opened[-1].response["ok"] is True  # type: ignore[index]
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(serving, timeout=10)
    assert serving.done()
