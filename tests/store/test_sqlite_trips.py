"""SQLite's statements take one trip each to their connection's thread
(bot/store/sqlite_trips.py), and behave as through SQLAlchemy's own aiosqlite cursor:
rows, row counts, inserted ids, many rows at once, errors."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store import sqlite_trips
from bot.store.engine import Database
from bot.store.prepared import Prepared
from bot.store.scorecard_writes import ScorecardWrites, in_scorecard_writes
from bot.store.sqlite_batches import Done
from bot.store.sqlite_writes import RawTransaction


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every hand-off to a connection's thread, by the function handed over."""
    made: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    yield made


@pytest.fixture
async def table(tmp_path: Any) -> Any:
    db = Database(f"sqlite:///{tmp_path / 'trips.db'}")
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield db
    await db.close()


async def test_a_read_is_one_trip_and_closing_its_session_none(
    table: Database, trips: list[str]
) -> None:
    async with table.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the pool's connection is open now
        trips.clear()
        rows = (await conn.execute(text("SELECT 1, 'a' UNION ALL SELECT 2, 'b'"))).all()
        assert [tuple(r) for r in rows] == [(1, "a"), (2, "b")]
        assert trips == ["trip"]
    # Nothing was written, so giving the connection back rolls nothing back.
    assert trips == ["trip"]


