"""The tab of the app each person opened last (Slack's app_home_opened, whichever tab)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.inserts import insert_on_conflict
from bot.store.prepared import Prepared, Reading
from bot.store.tables import AppTab, table_of


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


async def last_tabs(session: Reading, *, user_ids: Sequence[str]) -> dict[str, str]:
    """The tab each of `user_ids` opened last; someone who never opened one is left out.
    A point read each: every change asks it for the person who made it, and mostly for
    them alone (bot.store.prepared: on the driver)."""
    tabs = {}
    for user_id in dict.fromkeys(user_ids):
        rows = await _LAST_TAB.rows(session, {"user_id": user_id})
        if rows:
            tabs[user_id] = rows[0][0]
    return tabs


_APP_TAB = table_of(AppTab)
_LAST_TAB = Prepared(select(_APP_TAB.c.tab).where(_APP_TAB.c.user_id == bindparam("user_id")))


async def forget_tabs(session: AsyncSession, *, before: datetime) -> None:
    """Openings older than `before` say nothing of where someone is now, and when people
    open the app is not kept longer than it is of use (the sweep's housekeeping)."""
    await session.exec(delete(AppTab).where(col(AppTab.opened_at) < before))
