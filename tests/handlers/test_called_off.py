"""A candidate who leaves the process (rejected, withdrawn, hired) has no interviews
still to come: each is cancelled, its interviewers are told and their kits say so,
through every way a candidate leaves. Through signed Slack requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.runtime.timesource import ManualClock
from bot.store.tables import Interview
from tests.conftest import HM, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    answer,
    blocks_text,
    changes_made,
    click,
    create_role,
    extend_offer,
    kit_for,
    last_view,
    schedule,
    stored,
)
from tests.handlers.test_interview_changes import kit_sent_ts, updates_in
from tests.handlers.test_takehome import GRADER
from tests.handlers.test_takehome import receive as receive_takehome
from tests.handlers.test_takehome import send as send_takehome
from tests.scheduling.test_sweep import messages_to, sweep

# The call-off runs in the move's transaction, under the candidate's lock: the
# moves that call off run on both databases, what the cards then show on SQLite.

# START is Monday 16 Nov 2026 09:00 UTC.
MONDAY_10 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
THURSDAY_10 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)


async def booked(app: Running, clock: ManualClock) -> tuple[Interview, Interview]:
    """Jane had her first interview this morning (its scorecard is still owed) and has
    her audit on Thursday, with two interviewers."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    held = await schedule(app, "Jane Doe", starts=MONDAY_10)
    ahead = await schedule(
        app, "Jane Doe", plan="audit", starts=THURSDAY_10, interviewers=(INTERVIEWER, INTERVIEWER_2)
    )
    clock.set(MONDAY_10 + timedelta(hours=2))
    return held, ahead


async def statuses(app: Running) -> dict[int, str]:
    return {i.id or 0: i.status for i in await stored(app, Interview)}


def told_off(app: Running, user: str, since: int) -> list[dict[str, Any]]:
    return [m for m in messages_to(app, user, since) if m["text"].startswith("Interview cancelled")]


@pytest.mark.both_databases
async def test_rejecting_calls_off_the_interviews_still_to_come(
    app: Running, clock: ManualClock
) -> None:
    held, ahead = await booked(app, clock)
    kits = {who: kit_for(app, who) for who in (INTERVIEWER, INTERVIEWER_2)}
    before = len(app.standin.calls)

    said = answer(
        await app.slack.command("move Jane Doe to rejected: not senior enough", user=RECRUITER)
    )
    await app.settle()

    assert said["text"].startswith("Jane Doe is now in rejected"), said["text"]
    shown = blocks_text(said["blocks"])
    assert "Their interview still to come is cancelled, and the interviewers told." in shown
    assert await statuses(app) == {held.id: "scheduled", ahead.id: "cancelled"}
    [change] = [c for c in await changes_made(app) if c.interview_id == ahead.id]
    assert (change.kind, change.actor_id, change.summary, change.reason) == (
        "interview_cancelled",
        RECRUITER,
        "Pipeline and tooling audit cancelled",
        "Jane Doe is rejected",
    )
    # Each interviewer of Thursday's audit: a DM, and the kit loses its Submit button.
    for who in (INTERVIEWER, INTERVIEWER_2):
        [dm] = told_off(app, who, before)
        text = blocks_text(dm["blocks"])
        assert "*Jane Doe* (MLOps Engineer)" in text and "is no longer in the process" in text
        assert "rejected" not in text and "senior" not in text  # the team's, not theirs
        [edited] = [
            u for u in updates_in(app, f"D{who}", before) if u["ts"] == kit_sent_ts(app, kits[who])
        ]
        assert "Submit scorecard" not in str(edited) and "cancelled" in edited["text"]
    # The card's history says why; nobody is nudged about the audit, ever.
    history = blocks_text(answer(await app.slack.command("status Jane Doe", user=HM))["blocks"])
    assert "Pipeline and tooling audit cancelled by" in history
    since = len(app.standin.calls)
    for moment in (THURSDAY_10 - timedelta(minutes=25), THURSDAY_10 + timedelta(days=2)):
        clock.set(moment)  # its reminder's time, then well past its scorecard's due time
        await sweep(app)
    assert messages_to(app, INTERVIEWER_2, since) == []


@pytest.mark.both_databases
async def test_the_move_form_calls_off_too(app: Running, clock: ManualClock) -> None:
    _, ahead = await booked(app, clock)
    before = len(app.standin.calls)
    # The card's Reject: the move form, preset to rejected.
    card = answer(await app.slack.command("status Jane Doe", user=RECRUITER))
    assert await click(app, card, "Reject", user=RECRUITER) == []
    done = await app.slack.submit_view(
        last_view(app), {"stage": "withdrawn", "reason": "took another offer"}, user=RECRUITER
    )
    assert not done.content, done.text
    await app.settle()
    assert (await statuses(app))[ahead.id or 0] == "cancelled"
    assert len(told_off(app, INTERVIEWER_2, before)) == 1
    [confirmed] = [
        m for m in messages_to(app, RECRUITER, before) if m["text"].startswith("Jane Doe")
    ]
    assert "Their interview still to come is cancelled" in blocks_text(confirmed["blocks"])


async def test_a_move_within_the_process_leaves_them_booked(
    app: Running, clock: ManualClock
) -> None:
    _, ahead = await booked(app, clock)
    before = len(app.standin.calls)
    said = answer(await app.slack.command("move Jane Doe to decision", user=RECRUITER))
    await app.settle()
    assert "still to come" not in blocks_text(said["blocks"])
    assert (await statuses(app))[ahead.id or 0] == "scheduled"
    assert told_off(app, INTERVIEWER_2, before) == []
    # Still on: its reminder goes out (what a called-off interview never sends).
    clock.set(THURSDAY_10 - timedelta(minutes=25))
    await sweep(app)
    assert messages_to(app, INTERVIEWER_2, before) != []


