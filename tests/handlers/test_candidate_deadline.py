"""The candidate's own deadline, through signed Slack requests: set on the status card,
the clocks compressed to fit before it (and restored when it is cleared), the alerts
saying why, the scheduling warning, and the pipeline's order and flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot import store
from bot.domain.clocks import WARNING_LEAD
from bot.domain.zones import in_utc, local
from bot.slack.blocks.common import when
from bot.store.tables import Alert, ClockPause, Interview, StageEvent
from tests.conftest import HM, OUTSIDER, RECRUITER, START, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    click,
    create_role,
    events_of,
    home_of,
    kit_for,
    last_view,
    schedule,
    stored,
    submit_scorecard,
)
from tests.scheduling.test_sweep import digests_to, messages_to, sweep
from tests.worlds import built_once

# START is Monday 16 Nov 2026 09:00 UTC. Maya's normal loop ends Monday 23 at 09:00.
THURSDAY_NOON = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)  # she decides then
DECISION_LIMIT = THURSDAY_NOON - timedelta(hours=24)  # Wednesday 12:00
LOOP_LIMIT = DECISION_LIMIT - timedelta(hours=24)  # Tuesday 12:00
TUESDAY_10 = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)  # her interview, 45 minutes

# The clocks, the sweep and what two people at once may do, on both databases; the
# rest (wording, who may, what each person sees) the same on either: SQLite only.


async def card_of(app: Running, name: str = "Maya", user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command(f"status {name}", user=user))


async def open_form(app: Running, card: dict[str, Any], *, user: str = RECRUITER) -> list[Any]:
    """Click Set candidate deadline on a card; returns the private answers it got."""
    label = "Set candidate deadline"
    return await click(app, card, label, user=user, answers=f"deadline-{user}", ephemeral=True)


async def set_deadline(
    app: Running, values: dict[str, Any], *, user: str = RECRUITER, name: str = "Maya"
) -> Any:
    """The card's button, then the modal submitted with `values`."""
    assert await open_form(app, await card_of(app, name, user), user=user) == []
    response = await app.slack.submit_view(last_view(app), values, user=user)
    await app.settle()
    return response


async def maya_interviewing(app: Running, *, interview_at: datetime = TUESDAY_10) -> None:
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    await schedule(app, "Maya", starts=interview_at)


async def maya_with_a_deadline(app: Running) -> None:
    """Maya interviewing, who decides by Thursday noon: a competing offer."""
    await maya_interviewing(app)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})


def is_note(event: Any) -> bool:
    return event.from_stage == event.to_stage


# Setting it ---------------------------------------------------------------------------------


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_set_from_the_card_is_recorded_and_shown(app: Running, clock) -> None:
    clock.advance(timedelta(minutes=30))

    done = await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})

    assert done.status_code == 200 and not done.content, done.text
    maya = await candidate_named(app, "Maya Chen")
    assert (maya.deadline_at, maya.deadline_reason) == (THURSDAY_NOON, "competing offer")
    [note] = [e for e in await events_of(app, maya) if is_note(e)]
    assert (note.actor_id, note.at, note.to_stage) == (RECRUITER, clock.now(), "interviewing")
    assert note.detail == "candidate deadline set: 2026-11-19 12:00 UTC"  # shown in each zone
    assert note.note == "competing offer"
    confirmation = blocks_text(messages_to(app, RECRUITER)[-1]["blocks"])
    assert f"decides by {when(THURSDAY_NOON)}" in confirmation  # in the reader's zone
    assert "So close" not in confirmation  # every clock still fits before it
    shown = blocks_text((await card_of(app))["blocks"])
    assert "Candidate decides by" in shown and "*: competing offer" in shown
    assert "Moved earlier to fit: loop, scorecards." in shown
    assert "(moved earlier from" in shown
    assert "candidate deadline set" in shown  # the history, as a note, not a move
    # The interviewer sees when, and what it moved, but not why: a competing offer is
    # the hiring team's, as its notes are, so their feedback does not lean on it.
    theirs = blocks_text((await card_of(app, user=INTERVIEWER))["blocks"])
    assert "Candidate decides by" in theirs and "Moved earlier to fit" in theirs
    assert "competing offer" not in theirs and "candidate deadline set" not in theirs


@built_once(maya_with_a_deadline)
async def test_the_feedback_summary_gives_the_decision_time_her_deadline_leaves(
    app: Running, clock
) -> None:
    """Her scorecard comes in Tuesday 12:00: the role's window would say decide by
    Thursday 12:00, when she has already decided. The summary says Wednesday 12:00, the
    time the card and the alerts use, and why it is sooner."""
    clock.set(TUESDAY_10 + timedelta(hours=2))
    before = len(app.standin.calls)

    [interview] = await stored(app, Interview)
    await submit_scorecard(app, interview)
    await app.settle()

    for person in (RECRUITER, HM):
        [summary] = [m for m in messages_to(app, person, before) if "are in" in m["text"]]
        shown = blocks_text(summary["blocks"])
        assert (
            f"decide by {when(DECISION_LIMIT)}, sooner than usual: Maya Chen decides by "
            f"{when(THURSDAY_NOON)}." in shown
        ), shown
    card = blocks_text((await card_of(app))["blocks"])
    assert f"offer or reject by {when(DECISION_LIMIT)} (1 day left)" in card  # the same time


