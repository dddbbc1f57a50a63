"""Whether anything in the store changed: a version read in one statement, which reads
kept in a process are checked against (Database.version, Database.reads).

A read worth keeping (a status card takes ten statements) is stored with the version
read just before it. The version is the one row of `data_version`, which a trigger on
every other table raises whenever it is written, from any process or replica, in the
writing transaction itself: a read kept at a version is exactly what the store would
answer while the version stays the same. `ensure_triggers` (run by migrations/env.py
after every migration, since a new table needs its trigger and a SQLite table copied
in batch mode loses its own) keeps every table covered.
- SQLite: a plain trigger per table and operation. SQLite has one writer at a time, so
  the shared row costs nothing in waiting.
- PostgreSQL: a deferred constraint trigger per table, raising the row once per
  transaction, at commit. Taken last, that row's lock can never be part of a deadlock;
  it is held only while the transaction commits.

The version is read before the data, each in its own snapshot: a write committed in
between leaves newer data under an older version, which no later read matches again.

On SQLite the version is read on the event loop, through a connection of its own: one
row of one page, in memory, takes microseconds, where the trip through the driver's
thread and the ORM took most of a millisecond, more than everything else a kept status
card costs. That connection never waits: a busy file (SQLite's rare recovery) sends
the read through the driver's thread like any other. On PostgreSQL it is one round
trip on a pool of its own: through the ORM's pool, pre-ping doubled the trips. And
requests share that trip: one read is on the wire at a time, and every request that
arrives meanwhile waits for the next one, which all of them share. A read sent after a
request arrived sees every write committed before it did, so sharing never makes an
answer older than the store. Each request asking on its own queued fifty deep on the
pool under fifty clients: in-process, fifty `/hire status` at once answered at a p50
of 51-64 ms that way, 33-37 ms sharing, and 19 ms with no version read at all.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.postgresql_raw import asyncpg_dsn

log = logging.getLogger(__name__)

TABLE = "data_version"
TRIGGER_PREFIX = "data_version_"
_BUMP = "data_version_bump"  # PostgreSQL's trigger function
_OPERATIONS = ("insert", "update", "delete")
# Tables whose writes change nothing a kept read holds. `app_tab` is written each time
# someone opens a tab of the app: raising the version then would throw away every kept
# status card in every process for nothing.
_UNTRACKED = frozenset({TABLE, "alembic_version", "app_tab"})
_READ = text(f"SELECT n FROM {TABLE} WHERE id = 1")
# Its SQL for the drivers, once: str() compiles the statement again on every call, which
# was a fifteenth of a kept status card's answer.
_READ_SQL = str(_READ)

# Once per transaction: the transaction-local setting remembers it was raised.
_POSTGRESQL_BUMP = f"""
CREATE OR REPLACE FUNCTION {_BUMP}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('loopkeeper.version_raised', true) IS DISTINCT FROM 'yes' THEN
        UPDATE {TABLE} SET n = n + 1 WHERE id = 1;
        PERFORM set_config('loopkeeper.version_raised', 'yes', true);
    END IF;
    RETURN NULL;
