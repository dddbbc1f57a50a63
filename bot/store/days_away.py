"""Each person's own days away (vacation, leave): dates they set for themselves, which
working hours skip for alerts to them (bot.domain.clocks), as they skip company days off."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import bindparam
from sqlalchemy import select as select_rows
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.inserts import insert_on_conflict
from bot.store.prepared import Prepared
from bot.store.tables import DayAway, Interview, Seat, table_of


async def days_away_from(session: AsyncSession, *, user_id: str, first: date) -> list[date]:
    """One person's days away from `first` on, soonest first."""
    result = await session.exec(
        select(col(DayAway.day))
        .where(col(DayAway.user_id) == user_id, col(DayAway.day) >= first)
        .order_by(col(DayAway.day))
    )
    return list(result.all())


async def days_away_among(
    session: AsyncSession, *, user_id: str, days: Sequence[date]
) -> list[date]:
    """Which of `days` are days away for `user_id`, soonest first."""
    if not days:
        return []
    result = await session.exec(
        select(col(DayAway.day))
        .where(col(DayAway.user_id) == user_id, col(DayAway.day).in_(list(days)))
        .order_by(col(DayAway.day))
    )
    return list(result.all())


async def days_away_of(
    session: AsyncSession,
    *,
    user_ids: Sequence[str],
    first: date,
    last: date | None = None,
) -> dict[str, frozenset[date]]:
    """The days away of several people at once, from `first` to `last` (both included;
    no `last`: every one from `first` on), in one query. Someone with none is left out."""
    if not user_ids:
        return {}
    query = select(col(DayAway.user_id), col(DayAway.day)).where(
        col(DayAway.user_id).in_(sorted(set(user_ids))), col(DayAway.day) >= first
    )
    if last is not None:
        query = query.where(col(DayAway.day) <= last)
    found: dict[str, set[date]] = defaultdict(set)
    for user_id, day in (await session.exec(query)).all():
        found[user_id].add(day)
    return {user_id: frozenset(days) for user_id, days in found.items()}


async def days_away_of_panel(
    session: AsyncSession, *, candidate_id: int, first: date, last: date
) -> dict[str, frozenset[date]]:
    """The days away, from `first` to `last`, of everyone seated on the candidate's
    interviews: days_away_of for a status card, in one statement on the driver
    (bot.store.prepared), which a list of people can't be."""
    found: dict[str, set[date]] = defaultdict(set)
    params = {"candidate_id": candidate_id, "first": first, "last": last}
    for user_id, day in await _DAYS_AWAY_OF_PANEL.rows(session, params):
        found[user_id].add(day)
    return {user_id: frozenset(days) for user_id, days in found.items()}


_AWAY_T, _SEAT_T, _INTERVIEW_T = table_of(DayAway), table_of(Seat), table_of(Interview)
_DAYS_AWAY_OF_PANEL = Prepared(
    select_rows(_AWAY_T.c.user_id, _AWAY_T.c.day).where(
        _AWAY_T.c.user_id.in_(
            select_rows(_SEAT_T.c.interviewer_id)
            .join(_INTERVIEW_T, _INTERVIEW_T.c.id == _SEAT_T.c.interview_id)
            .where(_INTERVIEW_T.c.candidate_id == bindparam("candidate_id"))
        ),
        _AWAY_T.c.day >= bindparam("first"),
        _AWAY_T.c.day <= bindparam("last"),
    )
)


async def add_days_away(
    session: AsyncSession, *, user_id: str, days: Sequence[date], now: datetime
) -> list[date]:
    """The dates of `days` that became days away for `user_id`; one that already was one
    is left as it was. The same command twice at once (Slack's retry): ON CONFLICT keeps
    one row, and only the insert that wrote it reports it."""
    if not days:
        return []
    statement = insert_on_conflict(session, DayAway).values(
        [{"user_id": user_id, "day": d, "added_at": now} for d in days]
    )
    result = await session.exec(
        statement.on_conflict_do_nothing(index_elements=[DayAway.user_id, DayAway.day]).returning(
            col(DayAway.day)
        )
    )
    return sorted(result.scalars().all())


async def remove_days_away(session: AsyncSession, *, user_id: str, days: Sequence[date]) -> None:
    await session.exec(
        delete(DayAway).where(col(DayAway.user_id) == user_id, col(DayAway.day).in_(list(days)))
    )


async def forget_days_away(session: AsyncSession, *, before: date) -> None:
    """Days away before `before` (over everywhere: bot.domain.days_off.first_day_ahead)
    hold nobody any more, and where someone was is not kept longer than it is of use
    (the sweep's housekeeping)."""
    await session.exec(delete(DayAway).where(col(DayAway.day) < before))