@built_once(maya_with_a_deadline)
async def test_a_feedback_summary_after_the_decision_time_says_it_is_overdue(
    app: Running, clock
) -> None:
    """Her deadline leaves the decision due before the last scorecard came in: the
    summary says so, not that a window "is open" until a time already past."""
    clock.set(DECISION_LIMIT + timedelta(hours=4))
    before = len(app.standin.calls)

    [interview] = await stored(app, Interview)
    await submit_scorecard(app, interview)
    await app.settle()

    [summary] = [m for m in messages_to(app, HM, before) if "are in" in m["text"]]
    shown = blocks_text(summary["blocks"])
    assert "window is open" not in shown
    assert (
        f":rotating_light: The decision is overdue already: it was due by "
        f"{when(DECISION_LIMIT)}, sooner than usual: Maya Chen decides by "
        f"{when(THURSDAY_NOON)}. Make an offer, or reject." in shown
    ), shown


@built_once(maya_interviewing)
async def test_bad_input_gets_field_errors_and_changes_nothing(app: Running, clock) -> None:
    await open_form(app, await card_of(app))
    form = last_view(app)

    past = await app.slack.submit_view(
        form, {"deadline": clock.now() - timedelta(hours=1), "reason": " "}, user=RECRUITER
    )
    errors = past.json()["errors"]
    assert set(errors) == {"deadline", "reason"}
    assert "passed" in errors["deadline"] and "competing offer" in errors["reason"]
    state = {
        "deadline": {
            "value": {
                "type": "datetimepicker",
                "selected_date_time": int(THURSDAY_NOON.timestamp()),
            }
        },
        "reason": {"value": {"type": "plain_text_input", "value": "x" * 201}},
    }
    long = await app.slack.submit_view(form, {}, user=RECRUITER, state=state)
    assert long.json()["errors"] == {"reason": "Keep the reason to 200 characters at most."}
    assert (await candidate_named(app, "Maya Chen")).deadline_at is None


@built_once(maya_interviewing)
async def test_only_the_hiring_team_may_set_it(app: Running, clock) -> None:
    assert "Set candidate deadline" not in buttons((await card_of(app, user=INTERVIEWER))["blocks"])

    [outsider] = await open_form(app, await card_of(app), user=OUTSIDER)
    [interviewer] = await open_form(app, await card_of(app), user=INTERVIEWER)

    assert outsider.args["text"] == "I can't find that candidate among the roles you hire for."
    assert "Only the role's recruiters and hiring manager" in interviewer.args["text"]
    await open_form(app, await card_of(app))  # a recruiter's form, submitted by an outsider
    forged = await app.slack.submit_view(
        last_view(app), {"deadline": THURSDAY_NOON, "reason": "competing offer"}, user=OUTSIDER
    )
    assert "can't find that candidate" in forged.json()["errors"]["deadline"]
    assert (await candidate_named(app, "Maya Chen")).deadline_at is None


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_a_stale_click_after_the_candidate_closed_changes_nothing(app: Running) -> None:
    card = await card_of(app)
    await app.slack.command("move Maya Chen to rejected: role closed", user=HM)
    opened = len(app.standin.calls_to("views.open"))

    [reply] = await open_form(app, card)

    assert reply.args["text"] == "Maya Chen is rejected, which is final; nothing changed."
    assert len(app.standin.calls_to("views.open")) == opened
    assert (await candidate_named(app, "Maya Chen")).deadline_at is None


# The clocks ---------------------------------------------------------------------------------


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_loop_and_decision_alerts_come_earlier_and_say_why(app: Running, clock) -> None:
    clock.advance(timedelta(minutes=30))
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing <offer>"})
    before = len(app.standin.calls)

    await sweep(app)  # Monday 09:30: without her deadline, the loop warns next Saturday

    [warning] = digests_to(app, RECRUITER, before)
    assert "the interview loop has 1 day 2 hours left" in warning
    assert "— Maya decides by" in warning and "(competing &lt;offer&gt;)" in warning

    clock.set(TUESDAY_10 + timedelta(hours=1))  # after the interview: the last scorecard
    await submit_scorecard(app, await _interview(app))
    clock.set(LOOP_LIMIT + timedelta(minutes=1))  # Tuesday 12:01
    mid = len(app.standin.calls)
    await sweep(app)

    [digest] = digests_to(app, HM, mid)
    # The loop ran past its compressed end, not its 7 days (those end next Monday)...
    assert "the interview loop ran past" in digest and "1 minute ago — Maya decides by" in digest
    assert "7 days" not in digest
    # ...and the decision, due Thursday 11:00 by the window, is due Wednesday 12:00.
    assert "decide by" in digest and "(23 hours 59 minutes left) — Maya decides by" in digest
    assert "At risk of losing Maya" in digest
    # The card says it too, as the pipeline does.
    assert "At risk of losing them" in blocks_text((await card_of(app, user=HM))["blocks"])
    pipeline = blocks_text(answer(await app.slack.command("pipeline", user=HM))["blocks"])
    assert "at risk of losing" in pipeline, pipeline
    [decision] = [
        a for a in await stored(app, Alert) if a.kind == "decision_warn" and a.recipient_id == HM
    ]
    assert decision.deadline == DECISION_LIMIT


