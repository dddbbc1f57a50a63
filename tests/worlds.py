"""Worlds built once per test process: a test that needs many rows built through signed
Slack requests (a role, candidates, interviews, scorecards, an offer, a sweep's alerts)
builds them so the first time, and every later test of the process starts its app on a
copy of the database file the build left, with the build's clock, as after a restart.
Building took most of such a test's CPU."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import make_url

from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.store.engine import sqlite_file
from tests.conftest import Running, serving


@dataclass(frozen=True)
class _Kept:
    database: Path
    now: datetime
    built: Any


_KEPT: dict[Hashable, _Kept] = {}

T = TypeVar("T")


async def world_on_file(
    key: Hashable,
    build: Callable[[Running], Awaitable[T]],
    *,
    db_url: str,
    standin: SlackStandin,
    clock: ManualClock,
    tmp_path_factory: pytest.TempPathFactory,
) -> T:
    """What `build` returned, with its rows in this test's database (a SQLite file no app
    has opened yet) and the clock where the build left it. The stand-in starts with no
    calls recorded, as after a build. Start the test's app after this."""
    database = sqlite_file(make_url(db_url))
    assert database is not None, "worlds are kept as SQLite files"
    kept = _KEPT.get(key)
    if kept is None:
        async with serving(db_url, standin, clock) as app:
            built = await build(app)
            await app.settle()
        # The last connection's close checkpointed the log into the file.
        log = database.with_name(f"{database.name}-wal")
        assert not log.exists() or not log.stat().st_size, "the world is not all in its file"
        copy = tmp_path_factory.mktemp("world") / "world.db"
        shutil.copyfile(database, copy)
        kept = _KEPT[key] = _Kept(copy, clock.now(), built)
    else:
        shutil.copyfile(kept.database, database)
        clock.set(kept.now)
    standin.reset()
    return kept.built
