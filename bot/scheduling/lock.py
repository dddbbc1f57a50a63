"""One sweep at a time across processes: replicas, the workers of `loopkeeper serve
--workers N`, a `loopkeeper sweep` beside a server.

On PostgreSQL the whole sweep holds an advisory lock; on SQLite an exclusive flock on
a lock file beside the database file (`<database>.sweep-lock`). A process that cannot
take the lock skips that sweep (Report.locked_out). An in-memory SQLite database
lives in one process, so there the Sweeper's own asyncio lock is all there is.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.engine import Database, sqlite_file

log = logging.getLogger(__name__)

ADVISORY_LOCK = 0x100BCEE9  # "loopkeeper sweep"


@asynccontextmanager
async def sweep_lock(db: Database) -> AsyncIterator[bool]:
    """True when no other process is sweeping this database; held until the block ends."""
    if db.engine.dialect.name != "postgresql":
        path = sweep_lock_path(db.engine.url)
        if path is None:  # in memory: one process is all there can be
            yield True
            return
        with _file_lock(path) as got:
            yield got
        return
    # Outside the pool: the sweep takes pool connections for its work while this is held.
    async with db.own_connection() as connection:
        got = (
            await connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK}
            )
        ).scalar_one()
        await connection.commit()
        try:
            yield bool(got)
        finally:
            if got:
                await _unlock(connection)


def sweep_lock_path(url: URL) -> Path | None:
    """The sweep's lock file beside a SQLite database file; None for an in-memory one."""
    path = sqlite_file(url)
    return path.with_name(f"{path.name}.sweep-lock") if path else None


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    """An exclusive flock, without waiting: True if this open file holds it. flock locks
    belong to the open file, so the kernel releases this one when it is closed or the
    process dies; the file itself stays (removing it could split the lock in two)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            got = False
        else:
            got = True
        yield got
    finally:
        os.close(fd)  # releases the lock


async def _unlock(connection: AsyncConnection) -> None:
    try:
        await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK})
        await connection.commit()
    except DBAPIError:
        # The connection died (a database restart): the lock died with it. The claims
        # on each alert, not this lock, are what keep a message from going twice.
        log.warning("the sweep's advisory lock connection was lost; nothing to unlock")
