"""PostgreSQL statements on asyncpg's connections with no session
(bot/store/postgresql_raw.py): a scorecard's transaction and point reads go there, a
statement's error is SQLAlchemy's with no candidate data in it, a cancelled transaction
leaves nothing behind, and connections a restart killed send the work through a session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.timesource import ManualClock
from bot.store import postgresql_raw
from bot.store.engine import Database
from bot.store.prepared import Prepared
from bot.store.scorecard_writes import scorecard_transaction
from bot.usecases import feedback
from tests.usecases.test_feedback import first_scorecard, jane_scheduled

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INTERVIEWER = "UINT0001"

pytestmark = pytest.mark.both_databases

_T = Table("raw_t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String))
_ADD = Prepared(insert(_T).values(name=bindparam("name")).returning(_T.c.id))
_NAMES = Prepared(select(_T.c.name).order_by(_T.c.id))
_SLEEP = Prepared(select(func.pg_sleep(bindparam("seconds"))))


@pytest.fixture
async def pg(db_url: str) -> AsyncIterator[Database]:
    """A PostgreSQL store with a table of unique names; one pool connection each way, so
    that every transaction here reuses the one before it's connection."""
    if not db_url.startswith("postgresql"):
        pytest.skip("asyncpg's connections are PostgreSQL's")
    database = Database(db_url, pool_size=1)
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql(
            "CREATE TABLE raw_t (id serial PRIMARY KEY, name text UNIQUE)"
        )
    yield database
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql("DROP TABLE raw_t")
    await database.close()


async def names(db: Database) -> list[str]:
    async with db.point_reader() as reading:
        return [name for (name,) in await _NAMES.rows(reading, {})]


