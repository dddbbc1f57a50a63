"""Company days off: dates admins set, which working hours skip (bot.domain.clocks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import bindparam
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.inserts import insert_on_conflict
from bot.store.tables import DayOff


async def days_off_from(session: AsyncSession, *, first: date) -> list[DayOff]:
    """Every day off from `first` on, soonest first."""
    result = await session.exec(
        select(DayOff).where(col(DayOff.day) >= first).order_by(col(DayOff.day))
    )
    return list(result.all())


async def dates_from(session: AsyncSession, *, first: date) -> frozenset[date]:
    """The dates alone, for the sweep: one indexed range, no objects made."""
    return frozenset((await session.exec(_DATES_FROM, params={"first": first})).all())


# Built once: every sweep with an alert to hold reads it.
_DATES_FROM = select(col(DayOff.day)).where(col(DayOff.day) >= bindparam("first"))


async def days_off_among(session: AsyncSession, *, days: Sequence[date]) -> list[DayOff]:
    """Which of `days` are days off, soonest first."""
    result = await session.exec(
        select(DayOff).where(col(DayOff.day).in_(list(days))).order_by(col(DayOff.day))
    )
    return list(result.all())


async def add_days_off(
    session: AsyncSession, *, days: Sequence[date], name: str, added_by: str, now: datetime
) -> list[date]:
    """The dates of `days` that became days off; one that already was one keeps its name.
    Two admins adding the same date at once: ON CONFLICT keeps one row, and only the
    insert that wrote it reports it."""
    if not days:
        return []
    statement = insert_on_conflict(session, DayOff).values(
        [{"day": d, "name": name, "added_by": added_by, "added_at": now} for d in days]
    )
    result = await session.exec(
        statement.on_conflict_do_nothing(index_elements=[DayOff.day]).returning(col(DayOff.day))
    )
    return sorted(result.scalars().all())


async def remove_days_off(session: AsyncSession, *, days: Sequence[date]) -> None:
    await session.exec(delete(DayOff).where(col(DayOff.day).in_(list(days))))
