"""Offers: the one a candidate's status card shows."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.tables import Offer


async def open_offer(session: AsyncSession, *, candidate_id: int) -> Offer | None:
    """The candidate's latest offer still awaiting an answer: an expired one still counts,
    as the candidate may yet be given more time."""
    result = await session.exec(_OPEN_OFFER, params={"candidate_id": candidate_id})
    return result.first()


# Built once: every status card reads it (docs/architecture.md, "Statements built once").
_OPEN_OFFER = (
    select(Offer)
    .where(
        col(Offer.candidate_id) == bindparam("candidate_id"),
        col(Offer.status).in_(["open", "expired"]),
    )
    .order_by(col(Offer.id).desc())
    .limit(1)
)