@pytest.mark.both_databases
@built_once(maya_with_a_deadline)
async def test_a_snooze_can_not_move_a_clock_past_her_deadline(app: Running, clock) -> None:
    """The loop's breach at its compressed end, Tuesday 12:00: Snooze 24h would move
    nothing (her deadline holds the loop there), so it says so instead of 'now due
    Wednesday', and no pause is recorded."""
    clock.set(LOOP_LIMIT + timedelta(minutes=4))
    before = len(app.standin.calls)
    await sweep(app)
    digest = next(
        m
        for m in messages_to(app, RECRUITER, before)
        if "loop ran past" in blocks_text(m["blocks"])
    )

    [reply] = await click(app, digest, "Snooze 24h", user=RECRUITER, settle=True)

    assert reply.args["text"] == (
        f"Maya Chen's loop clock already ends where their own deadline ({when(THURSDAY_NOON)}) "
        "leaves it, so a snooze can't move it. If they have more time, move their deadline "
        "first (Set candidate deadline on their card, or /hire deadline). Nothing changed."
    )
    assert await stored(app, ClockPause) == []
    shown = blocks_text((await card_of(app))["blocks"])
    assert f"was due {when(LOOP_LIMIT)}" in shown, shown


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_a_deadline_already_past_when_set_alerts_at_once(app: Running, clock) -> None:
    clock.set(datetime(2026, 11, 21, 8, 0, tzinfo=UTC))  # Saturday: breaches ignore the hour
    before = len(app.standin.calls)
    deadline = clock.now() + timedelta(hours=30)
    await set_deadline(app, {"deadline": deadline, "reason": "notice"})
    # The person who set it is told at once which clocks it leaves no room for.
    [confirmed] = [m for m in messages_to(app, RECRUITER, before) if "decides by" in m["text"]]
    loop_end = deadline - timedelta(hours=48)
    assert (
        f"So close that the loop's end ({when(loop_end)}) should have come already: the team "
        "is alerted now."
    ) in blocks_text(confirmed["blocks"])

    await sweep(app)

    [digest] = digests_to(app, RECRUITER, before)
    assert "the interview loop ran past" in digest and "(notice)" in digest


@built_once(maya_with_a_deadline)
async def test_clear_ticked_with_a_new_date_is_asked_which_was_meant(app: Running) -> None:
    later = THURSDAY_NOON + timedelta(days=1)

    both = await set_deadline(app, {"clear": ["clear"], "deadline": later})

    assert both.json()["errors"]["clear"].startswith("You ticked Clear and gave a new date.")
    maya = await candidate_named(app, "Maya Chen")
    assert maya.deadline_at == THURSDAY_NOON  # nothing changed


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_clearing_it_restores_the_normal_clocks(app: Running, clock) -> None:
    clock.advance(timedelta(minutes=30))
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    await sweep(app)
    clock.advance(timedelta(minutes=30))
    # Moved, it says from when to when.
    await set_deadline(
        app, {"deadline": THURSDAY_NOON + timedelta(days=1), "reason": "competing offer"}
    )
    maya = await candidate_named(app, "Maya Chen")
    moved = [e for e in await events_of(app, maya) if is_note(e)][-1]
    assert moved.detail == (
        f"candidate deadline moved: {in_utc(THURSDAY_NOON + timedelta(days=1))} instead of "
        f"{in_utc(THURSDAY_NOON)}"
    )

    done = await set_deadline(app, {"clear": ["clear"], "reason": "she will wait for us"})

    assert done.status_code == 200 and not done.content, done.text
    maya = await candidate_named(app, "Maya Chen")
    assert (maya.deadline_at, maya.deadline_reason) == (None, None)
    cleared = [e for e in await events_of(app, maya) if is_note(e)][-1]
    assert (cleared.detail, cleared.note) == ("candidate deadline cleared", "she will wait for us")
    # Cleared with the form as it opened (the reason it was set for): no reason recorded.
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "exploding offer"})
    await set_deadline(app, {"clear": ["clear"], "reason": "exploding offer"})
    cleared = [e for e in await events_of(app, maya) if is_note(e)][-1]
    assert (cleared.detail, cleared.note) == ("candidate deadline cleared", "")
    clock.set(LOOP_LIMIT + timedelta(minutes=1))
    before = len(app.standin.calls)
    await sweep(app)
    assert digests_to(app, RECRUITER, before) == []  # no compressed loop breach
    # The loop's own steps again: its warning of day 5 (Saturday 09:00), recorded
    # WARNING_LEAD ahead so that it can land on Friday afternoon instead, then its breach.
    assert START + timedelta(days=5) - WARNING_LEAD <= clock.now()
    held = [a for a in await stored(app, Alert) if a.status == "pending"]
    assert {(a.kind, a.due_at) for a in held} == {("loop_warn", START + timedelta(days=5))}
    assert (await candidate_named(app, "Maya Chen")).next_alert_at == START + timedelta(days=7)
    shown = blocks_text((await card_of(app))["blocks"])
    assert "Candidate decides by" not in shown and "moved earlier" not in shown