async def test_writes_keep_their_counts_ids_and_returned_rows(table: Database) -> None:
    async with table.engine.begin() as session:
        inserted = await session.execute(text("INSERT INTO t (name) VALUES ('ada')"))
        assert inserted.lastrowid == 1
        await session.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "bo"}, {"name": "cy"}]
        )
        updated = await session.execute(text("UPDATE t SET name = upper(name) WHERE id > 1"))
        assert updated.rowcount == 2
        returned = await session.execute(
            text("UPDATE t SET name = 'Ada' WHERE id = 1 RETURNING id")
        )
        assert returned.scalar_one() == 1
    async with table.engine.connect() as session:
        names = (await session.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["Ada", "BO", "CY"]


async def test_an_error_is_sqlalchemys_and_the_transaction_rolls_back(table: Database) -> None:
    with pytest.raises(IntegrityError):
        async with table.engine.begin() as session:
            await session.execute(text("INSERT INTO t (name) VALUES ('ada')"))
            await session.execute(text("INSERT INTO t (name) VALUES ('ada')"))
    async with table.engine.connect() as session:
        count = (await session.execute(text("SELECT count(*) FROM t"))).scalar_one()
    assert count == 0


# The sessions of the answers asked most run their statements on the event loop's thread.


async def _run(session: AsyncSession, sql: Any) -> Any:
    return await (await session.connection()).execute(sql)


async def test_a_session_on_the_loop_makes_no_trip_its_commit_included(
    table: Database, trips: list[str]
) -> None:
    async with table.reader():
        pass  # the pool's connection is open now
    trips.clear()
    async with table.transaction(on_loop=True) as session:
        await _run(session, text("INSERT INTO t (name) VALUES ('ada')"))
        await _run(session, text("UPDATE t SET name = 'Ada' WHERE id = 1"))
    assert trips == []
    async with table.reader(on_loop=True) as session:
        names = (await _run(session, text("SELECT name FROM t"))).scalars().all()
    assert names == ["Ada"]
    assert trips == []
    async with table.reader() as session:  # any other session: a trip per statement
        await _run(session, text("SELECT name FROM t"))
    assert trips == ["trip"]


async def test_the_writers_turn_passes_on_with_the_commit_not_a_turn_of_the_loop_later(
    table: Database,
) -> None:
    """While the turn is held, no other writer of any process can write: every turn of
    the event loop inside it serves every request ready meanwhile. Once committed, the
    turn passes on before the loop runs anything else."""
    async with table.reader():
        pass  # the pool's connection is open now
    other_writer = asyncio.create_task(_write(table, "grace"))
    held_when_the_loop_ran: list[bool] = []
    async with table.transaction(on_loop=True) as session:
        await _run(session, text("INSERT INTO t (name) VALUES ('ada')"))
        asyncio.get_running_loop().call_soon(
            lambda: held_when_the_loop_ran.append(not other_writer.done() and _turn_held(table))
        )
    await other_writer
    assert held_when_the_loop_ran == [False]
    async with table.reader() as session:
        names = (await _run(session, text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["ada", "grace"]


async def _write(db: Database, name: str) -> None:
    async with db.transaction(on_loop=True) as session:
        await _run(session, text(f"INSERT INTO t (name) VALUES ('{name}')"))


def _turn_held(db: Database) -> bool:
    writers: Any = db._writers
    return writers._holder is not None and writers._holder is not asyncio.current_task()


async def test_one_commit_on_the_loop_in_so_many_takes_the_trip_to_checkpoint(
    table: Database, trips: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checkpoint (a copy of the log into the file, and a sync to disk) never runs on
    the loop: those commits turn it off. So every CHECKPOINT_EVERY-th commit goes to the
    connection's thread, where SQLite runs it once the log is long enough."""
    monkeypatch.setattr(sqlite_trips, "CHECKPOINT_EVERY", 3)
    async with table.reader():
        pass
    trips.clear()
    for n in range(6):
        async with table.transaction(on_loop=True) as session:
            await _run(session, text(f"INSERT INTO t (name) VALUES ('n{n}')"))
    assert trips == ["commit", "commit"]  # the 3rd and the 6th


async def test_the_log_stays_short_under_commits_on_the_loop(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SQLite checkpointing at 20 pages (its default is 1,000) and one commit in 10
    taking the trip, 300 commits of a page or more each leave a log of a few dozen pages.
    With no commit taking it, the log holds them all: the bound is the trips'."""
    monkeypatch.setattr(sqlite_trips, "AUTOCHECKPOINT_PAGES", 20)

    async def log_pages(every: int, name: str) -> int:
        monkeypatch.setattr(sqlite_trips, "CHECKPOINT_EVERY", every)
        path = tmp_path / name
        db = Database(f"sqlite:///{path}")
        try:
            async with db.engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
                await conn.execute(text("PRAGMA wal_autocheckpoint = 20"))
            for n in range(300):
                async with db.transaction(on_loop=True) as session:
                    await _run(
                        session, text(f"INSERT INTO t (body) VALUES ('{n}' || zeroblob(3000))")
                    )
            log = path.with_name(f"{path.name}-wal")
            return log.stat().st_size // 4096
        finally:
            await db.close()

    assert await log_pages(10, "bounded.db") < 60
    assert await log_pages(10_000, "unbounded.db") > 300


async def test_on_the_loop_an_error_is_still_sqlalchemys(table: Database) -> None:
    with pytest.raises(IntegrityError):
        async with table.transaction(on_loop=True) as session:
            await _run(session, text("INSERT INTO t (name) VALUES ('ada')"))
            await _run(session, text("INSERT INTO t (name) VALUES ('ada')"))
    async with table.reader(on_loop=True) as session:
        assert (await _run(session, text("SELECT count(*) FROM t"))).scalar_one() == 0


async def test_a_locked_file_is_waited_for_off_the_loop(
    table: Database, tmp_path: Any, trips: list[str]
) -> None:
    """Another program holds the write lock: the write on the loop does not wait there
    (SQLite's busy handler would stop every request); it goes to the connection's thread,
    waits, and lands once the lock is let go. Reads never wait, with write-ahead logging."""
    other = sqlite3.connect(tmp_path / "trips.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (name) VALUES ('other')")

    async def write() -> None:
        async with table.transaction(on_loop=True) as session:
            await _run(session, text("INSERT INTO t (name) VALUES ('ours')"))

    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writing.done()  # waiting for the lock…
    assert ticks >= 10  # …and the loop goes on meanwhile
    async with table.reader(on_loop=True) as session:  # a read does not wait at all
        assert (await _run(session, text("SELECT count(*) FROM t"))).scalar_one() == 0
    other.execute("COMMIT")
    await asyncio.wait_for(writing, 10)
    ticker.cancel()
    assert "trip" in trips  # the waiting statement went to the connection's thread
    async with table.reader(on_loop=True) as session:
        names = (await _run(session, text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["other", "ours"]
    # The connection's own busy handler is back for statements off the loop.
    async with table.engine.connect() as conn:
        timeout = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
    assert timeout == sqlite_trips.BUSY_TIMEOUT_MS


# Writes on the loop with no session (bot/store/sqlite_writes.py) -----------------------------

_T = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String))
_ADD = Prepared(insert(_T).values(name=bindparam("name")).returning(_T.c.id))
_NAMES = Prepared(select(_T.c.name).order_by(_T.c.id))


async def names_written(raw: RawTransaction) -> list[tuple[Any, ...]]:
    return await raw.rows(_NAMES, {})


def adding(name: str) -> Callable[[RawTransaction], Awaitable[list[tuple[Any, ...]]]]:
    return lambda raw: raw.rows(_ADD, {"name": name})


async def test_raw_writes_commit_together_on_the_loop_with_no_trip(
    table: Database, trips: list[str]
) -> None:
    async def add(raw: RawTransaction) -> int:
        [(first,)] = await raw.rows(_ADD, {"name": "ada"})
        await raw.many(_ADD, [{"name": "grace"}, {"name": "alan"}])
        return int(first)

    done = await table.raw_write(add)
    assert done is not None and done.value == 1
    assert trips == []
    async with table.reader() as session:
        names = (await _run(session, text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["ada", "grace", "alan"]

    async def on(writes: ScorecardWrites) -> object:
        return writes.on

    assert not isinstance(await in_scorecard_writes(table, on), AsyncSession)  # a file's


async def test_a_raw_error_is_sqlalchemys_and_nothing_of_its_transaction_stays(
    table: Database,
) -> None:
    async def add_twice(raw: RawTransaction) -> None:
        await raw.rows(_ADD, {"name": "ada"})
        await raw.rows(_ADD, {"name": "ada"})  # the table's name is UNIQUE

    with pytest.raises(IntegrityError):
        await table.raw_write(add_twice)
    assert await table.raw_write(names_written) == Done([])


async def test_a_file_another_program_locked_sends_the_writes_through_a_session(
    table: Database,
) -> None:
    path = table.engine.url.database
    assert path
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program writing
    assert await table.raw_write(names_written) is None  # never a wait on the loop
    asyncio.get_running_loop().call_later(0.2, other.execute, "COMMIT")

    async def add(writes: ScorecardWrites) -> None:
        assert isinstance(writes.on, AsyncSession)  # waits on its connection's thread
        await _run(writes.on, text("INSERT INTO t (name) VALUES ('ada')"))

    await in_scorecard_writes(table, add)
    other.close()
    assert await table.raw_write(names_written) == Done([("ada",)])


async def test_raw_writes_keep_the_log_short(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for the session's commits on the loop: one raw commit in CHECKPOINT_EVERY runs
    on a thread with SQLite's checkpoint on; with none, the log would hold them all."""
    monkeypatch.setattr(sqlite_trips, "AUTOCHECKPOINT_PAGES", 20)
    monkeypatch.setattr(sqlite_trips, "CHECKPOINT_EVERY", 10)
    path = tmp_path / "raw.db"
    db = Database(f"sqlite:///{path}")
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
        for n in range(300):
            assert await db.raw_write(adding(f"{n}" + "x" * 3000)) is not None
        assert path.with_name(f"{path.name}-wal").stat().st_size // 4096 < 60
    finally:
        await db.close()
