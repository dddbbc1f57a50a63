"""Company days off (public holidays): admins add and remove them, anyone may list them.
Alerts that wait for working hours skip them (docs/clocks.md, "Working hours and time
zones"); breaches go at once whatever the day."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot import store
from bot.domain import access
from bot.domain.days_off import first_day_ahead, label, runs
from bot.store import admins as admin_rows
from bot.store.engine import Database
from bot.store.tables import DayOff
from bot.usecases.errors import NotAllowed

ADMINS_ONLY = (
    "Adding and removing days off is for Loopkeeper admins; ask one of them. "
    "Anyone can see the days off with `/hire holidays`."
)


@dataclass(frozen=True)
class Added:
    added: list[date]  # new days off
    already: list[DayOff]  # days off before the command: left as they were


@dataclass(frozen=True)
class Removed:
    removed: list[DayOff]
    absent: list[date]  # not days off, so nothing to remove


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def days_off_refusal(user_id: str, admins: Collection[str]) -> str | None:
    """Why this person may not add or remove days off, or None: asked before the command
    is read, and again by each use case that changes them."""
    return None if access.is_admin(user_id, admins) else ADMINS_ONLY


async def _refuse_unless_admin(session: store.AsyncSession, user_id: str) -> None:
    refusal = days_off_refusal(user_id, await admin_rows.admin_ids(session))
    if refusal:
        raise NotAllowed(refusal)


def past_refusal(
    days: Sequence[date], now: datetime, *, what: str = "days off", example: str = ""
) -> str | None:
    """Why these dates cannot become days off (or days away: `what`, then `example`), or
    None: a date over everywhere is past (a date still running somewhere on Earth is
    not: it is today there)."""
    first = first_day_ahead(now)
    past = [d for d in days if d < first]
    if not past:
        return None
    said = f"{label(past[0])} is in the past, so nothing changed: {what} are for dates to come."
    return f"{said} Example: {example}." if example else said


async def upcoming(db: Database, *, now: datetime) -> list[DayOff]:
    """The days off still ahead somewhere, soonest first; for anyone."""
    async with db.reader() as session:
        return await store.days_off.days_off_from(session, first=first_day_ahead(now))


async def add_days_off(
    db: Database, *, actor_id: str, days: Sequence[date], name: str, now: datetime
) -> Added:
    """Make `days` days off, under `name`; a date that already is one keeps its name.
    Raises NotAllowed for someone who is not an admin, and for a date in the past."""
    async with db.transaction() as session:
        await _refuse_unless_admin(session, actor_id)
        past = past_refusal(days, now)
        if past:
            raise NotAllowed(past)
        before = await store.days_off.days_off_among(session, days=days)
        known = {d.day for d in before}
        added = await store.days_off.add_days_off(
            session,
            days=[d for d in days if d not in known],
            name=name,
            added_by=actor_id,
            now=now,
        )
        if added:
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind="days_off_added",
                summary=f"added {_days(len(added))} off: {runs(added)}"
                + (f" ({name})" if name else ""),
                now=now,
            )
        return Added(added, before)


async def remove_days_off(
    db: Database, *, actor_id: str, days: Sequence[date], now: datetime
) -> Removed:
    """`days` are working days again (weekends aside); those that were not days off are
    left alone. Raises NotAllowed for someone who is not an admin."""
    async with db.transaction() as session:
        await _refuse_unless_admin(session, actor_id)
        removed = await store.days_off.days_off_among(session, days=days)
        gone = {d.day for d in removed}
        if removed:
            await store.days_off.remove_days_off(session, days=sorted(gone))
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind="days_off_removed",
                summary=f"removed {_days(len(gone))} off: {runs(gone)}",
                now=now,
            )
        return Removed(removed, [d for d in days if d not in gone])
