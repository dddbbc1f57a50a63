"""Each person's days away in the sweep: alerts to them that wait for working hours skip
those days in their own time zone, as they skip company days off; breaches go at once
all the same, and nobody else's alerts wait."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot import store
from bot.runtime.timesource import ManualClock
from bot.store.tables import Alert
from tests.conftest import RECRUITER, START, Running
from tests.flows import INTERVIEWER, INTERVIEWER_2, add_candidate, answer, create_role, schedule
from tests.scheduling.test_days_off import held_until
from tests.scheduling.test_sweep import digests_to, messages_to, sweep

DAY = timedelta(days=1)


async def test_days_over_everywhere_are_forgotten_by_the_sweep(
    app: Running, clock: ManualClock
) -> None:
    async with app.deps.db.transaction() as session:
        for who in (INTERVIEWER, INTERVIEWER_2):
            await store.days_away.add_days_away(
                session,
                user_id=who,
                days=[date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)],
                now=clock.now(),
            )
    # Wednesday 13:00 UTC: Tuesday is over everywhere (UTC-12 is at Wednesday 01:00).
    clock.set(datetime(2026, 11, 18, 13, 0, tzinfo=UTC))
    await sweep(app)
    async with app.deps.db.reader() as session:
        left = await store.days_away.days_away_of(
            session, user_ids=[INTERVIEWER, INTERVIEWER_2], first=date(2026, 1, 1)
        )
    assert left == {who: frozenset({date(2026, 11, 18)}) for who in (INTERVIEWER, INTERVIEWER_2)}


async def away(app: Running, user: str, text: str) -> None:
    said = str(answer(await app.slack.command(f"away add {text}", user=user))["text"])
    assert "now a day away for you" in said, said


async def jane_with_two_interviewers(app: Running) -> None:
    """Jane's 45-minute interview, Tuesday 16:00 UTC, with both interviewers: the first
    nudge comes Tuesday 17:45, the scorecard is due Wednesday 16:45, overdue (a breach,
    to the recruiters) Thursday 16:45."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(
        app, "Jane", starts=START.replace(hour=16) + DAY, interviewers=(INTERVIEWER, INTERVIEWER_2)
    )


def due_now(app: Running, user: str, since: int) -> list[dict[str, Any]]:
    """The message of the due step: "due now" on time, or, held, by how much it is late."""
    return [
        m
        for m in messages_to(app, user, since)
        if m["text"] == "Your scorecard for Jane Doe is due now."
        or m["text"].startswith("Your scorecard for Jane Doe was due ")
    ]


async def test_a_nudge_due_on_an_interviewer_s_day_away_waits_for_their_next_morning(
    app: Running, clock: ManualClock
) -> None:
    """INTERVIEWER is in New York and away on Wednesday; INTERVIEWER_2 is in UTC and at
    work. The scorecard is due Wednesday 16:45 UTC (11:45 in New York): INTERVIEWER_2 is
    told then, INTERVIEWER on Thursday at 09:00 New York time, 14:00 UTC."""
    app.standin.set_user(INTERVIEWER, tz="America/New_York", tz_offset=-5 * 3600)
    await away(app, INTERVIEWER, "2026-11-18")
    await jane_with_two_interviewers(app)
    before = len(app.standin.calls)

    clock.set(datetime(2026, 11, 17, 17, 46, tzinfo=UTC))  # Tuesday: both at work
    await sweep(app)
    for interviewer in (INTERVIEWER, INTERVIEWER_2):
        [first] = messages_to(app, interviewer, before)
        assert first["text"].startswith("Your scorecard for Jane Doe is due")

    clock.set(datetime(2026, 11, 18, 16, 46, tzinfo=UTC))  # Wednesday
    await sweep(app)
    assert len(due_now(app, INTERVIEWER_2, before)) == 1  # another's day away holds nobody else
    assert due_now(app, INTERVIEWER, before) == []
    thursday_morning_in_new_york = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)
    assert await held_until(app, "feedback_due") == {thursday_morning_in_new_york}

    clock.set(thursday_morning_in_new_york - timedelta(minutes=1))
    await sweep(app)
    assert due_now(app, INTERVIEWER, before) == []
    clock.set(thursday_morning_in_new_york)
    await sweep(app)
    [held] = due_now(app, INTERVIEWER, before)
    assert held["text"].endswith("it is overdue by 21 hours 15 minutes."), held["text"]
    assert len(due_now(app, INTERVIEWER_2, before)) == 1


async def test_a_breach_goes_at_once_on_its_recipient_s_day_away(
    app: Running, clock: ManualClock
) -> None:
    await away(app, RECRUITER, "2026-11-19")  # Thursday, when the scorecards are overdue
    await jane_with_two_interviewers(app)
    clock.set(datetime(2026, 11, 19, 16, 46, tzinfo=UTC))
    before = len(app.standin.calls)
    await sweep(app)
    [digest] = digests_to(app, RECRUITER, before)
    assert f"<@{INTERVIEWER}>'s scorecard" in digest and "overdue" in digest
    async with app.deps.db.reader() as session:
        overdue = (await session.exec(select(Alert).where(Alert.kind == "feedback_overdue"))).all()
    assert {a.status for a in overdue} == {"sent"}
