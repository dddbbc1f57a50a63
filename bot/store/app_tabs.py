"""The tab of the app each person opened last (Slack's app_home_opened, whichever tab)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.inserts import insert_on_conflict
from bot.store.tables import AppTab


async def record_tab(session: AsyncSession, *, user_id: str, tab: str, at: datetime) -> None:
    """`tab` is the one `user_id` opened at `at`, unless a later opening is recorded
    already: Slack retries an event it thinks went unanswered, sometimes after a newer one."""
    statement = insert_on_conflict(session, AppTab).values(user_id=user_id, tab=tab, opened_at=at)
    excluded = statement.excluded
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=[AppTab.user_id],
            set_={"tab": excluded.tab, "opened_at": excluded.opened_at},
            where=col(AppTab.opened_at) <= excluded.opened_at,
        )
    )


async def last_tabs(session: AsyncSession, *, user_ids: Sequence[str]) -> dict[str, str]:
    """The tab each of `user_ids` opened last; someone who never opened one is left out."""
    if not user_ids:
        return {}
    result = await session.exec(
        select(AppTab.user_id, AppTab.tab).where(col(AppTab.user_id).in_(list(user_ids)))
    )
    return dict(result.all())


async def forget_tabs(session: AsyncSession, *, before: datetime) -> None:
    """Openings older than `before` say nothing of where someone is now, and when people
    open the app is not kept longer than it is of use (the sweep's housekeeping)."""
    await session.exec(delete(AppTab).where(col(AppTab.opened_at) < before))
