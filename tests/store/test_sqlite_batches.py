"""Writes on a SQLite file's writer connection, in batches (bot/store/sqlite_batches.py):
the writes waiting take the writers' turn once, each in a transaction of its own; a
failure is its writer's alone; a writer that stops waiting leaves no write behind; a
batch stopped before its writes hands them on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError

from bot.store import engine, sqlite_batches
from bot.store.engine import Database
from bot.store.prepared import Prepared
from bot.store.sqlite_writes import RawTransaction

_T = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String))
_ADD_ROW = Prepared(insert(_T).values(name=bindparam("name")).returning(_T.c.id))
_NAMES = select(_T.c.name).order_by(_T.c.id)


@pytest.fixture
async def table(tmp_path: Any) -> AsyncIterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'batches.db'}")
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield db
    await db.close()


@pytest.fixture
def turns(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every writers' turn taken, by who took it: a batch, or a session's transaction."""
    taken: list[str] = []
    turn = engine._WriterQueue.turn

    @asynccontextmanager
    async def counted(self: Any) -> AsyncIterator[bool]:
        async with turn(self) as took:
            taken.append(asyncio.current_task().get_name())  # type: ignore[union-attr]
            yield took

    monkeypatch.setattr(engine._WriterQueue, "turn", counted)
    yield taken


def adding(name: str) -> Callable[[RawTransaction], Awaitable[int]]:
    async def add(raw: RawTransaction) -> int:
        [(row_id,)] = await raw.rows(_ADD_ROW, {"name": name})
        return int(row_id)

    return add


async def names(db: Database) -> list[str]:
    async with db.reader() as session:
        rows = await (await session.connection()).execute(_NAMES)
        return [name for (name,) in rows]


@asynccontextmanager
async def turn_held(db: Database) -> AsyncIterator[None]:
    """Another writer holds the turn (a session's transaction) until the block ends; the
    writes started in it wait, and queue."""
    release = asyncio.Event()
    holding = asyncio.Event()

    async def hold() -> None:
        async with db.transaction():
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold(), name="session")
    await holding.wait()
    try:
        yield
    finally:
        release.set()
        await holder


def writer(db: Database, name: str, work: Callable[[RawTransaction], Awaitable[Any]]) -> Any:
    return asyncio.create_task(db.raw_write(work), name=name)


async def test_the_writes_waiting_take_the_turn_once_each_its_own(
    table: Database, turns: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_batches, "BATCH_SECONDS", 60.0)  # a slow machine's too
    async with turn_held(table):
        writers = [writer(table, f"w{n}", adding(f"n{n}")) for n in range(20)]
        await asyncio.sleep(0.05)  # all of them waiting
    done = await asyncio.gather(*writers)
    assert [d.value for d in done] == list(range(1, 21))  # in the order they came
    assert await names(table) == [f"n{n}" for n in range(20)]
    # Taken one write at a time, the turn went through 20 passes of the event loop.
    assert turns == ["session", "w0"]


async def test_a_batch_past_its_time_hands_the_rest_to_the_next_writer(
    table: Database, turns: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other processes' writers wait for the flock while a batch runs: past
    BATCH_SECONDS it gives the turn back, and the next writer takes it again for the
    rest. With no time at all, each batch is one write."""
    monkeypatch.setattr(sqlite_batches, "BATCH_SECONDS", 0.0)
    async with turn_held(table):
        writers = [writer(table, f"w{n}", adding(f"n{n}")) for n in range(5)]
        await asyncio.sleep(0.05)
    done = await asyncio.gather(*writers)
    assert [d.value for d in done] == [1, 2, 3, 4, 5]
    assert turns == ["session", "w0", "w1", "w2", "w3", "w4"]


async def test_a_write_that_fails_is_its_writers_alone(table: Database) -> None:
    async with turn_held(table):
        first = writer(table, "first", adding("ada"))
        again = writer(table, "again", adding("ada"))  # the name is UNIQUE
        last = writer(table, "last", adding("grace"))
        await asyncio.sleep(0.05)
    assert (await first).value == 1
    with pytest.raises(IntegrityError):
        await again
    assert (await last).value == 2  # the failed one's row was rolled back
    assert await names(table) == ["ada", "grace"]


async def one_of_three_cancelled(db: Database, which: int) -> list[str]:
    """Three writes queued behind another writer's turn, each named for the name it
    adds, the `which`th writer cancelled while it waits: the names stored."""
    async with turn_held(db):
        tasks = [writer(db, name, adding(name)) for name in ("ada", "grace", "alan")]
        await asyncio.sleep(0.05)
        tasks[which].cancel()
        await asyncio.sleep(0)
    await asyncio.gather(*(task for n, task in enumerate(tasks) if n != which))
    assert tasks[which].cancelled()
    return await names(db)


async def test_a_writer_that_stops_waiting_leaves_no_write(table: Database) -> None:
    assert await one_of_three_cancelled(table, 1) == ["ada", "alan"]


async def test_a_batch_stopped_before_its_writes_hands_them_on(
    table: Database, turns: list[str]
) -> None:
    # The first writer runs the batch: cancelled while it waits for the turn, it hands
    # the writes waiting to the next writer.
    assert await one_of_three_cancelled(table, 0) == ["grace", "alan"]
    assert turns == ["session", "grace"]


async def test_inside_a_transaction_of_its_own_a_task_is_told_to_use_it(
    table: Database,
) -> None:
    async with table.transaction():
        assert await table.raw_write(adding("ada")) is None  # it holds the turn
