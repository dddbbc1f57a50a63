"""PostgreSQL statements on asyncpg's own connections, with no session.

A scorecard on PostgreSQL is one transaction of a dozen `Prepared` statements of a few
rows. Through an AsyncSession each of them crossed the greenlet bridge and SQLAlchemy's
asyncpg adapter, and the session's connection was pre-pinged at checkout (BEGIN, a
ping, ROLLBACK: three round trips before the first statement): a third of the
server's CPU per scorecard went to those layers, not to PostgreSQL (py-spy, bench
machine, 2026-12-04). Here the same statements go straight to a connection of an
asyncpg pool this process keeps for them: BEGIN, the statements, COMMIT.

The pool has `size` connections at most (DATABASE_STATEMENT_POOL_SIZE; by default
`MOST`, fewer if DATABASE_POOL_SIZE is smaller), beside the engine's. Every scorecard's
transaction raises the store's version at its commit (bot.store.version), so such
transactions go through their commits one at a time whatever the pool: on a database
sharing the app's cores, more of them at once only wait longer inside PostgreSQL. On
the bench machine, fifty scorecards at once (alternated four times) answered at a p99
of 123-181 ms with 4 connections a worker, against 231-347 ms with 10, the default pool
size; with 8, in the order asked, 100-123 ms against 64-107 with 4. It never
pings: a connection a PostgreSQL restart killed fails its BEGIN, and the transaction
goes through a session instead (`None`), whose pre-ping opens a live one. Its type
codecs are the engine's (the dialect's JSON and JSONB codecs), so rows read here are
the rows a session reads. A point read (`reader`) runs each statement on its own
(autocommit), as the engine's reading sessions do.

Connections are handed out in the order they were asked for (`Connections._turns`).
asyncpg's pool gives a connection back to whichever task asks next, not to the one
that has waited longest: a waiter woken for it that finds it taken by a newcomer goes
to the back of the line. Under fifty scorecards at once (the bench's 50-client cell,
traced per request in the server), most waited 30-60 ms for a connection and a few
80-105 ms, overtaken again and again; in the order asked, none waited over 50 ms, and
the cell's p99 went from 112-144 ms (six runs) to 64-107 ms (seven).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import SimpleNamespace
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from sqlalchemy.engine import URL, Dialect
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.prepared import Prepared, as_sqlalchemy

log = logging.getLogger(__name__)

# What a dead or unreachable connection raises. A connection the server ended while it
# sat in the pool (a restart: "terminating connection due to administrator command") can
# look open to the pool until the end of its socket is read; its next statement fails
# with asyncpg's InternalClientError then.
_GONE = (
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    ConnectionError,
    OSError,
)


# What a server refuses a new connection for now, and may take later.
_BUSY = (asyncpg.TooManyConnectionsError, asyncpg.CannotConnectNowError)


def gone(error: BaseException) -> bool:
    """Whether the error (or the driver's error SQLAlchemy's stands for) says the
    connection is dead."""
    return isinstance(error, _GONE) or isinstance(error.__cause__, _GONE)


class RawStatements:
    """`Prepared` statements on one asyncpg connection: in a transaction (a write) or each
    on its own (a point read). Store functions built on `Prepared` take it as they take a
    session (`prepared.Reading`, `prepared.Writing`). `session` opens a reading session
    for what only the ORM reads (a template another process installed). `pool`: a point
    read's, whose statement found its connection dead is run again on another (each
    statement is on its own there, so nothing is lost)."""

    def __init__(
        self,
        connection: PoolConnectionProxy[Any],
        dialect: Dialect,
        session: Callable[[], AbstractAsyncContextManager[AsyncSession]],
        pool: asyncpg.Pool[Any] | None = None,
    ) -> None:
        self.connection = connection
        self.dialect = dialect
        self.session = session
        self._pool = pool

    async def rows(self, statement: Prepared, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        try:
            return await statement.fetch(self.connection, self.dialect, params)
        except Exception as error:
            if self._pool is None or not gone(error):
                raise
        dead = self.connection
        _discard(dead)
        await self._pool.release(dead)
        self.connection = await self._pool.acquire()
        return await statement.fetch(self.connection, self.dialect, params)

    async def many(self, statement: Prepared, params: Iterable[Mapping[str, Any]]) -> None:
        await statement.fetch_many(self.connection, self.dialect, params)


# Connections a process keeps for statements with no session, at most, unless
# DATABASE_STATEMENT_POOL_SIZE says otherwise (a database on a machine of its own, far
# away: more transactions on the wire at once).
MOST = 4


class Connections:
    """This process's asyncpg pool for statements with no session, opened at first use."""

    def __init__(self, url: URL, dialect: Dialect, size: int) -> None:
        self._dsn = asyncpg_dsn(url)
        self._dialect = dialect
        self._size = size
        self._pool: asyncpg.Pool[Any] | None = None
        self._failed = False
        # One turn per connection of the pool, taken before asking it for one: the
        # semaphore wakes its waiters first come, first served, and a newcomer waits
        # behind them (see above). Holding a turn, the pool always has a connection. It
        # outlives a pool closed and opened again: every turn is back by then.
        self._turns = asyncio.Semaphore(size)

    @property
    def refused(self) -> bool:
        """The server refused this pool for good: its statements go through sessions."""
        return self._failed

    async def _opened(self) -> asyncpg.Pool[Any] | None:
        if self._failed:
            return None
        if self._pool is None:
            try:
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=0,
                    max_size=self._size,
                    init=self._codecs,
                    reset=_rolled_back,
                )
            except (asyncpg.PostgresError, ValueError, TypeError, *_GONE) as error:
                # A DATABASE_URL option asyncpg does not take, say: sessions still work.
                log.warning("statements go through sessions only: %s", type(error).__name__)
                self._failed = True
        return self._pool

    async def _codecs(self, connection: asyncpg.Connection[Any]) -> None:
        # The dialect's own set-up takes its adapter, of which it reads the driver's
        # connection alone.
        adapter = SimpleNamespace(_connection=connection)
        dialect: Any = self._dialect
        await dialect.setup_asyncpg_json_codec(adapter)
        await dialect.setup_asyncpg_jsonb_codec(adapter)

    async def _acquired(self) -> tuple[asyncpg.Pool[Any], PoolConnectionProxy[Any]] | None:
        """A connection and its turn, both given back by _release. None: neither."""
        pool = await self._opened()
        if pool is None:
            return None
        await self._turns.acquire()
        connection = None
        try:
            connection = await pool.acquire()
        except _GONE:  # down, or closing (a turn's waiter woken as the pool closes)
            return None  # the session's way says so
        except asyncpg.PostgresError as error:
            if not isinstance(error, _BUSY):
                # Refused for good (a setting, a role): sessions, which connect otherwise,
                # take every statement from now on.
                log.warning("statements go through sessions only: %s", type(error).__name__)
                self._failed = True
            return None
        finally:
            if connection is None:  # no connection: its turn goes back at once
                self._turns.release()
        return pool, connection

    async def _release(self, pool: asyncpg.Pool[Any], connection: PoolConnectionProxy[Any]) -> None:
        try:
            await pool.release(connection)
        finally:
            self._turns.release()

    @asynccontextmanager
    async def transaction(
        self, session: Callable[[], AbstractAsyncContextManager[AsyncSession]]
    ) -> AsyncIterator[RawStatements | None]:
        """One transaction, committed at the end of the block or rolled back. None: no
        live connection to be had here; the caller uses a session instead."""
        acquired = await self._acquired()
        if acquired is not None:
            pool, connection = acquired
            try:
                transaction = connection.transaction()
                try:
                    await transaction.start()
                except _GONE:  # killed since it was last used (a restart)
                    _discard(connection)  # not to be handed out again
                else:
                    try:
                        yield RawStatements(connection, self._dialect, session)
                    except BaseException:
                        if not _closed(connection):
                            await transaction.rollback()
                        raise
                    try:
                        await transaction.commit()
                    except Exception as error:
                        raise as_sqlalchemy(error, "COMMIT", None, self._dialect) from error
                    return
            finally:
                await self._release(pool, connection)
        yield None

    @asynccontextmanager
    async def reader(
        self, session: Callable[[], AbstractAsyncContextManager[AsyncSession]]
    ) -> AsyncIterator[RawStatements | None]:
        """A connection whose statements each run on their own. None: as above."""
        acquired = await self._acquired()
        if acquired is None:
            yield None
            return
        pool, connection = acquired
        statements = RawStatements(connection, self._dialect, session, pool)
        try:
            yield statements
        finally:
            await self._release(pool, statements.connection)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def _closed(connection: PoolConnectionProxy[Any]) -> bool:
    try:
        return connection.is_closed()
    except asyncpg.InterfaceError:  # closed, and so given back to the pool already
        return True


def _discard(connection: PoolConnectionProxy[Any]) -> None:
    """Closed, so that the pool never hands it out again. One the server closed under a
    statement is given back to the pool by asyncpg already, and says so by raising."""
    with contextlib.suppress(asyncpg.InterfaceError):
        connection.terminate()


async def _rolled_back(connection: asyncpg.Connection[Any]) -> None:
    """What a connection needs when it goes back to the pool: out of any transaction a
    cancelled block left open. asyncpg's own reset also sends `pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL`, a round trip at every release for state these
    connections never take."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


def asyncpg_dsn(url: URL) -> str:
    """The engine's URL as asyncpg's own DSN. The engine's spells libpq's `sslmode` as
    `ssl` (engine.async_url), which asyncpg's DSN does not take: it would send it to the
    server as a setting, and every connection would be refused."""
    query = dict(url.query)
    if "ssl" in query:
        query.setdefault("sslmode", query.pop("ssl"))
    return url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
