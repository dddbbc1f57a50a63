"""Each person's own days away (vacation, leave): anyone adds, removes and lists their
own; recruiters, hiring managers and admins those of someone else too (who is told, and
the change is recorded). Alerts to them that wait for working hours skip those days, as
they skip company days off (docs/clocks.md, "Working hours and time zones"); breaches
go at once whatever the day. An interview booked on one warns that they are away
(bot.usecases.feedback.with_days_off)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot import store
from bot.domain.access import can_set_days_away
from bot.domain.days_off import first_day_ahead, runs
from bot.domain.zones import zone
from bot.store import admins as admin_rows
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


SOMEONE_ELSES = (
    "Only recruiters, hiring managers and Loopkeeper admins set someone else's days away. "
    "Your own: `/hire away add 2026-12-24`."
)


async def _refuse_unless_may(session: store.AsyncSession, actor_id: str, user_id: str) -> None:
    if actor_id == user_id:
        return  # no read at all for the usual case: one's own days
    admins = await admin_rows.admin_ids(session)
    teams = [r.team for r in await store.roles_for_user(session, user_id=actor_id)]
    if not can_set_days_away(actor_id, user_id, admins=admins, teams=teams):
        raise NotAllowed(SOMEONE_ELSES)


async def upcoming(db: Database, *, actor_id: str, user_id: str, now: datetime) -> list[date]:
    """`user_id`'s days away still ahead somewhere, soonest first. Raises NotAllowed when
    `actor_id` may not see them (someone else's, and not on a hiring team or an admin)."""
    async with db.reader() as session:
        await _refuse_unless_may(session, actor_id, user_id)
        return await store.days_away.days_away_from(
            session, user_id=user_id, first=first_day_ahead(now)
        )


async def add_days_away(
    db: Database, *, actor_id: str, user_id: str, days: Sequence[date], now: datetime
) -> Added:
    """Make `days` days away for `user_id`. Raises NotAllowed for a date in the past, and
    for someone who may not set `user_id`'s days."""
    past = past_refusal(
        days,
        now,
        what="days away",
        example=f"`/hire away add {now.astimezone(UTC).date().isoformat()}`",
    )
    if past:
        raise NotAllowed(past)
    async with db.transaction() as session:
        await _refuse_unless_may(session, actor_id, user_id)
        before = await store.days_away.days_away_among(session, user_id=user_id, days=days)
        known = set(before)
        added = await store.days_away.add_days_away(
            session, user_id=user_id, days=[d for d in days if d not in known], now=now
        )
        if added and actor_id != user_id:
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind="days_away_added",
                summary=f"marked <@{user_id}> away: {runs(added)}",
                now=now,
            )
        return Added(added, before)


async def remove_days_away(
    db: Database, *, actor_id: str, user_id: str, days: Sequence[date], now: datetime
) -> Removed:
    """`days` are working days again for `user_id` (weekends and company days off aside);
    those that were not days away are left alone. Raises NotAllowed as add_days_away."""
    async with db.transaction() as session:
        await _refuse_unless_may(session, actor_id, user_id)
        removed = await store.days_away.days_away_among(session, user_id=user_id, days=days)
        if removed:
            await store.days_away.remove_days_away(session, user_id=user_id, days=removed)
            if actor_id != user_id:
                await store.changes.record_change(
                    session,
                    actor_id=actor_id,
                    kind="days_away_removed",
                    summary=f"took back <@{user_id}>'s days away: {runs(removed)}",
                    now=now,
                )
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
