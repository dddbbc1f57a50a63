"""The playground through its page's JSON API, over real HTTP, with the real app behind.

A workspace is seeded once per test run (the replay takes a few seconds) and
copied into each test's folder, so each test also starts the playground the way a
restart does: from its saved files.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.playground import workspace
from bot.playground.seed import EXPECTED
from bot.playground.sender import state_values
from bot.playground.server import STATE_FILE, Playground, running_playground
from bot.playground.standin import message_text
from bot.playground.workspace import (
    HIRING,
    HIRING_MANAGER,
    INTERVIEWER_2,
    OUTSIDER,
    RECRUITER,
    dm_of,
)
from bot.store.tables import Candidate
from tests import cli_process
from tests.playground.conftest import copy_seed

RECRUITER_DM = dm_of(RECRUITER.id)


def button_labeled(message: dict[str, Any], label: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(block, button) of the button showing `label` in a message."""
    for block in message["blocks"] or []:
        for element in [block.get("accessory"), *(block.get("elements") or [])]:
            is_button = isinstance(element, dict) and element.get("type") == "button"
            if is_button and element["text"]["text"] == label:
                return block, element
    raise AssertionError(f"no {label!r} button in {message['text']!r}")


class Page:
    """What the browser page does, as JSON calls."""

    def __init__(self, playground: Playground) -> None:
        self.playground = playground
        self.http = httpx.AsyncClient(base_url=playground.url, timeout=20)

    async def state(self, user: str) -> dict[str, Any]:
        response = await self.http.get("/playground/api/state", params={"as": user})
        assert response.status_code == 200, response.text
        return response.json()

    async def post(self, name: str, **body: Any) -> dict[str, Any]:
        response = await self.http.post(f"/playground/api/{name}", json=body)
        answer: dict[str, Any] = response.json()
        assert (response.status_code == 200) == answer["ok"], answer
        return answer

    async def say(self, user: str, channel: str, text: str) -> dict[str, Any]:
        answer = await self.post("say", **{"as": user, "channel": channel, "text": text})
        await self.settle()
        return answer

    async def submit(self, user: str, values: dict[str, Any]) -> dict[str, Any]:
        view = (await self.state(user))["modal"]["view"]
        filled = state_values(view, values)
        answer = await self.post("submit", **{"as": user, "view_id": view["id"], "values": filled})
        await self.settle()
        return answer

    async def settle(self) -> None:
        await self.playground.asgi.state.deps.background.drain(seconds=10)

    async def messages(self, user: str, channel: str) -> list[dict[str, Any]]:
        return (await self.state(user))["messages"][channel]


@pytest.fixture
async def page(playground: Playground) -> AsyncIterator[Page]:
    page = Page(playground)
    yield page
    await page.http.aclose()


async def test_the_seed_puts_a_dozen_candidates_on_every_stage(page: Page) -> None:
    async with page.playground.asgi.state.deps.db.reader() as session:
        rows = (await session.exec(select(Candidate))).all()
    assert {row.name: row.stage for row in rows} == EXPECTED
    assert set(EXPECTED.values()) == {
        "sourced",
        "screening",
        "interviewing",
        "decision",
        "offer",
        "hired",
        "rejected",
    }

    state = await page.state(RECRUITER.id)
    assert len(state["suggestions"]) == 3
    assert [c["id"] for c in state["channels"]] == [HIRING.id, workspace.GENERAL.id, RECRUITER_DM]
    # The replay left the kits, confirmations and a digest in people's DMs.
    kits = [m for m in (await page.messages(INTERVIEWER_2.id, dm_of(INTERVIEWER_2.id)))]
    assert any("Interview kit: Maya Chen" in m["text"] for m in kits)


async def test_the_first_pipeline_shows_what_is_late(page: Page) -> None:
    await page.say(RECRUITER.id, HIRING.id, "/hire pipeline")
    answer = (await page.messages(RECRUITER.id, HIRING.id))[-1]
    assert answer["ephemeral"] and answer["user"] == "UBOT"
    shown = message_text(answer)
    assert "Maya Chen" in shown and "Elena Petrova" in shown
    # Only the asker sees an ephemeral answer.
    assert (await page.messages(HIRING_MANAGER.id, HIRING.id))[-1]["ts"] != answer["ts"]


