"""SQLite point reads on the event loop's thread, with no session.

A session read on the loop (sqlite_trips) runs its statement in microseconds and spends
the rest around it: the session, its pool connection and the greenlet bridge, opened and
closed for one or two statements. A scorecard's seat and the person's last app tab cost
0.29 and 0.17 ms of CPU that way, and 0.04 and 0.01 ms here (bench machine, 2026-12-04):
here `Prepared` statements run on a sqlite3 connection this process keeps for reads,
in a transaction of their own, so that the statements of one read see one snapshot.

With the write-ahead log, readers never wait for writers. A statement that still finds
the file locked (another program holding it whole, or the log being recovered) is run
again on a thread, with SQLite's busy handler waiting there, never on the loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store import sqlite_trips

if TYPE_CHECKING:
    from bot.store.prepared import Prepared

# Connections kept for reads between uses; more are opened while more reads overlap.
KEPT = 4


class RawRead:
    """The statements of one read, on a reading connection and in one snapshot. `session`
    opens a session for what only the ORM reads (a template installed since this process
    read the registry)."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        dialect: Dialect,
        session: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    ) -> None:
        self._connection = connection
        self.dialect = dialect
        self.session = session

    async def rows(self, statement: Prepared, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        try:
            return statement.run(self._connection, self.dialect, params)
        except OperationalError as error:
            original = error.orig
            if not (
                isinstance(original, sqlite3.OperationalError) and sqlite_trips.locked(original)
            ):
                raise
        return await asyncio.to_thread(self._waiting, statement, params)

    def _waiting(self, statement: Prepared, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        self._connection.execute(f"PRAGMA busy_timeout = {sqlite_trips.BUSY_TIMEOUT_MS}")
        try:
            return statement.run(self._connection, self.dialect, params)
        finally:
            self._connection.execute("PRAGMA busy_timeout = 0")


class Readers:
    """This process's reading connections to one SQLite file."""

    def __init__(self, path: Path, dialect: Dialect) -> None:
        self._path = path
        self._dialect = dialect
        self._idle: list[sqlite3.Connection] = []

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: BEGIN and COMMIT are ours. check_same_thread=False: a
        # statement that found the file locked waits on a thread.
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA query_only = 1")
        connection.execute("PRAGMA busy_timeout = 0")
        return connection

    @asynccontextmanager
    async def read(
        self, session: Callable[[], AbstractAsyncContextManager[AsyncSession]]
    ) -> AsyncIterator[RawRead]:
        connection = self._idle.pop() if self._idle else self._connect()
        try:
            connection.execute("BEGIN")  # deferred: the snapshot is taken at the first read
            yield RawRead(connection, self._dialect, session)
        except asyncio.CancelledError:
            # A statement may still be running on a thread: the connection is left to it,
            # and closed when it is collected.
            raise
        except BaseException:
            self._put_back(connection)  # a read that raised (NotAllowed, say) changed nothing
            raise
        self._put_back(connection)

    def _put_back(self, connection: sqlite3.Connection) -> None:
        try:
            if connection.in_transaction:
                connection.execute("COMMIT")  # a read: nothing to keep or undo
        except sqlite3.Error:
            connection.close()
            return
        if len(self._idle) < KEPT:
            self._idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