END $$
"""


class Versions:
    """Reads the version of one store (`Database.version`), by the shortest way there is:
    on SQLite a connection of its own read on the event loop (see above), on PostgreSQL
    an asyncpg connection of its own (one round trip: no ORM, no pre-ping). Either falls
    back to the engine, whose errors are the ones every other read raises."""

    def __init__(self, engine: AsyncEngine, sqlite_path: Path | None) -> None:
        self._engine = engine
        self._path = sqlite_path
        self._sqlite: sqlite3.Connection | None = None
        self._pool: asyncpg.Pool | None = None
        self._pool_failed = False
        # PostgreSQL's shared reads (see above), on the loop they were made on.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_the_wire: asyncio.Lock | None = None
        self._next: asyncio.Future[str | None] | None = None  # not sent yet: joinable

    @property
    def refused(self) -> bool:
        """PostgreSQL refused this pool: version reads go through the engine."""
        return self._pool_failed

    async def read(self) -> str:
        quick = self._sqlite_version() if self._path else await self._shared_postgresql()
        if quick is not None:
            return quick
        async with self._engine.connect() as connection:
            return str((await connection.execute(_READ)).scalar_one())

    def _sqlite_version(self) -> str | None:
        assert self._path is not None
        try:
            if self._sqlite is None:
                # timeout=0: never wait on the event loop; autocommit: each read sees
                # everything committed when it runs.
                self._sqlite = sqlite3.connect(self._path, timeout=0, isolation_level=None)
                self._sqlite.execute("PRAGMA query_only = 1")
            row = self._sqlite.execute(_READ_SQL).fetchone()
        except sqlite3.Error:
            return None  # busy, or not migrated yet: the driver's way says which
        return None if row is None else str(row[0])

    async def _shared_postgresql(self) -> str | None:
        """The version from a read sent after this call began, shared with every call
        that began before it was sent."""
        if self._engine.dialect.name != "postgresql" or self._pool_failed:
            return None  # SQLite in memory (no second connection sees its data), or no pool
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._on_the_wire is None:
            self._loop, self._on_the_wire, self._next = loop, asyncio.Lock(), None
        if self._next is not None:  # not sent yet, so sent after we arrived: share it
            return await asyncio.shield(self._next)
        mine = self._next = loop.create_future()
        value: str | None = None  # if this read fails, everyone sharing it asks the engine
        try:
            async with self._on_the_wire:
                if self._next is mine:
                    self._next = None  # on the wire now: later callers need the next read
                value = await self._postgresql_version()
        finally:
            if self._next is mine:  # never sent (cancelled waiting): nobody may join it now
                self._next = None
            if not mine.done():
                mine.set_result(value)
        return value

    async def _postgresql_version(self) -> str | None:
        if self._pool is None:
            try:
                # One read is on the wire at a time (_shared_postgresql): one connection.
                self._pool = await asyncpg.create_pool(
                    asyncpg_dsn(self._engine.url),
                    min_size=1,
                    max_size=1,
                    reset=_unchanged,
                )
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ValueError) as error:
                # A DATABASE_URL option asyncpg does not take, say: the engine's way works.
                log.warning("version reads go through the engine: %s", type(error).__name__)
                self._pool_failed = True
                return None
        try:
            value = await self._pool.fetchval(_READ_SQL)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            return None  # a restarted server, or not migrated: the engine's way says which
        return None if value is None else str(value)

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def _unchanged(_: asyncpg.Connection) -> None:
    """What the version's connection needs between reads: nothing. asyncpg's own reset
    sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;` at every
    release, a second round trip (and four statements for PostgreSQL) for each version
    read, that is for every status card and click; this connection only ever runs one
    SELECT, and changes nothing of its session."""


def _tables(connection: Connection) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return [name for (name,) in connection.exec_driver_sql(query)]


def _triggers(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return {name for (name,) in connection.exec_driver_sql(query)}


def ensure_triggers(connection: Connection) -> None:
    """Every table raises data_version when written (nothing to do before the table
    exists). Idempotent: migrations/env.py runs it after every migration."""
    tables = _tables(connection)
    if TABLE not in tables:
        return
    present = _triggers(connection)
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.exec_driver_sql(_POSTGRESQL_BUMP)
    for table in (t for t in tables if t not in _UNTRACKED):
        if postgresql:
            name = f"{TRIGGER_PREFIX}{table}"
            if name not in present:
                connection.exec_driver_sql(
                    f'CREATE CONSTRAINT TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE '
                    f'ON "{table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                    f"EXECUTE FUNCTION {_BUMP}()"
                )
            continue
        for operation in _OPERATIONS:
            connection.exec_driver_sql(
                f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER_PREFIX}{table}_{operation}" '
                f'AFTER {operation.upper()} ON "{table}" '
                f"BEGIN UPDATE {TABLE} SET n = n + 1 WHERE id = 1; END"
            )


def drop_triggers(connection: Connection) -> None:
    """What ensure_triggers made, gone (the downgrade that drops data_version)."""
    if connection.dialect.name == "sqlite":
        for name in _triggers(connection):
            if name.startswith(TRIGGER_PREFIX):
                connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        return
    for table in _tables(connection):
        connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{TRIGGER_PREFIX}{table}" ON "{table}"')
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_BUMP}()")
