"""Worlds built once per test run: a test that needs many rows built through signed
Slack requests (a role, candidates, interviews, scorecards, an offer, a sweep's alerts)
builds them so the first time, and every later test starts its app on a copy of the
database file the build left, with the build's clock and what the Slack stand-in kept of
it, as after a restart. Building took most of such a test's CPU.

A world is built by one test process and shared with the others (pytest-xdist runs
four), as tests/playground/conftest.py shares its seeded workspace: the first to need it
builds it under a lock, the others wait for it and copy it.

On PostgreSQL (a `both_databases` test) there is no file to copy: each test builds its
world as before, then restarts its app on it, so both databases start the test alike."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import pickle
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from sqlalchemy.engine import make_url

from bot.playground.standin import Call, SlackStandin
from bot.runtime.timesource import ManualClock
from bot.store.engine import sqlite_file

if TYPE_CHECKING:
    from tests.conftest import Running


@dataclass(frozen=True)
class _Kept:
    database: Path
    now: datetime
    built: Any
    slack: dict[str, Any]  # the stand-in's snapshot(): messages, Home tabs, its counter
    calls: list[Call] | None  # the build's calls, for a world that keeps them


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
    keep_calls: bool = False,
    shared: bool = False,
) -> T:
    """What `build` returned, with its rows in this test's database (no app has opened
    it yet) and the clock where the build left it. The stand-in holds what a restart of
    Slack's side keeps (its messages, Home tabs, and the counter its ids and timestamps
    go on from) and, with `keep_calls`, the calls the build made, else none. Start the
    test's app after this.

    With `keep_calls` each test gets its own copy of what `build` returned, copied with
    the calls: a message it holds is still one of the stand-in's calls (tests look
    calls up by identity), and no test sees another's changes to it."""
    # Imported here: tests.conftest's `app` fixture imports this module.
    from tests.conftest import serving

    url = make_url(db_url)
    database = sqlite_file(url) if url.get_backend_name() == "sqlite" else None
    kept = _KEPT.get(key) if database is not None else None
    if kept is None and database is not None and shared:
        async with _shared(key, tmp_path_factory) as (kept, save):
            if kept is None:  # this process builds it, and leaves it for the others
                built = await world_on_file(
                    key,
                    build,
                    db_url=db_url,
                    standin=standin,
                    clock=clock,
                    tmp_path_factory=tmp_path_factory,
                    keep_calls=keep_calls,
                )
                save(_KEPT[key])
                return built
            _KEPT[key] = kept
    if kept is None:
        async with serving(db_url, standin, clock) as app:
            built = await build(app)
            await app.settle()
        if not keep_calls:
            standin.reset()
        if database is None:  # PostgreSQL: built for this test alone
            return built
        # The last connection's close checkpointed the log into the file.
        log = database.with_name(f"{database.name}-wal")
        assert not log.exists() or not log.stat().st_size, "the world is not all in its file"
        copy = tmp_path_factory.mktemp("world") / "world.db"
        shutil.copyfile(database, copy)
        slack = deepcopy(standin.snapshot())
        if keep_calls:
            kept_built, calls = deepcopy((built, standin.calls))
            _KEPT[key] = _Kept(copy, clock.now(), kept_built, slack, calls)
        else:
            _KEPT[key] = _Kept(copy, clock.now(), built, slack, None)
        return built
    assert database is not None
    shutil.copyfile(kept.database, database)
    clock.set(kept.now)
    standin.restore(deepcopy(kept.slack))
    if kept.calls is None:
        return kept.built
    built, calls = deepcopy((kept.built, kept.calls))
    standin.calls[:] = calls
    return built


@asynccontextmanager
async def _shared(
    key: Hashable, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[_Kept | None, Callable[[_Kept], None]]]:
    """The world another test process of this run built, else None and how to leave the
    one this process builds for the others; under the world's lock either way."""
    base = tmp_path_factory.getbasetemp()
    # A worker's base is popen-gwN inside this run's folder; without xdist, the run's own.
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "worlds"
    folder.mkdir(exist_ok=True)
    name = hashlib.sha256(_canonical(key).encode()).hexdigest()[:20]
    kept_file = folder / f"{name}.pickle"
    with await asyncio.to_thread(open, folder / f"{name}.lock", "w") as lock:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)  # released when closed

        def save(kept: _Kept) -> None:
            database = folder / f"{name}.db"
            shutil.copyfile(kept.database, database)
            partial_file = folder / f"{name}.partial"
            with partial_file.open("wb") as out:
                _AppLeftOut(out).dump(replace(kept, database=database))
            partial_file.rename(kept_file)  # whole, or not there

        yield await asyncio.to_thread(_load, kept_file), save


def _load(kept_file: Path) -> _Kept | None:
    if not kept_file.exists():
        return None
    with kept_file.open("rb") as read:
        kept = _AppPutBack(read).load()
    assert isinstance(kept, _Kept)
    return kept


class _AppLeftOut(pickle.Pickler):
    """The build's app (a world may hold it) does not cross processes: it is stored as
    None, and whoever uses the world puts its own app in, as within a process."""

    def persistent_id(self, obj: Any) -> str | None:
        from tests.conftest import Running

        return "app" if isinstance(obj, Running) else None


class _AppPutBack(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> None:
        assert pid == "app", pid
        return None


def _canonical(key: Any) -> str:
    """The key as text alike in every process: sets in order (their order is the hash
    seed's, which differs between processes)."""
    if isinstance(key, frozenset | set):
        return "{" + ", ".join(sorted(_canonical(k) for k in key)) + "}"
    if isinstance(key, tuple | list):
        return "(" + ", ".join(_canonical(k) for k in key) + ")"
    return repr(key)


# A test marked with built_once(build, **options) gets an `app` serving a copy of the
# world `build(app, **options)` made, and the `built` fixture is what the build returned.
_MARK = "built_once"
_BUILT = pytest.StashKey[Any]()


def built_once(build: Callable[..., Awaitable[Any]], **options: Hashable) -> pytest.MarkDecorator:
    """Mark a test that starts from the world `build(app, **options)` makes, built once per
    test run (and on PostgreSQL for each test): the test sees the build's Slack calls as
    though it had made them itself, on an app restarted after the build."""
    # with_args: called with a lone function, a mark would decorate it instead.
    return getattr(pytest.mark, _MARK).with_args(build, **options)


async def build_marked(
    request: pytest.FixtureRequest,
    *,
    db_url: str,
    standin: SlackStandin,
    clock: ManualClock,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """For a test marked built_once: its world, in its database; nothing for any other."""
    marker = request.node.get_closest_marker(_MARK)
    if marker is None:
        return
    [build] = marker.args
    key = (_MARK, build.__module__, build.__qualname__, tuple(sorted(marker.kwargs.items())))
    request.node.stash[_BUILT] = await world_on_file(
        key,
        partial(build, **marker.kwargs),
        db_url=db_url,
        standin=standin,
        clock=clock,
        tmp_path_factory=tmp_path_factory,
        keep_calls=True,
        shared=True,
    )


def built_by(request: pytest.FixtureRequest) -> Any:
    assert _BUILT in request.node.stash, "the test is not marked built_once"
    return request.node.stash[_BUILT]


def clock_of(app: Running) -> ManualClock:
    clock = app.deps.clock
    assert isinstance(clock, ManualClock)  # the tests' apps run on a manual clock
    return clock
