"""SQLite through aiosqlite, one trip to the connection's thread per statement.

SQLAlchemy's aiosqlite adapter makes four trips for each statement (open a cursor,
execute, fetch the rows, close the cursor), and the pool one more to roll back each
connection it takes back, written to or not. Each trip is a hand-off to the connection's
thread and back through the event loop, and the hand-offs were more than half of what a
short read cost. Here one statement's cursor work runs as one function on that thread,
and a connection with no transaction open is given back without a trip; SQLAlchemy sees
the cursor it always did, its rows already fetched. On the bench machine a one-row read
in a session of its own went from 1.1 to 0.5 ms of CPU.

A trip is still most of a short statement's cost: a statement that reads or writes a few
rows takes microseconds in SQLite, the hand-off (a wake-up of the connection's thread, and
of the event loop when it is done) about a hundred. So the sessions of the answers asked
most (a status card, a Home tab, a scorecard: `Database.reader(on_loop=True)` and
`transaction(on_loop=True)`) run their statements on the event loop's own thread, with no
trip. They are point reads and writes of a few rows, in a file in the page cache. They
never wait there for a lock: on that path SQLite's busy handler is off, and a statement
that finds the file locked (another program writing; with WAL, readers never wait for
writers) goes to the connection's thread instead, to wait there. Their commit runs on the
loop too, with SQLite's automatic checkpoint off: that checkpoint copies the write-ahead
log into the database file and syncs both to disk, which must not happen on the loop.
One commit in CHECKPOINT_EVERY takes the trip instead, with the checkpoint on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.util import await_

# What one statement leaves on a cursor: description, rows, rowcount, lastrowid.
_Outcome = tuple[Any, list[Any], int, int | None]
T = TypeVar("T")

# Whether the statements of the session being run go on the event loop's thread.
_ON_LOOP: ContextVar[bool] = ContextVar("sqlite_on_loop", default=False)
# engine._configure_sqlite's, for the statements that wait on the connection's thread.
BUSY_TIMEOUT_MS = 10_000


@contextmanager
def on_loop() -> Iterator[None]:
    """Within: SQLite statements run on the calling (event loop's) thread, as above."""
    token = _ON_LOOP.set(True)
    try:
        yield
    finally:
        _ON_LOOP.reset(token)


def locked(error: sqlite3.OperationalError) -> bool:
    # The primary code of an extended one (SQLITE_BUSY_RECOVERY is BUSY, and so on).
    return error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _without_waiting(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """`work` with SQLite's busy handler off: a locked file raises at once."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        return work(conn)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


# SQLite's own default: a commit that leaves at least this many pages in the write-ahead
# log copies them into the database file (a checkpoint) and syncs both.
AUTOCHECKPOINT_PAGES = 1000
# Commits on the loop skip that checkpoint; every so many of a connection's go through
# its thread instead, where it may run. A scorecard writes about ten pages, so the log
# stays within a few hundred pages of SQLite's own bound.
CHECKPOINT_EVERY = 32


def _commit_without_checkpoint(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        conn.commit()
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")


class _OneTripCursor:
    """The driver cursor SQLAlchemy's adapter drives: execute() runs the statement,
    fetches its rows and closes the sqlite3 cursor in a single call on the connection's
    thread; fetching and closing afterwards only hand over what is already here."""

    arraysize = 1

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> _OneTripCursor:
        return self

    async def _run(self, work: Callable[[sqlite3.Cursor], object]) -> _OneTripCursor:
        def trip(conn: sqlite3.Connection) -> _Outcome:
            cursor = conn.cursor()
            try:
                work(cursor)
                rows = cursor.fetchall() if cursor.description else []
                return cursor.description, rows, cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        connection = self._connection
        outcome: _Outcome | None = None
        if _ON_LOOP.get():
            try:
                outcome = _without_waiting(connection._conn, trip)
            except sqlite3.OperationalError as error:
                if not locked(error):
                    raise
        if outcome is None:
            # aiosqlite's own way onto the thread (its cursors use it): SQLAlchemy's adapter
            # reaches into aiosqlite the same way; tests/store/test_sqlite_trips.py counts it.
            outcome = await connection._execute(trip, connection._conn)  # type: ignore[no-untyped-call]
        self.description, self._rows, self.rowcount, self.lastrowid = outcome
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> _OneTripCursor:
        return await self._run(lambda cursor: cursor.execute(sql, parameters or ()))

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> _OneTripCursor:
        return await self._run(lambda cursor: cursor.executemany(sql, parameters))

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = size or self.arraysize
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def close(self) -> None:
        self._rows = []


async def execute(
    connection: aiosqlite.Connection, sql: str, parameters: Sequence[Any]
) -> list[Any]:
    """One statement's rows, run as a statement of a cursor above is (bot.store.prepared)."""
    cursor = await _OneTripCursor(connection).execute(sql, parameters)
    return await cursor.fetchall()


async def execute_many(
    connection: aiosqlite.Connection, sql: str, parameters: Iterable[Sequence[Any]]
) -> None:
    await _OneTripCursor(connection).executemany(sql, parameters)


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def _make_new_cursor(self, connection: Any) -> Any:
        return _OneTripCursor(connection)

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor  # nothing to open: the statement's trip opens its own sqlite3 cursor


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_commits_on_loop",)
    _cursor_cls = _Cursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._commits_on_loop = 0

    def commit(self) -> None:
        # A transaction run on the loop commits there too. Its commit's trip to the
        # thread came back behind every request the loop was serving meanwhile, while
        # SQLite's one writer held the file's lock for it: under fifty scorecards at
        # once, the lock was held 4 ms a turn. Only the checkpoint must not run on the
        # loop (it syncs the files to disk): every CHECKPOINT_EVERY-th commit, and any
        # that finds the file locked, takes the trip, where SQLite may checkpoint.
        if _ON_LOOP.get():
            self._commits_on_loop += 1
            if self._commits_on_loop % CHECKPOINT_EVERY:
                try:
                    _without_waiting(self._connection._conn, _commit_without_checkpoint)
                    return
                except sqlite3.OperationalError as error:
                    if not locked(error):
                        raise
        super().commit()

    def rollback(self) -> None:
        # The pool rolls back every connection it takes back, most of them after reads
        # that opened no transaction: no trip for those.
        conn = self._connection._connection
        if conn is not None and conn.in_transaction:
            super().rollback()


def connect(dialect: Dialect, _record: object, cargs: list[Any], cparams: dict[str, Any]) -> Any:
    """A `do_connect` listener: SQLAlchemy's own aiosqlite connect, with the cursor above."""
    connection = aiosqlite.connect(*cargs, **cparams)
    connection._thread.daemon = True  # as SQLAlchemy's connect does: never hold up exit
    driver: Any = await_(connection)
    return _Connection(dialect.dbapi, driver)
