"""The database engine, sessions, and a timestamp type that behaves alike on both stores."""

from __future__ import annotations

import asyncio
import fcntl
import os
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, event
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util.concurrency import await_
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime.cache import ReadCache
from bot.store import postgresql_raw, sqlite_trips
from bot.store.postgresql_raw import Connections, RawStatements
from bot.store.prepared import READING, Reading
from bot.store.sqlite_batches import Batches, Done
from bot.store.sqlite_reads import Readers
from bot.store.sqlite_writes import RawTransaction, Writer
from bot.store.version import Versions


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back an aware UTC datetime.

    SQLite returns naive datetimes even from DateTime(timezone=True) while
    PostgreSQL returns aware ones; this keeps the two stores alike.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def async_url(url: str) -> str:
    """Map a plain DATABASE_URL onto the async driver for its database."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+asyncpg")
        if "sslmode" in parsed.query:
            # Hosted PostgreSQL hands out libpq URLs (`?sslmode=require`); asyncpg takes
            # the same values as `ssl`, and refuses `sslmode` with a TypeError.
            query = dict(parsed.query)
            query.setdefault("ssl", query.pop("sslmode"))
            query.pop("sslmode", None)
            parsed = parsed.set(query=query)
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead logging: readers never wait for the writer, nor the writer for them.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; WAL's usual pair
    # Wait for a competing writer instead of failing at once with "database is locked".
    cursor.execute(f"PRAGMA busy_timeout={sqlite_trips.BUSY_TIMEOUT_MS}")
    cursor.close()


T = TypeVar("T")

# PostgreSQL connections each worker opens for requests (DATABASE_POOL_SIZE): see
# create_engine.
DEFAULT_POOL_SIZE = 10


def create_engine(url: str, *, pool_size: int | None = None, **kwargs: Any) -> AsyncEngine:
    """`pool_size`: PostgreSQL connections per process, all it ever opens; SQLite's pool
    is its own, below."""
    url = async_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        # SQLite runs inside this process, each connection on a thread of its own, so
        # more connections than cores only add threads fighting for the GIL: under 50
        # requests at once a pool of 4 answered twice as fast as one of 50. Requests
        # wait for a connection in asyncio instead (sessions never nest, so they can't
        # wait on each other). Pre-ping would cost a round trip to the connection's
        # thread on every checkout, and a file has no server to lose.
        options = {
            "pool_pre_ping": False,
            "pool_size": 4,
            "max_overflow": 0,
            "hide_parameters": True,  # no candidate data in error logs: see below
            **kwargs,
        }
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "do_connect", sqlite_trips.connect)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    # A few connections kept open, and no more opened in a burst: 50 requests at once
    # queue for a connection in asyncio (sessions never nest, which every test checks),
    # not inside PostgreSQL. A pool as wide as the burst (25 kept and 25 more opened on
    # demand per worker) ran 50 PostgreSQL processes on two cores, and each connection
    # opened past the kept ones started and ended a process: 50 scorecards at once on
    # two workers cost the whole machine 14-19 ms of CPU per scorecard and answered
    # about 200 a second; 8 connections per worker, 10 ms and 260 a second; 4, 8-9 ms
    # and about 300. Fewer than cores is best while PostgreSQL shares the app's two;
    # 10 leaves a database on a machine of its own room to work on several at once.
    # Pre-ping finds the connections a PostgreSQL restart killed.
    # hide_parameters: an error's `[parameters: …]` would put candidate data (names,
    # reasons, scorecards) into the logs; the statement alone says what went wrong.
    options = {
        "pool_pre_ping": True,
        "pool_size": pool_size or DEFAULT_POOL_SIZE,
        "max_overflow": 0,
        "hide_parameters": True,
        **kwargs,
    }
    engine = create_async_engine(url, **options)
    engine.dialect.do_ping = _ping_once  # type: ignore[method-assign,assignment]
    return engine


def _ping_once(adapter: Any) -> bool:
    """Pre-ping in one round trip. SQLAlchemy's asyncpg ping of a connection in no
    transaction (every checkout) is BEGIN, an empty statement and ROLLBACK: three trips,
    so that it also works behind PgBouncer's transaction mode, which asyncpg's prepared
    statements (the app's, and its own pools': postgresql_raw, version) do not work
    behind anyway. A status card read on PostgreSQL was the ping and one statement
    (store.card_reads), the panel's days away at most a second: three trips of five. A
    connection a restart killed fails the empty statement as it failed the BEGIN, and
    is replaced as before (SQLAlchemy checks the error it raises)."""
    try:
        await_(adapter._connection.fetchrow(";"))
    except Exception as error:
        adapter._handle_exception(error)
    return True


class Database:
    """One engine and its session factory, opened at start-up and passed around."""

    def __init__(
        self, url: str, *, statement_pool_size: int | None = None, **engine_kwargs: Any
    ) -> None:
        """`statement_pool_size`: PostgreSQL connections for statements with no session
        (postgresql_raw); None: postgresql_raw.MOST, or fewer if the engine's pool is
        smaller. `engine_kwargs`: create_engine's (pool_size)."""
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        # Reads run outside a transaction on PostgreSQL (autocommit), as they do on SQLite:
        # each statement sees what was committed when it ran. BEGIN and the ROLLBACK that
        # gave the connection back were two of a status card's eleven round trips, and
        # kept reads never rely on one snapshot (bot.store.version reads the version
        # before the data, so a write in between is never kept as current).
        self._readers = (
            async_sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                class_=AsyncSession,
                expire_on_commit=False,
            )
            if self.engine.dialect.name == "postgresql"
            else self._sessions
        )
        self._writers = (
            _WriterQueue(_write_lock_file(self.engine.url))
            if self.engine.dialect.name == "sqlite"
            else None
        )
        # A SQLite file's connection for short writes on the loop (raw_write).
        path = sqlite_file(self.engine.url) if self._writers is not None else None
        self._writer = Writer(path, self.engine.dialect) if path is not None else None
        # Its writes on that connection, batched per event loop (raw_write).
        self._batches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Batches] = (
            weakref.WeakKeyDictionary()
        )
        # And its connections for point reads on the loop (point_reader).
        self._point_readers = Readers(path, self.engine.dialect) if path is not None else None
        # PostgreSQL's connections for statements with no session (raw_transaction,
        # point_reader).
        self._raw = (
            Connections(
                self.engine.url,
                self.engine.dialect,
                statement_pool_size or min(self.engine.pool.size(), postgresql_raw.MOST),  # type: ignore[attr-defined]
            )
            if self.engine.dialect.name == "postgresql"
            else None
        )
        # Connections opened for one holder and closed after it (own_connection).
        self._unpooled: AsyncEngine | None = None
        # Reads this process keeps while the store's version stays the same.
        self.reads = ReadCache()
        self._versions = Versions(
            self.engine,
            sqlite_file(self.engine.url) if self.engine.dialect.name == "sqlite" else None,
        )

    def fallbacks(self) -> dict[str, bool]:
        """Per pool of its own, whether this process gave up on it for good, so that its
        work goes through SQLAlchemy's sessions: it all still works, at more CPU per
        request (`loopkeeper_database_fallback`, whose log line says why once)."""
        return {
            "statements": self._raw is not None and self._raw.refused,
            "version_reads": self._versions.refused,
        }

    @asynccontextmanager
    async def transaction(
        self, *, on_loop: bool = False, dry_run: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """A session whose work commits together at the end, or not at all. `on_loop`:
        a few short statements, run on the event loop's thread on SQLite (sqlite_trips).
        `dry_run`: rolled back at the end however it went, its objects kept as they were
        (a change tried, to say what it would do and warn about, with nothing stored)."""
        try:
            async with self._transaction(on_loop=on_loop) as session:
                yield session
                if dry_run:
                    # Out of the session first: the rollback would expire them, and
                    # what the dry run found is read after it.
                    session.expunge_all()
                    raise _DryRun
        except _DryRun:
            pass

    @asynccontextmanager
    async def _transaction(self, *, on_loop: bool) -> AsyncIterator[AsyncSession]:
        if self._writers is None:
            async with self._sessions() as session, session.begin():
                yield session
            return
        async with self._sessions() as session, self._writers.turn() as took:
            # The flush and the commit at the end of the block run on the loop too.
            with _on_loop(on_loop):
                async with session.begin():
                    if took:
                        # pysqlite opens a transaction only at the first INSERT, UPDATE or
                        # DELETE. A SAVEPOINT before any (session.begin_nested, as creating
                        # a role does) opened one of its own, and its RELEASE committed: a
                        # failure after it left half the work stored. BEGIN first makes the
                        # whole block one transaction. IMMEDIATE takes the write lock with
                        # it, as the first write did, so a read before that write never
                        # holds a snapshot that another program's commit makes stale
                        # (SQLITE_BUSY_SNAPSHOT). A transaction opened inside one this task
                        # holds only reads, beside it: it begins as before.
                        await (await session.connection()).exec_driver_sql("BEGIN IMMEDIATE")
                    yield session
            # Committed: the connection goes back to the pool before the turn passes on,
            # so the next writer finds it there. Here, not at the session's own exit,
            # which closes in a task of its own: the few turns of the event loop that
            # takes, each serving every request ready meanwhile, were a fifth of the
            # time the writers' turn was held under fifty scorecards at once.
            await session.close()

    @asynccontextmanager
    async def raw_transaction(self) -> AsyncIterator[RawStatements | None]:
        """A transaction of `Prepared` statements with no session, committed at the end
        of the block, on asyncpg's connection (postgresql_raw). None: not to be had here
        (SQLite, whose writes with no session go through raw_write; no live PostgreSQL
        connection at hand): the caller uses transaction() instead."""
        if self._raw is None:
            yield None
            return
        async with self._raw.transaction(self.reader) as statements:
            yield statements

    async def raw_write(self, work: Callable[[RawTransaction], Awaitable[T]]) -> Done[T] | None:
        """`work` in a transaction of its own on a SQLite file's connection for writes on
        the loop (sqlite_writes), in a batch with every other such write waiting in this
        process (sqlite_batches). None: not to be had here (PostgreSQL, a database in
        memory, a file another program has locked, a task inside a transaction of its
        own): the caller uses transaction() instead."""
        writer, writers = self._writer, self._writers
        if writer is None or writers is None or writers.held_by(asyncio.current_task()):
            return None
        loop = asyncio.get_running_loop()
        batches = self._batches.get(loop)
        if batches is None:
            batches = self._batches[loop] = Batches(writers.turn, writer.transaction)
        return await batches.run(work)

    @asynccontextmanager
    async def reader(self, *, on_loop: bool = False) -> AsyncIterator[AsyncSession]:
        """A session to read in (never to write in: on PostgreSQL, nothing would roll a
        write back). `on_loop`: as for transaction()."""
        async with self._readers() as session:
            session.sync_session.info[READING] = True
            with _on_loop(on_loop and self._writers is not None):
                yield session

    @asynccontextmanager
    async def point_reader(self) -> AsyncIterator[Reading]:
        """A few point reads by store functions that take a `Reading` (their statements
        `Prepared`), with no session: on a SQLite file, on the event loop (sqlite_reads);
        on PostgreSQL, on asyncpg's connection (postgresql_raw). Elsewhere, or with no
        live connection at hand, in a reading session (on the loop where SQLite allows)."""
        if self._raw is not None:
            async with self._raw.reader(self.reader) as statements:
                if statements is not None:
                    yield statements
                    return
        if self._point_readers is None:
            async with self.reader(on_loop=True) as session:
                yield session
            return
        async with self._point_readers.read(self.reader) as raw:
            yield raw

    @asynccontextmanager
    async def own_connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection outside the pool, opened for this block and closed after it: for
        one held for long while its holder takes pool connections for its work (the
        sweep's advisory lock). Taken from the pool, each such holder would keep one
        of its few connections away from the requests, and two of them waiting for a
        second could wait for good."""
        if self._unpooled is None:
            self._unpooled = create_async_engine(
                self.engine.url, poolclass=NullPool, hide_parameters=True
            )
        async with self._unpooled.connect() as connection:
            yield connection

    @property
    def writers_take_turns(self) -> bool:
        """Whether writes wait for each other whole (SQLite's one writer), rather than
        for the rows they lock (PostgreSQL)."""
        return self._writers is not None

    async def version(self) -> str:
        """The store's data version (bot.store.version): read it before the data."""
        return await self._versions.read()

    async def close(self) -> None:
        await self._versions.close()
        if self._raw is not None:
            await self._raw.close()
        await self.engine.dispose()
        if self._writer is not None:
            self._writer.close()
        if self._point_readers is not None:
            self._point_readers.close()
        if self._unpooled is not None:
            await self._unpooled.dispose()
        if self._writers is not None:
            self._writers.close()


class _DryRun(Exception):
    """Raised at the end of a dry run's transaction, to roll it back."""


def _on_loop(wanted: bool) -> AbstractContextManager[None]:
    return sqlite_trips.on_loop() if wanted else nullcontext()


def _write_lock_file(url: URL) -> Path | None:
    path = sqlite_file(url)
    return path.with_name(f"{path.name}.write-lock") if path else None


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite database URL; None for an in-memory database."""
    database = url.database or ""
    if url.query.get("uri") and database.startswith("file:"):  # sqlite:///file:x.db?uri=true
        database = database.removeprefix("file:")
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        return None
    return Path(database)


class _WriterQueue:
    """SQLite has one writer at a time. Left to itself, a waiting writer polls in
    SQLite's busy handler with sleeps of up to 100 ms, so fifty scorecards at once
    queue for seconds. Here a process's writers wait their turn in order (an asyncio
    lock), and processes on the same file (workers, a `loopkeeper sweep`) take turns
    on an flock beside it (`<database>.write-lock`), which the kernel hands to the
    next waiter the moment it is released; the busy handler is left for other
    programs writing to the file."""

    def __init__(self, lock_file: Path | None) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._holder: asyncio.Task[Any] | None = None
        self._lock_file = lock_file
        self._fd: int | None = None

    def held_by(self, task: asyncio.Task[Any] | None) -> bool:
        return task is not None and task is self._holder

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[bool]:
        """The writers' turn for this task: True when it took it, False inside a
        transaction of its own that already holds it."""
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            yield False  # a transaction opened inside one this task holds: it has the turn
            return
        loop = asyncio.get_running_loop()
        lock = self._locks.setdefault(loop, asyncio.Lock())  # locks belong to one loop
        async with lock:
            fd = await self._lock_other_processes_out()
            self._holder = task
            try:
                yield True
            finally:
                self._holder = None
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)

    async def _lock_other_processes_out(self) -> int | None:
        if self._lock_file is None:
            return None  # in memory: no other process can open it
        if self._fd is None:
            self._fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        fd = self._fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # mostly free: no thread needed
            return fd
        except BlockingIOError:
            pass
        # Wait in a thread, off the event loop. If this task is cancelled meanwhile, the
        # thread still gets the lock in the end: give it straight back then.
        waiting = asyncio.ensure_future(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX))
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            waiting.add_done_callback(lambda _: fcntl.flock(fd, fcntl.LOCK_UN))
            raise
        return fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
