"""Loopkeeper admins: the list lives here, seeded once from LOOPKEEPER_ADMINS."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.inserts import insert_on_conflict
from bot.store.tables import Admin

SEEDED_BY = "LOOPKEEPER_ADMINS"  # who the seeded rows name as having added them


async def admin_ids(session: AsyncSession) -> frozenset[str]:
    return frozenset((await session.exec(select(Admin.user_id))).all())


async def admins(session: AsyncSession) -> list[Admin]:
    """Every admin, in the order they were added."""
    result = await session.exec(select(Admin).order_by(col(Admin.added_at), col(Admin.user_id)))
    return list(result.all())


async def seed_if_empty(session: AsyncSession, *, user_ids: Collection[str], now: datetime) -> int:
    """Add `user_ids` when there is no admin yet; how many rows were written. Once anyone
    is an admin the setting is not read again, so a person removed in Slack stays removed.
    Two processes starting together both insert; ON CONFLICT keeps that to one row each."""
    if not user_ids or await session.scalar(select(func.count()).select_from(Admin)):
        return 0
    statement = insert_on_conflict(session, Admin).values(
        [{"user_id": u, "added_by": SEEDED_BY, "added_at": now} for u in sorted(user_ids)]
    )
    result = await session.exec(statement.on_conflict_do_nothing(index_elements=[Admin.user_id]))
    return int(result.rowcount or 0)


async def lock_admins(session: AsyncSession) -> frozenset[str]:
    """The admins, their rows locked until the transaction ends: two admins removing each
    other at once cannot both see a second admin left (PostgreSQL; SQLite writes one
    transaction at a time)."""
    result = await session.exec(select(Admin.user_id).with_for_update())
    return frozenset(result.all())


async def add_admin(session: AsyncSession, *, user_id: str, added_by: str, now: datetime) -> bool:
    """True when the person became an admin; False when they already were one."""
    statement = insert_on_conflict(session, Admin).values(
        user_id=user_id, added_by=added_by, added_at=now
    )
    result = await session.exec(statement.on_conflict_do_nothing(index_elements=[Admin.user_id]))
    return bool(result.rowcount)


async def remove_admin(session: AsyncSession, *, user_id: str) -> bool:
    """True when the person was an admin and no longer is."""
    result = await session.exec(delete(Admin).where(col(Admin.user_id) == user_id))
    return bool(result.rowcount)