@pytest.mark.both_databases
async def test_an_offer_answered_calls_off_what_was_still_booked(
    app: Running, clock: ManualClock
) -> None:
    _, ahead = await booked(app, clock)
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, "Jane Doe")
    await app.settle()
    before = len(app.standin.calls)

    card = answer(await app.slack.command("status Jane Doe", user=RECRUITER))
    [changed] = await click(app, card, "Accepted", user=RECRUITER)
    await app.settle()
    shown = blocks_text(changed.args["blocks"])
    assert "accepted the offer and is hired" in shown
    assert "Their interview still to come is cancelled" in shown
    assert (await statuses(app))[ahead.id or 0] == "cancelled"
    assert len(told_off(app, INTERVIEWER, before)) == 1
    [change] = [c for c in await changes_made(app) if c.interview_id == ahead.id]
    assert change.reason == "Jane Doe is hired"


async def test_the_card_of_someone_who_left_owes_no_scorecard_and_no_grade(
    app: Running, clock: ManualClock
) -> None:
    """Monday's interview was held and its scorecard not yet in; her take-home is in with
    a grade owed. Once she is rejected, scorecards and grading are closed: her card says
    so instead of 'overdue' and 'grading'."""
    await booked(app, clock)
    await send_takehome(app, graders=(GRADER,))
    await receive_takehome(app)
    clock.advance(timedelta(days=3))
    before = blocks_text(answer(await app.slack.command("status Jane Doe", user=HM))["blocks"])
    assert "scorecard overdue" in before and f"<@{GRADER}>: grading" in before

    since = len(app.standin.calls)
    await app.slack.command("move Jane Doe to rejected: not senior enough", user=RECRUITER)
    await app.settle()
    # Who still owed feedback hears it is no longer needed, not where she went.
    for who, what in (
        (INTERVIEWER, "scorecard for the Production incident interview"),
        (GRADER, "grade of the take-home"),
    ):
        said = f"No need to send your {what} for Jane Doe."
        [told] = [m for m in messages_to(app, who, since) if m["text"] == said]
        assert "rejected" not in blocks_text(told["blocks"])
    after = blocks_text(answer(await app.slack.command("status Jane Doe", user=HM))["blocks"])
    assert "overdue" not in after
    assert f"<@{INTERVIEWER}>: no scorecard (closed in rejected)" in after
    assert f"<@{GRADER}>: not graded (grading closed)" in after


@pytest.mark.parametrize("how", ["rejected", "offer"])
async def test_a_kit_whose_scorecard_was_closed_loses_its_submit_button(
    app: Running, clock: ManualClock, how: str
) -> None:
    """Monday's interview was held and its scorecard is still owed when the team moves on
    (a rejection, or an offer from decision): the kit it was owed on says it is closed
    instead of offering a Submit button that would only be refused."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=MONDAY_10)
    kit = kit_for(app, INTERVIEWER)
    assert "Submit scorecard" in str(kit["blocks"])
    clock.set(MONDAY_10 + timedelta(hours=2))
    before = len(app.standin.calls)
    if how == "rejected":
        await app.slack.command("move Jane Doe to rejected: not senior enough", user=RECRUITER)
    else:
        await app.slack.command("move Jane Doe to decision", user=RECRUITER)
        await extend_offer(app, "Jane Doe")
    await app.settle()
    [edited] = [
        u for u in updates_in(app, f"D{INTERVIEWER}", before) if u["ts"] == kit_sent_ts(app, kit)
    ]
    assert "Submit scorecard" not in str(edited["blocks"])
    assert "is no longer needed" in blocks_text(edited["blocks"])
    assert "rejected" not in str(edited)  # where she went stays with the team


async def test_an_offer_taken_back_to_decision_opens_the_scorecard_again_and_says_so(
    app: Running, clock: ManualClock
) -> None:
    """Told at the offer that his scorecard was no longer needed, Ivan heard nothing
    when the offer was taken back to decision a minute later, then got "Your scorecard
    is due now" for it, and his kit still said it was closed."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=MONDAY_10)
    kit = kit_for(app, INTERVIEWER)
    clock.set(MONDAY_10 + timedelta(hours=2))
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, "Jane Doe")
    await app.settle()
    before = len(app.standin.calls)

    await app.slack.command("move Jane Doe to decision: comp band needs HR sign-off first", user=HM)
    await app.settle()

    said = "Your scorecard for the Production incident interview for Jane Doe is needed again."
    [told] = [m for m in messages_to(app, INTERVIEWER, before) if m["text"] == said]
    assert "Submit scorecard" in str(told["blocks"])
    assert "HR sign-off" not in str(told)  # the team's reasons stay with the team
    [edited] = [
        u for u in updates_in(app, f"D{INTERVIEWER}", before) if u["ts"] == kit_sent_ts(app, kit)
    ]
    # The kit itself again, not a copy of the DM: its time, due time and competencies.
    assert edited["text"].startswith("Interview kit: Jane Doe"), edited["text"]
    assert "Probe these competencies" in blocks_text(edited["blocks"])
    assert "Submit scorecard" in str(edited["blocks"])
    theirs = blocks_text(answer(await app.slack.command("feedback", user=INTERVIEWER))["blocks"])
    assert "Jane Doe" in theirs and "Submit scorecard" in theirs
