"""The HTTP edge: signatures, health, Slack's housekeeping requests, and restarts."""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import text

from bot.playground.sender import SlackSender, sign
from bot.playground.standin import SlackStandin
from bot.runtime import migrate
from bot.runtime.timesource import ManualClock
from tests.conftest import (
    ADMIN,
    HM,
    RECRUITER,
    SIGNING_SECRET,
    Running,
    serving,
)
from tests.flows import add_candidate, all_candidates, answer, blocks_text, create_role

FORM = "application/x-www-form-urlencoded"


def command_body(text: str, user: str = ADMIN) -> bytes:
    return urlencode(
        {
            "command": "/hire",
            "text": text,
            "user_id": user,
            "channel_id": "C111",
            "team_id": "T111",
            "trigger_id": "1.2.3",
            "response_url": "http://127.0.0.1:9/unused",
        }
    ).encode()


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("wrong signature", {"signature": "v0=" + "0" * 64}),
        ("signed with another secret", {"secret": "not-the-secret"}),
        ("stale timestamp", {"age": 301}),
        # A minute past the window: a loaded machine may take seconds to send it, which
        # brings a future timestamp closer to now (a stale one only gets staler).
        ("future timestamp", {"age": -360}),
        ("no signature", {"signature": None}),
        ("no timestamp", {"no_timestamp": True}),
    ],
)
async def test_unsigned_or_badly_signed_requests_get_401_and_change_nothing(
    app: Running, case: str, headers: dict
) -> None:
    body = command_body("role")
    timestamp = str(int(time.time()) - headers.get("age", 0))
    signature = headers.get(
        "signature", sign(headers.get("secret", SIGNING_SECRET), timestamp, body)
    )
    extra: dict[str, str | None] = {}
    if headers.get("no_timestamp"):
        extra["X-Slack-Request-Timestamp"] = None
    if signature is None:
        extra["X-Slack-Signature"] = None
    response = await app.slack.post_raw(
        body,
        content_type=FORM,
        timestamp=timestamp,
        signature=signature or "",
        extra_headers=extra,
    )

    assert response.status_code == 401, case
    assert app.standin.calls_to("views.open") == []


async def test_a_forged_submission_stores_nothing(app: Running) -> None:
    role = await create_role(app)
    await app.slack.command("add", user=RECRUITER)
    honest = SlackSender(app.url, "guessed-secret")
    try:
        view = app.standin.calls_to("views.open")[-1].args["view"]
        response = await honest.submit_view(
            view, {"name": "Mallory", "role": str(role.id)}, user=RECRUITER
        )
    finally:
        await honest.aclose()
    assert response.status_code == 401
    assert await all_candidates(app) == []


