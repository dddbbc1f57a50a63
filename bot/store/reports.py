"""Weekly reports: one row per role and week, the record that sends each once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.inserts import insert_on_conflict
from bot.store.tables import Role, WeeklyReport


async def all_roles(session: AsyncSession) -> list[Role]:
    return list((await session.exec(select(Role).order_by(col(Role.id)))).all())


async def weekly_report(session: AsyncSession, *, role_id: int, week: str) -> WeeklyReport | None:
    result = await session.exec(
        select(WeeklyReport).where(WeeklyReport.role_id == role_id, WeeklyReport.week == week)
    )
    return result.first()


async def finished_reports(
    session: AsyncSession, *, now: datetime, weeks_back: int = 2
) -> set[tuple[int, str]]:
    """(role, week) of recent reports sent or failed for good: one query a sweep, so the
    per-role check costs no database round trip once a week's reports are out."""
    since = (now - timedelta(weeks=weeks_back)).date().isoformat()
    result = await session.exec(
        select(WeeklyReport.role_id, WeeklyReport.week).where(
            col(WeeklyReport.status).in_(["sent", "failed"]), col(WeeklyReport.week) >= since
        )
    )
    return {(role_id, week) for role_id, week in result.all()}


async def claim_weekly_report(
    session: AsyncSession, *, role_id: int, week: str, now: datetime
) -> WeeklyReport | None:
    """The week's report row if this sweep should (still) send it; None if it went out
    already or for good failed. The row is the record that keeps it to once a week."""
    await session.exec(
        insert_on_conflict(session, WeeklyReport)
        .values(role_id=role_id, week=week, status="pending", error="", created_at=now)
        .on_conflict_do_nothing()
    )
    row = await weekly_report(session, role_id=role_id, week=week)
    return row if row is not None and row.status in ("pending", "posted") else None


async def failed_reports(
    session: AsyncSession, *, limit: int = 10
) -> list[tuple[WeeklyReport, Role]]:
    """Weekly reports Slack refused for good, latest week first: for admins."""
    result = await session.exec(
        select(WeeklyReport, Role)
        .join(Role, col(Role.id) == WeeklyReport.role_id)
        .where(col(WeeklyReport.status) == "failed")
        .order_by(col(WeeklyReport.week).desc(), col(WeeklyReport.id).desc())
        .limit(limit)
    )
    return list(result.all())