async def test_adding_a_candidate_through_the_modal_with_a_field_error(page: Page) -> None:
    await page.say(RECRUITER.id, HIRING.id, "/hire add")
    modal = (await page.state(RECRUITER.id))["modal"]
    assert modal["view"]["title"]["text"] == "Add a candidate"

    refused = await page.submit(RECRUITER.id, {"name": "Jane Doe", "email": "not-an-email"})
    assert set(refused["errors"]) == {"email"}
    still = (await page.state(RECRUITER.id))["modal"]
    assert still["view"]["id"] == modal["view"]["id"] and still["errors"] == refused["errors"]

    done = await page.submit(RECRUITER.id, {"name": "Jane Doe", "email": "jane@example.com"})
    assert done["errors"] == {}
    assert (await page.state(RECRUITER.id))["modal"] is None
    # Where the command was typed, only for her: it came to the app's DM, where she
    # was not looking, and the channel showed nothing.
    here = await page.messages(RECRUITER.id, HIRING.id)
    assert any("Added Jane Doe" in m["text"] for m in here), here[-3:]
    theirs = await page.messages(HIRING_MANAGER.id, HIRING.id)
    assert not any("Added Jane Doe" in m["text"] for m in theirs)


async def test_a_stale_form_is_refused_and_changes_nothing(page: Page) -> None:
    await page.say(RECRUITER.id, HIRING.id, "/hire add")
    view = (await page.state(RECRUITER.id))["modal"]["view"]
    await page.post("close", **{"as": RECRUITER.id, "view_id": view["id"]})
    answer = await page.post(
        "submit",
        **{"as": RECRUITER.id, "view_id": view["id"], "values": state_values(view, {})},
    )
    assert answer == {"ok": False, "error": "That form is no longer open."}


async def test_scorecard_from_the_kit_dm(page: Page) -> None:
    ines = INTERVIEWER_2.id
    dm = dm_of(ines)
    kit = next(
        m for m in reversed(await page.messages(ines, dm)) if "Interview kit: Maya" in m["text"]
    )
    block, button = button_labeled(kit, "Submit scorecard")
    click = {"type": "button", "action_id": button["action_id"], "value": button["value"]}
    where = {"surface": "message", "channel": dm, "ts": kit["ts"], "block_id": block["block_id"]}
    await page.post("action", **{"as": ines, **where, "action": click})
    view = (await page.state(ines))["modal"]["view"]
    values: dict[str, Any] = {
        b["block_id"]: "3" for b in view["blocks"] if b["block_id"].startswith("rate_")
    }
    values.update(recommendation="3", summary="Good incident answers.")
    assert (await page.submit(ines, values))["errors"] == {}
    assert any(
        "Maya Chen" in m["text"] and "submitted" in m["text"] for m in await page.messages(ines, dm)
    )


async def test_the_hiring_manager_asks_in_a_dm_and_the_outsider_is_refused(page: Page) -> None:
    await page.say(HIRING_MANAGER.id, dm_of(HIRING_MANAGER.id), "where is Elena?")
    answer = (await page.messages(HIRING_MANAGER.id, dm_of(HIRING_MANAGER.id)))[-1]
    assert answer["user"] == "UBOT" and "Elena Petrova" in message_text(answer)

    await page.say(OUTSIDER.id, dm_of(OUTSIDER.id), "where is Elena?")
    refusal = (await page.messages(OUTSIDER.id, dm_of(OUTSIDER.id)))[-1]
    assert refusal["user"] == "UBOT"
    assert "couldn't find" in refusal["text"] and "Petrova" not in message_text(refusal)


