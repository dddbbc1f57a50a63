"""Clock pauses: time given back to a clock (a snooze, a longer offer window), kept as
rows so every deadline is recomputed from the facts rather than patched in place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete
from sqlalchemy import select as select_rows
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.clocks import Pause
from bot.store.prepared import Prepared
from bot.store.tables import ClockPause, table_of


async def add_pause(
    session: AsyncSession,
    *,
    candidate_id: int,
    clock: str,
    subject: str,
    seconds: int,
    actor_id: str,
    reason: str,
    now: datetime,
) -> ClockPause:
    pause = ClockPause(
        candidate_id=candidate_id,
        clock=clock,
        subject=subject,
        seconds=seconds,
        actor_id=actor_id,
        at=now,
        reason=reason,
    )
    session.add(pause)
    await session.flush()
    return pause


async def pause_since(
    session: AsyncSession,
    *,
    candidate_id: int,
    clock: str,
    subject: str,
    since: datetime,
    reason: str,
) -> ClockPause | None:
    """The latest pause of that clock (and subject) with that reason, recorded at or
    after `since`."""
    result = await session.exec(
        select(ClockPause)
        .where(
            ClockPause.candidate_id == candidate_id,
            ClockPause.clock == clock,
            ClockPause.subject == subject,
            ClockPause.reason == reason,
            col(ClockPause.at) >= since,
        )
        .order_by(col(ClockPause.at).desc(), col(ClockPause.id).desc())
        .limit(1)
    )
    return result.first()


_PAUSES_OF = select(ClockPause).where(
    col(ClockPause.candidate_id).in_(bindparam("ids", expanding=True))
)


async def pauses_of(
    session: AsyncSession, *, candidate_ids: Sequence[int]
) -> dict[int, list[Pause]]:
    if not candidate_ids:
        return {}
    result = await session.exec(_PAUSES_OF, params={"ids": list(candidate_ids)})
    out: dict[int, list[Pause]] = {}
    for row in result.all():
        out.setdefault(row.candidate_id, []).append(
            Pause(row.clock, row.subject, row.seconds, row.at)
        )
    return out


async def pauses_of_candidate(session: AsyncSession, *, candidate_id: int) -> list[Pause]:
    """One candidate's pauses, on the driver (bot.store.prepared): every status card
    reads them."""
    rows = await PAUSES_OF_CANDIDATE.rows(session, {"candidate_id": candidate_id})
    return [Pause(clock, subject, seconds, at) for clock, subject, seconds, at in rows]


_PAUSE_T = table_of(ClockPause)
PAUSES_OF_CANDIDATE = Prepared(
    select_rows(_PAUSE_T.c.clock, _PAUSE_T.c.subject, _PAUSE_T.c.seconds, _PAUSE_T.c.at).where(
        _PAUSE_T.c.candidate_id == bindparam("candidate_id")
    )
)


async def drop_pauses(
    session: AsyncSession, *, candidate_id: int, clock: str, reason_ends: str, since: datetime
) -> None:
    """Forget that clock's pauses whose reason ends with `reason_ends`, recorded at or
    after `since`: those a move made, when that move is undone within the hour
    (bot.domain.stages.undone_entry)."""
    await session.exec(
        delete(ClockPause).where(
            col(ClockPause.candidate_id) == candidate_id,
            col(ClockPause.clock) == clock,
            col(ClockPause.reason).endswith(reason_ends),
            col(ClockPause.at) >= since,
        )
    )