async def test_a_scorecard_is_read_and_stored_in_one_transaction_with_no_session(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(NOW)
    _, done = await jane_scheduled(pg, clock, [INTERVIEWER], NOW)
    async with scorecard_transaction(pg) as (reading, writes):
        assert not isinstance(writes.on, AsyncSession) and reading is writes.on

    def no_session(*_: Any, **__: Any) -> Any:
        raise AssertionError("a scorecard opened a session")

    monkeypatch.setattr(pg, "transaction", no_session)
    monkeypatch.setattr(pg, "reader", no_session)
    saved = await first_scorecard(pg, clock, done, INTERVIEWER, read_loop=False)
    monkeypatch.undo()
    assert saved.scorecard.version == 1 and saved.completes
    loop = await feedback.loop_of(
        pg, viewer_id=INTERVIEWER, candidate_id=saved.scorecard.candidate_id
    )
    assert loop is not None and loop.complete


async def test_an_error_is_sqlalchemys_without_the_data_and_nothing_of_it_stays(
    pg: Database,
) -> None:
    with pytest.raises(IntegrityError) as raised:
        async with pg.raw_transaction() as raw:
            assert isinstance(raw, postgresql_raw.RawStatements)
            await raw.rows(_ADD, {"name": "Ada Lovelace"})
            await raw.rows(_ADD, {"name": "Ada Lovelace"})  # the name is UNIQUE
    assert "Ada" not in str(raised.value)
    assert await names(pg) == []
    async with pg.raw_transaction() as raw:  # the same connection, fit for the next
        assert raw is not None
        await raw.many(_ADD, [{"name": "grace"}, {"name": "alan"}])
    assert await names(pg) == ["grace", "alan"]


async def test_a_cancelled_transaction_leaves_nothing_and_its_connection_fit(
    pg: Database,
) -> None:
    started = asyncio.Event()

    async def slow() -> None:
        async with pg.raw_transaction() as raw:
            assert raw is not None
            await raw.rows(_ADD, {"name": "ada"})
            started.set()
            await raw.rows(_SLEEP, {"seconds": 30})

    task = asyncio.create_task(slow())
    await started.wait()
    await asyncio.sleep(0.1)  # the sleep is on the wire
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(10):
        async with pg.raw_transaction() as raw:
            assert raw is not None
            await raw.rows(_ADD, {"name": "grace"})
    assert await names(pg) == ["grace"]


async def test_connections_a_restart_killed_send_scorecards_through_a_session(
    pg: Database, db_url: str
) -> None:
    clock = ManualClock(NOW)
    _, done = await jane_scheduled(pg, clock, [INTERVIEWER, "UINT0002"], NOW)
    clock.set(NOW + timedelta(hours=2))
    async with pg.raw_transaction() as raw:  # the pool has its connection now
        assert raw is not None
        pids = await raw.rows(Prepared(select(func.pg_backend_pid())), {})
    await _terminate(pg, pids[0][0])

    first = await first_scorecard(pg, clock, done, INTERVIEWER)
    second = await first_scorecard(pg, clock, done, "UINT0002")

    assert first.scorecard.version == second.scorecard.version == 1
    assert second.completes
    async with scorecard_transaction(pg) as (_, writes):  # a live connection again
        assert not isinstance(writes.on, AsyncSession)


async def test_with_no_pool_to_be_had_a_scorecard_goes_through_a_session(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(NOW)
    _, done = await jane_scheduled(pg, clock, [INTERVIEWER], NOW)

    async def refused(*_: Any, **__: Any) -> Any:
        raise OSError("connection refused")

    monkeypatch.setattr(asyncpg.pool.Pool, "acquire", refused)
    async with scorecard_transaction(pg) as (_, writes):
        assert isinstance(writes.on, AsyncSession)
    saved = await first_scorecard(pg, clock, done, INTERVIEWER)
    assert saved.scorecard.version == 1


async def test_a_connection_found_dead_at_begin_sends_the_scorecard_through_a_session(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection the server ended while it sat in the pool, or ends under its BEGIN:
    the BEGIN is what fails."""
    clock = ManualClock(NOW)
    _, done = await jane_scheduled(pg, clock, [INTERVIEWER], NOW)
    start = asyncpg.transaction.Transaction.start
    failed: list[bool] = []

    async def dead_once(self: asyncpg.transaction.Transaction) -> None:
        if not failed:
            failed.append(True)
            # Closed under the BEGIN: asyncpg gives it back to the pool at once.
            self._connection.terminate()  # type: ignore[attr-defined]
            raise asyncpg.ConnectionDoesNotExistError("connection was closed")
        await start(self)

    monkeypatch.setattr(asyncpg.transaction.Transaction, "start", dead_once)
    async with scorecard_transaction(pg) as (_, writes):
        assert isinstance(writes.on, AsyncSession)
    saved = await first_scorecard(pg, clock, done, INTERVIEWER)
    assert failed and saved.scorecard.version == 1


async def test_a_point_read_on_a_connection_a_restart_killed_reads_on_another(
    pg: Database,
) -> None:
    async with pg.raw_transaction() as raw:
        assert raw is not None
        await raw.rows(_ADD, {"name": "ada"})
    for _ in range(3):
        async with pg.point_reader() as reading:
            assert isinstance(reading, postgresql_raw.RawStatements)
            pid = await reading.connection.fetchval("SELECT pg_backend_pid()")
        await _terminate(pg, pid)
        assert await names(pg) == ["ada"]


async def _terminate(db: Database, pid: int) -> None:
    """What a PostgreSQL restart does to a connection: the server ends it."""
    admin = await asyncpg.connect(postgresql_raw.asyncpg_dsn(db.engine.url))
    try:
        await admin.execute("SELECT pg_terminate_backend($1, 5000)", pid)  # gone on return
    finally:
        await admin.close()


async def test_a_point_read_whose_connection_proves_dead_runs_again_on_a_live_one(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ended it while it sat in the pool, and the pool had not read that yet."""
    fetch = asyncpg.connection.Connection.fetch
    dead: list[asyncpg.connection.Connection[Any]] = []

    async def dead_once(self: asyncpg.connection.Connection[Any], *args: Any) -> Any:
        if not dead:
            dead.append(self)
            raise asyncpg.InternalClientError("cannot switch to state 15")
        return await fetch(self, *args)

    monkeypatch.setattr(asyncpg.connection.Connection, "fetch", dead_once)
    assert await names(pg) == []
    assert dead and dead[0].is_closed()  # never handed out again


async def test_a_connection_goes_to_whoever_asked_for_it_first(pg: Database) -> None:
    """asyncpg's pool gives a connection back to whichever task asks next: under a burst,
    a task that had waited for it found it taken by a newcomer, again and again. The
    fixture's pool has one connection."""
    served: list[str] = []

    async def read(name: str) -> None:
        async with pg.point_reader() as reading:
            assert isinstance(reading, postgresql_raw.RawStatements)
            served.append(name)

    async def newcomer(pool: asyncpg.Pool[Any]) -> None:
        # Asks in the moment the connection is back in asyncpg's pool, before the task
        # that waited for it has run again: only a look at every turn of the loop finds
        # that moment (nothing in the pool signals it).
        while pool.get_idle_size() == 0:  # noqa: ASYNC110
            await asyncio.sleep(0)
        await read("newcomer")

    async with pg.point_reader() as holding:
        assert isinstance(holding, postgresql_raw.RawStatements)
        pool = pg._raw._pool  # type: ignore[union-attr]
        assert pool is not None
        waiter = asyncio.create_task(read("waiter"))
        await asyncio.sleep(0.05)  # it waits for the one connection
        late = asyncio.create_task(newcomer(pool))
        await asyncio.sleep(0.05)
    async with asyncio.timeout(10):
        await asyncio.gather(waiter, late)
    assert served == ["waiter", "newcomer"]


async def test_a_task_waiting_for_a_connection_as_its_pool_closes_is_told_none(
    pg: Database,
) -> None:
    """Shutting down (Database.close) while requests wait for the one connection: each is
    told there is none to be had, and goes the session's way, with no error of its own."""
    connections = pg._raw
    assert connections is not None

    async def read() -> bool:
        async with connections.reader(pg.reader) as statements:
            return statements is not None

    async with connections.reader(pg.reader) as holding:
        assert holding is not None
        waiting = asyncio.create_task(read())
        await asyncio.sleep(0.05)  # it waits for the one connection
        closing = asyncio.create_task(connections.close())
        await asyncio.sleep(0.05)
    async with asyncio.timeout(10):
        assert await waiting is False
        await closing


async def test_a_burst_shares_a_few_connections(db_url: str) -> None:
    """Scorecards' commits go one at a time (each raises the store's version): more
    connections than `MOST` would only make them wait longer inside PostgreSQL."""
    if not db_url.startswith("postgresql"):
        pytest.skip("asyncpg's connections are PostgreSQL's")
    db = Database(db_url, pool_size=10)
    try:

        async def backend() -> int:
            async with db.raw_transaction() as raw:
                assert raw is not None
                await raw.rows(_SLEEP, {"seconds": 0.05})
                [(pid,)] = await raw.rows(Prepared(select(func.pg_backend_pid())), {})
                return int(pid)

        pids = await asyncio.gather(*(backend() for _ in range(12)))
        assert len(set(pids)) == postgresql_raw.MOST
    finally:
        await db.close()


async def test_the_statement_pool_s_size_is_the_setting_s(db_url: str) -> None:
    """DATABASE_STATEMENT_POOL_SIZE (bot.slack.app.database_of), past the default."""
    if not db_url.startswith("postgresql"):
        pytest.skip("asyncpg's connections are PostgreSQL's")
    db = Database(db_url, pool_size=2, statement_pool_size=6)
    try:

        async def backend() -> int:
            async with db.raw_transaction() as raw:
                assert raw is not None
                [(pid,)] = await raw.rows(Prepared(select(func.pg_backend_pid())), {})
                await raw.rows(_SLEEP, {"seconds": 0.05})
                return int(pid)

        pids = await asyncio.gather(*(backend() for _ in range(12)))
        assert len(set(pids)) == 6
    finally:
        await db.close()


async def test_a_database_url_with_sslmode_reaches_asyncpg_as_libpq_spells_it(
    db_url: str,
) -> None:
    """Hosted PostgreSQL hands out `?sslmode=…`; the engine spells it `ssl`, which asyncpg
    would send the server as a setting, and each connection would be refused."""
    if not db_url.startswith("postgresql"):
        pytest.skip("asyncpg's connections are PostgreSQL's")
    db = Database(f"{db_url}?sslmode=disable")
    try:
        async with db.raw_transaction() as raw:
            assert isinstance(raw, postgresql_raw.RawStatements)
        await db.version()
        assert db._versions._pool is not None  # its own connection, not the engine's
    finally:
        await db.close()


async def test_a_server_refusing_the_pool_for_good_leaves_it_to_sessions(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(NOW)
    _, done = await jane_scheduled(pg, clock, [INTERVIEWER, "UINT0002"], NOW)
    asked: list[bool] = []

    async def refused(*_: Any, **__: Any) -> Any:
        asked.append(True)
        raise asyncpg.InvalidAuthorizationSpecificationError("no such role")

    monkeypatch.setattr(asyncpg.pool.Pool, "acquire", refused)
    first = await first_scorecard(pg, clock, done, INTERVIEWER)
    second = await first_scorecard(pg, clock, done, "UINT0002")
    assert first.scorecard.version == second.scorecard.version == 1
    assert asked == [True]  # asked once, not at every scorecard
