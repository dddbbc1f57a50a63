"""The clock sweep's data: what is due, and the alert outbox."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.store.inserts import insert_on_conflict
from bot.store.tables import (
    Alert,
    Candidate,
    Interview,
    Offer,
    Role,
    Scorecard,
    Seat,
    Takehome,
)

# Planning --------------------------------------------------------------------------------------


async def due_candidates(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[tuple[Candidate, Role, Offer | None]]:
    """Candidates whose clocks need a look: an indexed range on next_alert_at."""
    result = await session.exec(
        select(Candidate, Role, Offer)
        .join(Role, col(Role.id) == Candidate.role_id)
        .outerjoin(
            Offer, and_(col(Offer.candidate_id) == Candidate.id, col(Offer.status) == "open")
        )
        .where(col(Candidate.next_alert_at) <= now)
        .order_by(col(Candidate.next_alert_at))
        .limit(limit)
    )
    return list(result.all())


async def due_seats(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[tuple[Seat, Interview, Candidate, Role, bool]]:
    """Seats whose feedback clock needs a look, and whether their scorecard is in."""
    submitted = (
        select(func.count(col(Scorecard.id)))
        .where(
            Scorecard.interview_id == Seat.interview_id,
            Scorecard.interviewer_id == Seat.interviewer_id,
        )
        .scalar_subquery()
    )
    # sqlmodel's select() is typed for at most four columns; for more it builds this Select.
    columns: Select[Seat, Interview, Candidate, Role, int] = Select(
        Seat, Interview, Candidate, Role, submitted
    )
    result = await session.exec(
        columns.join(Interview, col(Interview.id) == Seat.interview_id)
        .join(Candidate, col(Candidate.id) == Interview.candidate_id)
        .join(Role, col(Role.id) == Candidate.role_id)
        .where(col(Seat.next_alert_at) <= now)
        .order_by(col(Seat.next_alert_at))
        .limit(limit)
    )
    return [(s, i, c, r, bool(n)) for s, i, c, r, n in result.all()]


async def last_sent(
    session: AsyncSession, *, candidate_ids: Sequence[int], kind: str
) -> dict[int, datetime]:
    """Candidate -> when an alert of this kind about them last went out, to anyone."""
    if not candidate_ids:
        return {}
    result = await session.exec(
        select(Alert.candidate_id, func.max(Alert.sent_at))
        .where(
            col(Alert.candidate_id).in_(list(candidate_ids)),
            Alert.kind == kind,
            col(Alert.sent_at).is_not(None),
        )
        .group_by(col(Alert.candidate_id))
    )
    return {candidate_id: at for candidate_id, at in result.all() if at is not None}


async def next_due(session: AsyncSession, *, after: datetime) -> datetime | None:
    """The first moment after `after` at which a sweep has work: a clock to plan, or a held
    alert to deliver. The playground's clock stops at each on its way forward, as a
    scheduler sweeping every minute would have."""
    found = []
    for column in (
        col(Candidate.next_alert_at),
        col(Seat.next_alert_at),
        col(Takehome.next_alert_at),
    ):
        found.append((await session.exec(select(func.min(column)).where(column > after))).one())
    pending = col(Alert.deliver_after)
    found.append(
        (
            await session.exec(
                select(func.min(pending)).where(Alert.status == "pending", pending > after)
            )
        ).one()
    )
    return min((at for at in found if at is not None), default=None)


BATCH = 500  # rows per statement: PostgreSQL takes at most 32,767 parameters in one


async def record_alerts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert alerts by key, exactly once. A key seen before stays as it is, except a
    cancelled one the plan wants again, which comes back to pending. Rows marked
    skipped or held are not inserted: skipped ones only supersede the same key if it is
    still pending; held ones only bring the same key back to pending if it was
    cancelled (a step still waiting for its recipient's working hours, which a later
    step for other people does not replace)."""
    for status, was, becomes in (
        ("skipped", "pending", "skipped"),
        ("held", "cancelled", "pending"),
    ):
        keys = [r["key"] for r in rows if r["status"] == status]
        for start in range(0, len(keys), BATCH):
            await session.exec(
                update(Alert)
                .where(col(Alert.key).in_(keys[start : start + BATCH]), col(Alert.status) == was)
                .values(status=becomes, claimed_until=None)
            )
    wanted = [r for r in rows if r["status"] not in ("skipped", "held")]
    for start in range(0, len(wanted), BATCH):
        statement = insert_on_conflict(session, Alert).values(list(wanted[start : start + BATCH]))
        revived = statement.excluded
        await session.exec(
            statement.on_conflict_do_update(
                index_elements=[Alert.key],
                set_={
                    "status": revived.status,
                    "deliver_after": revived.deliver_after,
                    "recipient_id": revived.recipient_id,
                },
                where=col(Alert.status) == "cancelled",
            )
        )


