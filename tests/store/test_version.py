"""The store's data version and the reads kept under it (bot.store.version): a read is
served from the cache only while nothing was written, by this process or any other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from bot import store
from bot.domain.stages import Stage
from bot.readmodels.status import ask_status, status_of
from bot.runtime import migrate
from bot.runtime.cache import ReadCache
from bot.runtime.timesource import ManualClock
from bot.store import version
from bot.store.engine import Database
from tests.cases import jane, move
from tests.conftest import HM, OUTSIDER

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)

pytestmark = pytest.mark.both_databases


@pytest.fixture
async def other(db_url: str) -> AsyncIterator[Database]:
    """A second process's view of the same store: its own engine, pool and cache."""
    database = Database(db_url)
    yield database
    await database.close()


async def version_of(db: Database) -> str:
    return await db.version()


async def test_reads_leave_the_version_alone_and_any_write_moves_it(
    db: Database, other: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    before = await version_of(db)
    await ask_status(db, viewer_id=HM, query="Jane Doe", now=clock.now())
    assert await version_of(other) == before
    await move(other, card.candidate.id or 0, Stage.SOURCED, Stage.SCREENING, now=clock.now())
    assert await version_of(db) != before


async def test_a_change_by_another_process_shows_on_the_next_read(
    db: Database, other: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    candidate_id = card.candidate.id or 0
    first = await ask_status(db, viewer_id=HM, query="Jane Doe", now=clock.now())
    assert first.status is not None and first.status.card.stage == Stage.SOURCED
    again = await ask_status(db, viewer_id=HM, query="Jane Doe", now=clock.now())
    assert again.status is not None and db.reads.hits == 1  # nothing changed: kept
    by_id = await status_of(db, viewer_id=HM, candidate_id=candidate_id, now=clock.now())
    assert by_id is not None and by_id.card.stage == Stage.SOURCED

    await move(other, candidate_id, Stage.SOURCED, Stage.SCREENING, now=clock.now())

    moved = await ask_status(db, viewer_id=HM, query="Jane Doe", now=clock.now())
    assert moved.status is not None and moved.status.card.stage == Stage.SCREENING
    by_id = await status_of(db, viewer_id=HM, candidate_id=candidate_id, now=clock.now())
    assert by_id is not None and by_id.card.stage == Stage.SCREENING


async def test_clocks_are_worked_out_at_each_read_not_kept(
    db: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    await move(db, card.candidate.id or 0, Stage.SOURCED, Stage.INTERVIEWING, now=clock.now())
    first = await ask_status(db, viewer_id=HM, query="Jane", now=clock.now())
    clock.advance(timedelta(hours=49))
    later = await ask_status(db, viewer_id=HM, query="Jane", now=clock.now())
    assert db.reads.hits == 1
    assert first.status is not None and later.status is not None
    assert first.status.detail.clocks is not None and later.status.detail.clocks is not None
    assert (first.status.detail.clocks.loop_day, later.status.detail.clocks.loop_day) == (1, 3)


async def test_each_viewer_has_their_own_read(db: Database, clock: ManualClock) -> None:
    await jane(db, clock)
    seen = await ask_status(db, viewer_id=HM, query="Jane Doe", now=clock.now())
    hidden = await ask_status(db, viewer_id=OUTSIDER, query="Jane Doe", now=clock.now())
    assert seen.status is not None
    assert hidden.status is None and hidden.choices.rows == []


async def test_every_table_raises_the_version(db: Database) -> None:
    async with db.engine.connect() as connection:
        tables = set(await connection.run_sync(version._tables))
        triggers = await connection.run_sync(version._triggers)
    # app_tab is written at every click into the app and changes no kept read.
    tracked = tables - {"data_version", "alembic_version", "app_tab"}
    assert len(tracked) > 15
    assert not any("app_tab" in trigger for trigger in triggers)
    for table in tracked:
        if db.engine.dialect.name == "postgresql":
            assert f"data_version_{table}" in triggers
        else:
            for operation in ("insert", "update", "delete"):
                assert f"data_version_{table}_{operation}" in triggers


async def test_a_transaction_raises_the_version_once_at_commit(
    db: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    before = int(await db.version())
    # A move writes the candidate, an event and the clocks' rows: one version step on
    # PostgreSQL (once per transaction), at least one on SQLite.
    await move(db, card.candidate.id or 0, Stage.SOURCED, Stage.SCREENING, now=clock.now())
    after = int(await db.version())
    assert after == before + 1 if db.engine.dialect.name == "postgresql" else after > before


async def test_a_downgrade_and_upgrade_keep_the_triggers_right(db: Database, db_url: str) -> None:
    await db.close()
    await asyncio.to_thread(migrate.downgrade, db_url, "0008")
    await asyncio.to_thread(migrate.upgrade, db_url)
    reopened = Database(db_url)
    try:
        before = await version_of(reopened)
        async with reopened.transaction() as session:
            await store.receipts.first_delivery(session, event_id="Ev1", now=NOW)
        assert await version_of(reopened) != before
    finally:
        await reopened.close()


def test_the_cache_forgets_the_least_recently_used() -> None:
    cache = ReadCache(size=2)
    cache.put("a", "1", "A")
    cache.put("b", "1", "B")
    assert cache.get("a", "1") == "A"
    cache.put("c", "1", "C")
    assert cache.get("b", "1") is None  # the least recently used went
    assert cache.get("a", "2") is None  # another version: not this read
    assert (cache.get("a", "1"), cache.get("c", "1")) == ("A", "C")


async def test_the_quick_sqlite_read_agrees_with_the_drivers(db: Database, clock) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the quick read is SQLite's")
    await jane(db, clock)
    async with db.engine.connect() as connection:
        through_driver = (await connection.exec_driver_sql("SELECT n FROM data_version")).scalar()
    assert await db.version() == str(through_driver) != "0"


async def test_without_its_own_pool_postgresql_reads_the_version_through_the_engine(
    db: Database, db_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the asyncpg pool is PostgreSQL's")

    async def refused(*_: object, **__: object) -> None:
        raise ValueError("an option asyncpg does not take")

    monkeypatch.setattr(asyncpg, "create_pool", refused)
    fallback = Database(db_url)
    try:
        before = await fallback.version()
        await jane(db, clock)
        assert await fallback.version() != before
    finally:
        await fallback.close()


async def test_a_write_while_a_read_is_on_the_wire_shows_in_every_read_begun_after_it(
    db: Database, other: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's version reads are shared (bot/store/version.py): one on the wire at a
    time, and the requests arriving meanwhile share the next. Sharing must never hand a
    request a version read before it arrived."""
    _, card = await jane(db, clock)
    before = await db.version()
    sent: list[str] = []
    on_the_wire, release = asyncio.Event(), asyncio.Event()
    original = asyncpg.pool.Pool.fetchval

    async def held(self: asyncpg.pool.Pool, query: str, *args: object) -> object:
        sent.append(query)
        value = await original(self, query, *args)
        if len(sent) == 1:
            on_the_wire.set()
            await release.wait()  # read, not yet answered: the old version, held back
        return value

    monkeypatch.setattr(asyncpg.pool.Pool, "fetchval", held)
    postgresql = db.engine.dialect.name == "postgresql"
    first = asyncio.create_task(db.version())
    if postgresql:
        async with asyncio.timeout(10):
            await on_the_wire.wait()
    await move(other, card.candidate.id or 0, Stage.SOURCED, Stage.SCREENING, now=clock.now())
    later = [asyncio.create_task(db.version()) for _ in range(20)]
    await asyncio.sleep(0.05)
    release.set()
    async with db.engine.connect() as connection:  # the store's own word, not a shared read
        now_stored = str((await connection.exec_driver_sql("SELECT n FROM data_version")).scalar())
    assert await first in (before, now_stored)
    versions = await asyncio.gather(*later)
    assert set(versions) == {now_stored} != {before}
    if postgresql:
        assert len(sent) == 2  # the twenty arrived while the first was out: one read


async def test_a_postgresql_version_read_is_one_statement_and_no_reset(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version's own connection only runs its SELECT: asyncpg's reset at each
    release (RESET ALL and three more, a round trip of its own) is left out."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the asyncpg pool is PostgreSQL's")
    sent: list[str] = []
    for method in ("execute", "fetchval", "fetch", "fetchrow"):
        original = getattr(asyncpg.Connection, method)

        async def recorded(self: Any, query: str, *args: Any, _o: Any = original, **kw: Any) -> Any:
            sent.append(query)
            return await _o(self, query, *args, **kw)

        monkeypatch.setattr(asyncpg.Connection, method, recorded)
    first = await db.version()  # the connection opens here
    sent.clear()
    assert await db.version() == first
    await jane(db, clock)
    sent.clear()
    moved = await db.version()
    assert moved != first
    assert len(sent) == 1 and sent[0].startswith("SELECT n FROM"), sent