# Scheduling and the pipeline -------------------------------------------------------------------


async def test_scheduling_after_the_loop_limit_warns_the_scheduler(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})

    await schedule(app, "Maya", starts=TUESDAY_10)
    fine = messages_to(app, RECRUITER)[-1]
    await schedule(app, "Maya", plan="audit", starts=TUESDAY_10 + timedelta(days=1))
    late = messages_to(app, RECRUITER)[-1]

    assert fine["text"].startswith("Scheduled") and "Too late" not in blocks_text(fine["blocks"])
    warning = blocks_text(late["blocks"])
    assert late["text"].startswith("Scheduled")  # booked: a warning, not a refusal
    assert "Too late for Maya Chen's deadline" in warning and "(competing offer)" in warning
    assert "Look for an earlier slot" in warning

    # Booked once that limit has passed, there is no earlier slot to look for.
    clock.set(THURSDAY_NOON - timedelta(days=1))
    await schedule(app, "Maya", plan="takehome", starts=clock.now() + timedelta(hours=2))
    gone = blocks_text(messages_to(app, RECRUITER)[-1]["blocks"])
    assert "There is no earlier time left: ask the candidate for more time" in gone, gone
    assert "Look for an earlier slot" not in gone


async def test_pipeline_and_home_put_the_tightest_deadline_first(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Ana Lopez", role=role)
    await schedule(app, "Ana", starts=TUESDAY_10)
    await add_candidate(app, "Maya Chen", role=role)
    clock.advance(timedelta(hours=1))
    await schedule(app, "Maya", starts=TUESDAY_10 + timedelta(hours=2))
    # Six days out: her loop must end by Friday 10:00 (not Monday), yet nothing is near.
    await set_deadline(app, {"deadline": clock.now() + timedelta(days=6), "reason": "offer"})

    body = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert body.index("*Maya Chen*") < body.index("*Ana Lopez*")  # though Ana waits longer
    assert "at risk" not in body

    clock.advance(timedelta(days=3))  # her loop's limit is now a day away: at risk
    body = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert "*Needs attention*\n• *Maya Chen*" in body
    assert ":warning: at risk of losing: decides in 72 h" in body
    home = blocks_text((await home_of(app, RECRUITER))["blocks"])
    assert "Maya Chen*: 3.0 d in interviewing · :warning: at risk of losing" in home


# Helpers -------------------------------------------------------------------------------------


async def _interview(app: Running) -> Any:
    from bot.store.tables import Interview

    async with app.deps.db.reader() as session:
        return (await session.exec(select(Interview))).one()


async def test_an_interview_booked_past_the_new_loop_end_is_flagged_on_the_card(
    app: Running, clock
) -> None:
    """Her interview was booked for Thursday 10:00 before she said she decides Thursday
    noon: the loop must end Tuesday noon, so the card says to move it, instead of telling
    the team its scorecard is due after she has decided."""
    thursday_10 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    await maya_interviewing(app, interview_at=thursday_10)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})

    shown = blocks_text((await card_of(app))["blocks"])
    assert "At risk of losing" not in shown  # the loop's end is days away yet
    assert (
        f":warning: Booked too late for the loop to end by {when(LOOP_LIMIT)}: "
        f"*Production incident interview* {when(thursday_10)}. Reschedule it earlier, or "
        "decide without it."
    ) in shown
    assert "Scorecards now due by" not in shown
    # Past the loop's limit, there is no earlier time to move it to: the card says so.
    clock.set(LOOP_LIMIT + timedelta(hours=1))
    shown = blocks_text((await card_of(app))["blocks"])
    assert "Reschedule it earlier" not in shown
    assert "There is no earlier time left: decide without it, or ask the candidate" in shown


async def test_an_interview_ending_before_the_loop_end_is_not_flagged(app: Running) -> None:
    """The card flags what the scheduling warning would: an interview ending after the
    loop's end. One ending 15 minutes before it is not (its scorecard comes after)."""
    await maya_interviewing(app, interview_at=LOOP_LIMIT - timedelta(hours=1))
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})

    assert "Booked too late" not in blocks_text((await card_of(app))["blocks"])


@built_once(maya_with_a_deadline)
async def test_a_loop_cut_short_is_not_counted_out_of_its_seven_days(app: Running, clock) -> None:
    # A day and more ahead (Monday 09:00: 27 hours), it still ends within a week's
    # warning: not "loop day 1 of 7", which would promise six more.
    pipeline = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert "loop ends in 1 day (their deadline)" in pipeline, pipeline
    assert "of 7" not in pipeline
    clock.set(LOOP_LIMIT - timedelta(hours=5))  # Tuesday 07:00: the loop ends at noon

    shown = blocks_text((await card_of(app))["blocks"])
    assert "*Loop day 1* (of 7, cut short by their deadline)" in shown, shown
    pipeline = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert "loop ends in 5 h (their deadline)" in pipeline, pipeline
    assert "loop day 1 of 7" not in pipeline


