"""What booking would warn about is shown on the Schedule form before anything is
booked: the form comes back filled in as it was sent, with the warnings on top, to
change or to send as it is ("Schedule anyway"). Through signed Slack requests."""

from __future__ import annotations

from typing import Any

import pytest

from bot.playground.standin import SlackStandin
from bot.store.tables import Candidate, Interview
from tests.conftest import RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    add_day_off,
    answer,
    blocks_text,
    create_role,
    last_view,
    schedule,
    stored,
)
from tests.handlers.test_schedule_warnings import DAY, TUESDAY_10
from tests.scheduling.test_sweep import messages_to


async def clash(app: Running) -> None:
    """Jane and Bob in the same role; the interviewer is booked with Bob on Tuesday 10:00."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Bob Roe", role=role)
    await schedule(app, "Bob", plan="audit", starts=TUESDAY_10)


async def fill(app: Running, values: dict[str, Any], view: dict[str, Any] | None = None) -> Any:
    """Send the Schedule form (a new one for Jane, unless `view`) with `values`."""
    if view is None:
        opened = await app.slack.command("schedule Jane", user=RECRUITER)
        assert opened.status_code == 200 and not opened.content, opened.text
        view = last_view(app)
    return await app.slack.submit_view(view, values, user=RECRUITER)


CLASHING = {"plan": "audit", "interviewers": [INTERVIEWER, INTERVIEWER_2], "starts": TUESDAY_10}


@pytest.mark.both_databases
async def test_a_clash_comes_back_on_the_form_and_nothing_is_booked(app: Running) -> None:
    await clash(app)
    before = len(app.standin.calls)

    warned = answer(await fill(app, CLASHING))

    assert warned["response_action"] == "update"
    form = warned["view"]
    assert form["submit"]["text"] == "Schedule anyway"
    shown = blocks_text(form["blocks"])
    assert shown.startswith("*Before you book: 1 warning.* Change the time or the interviewers")
    assert f"<@{INTERVIEWER}> is already interviewing then" in shown
    # Filled in as it was sent, so that sending it as it is books what was warned about.
    inputs = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert inputs["plan"]["initial_option"]["value"] == "audit"
    assert inputs["interviewers"]["initial_users"] == [INTERVIEWER, INTERVIEWER_2]
    assert inputs["starts"]["initial_date_time"] == int(TUESDAY_10.timestamp())
    # Nothing booked, moved, sent or told yet.
    assert len(await stored(app, Interview)) == 1  # Bob's
    [jane] = [c for c in await stored(app, Candidate) if c.name == "Jane Doe"]
    assert jane.stage == "sourced"
    await app.settle()
    assert [c for c in app.standin.calls[before:] if c.method == "chat.postMessage"] == []


@pytest.mark.both_databases
async def test_the_warned_form_sent_as_it_is_books_it_once(app: Running) -> None:
    await clash(app)
    form = answer(await fill(app, CLASHING))["view"]
    before = len(app.standin.calls)

    for _ in range(2):  # Slack may deliver a double click twice
        booked = await fill(app, CLASHING, view=form)
        assert booked.status_code == 200 and not booked.content, booked.text
    await app.settle()

    assert len(await stored(app, Interview)) == 2
    [told] = [m for m in messages_to(app, RECRUITER, before) if m["text"].startswith("Scheduled")]
    assert told["text"].endswith("1 warning: see below.")


async def test_a_warned_form_changed_to_a_free_time_books_without_asking_again(
    app: Running,
) -> None:
    await clash(app)
    form = answer(await fill(app, CLASHING))["view"]

    booked = await fill(app, {**CLASHING, "starts": TUESDAY_10 + DAY}, view=form)

    assert booked.status_code == 200 and not booked.content, booked.text
    assert len(await stored(app, Interview)) == 2


async def test_a_warned_form_changed_to_another_clash_warns_again(app: Running) -> None:
    await clash(app)
    await add_day_off(app, "2026-11-18 Founders Day")
    form = answer(await fill(app, CLASHING))["view"]

    again = answer(await fill(app, {**CLASHING, "starts": TUESDAY_10 + DAY}, view=form))

    assert again["response_action"] == "update"
    assert "*On a company day off.*" in blocks_text(again["view"]["blocks"])
    assert len(await stored(app, Interview)) == 1


async def test_a_booking_with_nothing_to_warn_about_is_booked_at_once(app: Running) -> None:
    await clash(app)
    free = {**CLASHING, "starts": TUESDAY_10 + DAY}

    booked = await fill(app, free)

    assert booked.status_code == 200 and not booked.content, booked.text
    assert len(await stored(app, Interview)) == 2


async def test_a_slow_slack_leaves_days_off_to_the_dm_and_still_books(
    app: Running, standin: SlackStandin
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_day_off(app, "2026-11-17 Founders Day")
    # users.info answers past the form's second: the form cannot know where they are.
    standin.delay_next("users.info", 1.5)
    before = len(app.standin.calls)

    booked = await fill(app, {"plan": "audit", "interviewers": [INTERVIEWER], "starts": TUESDAY_10})

    assert booked.status_code == 200 and not booked.content, booked.text
    await app.settle()
    [told] = [m for m in messages_to(app, RECRUITER, before) if m["text"].startswith("Scheduled")]
    assert "*On a company day off.*" in blocks_text(told["blocks"])


async def test_a_start_that_has_passed_is_warned_about_before_booking(app: Running, clock) -> None:
    """Yesterday's date, a slip for tomorrow's: the form comes back saying so, and
    nothing is booked or sent. Sent as it is, it books (an interview held already, being
    recorded), its kit saying the scorecard is due."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    yesterday = clock.now() - DAY
    values = {"plan": "audit", "interviewers": [INTERVIEWER], "starts": yesterday}

    warned = answer(await fill(app, values))

    assert warned["response_action"] == "update"
    assert warned["view"]["submit"]["text"] == "Schedule anyway"
    shown = blocks_text(warned["view"]["blocks"])
    assert "*In the past.* This interview starts" in shown and "If the time is a slip" in shown
    assert await stored(app, Interview) == []
    booked = await app.slack.submit_view(warned["view"], values, user=RECRUITER)
    assert booked.status_code == 200 and not booked.content, booked.text
    await app.settle()
    assert [i.starts_at for i in await stored(app, Interview)] == [yesterday]
