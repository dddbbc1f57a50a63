"""The reminder before an interview (docs/clocks.md): a chain of its own, planned apart
from the seat's feedback nudges, sent only before the interview starts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.domain.clocks import (
    CLOCK_OF,
    Audience,
    Kind,
    Plan,
    SeatFacts,
    plan_reminder,
    plan_seat,
    reminder_step,
    seat_steps,
)
from bot.domain.stages import Stage
from tests.domain.clock_facts import CANDIDATE, DUE, ENDS, HOUR, seat

STARTS = ENDS - HOUR
MINUTE = timedelta(minutes=1)


def booked(
    minutes: int = 30,
    *,
    starts: datetime = STARTS,
    held: bool = True,
    submitted: bool = False,
    stage: Stage = Stage.INTERVIEWING,
) -> SeatFacts:
    return replace(
        seat(submitted=submitted, stage=stage),
        starts_at=starts,
        reminder_minutes=minutes,
        held=held,
    )


def test_the_reminder_is_due_the_role_s_minutes_before_the_start_to_the_interviewer() -> None:
    step = reminder_step(booked())
    assert step is not None
    assert (step.kind, step.due_at, step.deadline) == (
        Kind.INTERVIEW_REMINDER,
        STARTS - 30 * MINUTE,
        STARTS,
    )
    assert step.audience == Audience.INTERVIEWER and step.subject == "7:UINT0001"
    # Whatever the hour: it is urgent, never held for working hours; and not a breach.
    assert step.urgent and not step.breach
    assert CLOCK_OF[step.kind] == "reminder"


def test_plan_waits_for_the_reminder_then_sends_it_until_the_start() -> None:
    facts = booked()
    assert plan_reminder(facts, STARTS - HOUR) == Plan(None, [], STARTS - 30 * MINUTE)
    sent = plan_reminder(facts, STARTS - 30 * MINUTE)
    assert sent.send == reminder_step(facts) and sent.next_at is None
    assert plan_reminder(facts, STARTS - MINUTE).send == reminder_step(facts)


@pytest.mark.parametrize("late", [timedelta(), 10 * MINUTE, 2 * HOUR, 3 * 24 * HOUR])
def test_a_reminder_missed_until_the_start_is_never_sent(late: timedelta) -> None:
    assert plan_reminder(booked(), STARTS + late) == Plan(None)


def test_booked_less_than_the_minutes_ahead_it_goes_at_once() -> None:
    """Booked 10 minutes before the start: the reminder is already due, and goes now."""
    facts = booked()
    now = STARTS - 10 * MINUTE
    chain = plan_reminder(facts, now)
    assert chain.send is not None and chain.send.due_at < now


@pytest.mark.parametrize(
    "facts",
    [
        booked(minutes=0),
        booked(held=False),
        booked(submitted=True),
        booked(stage=Stage.REJECTED),
        replace(seat(), reminder_minutes=30),  # no start known
    ],
    ids=["reminders-off", "cancelled", "submitted", "rejected", "no-start"],
)
def test_no_reminder(facts: SeatFacts) -> None:
    assert reminder_step(facts) is None
    assert plan_reminder(facts, STARTS - 10 * MINUTE) == Plan(None)


def test_a_moved_interview_is_a_new_reminder() -> None:
    """The key holds the start: a moved interview's reminder is not the old one."""
    old = reminder_step(booked())
    new = reminder_step(booked(starts=STARTS + 24 * HOUR))
    assert old is not None and new is not None
    assert old.key(CANDIDATE) != new.key(CANDIDATE)
    assert new.due_at == STARTS + 24 * HOUR - 30 * MINUTE


def test_the_feedback_chain_is_untouched_by_the_reminder() -> None:
    """The nudges are the same with or without a reminder, and a reminder sent (or
    missed) supersedes none of them."""
    facts = booked()
    assert seat_steps(facts) == seat_steps(seat())
    for now in (STARTS - 10 * MINUTE, ENDS + HOUR, DUE, DUE + 2 * 24 * HOUR):
        assert plan_seat(facts, now) == plan_seat(seat(), now)
    after_end = plan_seat(facts, ENDS + HOUR)
    assert after_end.send is not None and after_end.send.kind == Kind.FEEDBACK_NUDGE
    assert after_end.skipped == []