@built_once(maya_with_a_deadline)
async def test_once_their_deadline_passes_the_card_and_pipeline_say_so(app: Running, clock) -> None:
    """ "At risk" is for a deadline still ahead; once it passes they may be lost: the card
    and the pipeline say so, rather than going quiet."""
    clock.set(THURSDAY_NOON + timedelta(hours=1))

    shown = blocks_text((await card_of(app))["blocks"])
    assert "*Their own deadline has passed*: ask whether they are still deciding" in shown
    assert "At risk of losing them" not in shown
    pipeline = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert "their own deadline passed" in pipeline, pipeline


@built_once(maya_interviewing)
async def test_the_command_opens_the_form_and_a_typo_is_pointed_out(app: Running) -> None:
    response = await app.slack.command("deadline Maya", user=RECRUITER)
    assert response.status_code == 200 and not response.content, response.text
    form = last_view(app)
    assert form["callback_id"] == "deadline_submit"
    # With no deadline yet there is nothing to clear: both fields are needed, and say so.
    inputs = {b["block_id"]: b for b in form["blocks"] if b["type"] == "input"}
    assert set(inputs) == {"deadline", "reason"}
    assert not any(b.get("optional") for b in inputs.values())
    missing = answer(await app.slack.command("deadline", user=RECRUITER))
    assert missing["text"] == "Whose deadline? Example: `/hire deadline Jane Doe`."
    refused = answer(await app.slack.command("deadline Maya", user=INTERVIEWER))
    assert "recruiters and hiring manager" in refused["text"], refused["text"]
    # A mistyped command reads as a name; the answer says which command it looks like.
    typo = answer(await app.slack.command("stauts Maya Chen", user=RECRUITER))
    assert typo["text"].endswith("Did you mean `/hire status Maya Chen`?"), typo["text"]


@built_once(maya_with_a_deadline)
async def test_the_card_counts_a_scorecard_from_its_due_time_under_the_deadline(
    app: Running, clock
) -> None:
    """Her deadline brings the loop's end to Tuesday noon, and with it her interview's
    scorecard, due Wednesday by the role's window: the card says the time the alerts
    count from, not the window's."""
    clock.set(TUESDAY_10 + timedelta(hours=1))
    shown = blocks_text((await card_of(app))["blocks"])
    assert f"scorecard due {when(LOOP_LIMIT)}" in shown
    clock.set(LOOP_LIMIT + timedelta(hours=2))
    shown = blocks_text((await card_of(app))["blocks"])
    assert "scorecard overdue by 2 hours" in shown
    # The interviewer's own lists give the same time, not the role's window.
    mine = blocks_text(answer(await app.slack.command("feedback", user=INTERVIEWER))["blocks"])
    home = blocks_text((await home_of(app, INTERVIEWER))["blocks"])
    for shown in (mine, home):
        assert "Maya Chen" in shown and "overdue by 2 hours" in shown, shown


@built_once(maya_interviewing)
async def test_an_interviewer_whose_scorecard_moves_is_told(app: Running, clock) -> None:
    """Her deadline brings the scorecard of Tuesday's interview from the role's window to
    Tuesday noon: the interviewer hears it, with both times, and again when it is
    cleared. Nobody whose scorecard stays as it was is told."""
    seat = await maya_seat(app)
    before = len(app.standin.calls)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    [told] = dms(app, INTERVIEWER, before)
    assert told["text"] == "Your scorecard for Maya Chen is now due earlier."
    shown = blocks_text(told["blocks"])
    assert f"now due *{when(LOOP_LIMIT)}*, instead of {when(seat.feedback_due_at)}" in shown

    before = len(app.standin.calls)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "still the same offer"})
    assert dms(app, INTERVIEWER, before) == []  # the same time: nothing to say

    await set_deadline(app, {"clear": ["clear"], "reason": ""})
    [back] = dms(app, INTERVIEWER, before)
    assert back["text"] == "Your scorecard for Maya Chen is now due later."


@built_once(maya_interviewing)
async def test_a_due_time_gone_by_is_said_as_overdue_or_not_at_all(app: Running, clock) -> None:
    """Set on Tuesday 13:00, her deadline makes the scorecard due Tuesday noon, an hour
    ago: the interviewer hears it is overdue, not that it is "now due" a time gone by.
    Moved on Wednesday afternoon, when the window's time has passed too, it was overdue
    and still is: nobody is told of a new time in the past ("so there is more time")."""
    seat = await maya_seat(app)
    clock.set(LOOP_LIMIT + timedelta(hours=1))
    before = len(app.standin.calls)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    [told] = dms(app, INTERVIEWER, before)
    assert told["text"] == "Your scorecard for Maya Chen is now overdue."
    shown = blocks_text(told["blocks"])
    assert f"is now *overdue*: it was due {when(seat.feedback_due_at)}, and" in shown
    assert f"makes it due by {when(LOOP_LIMIT)}." in shown and "now due *" not in shown

    clock.set(TUESDAY_10 + timedelta(days=1, hours=3))  # Wednesday 13:00: both gone by
    before = len(app.standin.calls)
    await set_deadline(app, {"deadline": THURSDAY_NOON + timedelta(days=7), "reason": "later"})
    await set_deadline(app, {"clear": ["clear"], "reason": ""})
    assert dms(app, INTERVIEWER, before) == []


