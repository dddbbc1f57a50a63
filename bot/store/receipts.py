"""Receipts of Events API deliveries: Slack retries an event it thinks was missed,
and a retry must change nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.inserts import insert_on_conflict
from bot.store.tables import EventReceipt


async def first_delivery(session: AsyncSession, *, event_id: str, now: datetime) -> bool:
    """True the first time an Events API event_id is seen; Slack's retries get False."""
    result = await session.exec(
        insert_on_conflict(session, EventReceipt)
        .values(event_id=event_id[:64], received_at=now)
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)


async def forget_events(session: AsyncSession, *, before: datetime) -> None:
    """Slack retries for minutes, not days: old receipts are no longer needed."""
    await session.exec(delete(EventReceipt).where(col(EventReceipt.received_at) < before))