async def test_a_mention_in_the_public_channel_is_answered_privately(page: Page) -> None:
    await page.say(HIRING_MANAGER.id, workspace.GENERAL.id, "@Loopkeeper where is Elena?")
    general = await page.messages(HIRING_MANAGER.id, workspace.GENERAL.id)
    assert general[0]["text"] == "<@UBOT> where is Elena?"
    answers = [m for m in general if m["user"] == "UBOT"]
    assert answers and all(m["ephemeral"] for m in answers)
    # Nobody else in #general sees anything from Loopkeeper.
    seen_by_others = await page.messages(RECRUITER.id, workspace.GENERAL.id)
    assert [m for m in seen_by_others if m["user"] == "UBOT"] == []


async def test_unknown_commands_and_foreign_channels_get_a_plain_answer(page: Page) -> None:
    await page.say(RECRUITER.id, HIRING.id, "/giphy cats")
    assert "not a valid command" in (await page.messages(RECRUITER.id, HIRING.id))[-1]["text"]
    answer = await page.post("say", **{"as": OUTSIDER.id, "channel": HIRING.id, "text": "hi"})
    assert answer == {"ok": False, "error": "You are not a member of that conversation."}
    bad = await page.http.get("/playground/api/state", params={"as": "UNOBODY"})
    assert bad.status_code == 400


async def test_a_day_later_the_sweep_runs_and_the_recruiter_hears(page: Page) -> None:
    before = await page.state(RECRUITER.id)
    answer = await page.post("clock", step="day", **{"as": RECRUITER.id})
    after = await page.state(RECRUITER.id)
    assert after["now_epoch"] - before["now_epoch"] >= 86_400
    assert answer["summary"].endswith(("sent", "hours"))
    new = [
        m
        for m in after["messages"][RECRUITER_DM]
        if m["ts"] not in {old["ts"] for old in before["messages"][RECRUITER_DM]}
    ]
    assert new, "a day later, the recruiter hears about what is late"
    unread = {c["id"]: c["unread"] for c in after["channels"]}
    assert unread[RECRUITER_DM] > 0
    await page.post("read", **{"as": RECRUITER.id, "channel": RECRUITER_DM})
    unread = {c["id"]: c["unread"] for c in (await page.state(RECRUITER.id))["channels"]}
    assert unread[RECRUITER_DM] == 0


