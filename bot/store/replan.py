"""Re-planning a candidate's clocks after one of their facts changed.

Deadlines are never patched where a fact changes: the sweep is the one place that
plans clocks. A change only marks the candidate's rows due now, so the next sweep
plans them anew from the facts as they stand.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.tables import Alert, Candidate, Interview, Seat, Takehome


async def replan_clocks(session: AsyncSession, *, candidate_id: int, now: datetime) -> None:
    """A fact of the candidate changed: have the next sweep plan its clocks anew.

    Alerts not yet sent are cancelled; if the new plan still wants one, the sweep
    brings it back under the same key.
    """
    await session.exec(
        update(Candidate).where(col(Candidate.id) == candidate_id).values(next_alert_at=now)
    )
    interview_ids = select(Interview.id).where(Interview.candidate_id == candidate_id)
    await session.exec(
        update(Seat).where(col(Seat.interview_id).in_(interview_ids)).values(next_alert_at=now)
    )
    await session.exec(
        update(Takehome).where(col(Takehome.candidate_id) == candidate_id).values(next_alert_at=now)
    )
    await session.exec(
        update(Alert)
        .where(col(Alert.candidate_id) == candidate_id, col(Alert.status) == "pending")
        .values(status="cancelled", claimed_until=None)
    )