async def set_candidate_next(
    session: AsyncSession, *, candidate_id: int, at: datetime | None
) -> None:
    await session.exec(
        update(Candidate).where(col(Candidate.id) == candidate_id).values(next_alert_at=at)
    )


async def set_seat_next(
    session: AsyncSession, *, interview_id: int, interviewer_id: str, at: datetime | None
) -> None:
    await session.exec(
        update(Seat)
        .where(col(Seat.interview_id) == interview_id, col(Seat.interviewer_id) == interviewer_id)
        .values(next_alert_at=at)
    )


# Delivering ------------------------------------------------------------------------------------


async def claim_ready(
    session: AsyncSession, *, now: datetime, until: datetime, limit: int
) -> list[Alert]:
    """Take up to `limit` alerts whose time has come and that nobody is sending.

    One UPDATE does the taking, so two sweeps never take the same alert: SQLite runs
    it under its write lock; PostgreSQL skips rows another sweep has locked and
    re-checks the conditions on rows it waited for.
    """
    token = secrets.token_hex(8)
    free = and_(
        col(Alert.status) == "pending",
        col(Alert.deliver_after) <= now,
        or_(col(Alert.claimed_until).is_(None), col(Alert.claimed_until) < now),
    )
    ready = (
        select(Alert.id)
        .where(free)
        .order_by(col(Alert.breach).desc(), col(Alert.due_at), col(Alert.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    await session.exec(
        update(Alert)
        .where(col(Alert.id).in_(ready.scalar_subquery()), free)
        .values(claimed_until=until, claim=token)
        .execution_options(synchronize_session=False)
    )
    result = await session.exec(select(Alert).where(col(Alert.claim) == token))
    return list(result.all())


async def ready_alerts(session: AsyncSession, *, now: datetime) -> list[Alert]:
    """What a sweep at `now` would try to send (for --dry-run)."""
    result = await session.exec(
        select(Alert)
        .where(col(Alert.status) == "pending", col(Alert.deliver_after) <= now)
        .order_by(col(Alert.breach).desc(), col(Alert.due_at), col(Alert.id))
    )
    return list(result.all())


async def mark(session: AsyncSession, *, alert_ids: Sequence[int], **values: Any) -> None:
    if alert_ids:
        await session.exec(update(Alert).where(col(Alert.id).in_(list(alert_ids))).values(**values))


async def failed_deliveries(
    session: AsyncSession, *, limit: int = 30
) -> list[tuple[Alert, Candidate]]:
    result = await session.exec(
        select(Alert, Candidate)
        .join(Candidate, col(Candidate.id) == Alert.candidate_id)
        .where(col(Alert.status) == "failed")
        .order_by(col(Alert.created_at).desc(), col(Alert.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def count_pending(session: AsyncSession) -> int:
    result = await session.exec(
        select(func.count()).select_from(Alert).where(col(Alert.status) == "pending")
    )
    return int(result.one())
