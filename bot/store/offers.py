"""Offers: the one a candidate's status card shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, or_, update
from sqlalchemy import select as select_rows
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.prepared import Prepared, objects
from bot.store.tables import Offer, table_of


async def open_offer(session: AsyncSession, *, candidate_id: int) -> Offer | None:
    """The candidate's latest offer still awaiting an answer: an expired one still counts,
    as the candidate may yet be given more time."""
    found = await objects(session, OPEN_OFFER, Offer, {"candidate_id": candidate_id})
    return found[0] if found else None


# On the driver (bot.store.prepared): every status card reads it.
_OFFER_T = table_of(Offer)
OPEN_OFFER = Prepared(
    select_rows(_OFFER_T)
    .where(
        _OFFER_T.c.candidate_id == bindparam("candidate_id"),
        # Not in_(): a list is expanded per call, which a statement compiled once can't.
        or_(_OFFER_T.c.status == "open", _OFFER_T.c.status == "expired"),
    )
    .order_by(_OFFER_T.c.id.desc())
    .limit(1)
)


async def close_open_offer(
    session: AsyncSession, *, candidate_id: int, status: str, actor_id: str, now: datetime
) -> bool:
    """The candidate left `offer` other than by its buttons (a move): their offer awaiting
    an answer is closed with `status`, so no card shows it open for someone gone. Whether
    there was one."""
    result = await session.exec(
        update(Offer)
        .where(col(Offer.candidate_id) == candidate_id, col(Offer.status).in_(["open", "expired"]))
        .values(status=status, decided_at=now, decided_by=actor_id)
    )
    return bool(result.rowcount)
