"""Offers: the one a candidate's status card shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, update
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


async def close_open_offer(
    session: AsyncSession, *, candidate_id: int, status: str, actor_id: str, now: datetime
) -> None:
    """The candidate left `offer` other than by its buttons (a move): their offer awaiting
    an answer is closed with `status`, so no card shows it open for someone gone."""
    await session.exec(
        update(Offer)
        .where(col(Offer.candidate_id) == candidate_id, col(Offer.status).in_(["open", "expired"]))
        .values(status=status, decided_at=now, decided_by=actor_id)
    )
