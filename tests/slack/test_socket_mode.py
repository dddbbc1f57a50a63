"""`loopkeeper serve --socket`: the same app over a Socket Mode websocket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.playground.sender import state_values
from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.scheduling.report import Report
from bot.slack.app import AppTokenRefused, create_socket_mode, prepare_database
from bot.slack.deps import Deps
from bot.store.engine import Database
from bot.store.tables import Alert
from tests import cli_process
from tests.conftest import (
    ADMIN,
    BOT_TOKEN,
    HIRING_CHANNEL,
    HM,
    RECRUITER,
    SIGNING_SECRET,
    make_settings,
)
from tests.flows import blocks_text
from tests.scheduling.test_sweep_cli import LOOP_START, due_alerts, stalled_candidate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def socket_app(db_url: str, standin: SlackStandin, clock: ManualClock) -> AsyncIterator[Deps]:
    settings = make_settings(db_url=db_url, api_url=standin.url, slack_app_token=standin.app_token)
    app = create_socket_mode(settings, clock=clock)
    await prepare_database(app.deps)  # what serve() does first: the admins seeded
    await app.handler.connect_async()
    try:
        yield app.deps
    finally:
        await app.handler.close_async()
        await app.deps.db.close()


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
    opened = standin.calls_to("views.open")[-1].response
    assert opened is not None
    view = opened["view"]
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
        answered = opened[-1].response
        assert answered is not None and answered["ok"] is True
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(serving, timeout=10)
    assert serving.done()


# Shutting down, as `serve` over HTTP does (tests/runtime/test_operations.py) -----------


async def alerts_sent(db_url: str) -> list[str]:
    """The recipients of the alerts recorded as sent, read after the app has let go."""
    db = Database(db_url)
    try:
        async with db.reader() as session:
            sent = (await session.exec(select(Alert).where(Alert.status == "sent"))).all()
    finally:
        await db.close()
    return sorted(a.recipient_id for a in sent)


async def test_socket_mode_shutdown_lets_the_sweep_the_scheduler_started_finish(
    db_url: str, standin: SlackStandin
) -> None:
    await stalled_candidate(db_url)
    settings = make_settings(
        db_url=db_url,
        api_url=standin.url,
        slack_app_token=standin.app_token,
        sweep_interval_seconds=1,
    )
    app = create_socket_mode(settings, clock=ManualClock(LOOP_START + timedelta(days=7, minutes=5)))
    delivering = asyncio.Event()
    deliver = app.sweeper.deliver

    async def deliver_and_tell(now: datetime, report: Report) -> None:
        delivering.set()
        await deliver(now, report)

    app.sweeper.deliver = deliver_and_tell  # type: ignore[method-assign]  # the test swaps in a step that tells when delivery starts
    standin.delay_next("chat.postMessage", 1.0)  # the first digest is in flight a while
    serving = asyncio.create_task(app.serve())
    await asyncio.wait_for(delivering.wait(), 10)  # the scheduler's first tick, a second in
    serving.cancel()  # what Ctrl-C does to `loopkeeper serve --socket`
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(serving, 30)

    assert await alerts_sent(db_url) == sorted([HM, RECRUITER])
    assert len(standin.calls_to("chat.postMessage")) == 2


async def test_serve_socket_stops_on_sigterm_once_its_sweep_is_done(
    db_url: str, standin: SlackStandin
) -> None:
    """What a platform does to stop a process: SIGTERM, then SIGKILL some seconds later."""
    await stalled_candidate(db_url)
    await due_alerts(db_url, "term", 1, datetime.now(UTC))
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": standin.app_token,
        "SLACK_API_URL": standin.url,
        "SWEEP_INTERVAL_SECONDS": "1",
        "WEEKLY_REPORT": "off",
    }
    standin.delay_next("chat.postMessage", 2.0)
    # Its own process, forked from one with the libraries imported (tests/cli_process.py).
    server = await cli_process.start(
        ("serve", "--socket"), cwd=ROOT, env=env, stdout=cli_process.DEVNULL
    )
    try:
        # A generous bound: a fresh interpreter importing the app on a busy machine.
        ack = await standin.socket_request("slash_commands", command("help", RECRUITER), timeout=60)
        assert "/hire status" in blocks_text(ack["payload"]["blocks"])
        db = Database(db_url)
        try:
            async with asyncio.timeout(30):
                while True:  # until the sweep has claimed the alert: its message is on the way
                    async with db.reader() as session:
                        alert = (await session.exec(select(Alert))).one()
                    if alert.claimed_until is not None:
                        break
                    await asyncio.sleep(0.05)
        finally:
            await db.close()
        server.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(server.communicate(), 30)
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
    assert server.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert await alerts_sent(db_url) == ["UREC00000"]


async def test_a_refused_app_token_stops_start_up_with_its_reason(
    db_url: str, standin: SlackStandin, clock: ManualClock
) -> None:
    """slack_sdk retries a refused app token every 10 s for ever, and the process then
    ignored SIGTERM: Slack's refusal now ends start-up with the code Slack gave."""
    settings = make_settings(db_url=db_url, api_url=standin.url, slack_app_token="xapp-1-wrong")
    app = create_socket_mode(settings, clock=clock)
    with pytest.raises(AppTokenRefused, match="invalid_auth"):
        await asyncio.wait_for(app.serve(until=asyncio.Event()), timeout=10)


async def test_a_stop_while_slack_is_out_of_reach_ends_the_process(
    db_url: str, standin: SlackStandin, clock: ManualClock
) -> None:
    """Connecting retries while Slack is unreachable; SIGTERM (the event) must still end
    it instead of waiting for a connection that never comes."""
    settings = make_settings(db_url=db_url, api_url=standin.url, slack_app_token=standin.app_token)
    app = create_socket_mode(settings, clock=clock)
    never = asyncio.Event()

    async def connect_for_ever() -> None:
        await never.wait()

    app.handler.connect_async = connect_for_ever  # type: ignore[method-assign]
    stop = asyncio.Event()
    serving = asyncio.create_task(app.serve(until=stop))
    await standin.wait_for("apps.connections.open")  # its token checked: now connecting
    stop.set()
    await asyncio.wait_for(serving, timeout=10)
