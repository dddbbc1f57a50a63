"""SQLite writes on a connection of their own, on the event loop's thread, with no session.

A scorecard's transaction is eleven statements of a few rows, all of them `Prepared`, in
the writers' turn (engine._WriterQueue): while one process holds that turn, no other
writer of any process can write. Through an AsyncSession on the loop (sqlite_trips) its
statements took microseconds in SQLite and most of two milliseconds in the layers
around them (the session, the greenlet bridge, the pool), and the turn was held for all
of it. Here the same statements run on a sqlite3 connection this process keeps for its
turns: the turn is held for SQLite's work and little more. Under fifty scorecards at
once (the benchmark's cell, alternated with the session path three times) the p50 went
from 82-87 to 54-70 ms, the p99 from 135-151 to 108-132 ms, and the server's CPU per
scorecard from 3.2-5.5 to 2.7-3.7 ms.

That connection never waits on the loop: its busy handler is off, and a file locked by
another program (this app's own processes take turns on the flock first) sends the
transaction back to the session path, which waits on its connection's thread. Its
automatic checkpoint is off too, as for the session path's commits on the loop: one
commit in CHECKPOINT_EVERY runs on a thread with it on, so the log stays short.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Dialect

from bot.store import sqlite_trips
from bot.store.prepared import Prepared, as_sqlalchemy


class RawTransaction:
    """The statements of one transaction on the writer's connection. Store functions built
    on `Prepared` take it as they take a session (`prepared.Writing`); its statements
    never wait, so awaiting them never hands the event loop to another task."""

    def __init__(self, connection: sqlite3.Connection, dialect: Dialect) -> None:
        self._connection = connection
        self.dialect = dialect

    async def rows(self, statement: Prepared, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return statement.run(self._connection, self.dialect, params)

    async def many(self, statement: Prepared, params: Iterable[Mapping[str, Any]]) -> None:
        statement.run_many(self._connection, self.dialect, params)


class Writer:
    """This process's connection for writes on the loop, opened at its first use."""

    def __init__(self, path: Path, dialect: Dialect) -> None:
        self._path = path
        self._dialect = dialect
        self._connection: sqlite3.Connection | None = None
        self._commits = 0

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: BEGIN and COMMIT are ours. check_same_thread=False: one
        # commit in CHECKPOINT_EVERY runs on a thread, while the loop waits for it.
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        for pragma in (
            "foreign_keys=ON",
            "synchronous=NORMAL",
            "busy_timeout=0",
            f"wal_autocheckpoint={_NO_CHECKPOINT}",
        ):
            connection.execute(f"PRAGMA {pragma}")
        self._connection = connection
        return connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[RawTransaction | None]:
        """One transaction, committed at the end of the block or rolled back; for a
        caller holding the writers' turn. None: another program holds the file's lock."""
        connection = self._connection or self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if not sqlite_trips.locked(error):
                raise as_sqlalchemy(error, "BEGIN IMMEDIATE", None, self._dialect) from error
            yield None
            return
        try:
            yield RawTransaction(connection, self._dialect)
            self._commits += 1
            if self._commits % sqlite_trips.CHECKPOINT_EVERY:
                connection.execute("COMMIT")
            else:
                await asyncio.to_thread(_commit_and_checkpoint, connection)
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


_NO_CHECKPOINT = 0


def _commit_and_checkpoint(connection: sqlite3.Connection) -> None:
    connection.execute(f"PRAGMA wal_autocheckpoint={sqlite_trips.AUTOCHECKPOINT_PAGES}")
    try:
        connection.execute("COMMIT")
    finally:
        connection.execute(f"PRAGMA wal_autocheckpoint={_NO_CHECKPOINT}")
