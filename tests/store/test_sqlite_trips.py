"""SQLite's statements take one trip each to their connection's thread
(bot/store/sqlite_trips.py), and behave as through SQLAlchemy's own aiosqlite cursor:
rows, row counts, inserted ids, many rows at once, errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.store.engine import Database


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
