"""Whether anything in the store changed: a version read in one statement, and the reads
kept in a process while it stays the same.

A read worth keeping (a status card takes ten statements) is stored with the version
read just before it. The version changes with every committed write, from any process
or replica, so a read served from here is exactly what the store would answer now:
- PostgreSQL: the transaction snapshot (`pg_current_snapshot()`). Two equal snapshots
  see the same committed transactions, so the same data; any transaction that writes,
  anywhere on the server, changes it.
- SQLite: the row of `data_version`, raised by a trigger on every insert, update and
  delete of every other table (`sqlite_triggers`, kept by migrations/env.py after every
  migration, since a migration that copies a table drops its triggers).

The version is read before the data, each in its own snapshot: a write committed in
between leaves newer data under an older version, which no later read matches again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

TABLE = "data_version"
TRIGGER_PREFIX = "data_version_"
_OPERATIONS = ("insert", "update", "delete")
# Tables whose writes change nothing a cached read holds.
_UNTRACKED = frozenset({TABLE, "alembic_version"})

_POSTGRESQL = text("SELECT pg_current_snapshot()::text")
_SQLITE = text(f"SELECT n FROM {TABLE} WHERE id = 1")


async def data_version(session: AsyncSession) -> str:
    """The store's version now; read it before the data it vouches for."""
    connection = await session.connection()
    query = _POSTGRESQL if connection.dialect.name == "postgresql" else _SQLITE
    return str((await connection.execute(query)).scalar_one())


def sqlite_triggers(connection: Connection) -> None:
    """Make sure every table of a SQLite store raises data_version when written (a
    no-op elsewhere, or before the table exists). Idempotent: run after each migration."""
    if connection.dialect.name != "sqlite":
        return
    tables = [
        name
        for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    if TABLE not in tables:
        return
    for table in (t for t in tables if t not in _UNTRACKED):
        for operation in _OPERATIONS:
            connection.exec_driver_sql(
                f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER_PREFIX}{table}_{operation}" '
                f'AFTER {operation.upper()} ON "{table}" '
                f"BEGIN UPDATE {TABLE} SET n = n + 1 WHERE id = 1; END"
            )


def drop_sqlite_triggers(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    for (name,) in connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
        (f"{TRIGGER_PREFIX}%",),
    ).all():
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')


class ReadCache:
    """Reads kept by key, each with the version it was read at; least recently used
    first out. Values are shared by every request that hits them: never change one."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[str, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, version: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != version:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    def put(self, key: Hashable, version: str, value: Any) -> None:
        self._entries[key] = (version, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
