"""The database layer's own promises, beyond what the store tests cover."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func
from sqlmodel import select

from bot import store
from bot.db import Database
from bot.models import ClockSettings, Role
from tests.conftest import ADMIN, HIRING_CHANNEL, HM, RECRUITER

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
    # Runs after the app's own PRAGMAs: a writer that finds the file locked fails at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.close()


async def test_one_process_queues_its_sqlite_writers_instead_of_colliding(db_url: str) -> None:
    db = Database(db_url)
    event.listen(db.engine.sync_engine, "connect", _no_busy_wait)

    async def create(n: int) -> None:
        async with db.transaction() as session:
            await store.create_role(
                session,
                title=f"Role {n}",
                hiring_manager_id=HM,
                recruiter_ids=[RECRUITER],
                channel_id=HIRING_CHANNEL,
                template="mlops",
                clocks=ClockSettings(),
                actor_id=ADMIN,
                now=NOW,
            )
            await asyncio.sleep(0.001)  # hold the write lock while the others arrive

    try:
        # Without the queue, SQLite refuses all but one of these ("database is locked").
        await asyncio.gather(*(create(n) for n in range(20)))
        async with db.reader() as session:
            assert (await session.exec(select(func.count()).select_from(Role))).one() == 20
    finally:
        await db.close()


async def test_a_transaction_opened_inside_another_of_the_same_task_does_not_wait_for_itself(
    db_url: str,
) -> None:
    db = Database(db_url)
    try:

        async def nested() -> int:
            async with db.transaction() as outer:
                await outer.exec(select(func.count()).select_from(Role))
                async with db.transaction() as inner:  # reads only: SQLite lets it through
                    return (await inner.exec(select(func.count()).select_from(Role))).one()

        assert await asyncio.wait_for(nested(), timeout=5) == 0
    finally:
        await db.close()