@built_once(maya_interviewing)
async def test_the_kit_gives_the_due_time_the_deadline_brings(app: Running) -> None:
    """The kit far up the interviewer's DM is edited before they are told (the DM's
    notification points there): its due time is the card's, and cleared, the window's
    again. A kit sent after the deadline was set gives it from the start."""
    seat = await maya_seat(app)
    tz = "UTC"  # the interviewer's, as the stand-in has them
    assert f"Scorecard due*\n{local(seat.feedback_due_at, tz)}" in blocks_text(
        kit_for(app, INTERVIEWER)["blocks"]
    )
    before = len(app.standin.calls)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    calls = app.standin.calls[before:]
    edits = [
        i
        for i, c in enumerate(calls)
        if c.method == "chat.update"
        and (c.args["channel"], c.args["ts"]) == (seat.kit_channel, seat.kit_ts)
    ]
    told = [
        i
        for i, c in enumerate(calls)
        if c.method == "chat.postMessage" and c.args["channel"] == INTERVIEWER
    ]
    assert len(edits) == 1 and len(told) == 1 and edits[0] < told[0], calls
    edited = blocks_text(calls[edits[0]].args["blocks"])
    assert f"Scorecard due*\n{local(LOOP_LIMIT, tz)}" in edited
    assert "Due sooner than usual: the candidate has a deadline of their own." in edited
    assert "competing offer" not in edited  # why stays on the card, for whoever sees it

    before = len(app.standin.calls)
    await set_deadline(app, {"clear": ["clear"], "reason": ""})
    [back] = [c.args for c in app.standin.calls[before:] if c.method == "chat.update"]
    shown = blocks_text(back["blocks"])
    assert f"Scorecard due*\n{local(seat.feedback_due_at, tz)}" in shown
    assert "sooner than usual" not in shown

    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    await schedule(app, "Maya", plan="audit", starts=TUESDAY_10 + timedelta(hours=2))
    shown = blocks_text(kit_for(app, INTERVIEWER)["blocks"])
    assert "Due sooner than usual" in shown, shown


def dms(app: Running, user: str, since: int) -> list[dict[str, Any]]:
    return [
        c.args
        for c in app.standin.calls[since:]
        if c.method == "chat.postMessage" and c.args["channel"] == user
    ]


async def maya(app: Running) -> Any:
    return await candidate_named(app, "Maya Chen")


async def maya_seat(app: Running) -> Any:
    """Her one interview's one seat, as booked (its due time by the role's window)."""
    async with app.deps.db.reader() as session:
        [(_, seat)] = await store.seats_of(session, candidate_id=(await maya(app)).id or 0)
    return seat


@built_once(maya_with_a_deadline)
async def test_a_nudge_after_her_date_passed_does_not_give_that_date_as_ahead(
    app: Running, clock
) -> None:
    """Her deadline brought the scorecard sooner; once her date has gone by, a reminder
    says it was due sooner, not that "the loop must finish before" a time past."""
    clock.set(THURSDAY_NOON + timedelta(hours=1))
    before = len(app.standin.calls)
    await sweep(app)
    digest = [m for m in messages_to(app, RECRUITER, before) if "Nudge interviewers" in str(m)][-1]
    mid = len(app.standin.calls)
    await click(app, digest, "Nudge interviewers", user=RECRUITER, settle=True)
    [reminder] = messages_to(app, INTERVIEWER, mid)
    shown = blocks_text(reminder["blocks"])
    assert "It was due sooner than usual: Maya decides by a date of their own, now passed." in (
        shown
    )
    assert "must finish before then" not in shown
    # Days overdue, "while it is fresh" would mock them: the team is waiting on it.
    assert "The hiring team is waiting on it." in shown and "while it is fresh" not in shown