async def test_a_wrong_signing_secret_is_said_in_the_log_once_a_minute(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    """Everything refused with a bare 401, and nothing in the log, left an engineer who
    pasted the wrong secret without a hint; a flood of garbage must not flood the log."""
    wrong = SlackSender(app.url, "pasted-the-client-secret")
    try:
        with caplog.at_level(logging.WARNING, logger="bot.slack.app"):
            for _ in range(3):
                assert (await wrong.command("help", user=RECRUITER)).status_code == 401
    finally:
        await wrong.aclose()
    said = [r.getMessage() for r in caplog.records if "signature check" in r.getMessage()]
    assert len(said) == 1, said
    assert "SLACK_SIGNING_SECRET is not your Slack app's Signing Secret" in said[0]


async def test_a_slack_api_out_of_reach_is_said_at_start_and_counted(
    db_url: str,
    standin: SlackStandin,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A wrong SLACK_API_URL (or blocked egress): every answer fails. Said once in the log
    as the server starts, and each failed call counted in /metrics for an alert."""
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))  # a port nothing listens on
    url = f"http://127.0.0.1:{dead.getsockname()[1]}/api/"
    dead.close()
    with caplog.at_level(logging.ERROR, logger="bot.slack.app"):
        async with serving(db_url, standin, clock, slack_api_url=url) as app:
            await app.slack.command("role", user=ADMIN)  # opens a modal: a Web API call
            await app.settle()
            async with httpx.AsyncClient() as client:
                metrics = (await client.get(f"{app.url}/metrics")).text
    said = [r.getMessage() for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(said) == 1 and url in said[0], said
    [count] = [
        float(line.split()[-1])
        for line in metrics.splitlines()
        if line.startswith("loopkeeper_slack_unreachable_total")
    ]
    assert count >= 2  # the start-up check, and the modal's call


async def test_start_up_logs_no_warning_about_an_unused_token(
    db_url: str,
    standin: SlackStandin,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bolt reads SLACK_BOT_TOKEN itself and warned at every start, in every worker, that
    it goes unused beside the app's client: noise an on-call engineer would chase."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    with caplog.at_level(logging.INFO):
        async with serving(db_url, standin, clock):
            pass
    assert [r.getMessage() for r in caplog.records if "will be unused" in r.getMessage()] == []


async def test_url_verification_echoes_the_challenge(app: Running) -> None:
    response = await app.slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmd")
    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmd" in response.text


async def test_ssl_check_is_answered(app: Running) -> None:
    response = await app.slack.post_raw(b"ssl_check=1&token=x", content_type=FORM)
    assert response.status_code == 200


async def test_healthz_reports_the_database(app: Running) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{app.url}/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["schema"] == migrate.current_heads()[0]


async def test_healthz_is_503_when_the_database_is_not_migrated(
    tmp_path: Path, standin: SlackStandin, clock: ManualClock
) -> None:
    async with (
        serving(f"sqlite:///{tmp_path / 'empty.db'}", standin, clock) as app,
        httpx.AsyncClient() as client,
    ):
        response = await client.get(f"{app.url}/healthz")
    assert response.status_code == 503
    assert response.json()["schema"] == "none"


async def test_healthz_stays_ok_while_a_newer_release_has_migrated_the_database(
    app: Running,
) -> None:
    """Mid-deploy, the new release's `migrate` runs first: the old replicas go on serving
    (migrations only add) instead of all leaving the load balancer at once."""
    async with app.deps.db.transaction() as session:
        await session.exec(text("UPDATE alembic_version SET version_num = '9999'"))  # type: ignore[call-overload]
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{app.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "schema": "9999",
        "note": "newer than this release: replace this replica",
    }


async def test_healthz_is_503_when_the_database_is_unreachable(
    standin: SlackStandin, clock: ManualClock
) -> None:
    unreachable = "sqlite:////nonexistent-dir/for/loopkeeper.db"
    async with serving(unreachable, standin, clock) as app, httpx.AsyncClient() as client:
        response = await client.get(f"{app.url}/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


async def test_everything_survives_a_restart(
    db_url: str, standin: SlackStandin, clock: ManualClock
) -> None:
    async with serving(db_url, standin, clock) as first:
        role = await create_role(first)
        await add_candidate(first, "Jane Doe", role=role)
        await first.slack.command("move Jane Doe to screening", user=RECRUITER)

    async with serving(db_url, standin, clock) as second:
        body = answer(await second.slack.command("status Jane", user=HM))

    shown = blocks_text(body["blocks"])
    assert "Screening" in shown and "MLOps Engineer" in shown
    assert "sourced → *screening*" in shown


def test_the_byte_level_signature_check_accepts_slacks_published_vector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.slack import guard

    vector = {  # Slack's published signature test vector (docs/slack.md)
        "secret": "8f742231b10e8888abcd99yyyzzz85a5",
        "timestamp": "1531420618",
        "body": (
            "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
            "channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
            "command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
            "commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id="
            "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
        ),
        "signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }
    monkeypatch.setattr("bot.slack.guard.time.time", lambda: 1531420618 + 60)
    ok = guard.signed_by_slack(
        vector["secret"], vector["body"].encode(), vector["timestamp"], vector["signature"]
    )
    assert ok
    assert not guard.signed_by_slack(
        vector["secret"], vector["body"].encode() + b"x", vector["timestamp"], vector["signature"]
    )
    monkeypatch.setattr("bot.slack.guard.time.time", lambda: 1531420618 + 301)
    assert not guard.signed_by_slack(
        vector["secret"], vector["body"].encode(), vector["timestamp"], vector["signature"]
    )
