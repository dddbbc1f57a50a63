"""Each person's own days away (vacation, leave): anyone adds, removes and lists their
own, and nobody else's. Alerts to them that wait for working hours skip those days, as
they skip company days off (docs/clocks.md, "Working hours and time zones"); breaches
go at once whatever the day. An interview booked on one warns that they are away
(bot.usecases.feedback.with_days_off)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot import store
from bot.domain.days_off import first_day_ahead
from bot.domain.zones import zone
from bot.store.engine import Database
from bot.store.interviews import SeatRow
from bot.usecases.days_off import past_refusal
from bot.usecases.errors import NotAllowed


@dataclass(frozen=True)
class Added:
    added: list[date]  # new days away
    already: list[date]  # days away before the command: left as they were


@dataclass(frozen=True)
class Removed:
    removed: list[date]
    absent: list[date]  # not days away, so nothing to remove


async def upcoming(db: Database, *, user_id: str, now: datetime) -> list[date]:
    """This person's days away still ahead somewhere, soonest first."""
    async with db.reader() as session:
        return await store.days_away.days_away_from(
            session, user_id=user_id, first=first_day_ahead(now)
        )


async def add_days_away(
    db: Database, *, user_id: str, days: Sequence[date], now: datetime
) -> Added:
    """Make `days` days away for `user_id`. Raises NotAllowed for a date in the past."""
    past = past_refusal(
        days,
        now,
        what="days away",
        example=f"`/hire away add {now.astimezone(UTC).date().isoformat()}`",
    )
    if past:
        raise NotAllowed(past)
    async with db.transaction() as session:
        before = await store.days_away.days_away_among(session, user_id=user_id, days=days)
        known = set(before)
        added = await store.days_away.add_days_away(
            session, user_id=user_id, days=[d for d in days if d not in known], now=now
        )
        return Added(added, before)


async def remove_days_away(db: Database, *, user_id: str, days: Sequence[date]) -> Removed:
    """`days` are working days again for `user_id` (weekends and company days off aside);
    those that were not days away are left alone."""
    async with db.transaction() as session:
        removed = await store.days_away.days_away_among(session, user_id=user_id, days=days)
        if removed:
            await store.days_away.remove_days_away(session, user_id=user_id, days=removed)
        gone = set(removed)
        return Removed(removed, [d for d in days if d not in gone])


async def booked_on(
    db: Database, *, user_id: str, days: Collection[date], tz_name: str | None, now: datetime
) -> list[SeatRow]:
    """This person's interviews still to come that start on one of `days`, as dates go
    where they are (`tz_name`): someone who just said they will be away should hear that
    they are booked then."""
    async with db.reader() as session:
        seats = await store.seats_for(session, interviewer_id=user_id)
    tz = zone(tz_name)
    return [s for s in seats if s.starts_at > now and s.starts_at.astimezone(tz).date() in days]