@built_once(maya_interviewing)
async def test_the_rest_of_the_team_hears_of_her_deadline(app: Running) -> None:
    """Her deadline changes everyone's clocks: the hiring manager hears who set it, to
    when and why, and again when it is cleared. Saved again as it was, nobody is told."""
    before = len(app.standin.calls)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    [told] = messages_to(app, HM, before)
    assert told["text"] == (
        f":stopwatch: <@{RECRUITER}> set Maya Chen's own deadline (MLOps Engineer): they "
        f"decide by *{when(THURSDAY_NOON)}*: competing offer. Their clocks now fit before it."
    )
    assert "Open card" in buttons(told["blocks"])
    assert messages_to(app, INTERVIEWER, before) == [] or all(
        "own deadline" not in m["text"] for m in messages_to(app, INTERVIEWER, before)
    )

    before = len(app.standin.calls)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    assert messages_to(app, HM, before) == []

    # Moved, it says which way and from when (it said "set", as if new).
    earlier = THURSDAY_NOON - timedelta(hours=3)
    await set_deadline(app, {"deadline": earlier, "reason": "competing offer"})
    [moved] = messages_to(app, HM, before)
    assert moved["text"].startswith(
        f":stopwatch: <@{RECRUITER}> moved Maya Chen's own deadline earlier (MLOps "
        f"Engineer): they decide by *{when(earlier)}* (was {when(THURSDAY_NOON)})"
    ), moved["text"]

    before = len(app.standin.calls)
    await set_deadline(app, {"clear": ["clear"], "reason": ""})
    [cleared] = messages_to(app, HM, before)
    assert cleared["text"].startswith(f":white_check_mark: <@{RECRUITER}> cleared Maya Chen's")


@pytest.mark.both_databases
@built_once(maya_with_a_deadline)
async def test_a_stale_deadline_form_is_refused_and_an_unchanged_one_records_nothing(
    app: Running, clock
) -> None:
    """Riya and Hana open the form together; Riya saves 09:00 (the candidate's offer moved
    up), then Hana saves her older form: it silently put the later time back and relaxed
    every clock. Now it is refused, and saving a form unchanged adds no history line."""
    await open_form(app, await card_of(app, "Maya", HM), user=HM)
    hana = last_view(app)
    earlier = THURSDAY_NOON - timedelta(hours=3)
    await set_deadline(app, {"deadline": earlier, "reason": "their deadline moved up"})

    stale = await app.slack.submit_view(
        hana, {"deadline": THURSDAY_NOON + timedelta(days=1), "reason": "competing offer"}, user=HM
    )

    assert stale.json()["errors"]["deadline"].startswith("Someone changed this deadline")
    assert (await candidate_named(app, "Maya Chen")).deadline_at == earlier
    events = await stored(app, StageEvent)
    await set_deadline(app, {"deadline": earlier, "reason": "their deadline moved up"})
    assert await stored(app, StageEvent) == events  # nothing "moved to X instead of X"


@built_once(maya_with_a_deadline)
async def test_the_card_s_deadline_lines_fit_the_candidate(app: Running, clock) -> None:
    """At risk, the card names the step that must come first and when (it said only 'a
    deadline their own moved earlier is less than a day away'); passed, it speaks of an
    offer only when there is one."""
    loop_by = THURSDAY_NOON - timedelta(days=2)  # decision a day before, the loop before that
    clock.set(loop_by - timedelta(hours=2))
    shown = blocks_text((await card_of(app))["blocks"])
    assert (
        f":warning: *At risk of losing them*: they decide {when(THURSDAY_NOON)}, so reach a "
        f"decision (end of the loop) by {when(loop_by)}."
    ) in shown, shown

    clock.set(THURSDAY_NOON + timedelta(hours=1))
    shown = blocks_text((await card_of(app))["blocks"])
    assert (
        ":rotating_light: *Their own deadline has passed*: ask whether they are still "
        "deciding, then move or clear it.\n"
    ) in shown + "\n", shown
    assert "offer can't be extended" not in shown


@built_once(maya_with_a_deadline)
async def test_a_squeezed_loop_breach_with_every_scorecard_in_says_decide(
    app: Running, clock
) -> None:
    """Sam's loop, cut short by his deadline, ran out with every scorecard in: the digest
    said "Move them to decision, or reject" beside the decision's "Make an offer, or
    reject". The loop's line now says what the decision's says."""
    [interview] = await stored(app, Interview)
    clock.set(TUESDAY_10 + timedelta(hours=1))
    await submit_scorecard(app, interview)
    before = len(app.standin.calls)
    clock.set(THURSDAY_NOON - timedelta(days=2) + timedelta(hours=1))  # past the loop limit

    await sweep(app)

    said = " ".join(digests_to(app, RECRUITER, before))
    assert "the interview loop ran past" in said, said
    assert "Every scorecard is in: book the next interview, or make an offer or reject." in said
    assert "Move them to decision, or reject." not in said


async def test_at_risk_before_any_interview_names_the_loop_s_limit(app: Running, clock) -> None:
    """In screening no clock of the loop runs yet: the card's at-risk line names the
    latest the loop can end (it named nothing)."""
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    await app.slack.command("move Maya Chen to screening", user=RECRUITER)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    loop_by = THURSDAY_NOON - timedelta(days=2)
    clock.set(loop_by - timedelta(hours=3))
    shown = blocks_text((await card_of(app))["blocks"])
    assert (
        f":warning: *At risk of losing them*: they decide {when(THURSDAY_NOON)}, so the loop "
        f"must end by {when(loop_by)}."
    ) in shown, shown