async def test_what_falls_due_within_a_minute_comes_in_one_digest(page: Page) -> None:
    """The scheduler sweeps once a minute, so a person gets one digest of what fell due
    within it; the clock's jump, sweeping at each moment with work, gave one digest per
    breach (three to the recruiter at 08:30 on one day)."""
    for _ in range(4):
        await page.post("clock", step="day", **{"as": RECRUITER.id})
    minutes = [
        int(float(m["ts"]) // 60)
        for m in await page.messages(RECRUITER.id, RECRUITER_DM)
        if "need you" in m["text"] or "needs you" in m["text"]
    ]
    assert len(minutes) > 3  # the days bring digests at all
    assert len(minutes) == len(set(minutes)), sorted(minutes)


async def test_the_seeded_channel_has_its_weekly_reports_on_time(page: Page) -> None:
    """Two weeks replayed as a team running the app all along would have had them: each
    Monday's report in its place, none "posted late" as if the app had been down."""
    hiring = await page.messages(HIRING_MANAGER.id, HIRING.id)
    reports = [m for m in hiring if m["text"].startswith("Weekly report for")]
    assert len(reports) >= 1
    assert all("Posted late" not in message_text(m) for m in reports)
    # Each counts the team's candidates as they stood that Monday: the replay takes its
    # steps in time order, not candidate by candidate (the last one counted one person).
    last = message_text(reports[-1])
    counts = re.search(r"Candidates per stage\*?\s*(.*?)(\n|$)", last)
    assert counts is not None, last
    numbers = [int(n) for n in re.findall(r"\b(\d+)\b", counts.group(1))]
    assert sum(numbers) >= 5, counts.group(1)


async def test_next_monday_brings_the_weekly_report_with_its_chart(page: Page) -> None:
    await page.post("clock", step="monday", **{"as": HIRING_MANAGER.id})
    hiring = await page.messages(HIRING_MANAGER.id, HIRING.id)
    charts = [f for m in hiring for f in m["files"] if f["mimetype"] == "image/png"]
    assert charts
    image = await page.http.get(charts[-1]["url"])
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


async def test_the_home_tab_opens(page: Page) -> None:
    await page.post("home", **{"as": HIRING_MANAGER.id})
    await page.settle()
    home = (await page.state(HIRING_MANAGER.id))["home"]
    assert home["type"] == "home" and "Elena Petrova" in message_text(
        {"text": "", "blocks": home["blocks"]}
    )


async def test_the_page_and_its_files_are_served(page: Page) -> None:
    index = await page.http.get("/")
    assert index.status_code == 200 and "Playground" in index.text
    script = await page.http.get("/playground/static/app.js")
    assert script.status_code == 200


async def test_a_restart_keeps_messages_clock_and_data(seeded: Path, tmp_path: Path) -> None:
    copy_seed(seeded, tmp_path)
    async with running_playground(port=0, folder=tmp_path) as first:
        page = Page(first)
        await page.say(RECRUITER.id, HIRING.id, "/hire add")
        await page.submit(RECRUITER.id, {"name": "Jane Doe"})
        await page.post("clock", step="hour")
        before = await page.state(RECRUITER.id)
        await page.http.aclose()
    assert (tmp_path / STATE_FILE).exists()
    async with running_playground(port=0, folder=tmp_path) as second:
        page = Page(second)
        after = await page.state(RECRUITER.id)
        await page.http.aclose()
    assert after["messages"] == before["messages"]
    assert abs(after["now_epoch"] - before["now_epoch"]) < 30


def _loopkeeper(*args: str, cwd: Path, **env: str) -> cli_process.CliPopen:
    script = Path(sys.executable).parent / "loopkeeper"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    environ.pop("DATABASE_URL", None)
    environ.pop("PORT", None)
    environ.update(env)
    # Its own process, forked from one with the libraries imported (tests/cli_process.py).
    return cli_process.popen(args, cwd=cwd, env=environ, script=script)


def test_start_without_slack_settings_runs_the_playground(seeded: Path, tmp_path: Path) -> None:
    copy_seed(seeded, tmp_path)
    process = _loopkeeper("start", "--port", "0", cwd=tmp_path)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert line.startswith("No Slack settings, so this is the playground: open http://127.0.0.1:")
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in line
    assert process.returncode == 0
    # The production database was never created: the playground keeps its own file.
    assert not (tmp_path / "loopkeeper.db").exists()


def test_start_takes_port_from_the_environment_as_slack_mode_does(
    seeded: Path, tmp_path: Path
) -> None:
    """`PORT=3201 make run` served the playground on 3000 all the same."""
    copy_seed(seeded, tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = _loopkeeper("start", cwd=tmp_path, PORT=str(port))
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert f"open http://127.0.0.1:{port}" in line, line


def test_sigterm_with_the_page_open_stops_cleanly(seeded: Path, tmp_path: Path) -> None:
    """A platform stops the playground with SIGTERM while a page is open: its long poll
    is answered, and the log holds no traceback of a request cancelled."""
    copy_seed(seeded, tmp_path)
    process = _loopkeeper("playground", "--port", "0", cwd=tmp_path)
    assert process.stdout is not None
    url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
    assert url is not None
    state = f"{url.group()}/playground/api/state?as={workspace.RECRUITER.id}"
    version = httpx.get(state, timeout=30).json()["version"]
    with ThreadPoolExecutor(1) as pool:
        polling = pool.submit(httpx.get, f"{state}&since={version}", timeout=60)
        time.sleep(0.5)  # for the poll to reach the server (a real process: no clock to move)
        process.send_signal(signal.SIGTERM)
        answered = polling.result(timeout=30)
    _, error = process.communicate(timeout=30)
    assert answered.status_code == 200
    assert "Traceback" not in error and "CancelledError" not in error, error


def test_serve_still_refuses_without_slack_settings(tmp_path: Path) -> None:
    process = _loopkeeper("serve", cwd=tmp_path)
    _, error = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in error


def test_a_taken_port_is_explained(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = _loopkeeper("playground", "--port", str(port), cwd=tmp_path)
        _, error = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"port {port} on 127.0.0.1 is taken" in error
    assert "Traceback" not in error
    assert not (tmp_path / "playground.db").exists()


async def test_commands_are_escaped_as_slack_escapes_them(page: Page) -> None:
    """`/hire admin add @Ines` names Ines as Slack's <@…|…> would; `&` and `<` arrive as
    Slack's entities and are read back as typed."""
    admin = workspace.ADMIN.id
    await page.say(admin, dm_of(admin), "/hire admin add @Ines")
    answer = (await page.messages(admin, dm_of(admin)))[-1]["text"]
    assert answer == f"<@{INTERVIEWER_2.id}> is now a Loopkeeper admin."

    await page.say(admin, dm_of(admin), "/hire holidays add 2026-12-31 Year's End & <Eve>")
    listing = (await page.messages(admin, dm_of(admin)))[-1]["text"]
    assert "Year's End &amp; &lt;Eve&gt;" in listing  # as typed, escaped again for Slack


# An emoji code the app writes, as it reads in Python: `:palm_tree:`, not `verb:id:n`.
EMOJI_CODE = re.compile(r"(?<![\w`:]):([a-z][a-z0-9_]*):(?![\w])")


def test_every_emoji_the_app_writes_is_drawn_in_the_playground() -> None:
    """Slack draws every standard emoji; the playground only those in its table, and
    shows the code as text otherwise (`:palm_tree:` was, on the days-away DMs)."""
    root = Path(__file__).resolve().parents[2]
    used = {
        code
        for folder in ("bot", "handlers")
        for path in (root / folder).rglob("*.py")
        for code in EMOJI_CODE.findall(path.read_text())
    }
    table = (root / "bot/playground/static/mrkdwn.js").read_text()
    drawn = set(re.findall(r"\b([a-z0-9_]+): \"", table))
    assert "palm_tree" in used and "warning" in used  # the pattern finds what it should
    assert used - drawn == set()


async def test_hour_by_hour_the_interview_reminder_arrives_on_its_way(page: Page) -> None:
    """Sam's take-home review is at 14:00 with Ines: moving the clock an hour at a time
    past 13:30 sends her reminder, as a scheduler running all along would have, rather
    than skipping it because the clock jumped past the interview's start."""
    for _ in range(5):  # 10:00 to 15:00
        await page.post("clock", step="hour", **{"as": RECRUITER.id})
    reminders = await reminders_to_ines(page, "Sam Okafor")
    assert len(reminders) == 1, reminders


async def reminders_to_ines(page: Page, candidate: str) -> list[str]:
    """The interview reminders in Ines's DM about `candidate`."""
    return [
        m["text"]
        for m in await page.messages(INTERVIEWER_2.id, dm_of(INTERVIEWER_2.id))
        if m["text"].startswith("Reminder:") and candidate in m["text"]
    ]


async def test_an_interview_booked_just_before_the_clock_moves_keeps_its_reminder(
    page: Page,
) -> None:
    """Booked at 10:04 for 11:00, then +1 hour at once: the reminder at 10:30 comes on
    the way, as it would have with the scheduler running. The booking is planned at the
    moment it was made; a stop only after the clock's 'now' passed that moment by."""
    playground = page.playground
    now = playground.clock.now()
    playground.clock.set(now.replace(minute=4, second=7, microsecond=123_456))
    starts = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    await page.say(RECRUITER.id, HIRING.id, "/hire schedule Ana Souza")
    await page.submit(
        RECRUITER.id,
        {"plan": "audit", "interviewers": [INTERVIEWER_2.id], "starts": int(starts.timestamp())},
    )
    dm = dm_of(INTERVIEWER_2.id)
    kits = [m for m in await page.messages(INTERVIEWER_2.id, dm) if "Ana Souza" in m["text"]]
    assert kits, "the kit was sent"

    await page.post("clock", step="hour", **{"as": RECRUITER.id})

    reminders = await reminders_to_ines(page, "Ana Souza")
    assert len(reminders) == 1, reminders
