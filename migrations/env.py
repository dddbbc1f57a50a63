"""Alembic environment: runs on SQLModel's metadata with the async driver of DATABASE_URL."""

from __future__ import annotations

import asyncio
import logging

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import bot.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.runtime.settings import load_database_settings
from bot.store.engine import create_engine
from bot.store.version import ensure_triggers

config = context.config
target_metadata = SQLModel.metadata
log = logging.getLogger("alembic.env")


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or load_database_settings().database_url


class ForeignKeysBroken(RuntimeError):
    """A migration left rows that point at rows no longer there."""


def _configure(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite's own recipe for changing a schema (lang_altertable.html): foreign keys
        # off, then checked once it is done. Batch mode copies a table and drops the old
        # one; with them on (create_engine turns them on), that drop deleted every row
        # under it with ON DELETE CASCADE (0004's copy of `interview` took every seat),
        # or refused outright with RESTRICT (downgrading past 0008). The pragma is a no-op
        # inside a transaction: it runs before the migration's begins.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
        # After any migration, not in one: a migration that copies a SQLite table (batch
        # mode) drops its triggers, and a new table needs its own.
        ensure_triggers(connection)
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:  # raised inside the transaction: the whole migration rolls back
                raise ForeignKeysBroken(f"rows whose parents are gone: {broken[:5]}")
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def _run_online() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
