"""The database layer's own promises, beyond what the store tests cover."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bot.store.engine import Database, async_url
from bot.store.tables import Role
from tests.cases import create_role_in

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
    # Runs after the app's own PRAGMAs: a writer that finds the file locked fails at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.close()


async def _create_role(
    db: Database,
    title: str,
    *,
    held: asyncio.Event | None = None,
    release: asyncio.Event | None = None,
) -> None:
    async with db.transaction() as session:
        await create_role_in(session, NOW, title=title)
        if held is not None:
            held.set()
        if release is not None:
            await release.wait()
        await asyncio.sleep(0)  # let the others try to write meanwhile


async def test_one_process_queues_its_sqlite_writers_instead_of_colliding(db_url: str) -> None:
    db = Database(db_url)
    event.listen(db.engine.sync_engine, "connect", _no_busy_wait)
    try:
        # Without the queue, SQLite refuses all but one of these ("database is locked").
        await asyncio.gather(*(_create_role(db, f"Role {n}") for n in range(20)))
        assert await _roles(db) == 20
    finally:
        await db.close()


@pytest.mark.takes_a_second_connection  # what the test is about
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


async def _roles(db: Database) -> int:
    async with db.reader() as session:
        return (await session.exec(select(func.count()).select_from(Role))).one()


async def test_processes_on_one_sqlite_file_take_turns_without_colliding(db_url: str) -> None:
    # Two engines on one file, as two worker processes have (an flock is per open file,
    # so two in one process exclude each other as two processes do).
    first, second = Database(db_url), Database(db_url)
    for db in (first, second):
        event.listen(db.engine.sync_engine, "connect", _no_busy_wait)
    try:
        await asyncio.gather(
            *(_create_role(first, f"First {n}") for n in range(10)),
            *(_create_role(second, f"Second {n}") for n in range(10)),
        )
        assert await _roles(first) == 20
    finally:
        await first.close()
        await second.close()


async def test_a_writer_cancelled_while_waiting_for_another_process_leaves_no_lock_behind(
    db_url: str,
) -> None:
    first, second = Database(db_url), Database(db_url)
    try:
        held, release = asyncio.Event(), asyncio.Event()
        holding = asyncio.create_task(_create_role(first, "Held", held=held, release=release))
        await held.wait()  # first holds the file's write lock
        waiting = asyncio.create_task(_create_role(second, "Never"))
        # Real time, briefly: the only way to know a thread is blocked in flock().
        await asyncio.sleep(0.05)
        waiting.cancel()
        release.set()
        await holding
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        # Had the cancelled waiter's thread kept the lock, these would wait forever.
        await asyncio.wait_for(_create_role(first, "After"), timeout=5)
        await asyncio.wait_for(_create_role(second, "Later"), timeout=5)
        assert await _roles(first) == 3
    finally:
        await first.close()
        await second.close()


async def test_a_database_error_logs_no_statement_parameters(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLAlchemy's `[parameters: …]` would put candidate data into the error's log line."""
    db = Database(db_url)
    log = logging.getLogger("tests.engine")
    try:
        with pytest.raises(DBAPIError) as raised:
            async with db.transaction() as session:
                connection = await session.connection()
                await connection.execute(
                    text("INSERT INTO no_such_table (name) VALUES (:name)"),
                    {"name": "Zelda Quixote"},
                )
        log.error("the database refused", exc_info=raised.value)
    finally:
        await db.close()
    [record] = [r for r in caplog.records if r.name == "tests.engine"]
    logged = logging.Formatter().format(record)
    assert "no_such_table" in logged  # the statement is still there to debug with
    assert "Zelda" not in logged and "Quixote" not in logged


@pytest.mark.both_databases
async def test_a_read_runs_outside_a_transaction_and_a_write_inside_one(db: Database) -> None:
    """Reads take no BEGIN and no ROLLBACK (two of a status card's round trips on
    PostgreSQL; SQLite's reads never had them), so each statement of a read sees what was
    committed when it ran; a transaction's statements share one."""

    # The statement's (SQLite) or the transaction's (PostgreSQL) time, in milliseconds.
    clock = text(
        "SELECT CAST(now() AS text)"
        if db.engine.dialect.name == "postgresql"
        else "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"
    )

    async def two_clocks(session: Any) -> tuple[Any, Any]:
        connection = await session.connection()
        first = (await connection.execute(clock)).scalar_one()
        await asyncio.sleep(0.05)
        second = (await connection.execute(clock)).scalar_one()
        return first, second

    async with db.reader() as session:
        first, second = await two_clocks(session)
    assert first != second  # each statement on its own
    if db.engine.dialect.name == "postgresql":
        async with db.transaction() as session:
            first, second = await two_clocks(session)
        assert first == second  # one transaction, one clock


@pytest.mark.both_databases
async def test_a_transaction_that_fails_after_a_savepoint_stores_none_of_it(
    db: Database,
) -> None:
    """Creating a role inserts it in a savepoint (a racing twin fails alone); a failure
    later in the same transaction must take the role back with it."""
    with pytest.raises(RuntimeError, match="later"):
        async with db.transaction() as session:
            await create_role_in(session, datetime.now(UTC), title="Half Done")
            raise RuntimeError("a later step failed")
    assert await _roles(db) == 0


@pytest.mark.both_databases
async def test_a_dry_run_stores_nothing_and_returns_what_it_would_have_done(
    db: Database,
) -> None:
    """What a form's check relies on: the change made and rolled back, its objects still
    holding the values it gave them."""

    async def add(title: str, *, dry_run: bool) -> Role:
        async with db.transaction(dry_run=dry_run) as session:
            return await create_role_in(session, datetime.now(UTC), title=title)

    tried = await add("Tried Role", dry_run=True)
    assert tried.id is not None and tried.title == "Tried Role"  # read after the rollback
    assert await _roles(db) == 0

    kept = await add("Kept Role", dry_run=False)
    assert await _roles(db) == 1 and kept.title == "Kept Role"
    # A failure inside a dry run is still the failure.
    with pytest.raises(RuntimeError, match="refused"):
        async with db.transaction(dry_run=True) as session:
            await create_role_in(session, datetime.now(UTC), title="Half")
            raise RuntimeError("refused")
    assert await _roles(db) == 1


def test_a_libpq_sslmode_reaches_asyncpg_as_its_ssl_option() -> None:
    """Hosted PostgreSQL hands out `?sslmode=require` URLs; asyncpg refuses `sslmode` (a
    TypeError at every connect), and takes the same values as `ssl`."""
    url = async_url("postgres://u:p@db.example.com:5432/app?sslmode=require&application_name=lk")
    assert url == "postgresql+asyncpg://u:p@db.example.com:5432/app?application_name=lk&ssl=require"
    assert async_url("postgresql://h/app?ssl=prefer") == "postgresql+asyncpg://h/app?ssl=prefer"


@pytest.mark.both_databases
async def test_a_postgresql_url_with_sslmode_connects(db_url: str) -> None:
    # sslmode is PostgreSQL's: SQLite's file URL goes as it is.
    on_postgres = not db_url.startswith("sqlite")
    db = Database(
        db_url + ("&" if "?" in db_url else "?") + "sslmode=prefer" if on_postgres else db_url
    )
    try:
        async with db.reader() as session:
            assert (await session.exec(select(func.count()).select_from(Role))).one() == 0
    finally:
        await db.close()
