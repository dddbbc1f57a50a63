"""The feedback chain of an interview seat: nudges, the due time, the escalation.

No database, no Slack: the clocks (docs/clocks.md) as pure functions of stored facts and `now`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.clocks import Audience, Kind, Plan, plan_seat, seat_steps
from bot.domain.stages import Stage
from tests.domain.clock_facts import CANDIDATE, DAY, DUE, ENDS, HOUR, of_kind, seat


def test_feedback_nudges_the_interviewer_an_hour_after_the_interview() -> None:
    [nudge] = of_kind(seat_steps(seat()), Kind.FEEDBACK_NUDGE)
    assert nudge.due_at == ENDS + HOUR
    assert nudge.audience == Audience.INTERVIEWER
    assert not nudge.breach


def test_feedback_nudges_the_interviewer_again_at_the_due_time() -> None:
    [due] = of_kind(seat_steps(seat()), Kind.FEEDBACK_DUE)
    assert due.due_at == due.deadline == DUE
    assert due.audience == Audience.INTERVIEWER
    assert not due.breach


def test_feedback_overdue_by_a_day_goes_to_recruiters_as_a_breach() -> None:
    [overdue] = of_kind(seat_steps(seat()), Kind.FEEDBACK_OVERDUE)
    assert overdue.due_at == DUE + 24 * HOUR
    assert overdue.deadline == DUE
    assert overdue.audience == Audience.RECRUITERS
    assert overdue.breach


def test_feedback_plan_before_the_first_nudge_waits_for_it() -> None:
    chain = plan_seat(seat(), ENDS + timedelta(minutes=30))
    assert chain.send is None
    assert chain.next_at == ENDS + HOUR


def test_feedback_plan_at_the_due_time_sends_the_second_nudge_and_skips_the_first() -> None:
    chain = plan_seat(seat(), DUE)
    assert chain.send is not None and chain.send.kind == Kind.FEEDBACK_DUE
    assert [s.kind for s in chain.skipped] == [Kind.FEEDBACK_NUDGE]
    assert chain.next_at == DUE + 24 * HOUR


def test_after_downtime_past_overdue_only_the_escalation_is_sent() -> None:
    chain = plan_seat(seat(), DUE + 3 * DAY)
    assert chain.send is not None and chain.send.kind == Kind.FEEDBACK_OVERDUE
    assert [s.kind for s in chain.skipped] == [Kind.FEEDBACK_NUDGE, Kind.FEEDBACK_DUE]
    assert chain.next_at is None


def test_no_feedback_steps_once_submitted() -> None:
    assert seat_steps(seat(submitted=True)) == []
    assert plan_seat(seat(submitted=True), DUE + 3 * DAY) == Plan(None, [], None)


@pytest.mark.parametrize("stage", [Stage.OFFER, Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN])
def test_no_feedback_steps_once_the_candidate_left_schedulable_stages(stage: Stage) -> None:
    assert seat_steps(seat(stage=stage)) == []
    assert plan_seat(seat(stage=stage), DUE + 3 * DAY) == Plan(None, [], None)


@pytest.mark.parametrize(
    "stage", [Stage.SOURCED, Stage.SCREENING, Stage.INTERVIEWING, Stage.DECISION]
)
def test_feedback_steps_run_while_the_candidate_is_schedulable(stage: Stage) -> None:
    assert [s.kind for s in seat_steps(seat(stage=stage))] == [
        Kind.FEEDBACK_NUDGE,
        Kind.FEEDBACK_DUE,
        Kind.FEEDBACK_OVERDUE,
    ]


def test_feedback_subject_is_the_seat_and_is_in_the_key() -> None:
    mine, theirs = seat(interviewer="UINT0001"), seat(interviewer="UINT0002")
    assert mine.subject == "7:UINT0001"
    steps = seat_steps(mine)
    assert all(s.subject == "7:UINT0001" for s in steps)
    assert all(":7:UINT0001:" in s.key(CANDIDATE) for s in steps)
    assert steps[0].key(CANDIDATE) != seat_steps(theirs)[0].key(CANDIDATE)


def test_a_feedback_pause_moves_the_due_time_and_the_escalation() -> None:
    steps = seat_steps(seat(paused=DAY))
    assert of_kind(steps, Kind.FEEDBACK_DUE)[0].due_at == DUE + DAY
    assert of_kind(steps, Kind.FEEDBACK_OVERDUE)[0].due_at == DUE + 2 * DAY


def test_a_feedback_snooze_drops_what_was_due_when_pressed() -> None:
    pressed = DUE + 24 * HOUR + HOUR  # escalated, then snoozed for a day from then
    snoozed = seat(paused=pressed + DAY - DUE, snoozed_at=pressed)
    chain = plan_seat(snoozed, pressed + HOUR)
    assert chain.send is None
    assert chain.skipped == []
    assert chain.next_at == pressed + DAY


def test_a_snoozed_scorecard_escalates_again_at_its_moved_due_time_and_only_then() -> None:
    """The day a snooze gives is the grace: the recruiters hear again when it runs out,
    not a day later; the interviewer, nudged before it, gets no new "due now"."""
    pressed = DUE + 24 * HOUR + HOUR
    [step] = seat_steps(seat(paused=pressed + DAY - DUE, snoozed_at=pressed))
    assert (step.kind, step.due_at, step.deadline) == (
        Kind.FEEDBACK_OVERDUE,
        pressed + DAY,
        pressed + DAY,
    )
    assert step.breach
