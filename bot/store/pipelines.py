"""What pipelines and Home tabs read: a role's open candidates and their clocks'
facts, its event log, and the latest scorecards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.stages import CLOSED
from bot.store.interviews import HELD
from bot.store.tables import Candidate, Interview, Offer, Role, Scorecard, Seat, StageEvent


async def open_candidates_of(session: AsyncSession, *, role_id: int) -> list[Candidate]:
    result = await session.exec(
        select(Candidate)
        .where(
            Candidate.role_id == role_id,
            col(Candidate.stage).not_in([s.value for s in CLOSED]),
        )
        .order_by(col(Candidate.stage_entered_at))
    )
    return list(result.all())


async def open_offers_of(
    session: AsyncSession, *, candidate_ids: Sequence[int]
) -> dict[int, Offer]:
    """Candidate -> their latest offer awaiting an answer. An expired one counts, as in
    store.offers.open_offer: its passed window is what the pipeline must flag."""
    if not candidate_ids:
        return {}
    result = await session.exec(
        select(Offer)
        .where(
            col(Offer.candidate_id).in_(list(candidate_ids)),
            col(Offer.status).in_(("open", "expired")),
        )
        .order_by(col(Offer.id))
    )
    return {o.candidate_id: o for o in result.all()}


async def overdue_seat_counts(
    session: AsyncSession, *, candidate_ids: Sequence[int], now: datetime
) -> dict[int, int]:
    """Candidate -> scorecards past their due time and not in."""
    if not candidate_ids:
        return {}
    missing = ~(
        select(Scorecard.id)
        .where(
            Scorecard.interview_id == Seat.interview_id,
            Scorecard.interviewer_id == Seat.interviewer_id,
        )
        .exists()
    )
    result = await session.exec(
        select(Interview.candidate_id, func.count())
        .select_from(Seat)
        .join(Interview, col(Interview.id) == Seat.interview_id)
        .where(
            col(Interview.candidate_id).in_(list(candidate_ids)),
            col(Seat.feedback_due_at) < now,
            missing,
            HELD,
        )
        .group_by(col(Interview.candidate_id))
    )
    return {candidate_id: count for candidate_id, count in result.all()}


async def events_of_role(session: AsyncSession, *, role_id: int) -> list[StageEvent]:
    result = await session.exec(
        select(StageEvent)
        .join(Candidate, col(Candidate.id) == StageEvent.candidate_id)
        .where(Candidate.role_id == role_id)
    )
    return list(result.all())


async def recent_scorecards(
    session: AsyncSession, *, role_ids: Sequence[int], limit: int
) -> list[tuple[Scorecard, Candidate, Role, Interview]]:
    """The latest scorecard submissions of these roles, each scorecard once, as it is now
    (an edit's time and verdict, not the versions it replaced), with its interview."""
    if not role_ids:
        return []
    newer = aliased(Scorecard)
    superseded = (
        select(newer.id)
        .where(
            newer.interview_id == Scorecard.interview_id,
            newer.interviewer_id == Scorecard.interviewer_id,
            newer.version > Scorecard.version,
        )
        .exists()
    )
    result = await session.exec(
        select(Scorecard, Candidate, Role, Interview)
        .join(Candidate, col(Candidate.id) == Scorecard.candidate_id)
        .join(Role, col(Role.id) == Candidate.role_id)
        .join(Interview, col(Interview.id) == Scorecard.interview_id)
        .where(col(Role.id).in_(list(role_ids)), ~superseded)
        .order_by(col(Scorecard.submitted_at).desc(), col(Scorecard.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def all_candidates_of(session: AsyncSession, *, role_id: int) -> list[Candidate]:
    """Every candidate a role ever had, open or closed: the hiring numbers count them all."""
    result = await session.exec(
        select(Candidate).where(Candidate.role_id == role_id).order_by(col(Candidate.id))
    )
    return list(result.all())


async def offer_statuses_of_role(session: AsyncSession, *, role_id: int) -> list[str]:
    """The status of every offer made for a role (open, accepted, declined, expired, rescinded)."""
    result = await session.exec(
        select(Offer.status)
        .join(Candidate, col(Candidate.id) == Offer.candidate_id)
        .where(Candidate.role_id == role_id)
    )
    return list(result.all())


async def decline_reasons_of_role(session: AsyncSession, *, role_id: int) -> list[str | None]:
    """Why each declined offer of a role was declined (a key of
    bot.domain.declines.REASONS; None: declined before reasons were asked)."""
    result = await session.exec(
        select(Offer.decline_reason)
        .join(Candidate, col(Candidate.id) == Offer.candidate_id)
        .where(Candidate.role_id == role_id, Offer.status == "declined")
    )
    return list(result.all())


async def first_scorecards_of_role(session: AsyncSession, *, role_id: int) -> dict[int, datetime]:
    """Candidate id -> when their first scorecard came in, for the role's candidates who
    have one: the loops the hiring numbers count are those someone interviewed in."""
    result = await session.exec(
        select(Scorecard.candidate_id, func.min(Scorecard.submitted_at))
        .join(Candidate, col(Candidate.id) == Scorecard.candidate_id)
        .where(Candidate.role_id == role_id)
        .group_by(col(Scorecard.candidate_id))
    )
    return {candidate_id: at for candidate_id, at in result.all()}
