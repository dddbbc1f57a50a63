"""Company days off in the sweep: set through Slack by an admin, then alerts that wait for
working hours skip them as they skip weekends, and breaches go at once all the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.runtime.timesource import ManualClock
from bot.store.tables import Alert
from tests.conftest import ADMIN, HM, RECRUITER, Running
from tests.flows import INTERVIEWER, answer, stored
from tests.scheduling.test_sweep import digests_to, interviewing_jane, messages_to, sweep


async def day_off(app: Running, text: str) -> None:
    said = str(answer(await app.slack.command(f"holidays add {text}", user=ADMIN))["text"])
    assert "now a company day off" in said, said


async def held_until(app: Running, kind: str) -> set[datetime]:
    """When the pending alerts of `kind` are next looked at, one for each recipient."""
    return {
        a.deliver_after
        for a in await stored(app, Alert)
        if a.kind == kind and a.status == "pending"
    }


async def test_a_nudge_due_on_a_day_off_waits_for_the_next_working_morning(
    app: Running, clock: ManualClock
) -> None:
    await day_off(app, "2026-11-18 Company offsite")  # Wednesday
    await interviewing_jane(app, clock)  # Monday; the interview is Tuesday 10:00 to 10:45
    before = len(app.standin.calls)
    clock.set(datetime(2026, 11, 17, 11, 46, tzinfo=UTC))  # Tuesday: an hour after the end
    await sweep(app)
    [first] = messages_to(app, INTERVIEWER, before)
    assert first["text"].startswith("Your scorecard for Jane Doe is due")

    # Due Wednesday 10:45, on the day off: held, not sent, until Thursday 09:00.
    clock.set(datetime(2026, 11, 18, 10, 46, tzinfo=UTC))
    await sweep(app)
    assert len(messages_to(app, INTERVIEWER, before)) == 1
    thursday = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    assert await held_until(app, "feedback_due") == {thursday}
    clock.set(thursday - timedelta(minutes=1))
    await sweep(app)
    assert len(messages_to(app, INTERVIEWER, before)) == 1

    clock.set(thursday)
    await sweep(app)
    # Held 22 hours, it says so rather than "due now".
    held = messages_to(app, INTERVIEWER, before)[-1]["text"]
    assert held.startswith("Your scorecard for Jane Doe was due <!date^"), held
    assert held.endswith("|2026-11-18 10:45 UTC>: it is overdue by 22 hours 15 minutes.")


async def test_a_warning_due_the_morning_after_a_day_off_comes_the_working_day_before(
    app: Running, clock: ManualClock
) -> None:
    """Jane's loop starts Thursday 07:00, so its day-5 warning falls on Tuesday 07:00.
    Monday is a day off: the warning lands at 17:00 on Friday, the last working day
    before it, not on Monday (a weekday, but nobody is at work). The breach, due on a
    day off too, goes at once."""
    clock.set(datetime(2026, 11, 19, 7, 0, tzinfo=UTC))  # Thursday
    await day_off(app, "2026-11-23 Bank holiday")  # Monday
    await day_off(app, "2026-11-26 Thanksgiving")  # Thursday, the loop's last day
    await interviewing_jane(app, clock, interview_in=timedelta(days=6))
    before = len(app.standin.calls)

    clock.set(datetime(2026, 11, 19, 7, 30, tzinfo=UTC))
    await sweep(app)  # the warning is recorded ahead of its time, and held
    friday = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
    assert await held_until(app, "loop_warn") == {friday}  # for both recipients
    clock.set(friday - timedelta(minutes=1))
    await sweep(app)
    assert digests_to(app, RECRUITER, before) == []

    clock.set(friday)
    await sweep(app)
    [warning] = digests_to(app, RECRUITER, before)
    assert "the interview loop has 5 days 14 hours left" in warning
    assert digests_to(app, HM, before) == [warning]

    clock.set(datetime(2026, 11, 26, 7, 0, tzinfo=UTC))  # Thanksgiving, 07:00: the breach
    mid = len(app.standin.calls)
    await sweep(app)
    [breach] = digests_to(app, RECRUITER, mid)
    assert "ran past its 7 days" in breach
    async with app.deps.db.reader() as session:
        sent = (await session.exec(select(Alert).where(Alert.kind == "loop_breach"))).all()
    assert {a.status for a in sent} == {"sent"}