async def test_at_risk_in_screening_never_names_the_idle_reminder_after_their_date(
    app: Running, clock
) -> None:
    """Maya came into screening on Tuesday afternoon and decides Thursday noon: the card
    told the team to "move on from screening by Thursday 14:00", after she has decided (the
    idle reminder's time, which her date does not move). The step that counts is the
    loop's limit, already passed: it says so, and what to do."""
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    clock.set(TUESDAY_10 + timedelta(hours=4))
    await app.slack.command("move Maya Chen to screening", user=RECRUITER)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    loop_by = THURSDAY_NOON - timedelta(days=2)

    shown = blocks_text((await card_of(app))["blocks"])

    [risk] = [line for line in shown.splitlines() if "At risk" in line]
    assert "move on from screening" not in risk, risk
    assert (
        f":warning: *At risk of losing them*: they decide {when(THURSDAY_NOON)}, so the loop "
        f"had to end by {when(loop_by)}: ask them for more time, and move their deadline."
    ) in shown, shown


def once_to_the_team(app: Running, since: int, marker: str) -> list[str]:
    """The one digest item with `marker` that the recruiter and the hiring manager each
    got since call number `since`: exactly one each."""
    out = []
    for person in (RECRUITER, HM):
        told = [d for d in digests_to(app, person, since) if marker in d]
        assert len(told) == 1, told
        out += told
    return out


@pytest.mark.both_databases
async def test_the_team_hears_a_day_before_the_loop_s_limit_while_nothing_is_booked(
    app: Running, clock
) -> None:
    """Maya, in screening, decides Thursday noon, so her loop must end by Tuesday noon.
    The card and the pipeline flagged her at risk, but no message did: nobody knew unless
    they looked. The team hears once, a day before the limit; interviewers never."""
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    await app.slack.command("move Maya Chen to screening", user=RECRUITER)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    loop_by = THURSDAY_NOON - timedelta(days=2)
    before = len(app.standin.calls)

    clock.set(loop_by - timedelta(days=1, minutes=5))
    await sweep(app)
    assert digests_to(app, RECRUITER, before) == []  # not yet
    clock.set(loop_by - timedelta(hours=23))
    await sweep(app)
    clock.advance(timedelta(hours=2))
    await sweep(app)

    for told in once_to_the_team(app, before, "loop must end"):
        assert (
            f"they decide {when(THURSDAY_NOON)} (competing offer), so their interview loop "
            f"must end by {when(loop_by)} (23 hours left), and it has not started. Book the "
            "interviews now, or ask them for more time and move their deadline. "
            "*At risk of losing Maya.*"
        ) in told, told
    assert all("loop must end" not in m["text"] for m in messages_to(app, INTERVIEWER))


async def test_a_deadline_set_past_the_loop_s_limit_says_so_at_once(app: Running, clock) -> None:
    """Set when the loop's limit has already gone, the warning is due at once, in the
    past tense."""
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    clock.set(TUESDAY_10 + timedelta(hours=4))
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    before = len(app.standin.calls)

    await sweep(app)

    [told] = [d for d in digests_to(app, RECRUITER, before) if "loop had to end" in d]
    assert (
        f"so their interview loop had to end by {when(THURSDAY_NOON - timedelta(days=2))}, "
        "2 hours ago, and it has not started. Ask them for more time and move their "
        "deadline, or reject."
    ) in told, told


@pytest.mark.both_databases
@built_once(maya_with_a_deadline)
async def test_a_daily_breach_after_their_date_says_it_passed(app: Running, clock) -> None:
    """Sam's loop breach, squeezed by his deadline, still said "— Sam decides by Thu
    12:00" on Friday, a day after that had gone."""
    clock.set(THURSDAY_NOON - timedelta(days=2, minutes=-5))  # the loop's limit passed
    await sweep(app)
    before = len(app.standin.calls)

    clock.set(THURSDAY_NOON + timedelta(days=1, minutes=5))
    await sweep(app)

    [breach] = [d for d in digests_to(app, RECRUITER, before) if "loop ran past" in d]
    assert f"— Maya's own deadline passed {when(THURSDAY_NOON)} (competing offer)" in breach
    assert "decides by" not in breach, breach


@pytest.mark.both_databases
async def test_the_team_hears_once_when_a_candidate_s_own_deadline_passes(
    app: Running, clock
) -> None:
    """Chloe, in screening, decided by Saturday 18:00: the card and the pipeline said it had
    passed, but no DM ever did. Now the team's digest does, once, and not to interviewers."""
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    await app.slack.command("move Maya Chen to screening", user=RECRUITER)
    await set_deadline(app, {"deadline": THURSDAY_NOON, "reason": "competing offer"})
    before = len(app.standin.calls)

    clock.set(THURSDAY_NOON + timedelta(minutes=5))
    await sweep(app)
    clock.advance(timedelta(days=1))
    await sweep(app)

    for told in once_to_the_team(app, before, "own deadline passed"):
        assert (
            f"their own deadline passed {when(THURSDAY_NOON)}, 5 minutes ago (competing offer). "
            "Ask whether they are still deciding"
        ) in told, told
    assert all("own deadline passed" not in m["text"] for m in messages_to(app, INTERVIEWER))
