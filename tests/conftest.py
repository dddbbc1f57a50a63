"""Shared fixtures: a migrated database per test, the Slack stand-in, and the app
served by uvicorn on a loopback port, with requests signed as Slack signs them."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import traceback
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import greenlet
import pytest
import uvicorn
from slack_sdk.models.basic_objects import JsonObject
from sqlalchemy import event, func
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, Pool
from sqlmodel import SQLModel, select

from bot.playground.sender import SlackSender
from bot.playground.standin import SlackStandin
from bot.runtime import migrate
from bot.runtime.settings import Settings
from bot.runtime.timesource import ManualClock
from bot.scheduling.sweeper import Sweeper
from bot.slack.app import create_asgi
from bot.slack.blocks import jsonify
from bot.slack.deps import Deps
from bot.store import postgresql_raw
from bot.store.engine import Database
from bot.store.roles import RoleWithTeam, open_roles_in_channel

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"

# The people of the tests, by the hat they wear.
ADMIN = "UADMIN01"
HM = "UHM00001"
RECRUITER = "UREC0001"
RECRUITER_2 = "UREC0002"
OUTSIDER = "UOUT0001"
HIRING_CHANNEL = "GHIRING01"


async def free_channel(db: Database, title: str, team: set[str]) -> str:
    """The tests' hiring channel for a new role, unless an open role of another team has
    it (a channel can't serve two roles with different teams): then one of its own."""
    for other in await _roles_in(db, HIRING_CHANNEL):
        if {other.team.hiring_manager_id, *other.team.recruiter_ids} != team:
            return "G" + "".join(c for c in title.upper() if c.isalnum())[:10].ljust(8, "X")
    return HIRING_CHANNEL


async def _roles_in(db: Database, channel: str) -> list[RoleWithTeam]:
    async with db.reader() as session:
        return await open_roles_in_channel(session, channel_id=channel)


# A Monday morning, so working-hours rules have room either side.
START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


async def _fresh_postgres(admin_url: str) -> tuple[str, str]:
    """A new empty database on the test server, so no test sees another's rows."""
    url = make_url(admin_url.replace("postgres://", "postgresql://", 1))
    name = f"lk_{uuid.uuid4().hex[:16]}"
    connection = await asyncpg.connect(_plain(url.render_as_string(hide_password=False)))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False), name


async def _drop_postgres(admin_url: str, name: str) -> None:
    url = make_url(admin_url.replace("postgres://", "postgresql://", 1))
    connection = await asyncpg.connect(_plain(url.render_as_string(hide_password=False)))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def _plain(url: str) -> str:
    # asyncpg wants postgresql://, without SQLAlchemy's +driver part.
    return url.replace("postgresql+asyncpg://", "postgresql://").replace(
        "postgresql+psycopg://", "postgresql://"
    )


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database a test runs on: from parametrisation (`both_databases`), else SQLite."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
async def empty_db_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database URL, never migrated: for the tests of migrations themselves."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'loopkeeper.db'}"
        return
    assert TEST_DATABASE_URL, "PostgreSQL tests need TEST_DATABASE_URL"
    url, name = await _fresh_postgres(TEST_DATABASE_URL)
    try:
        yield url
    finally:
        await _drop_postgres(TEST_DATABASE_URL, name)


# One database per backend and test process, migrated to head once (still the only
# way the app's tables are ever made); each test gets a copy. Migrating every test's
# database took a third of the suite's time.
_TEMPLATES: dict[str, str] = {}


async def _template(backend: str, folder: Path) -> str:
    if backend not in _TEMPLATES:
        if backend == "sqlite":
            path = folder / "template.db"
            await asyncio.to_thread(migrate.upgrade, f"sqlite:///{path}")
            with sqlite3.connect(path) as connection:  # everything into the main file
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            _TEMPLATES[backend] = str(path)
        else:
            assert TEST_DATABASE_URL
            url, name = await _fresh_postgres(TEST_DATABASE_URL)
            await asyncio.to_thread(migrate.upgrade, url)
            _TEMPLATES[backend] = name
    return _TEMPLATES[backend]


@dataclass
class _Emptied:
    """This process's PostgreSQL database for migrated tests, and how to empty it again.

    Copying the template for every test (CREATE DATABASE … TEMPLATE, then DROP … WITH
    FORCE) took about 3 s of a PostgreSQL test's set-up and tear-down on a loaded
    two-core machine, a fifth of the suite; deleting the rows a test left takes
    milliseconds. A test that leaves the schema anywhere but at head gets the database
    copied afresh for the next one."""

    url: str
    name: str
    initial: dict[str, list[tuple[Any, ...]]]  # rows the migrations wrote (data_version's)
    empty_all: str  # delete every row and restart every sequence, triggers off

    @classmethod
    async def copy_of(cls, template: str) -> _Emptied:
        name = f"lk_{uuid.uuid4().hex[:16]}"
        url = make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)
        admin = await asyncpg.connect(_plain(_admin_url()))
        try:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await admin.close()
        connection = await asyncpg.connect(_plain(url))
        try:
            tables = [
                row["tablename"]
                for row in await connection.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename <> 'alembic_version' ORDER BY tablename"
                )
            ]
            sequences = [
                row["sequencename"]
                for row in await connection.fetch(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                )
            ]
            initial = {
                t: [tuple(row) for row in await connection.fetch(f'SELECT * FROM "{t}"')]
                for t in tables
            }
        finally:
            await connection.close()
        statements = [f'DELETE FROM "{t}"' for t in tables]
        statements += [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]
        kept = {table: rows for table, rows in initial.items() if rows}
        return cls(url, name, kept, ";".join(statements))

    async def emptied(self) -> bool:
        """Empty it as the template is; False when a test left the schema off head."""
        connection = await asyncpg.connect(_plain(self.url))
        try:
            # Anything a test left connected (a pool not closed) must not hold a lock.
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            revision = await connection.fetchval("SELECT version_num FROM alembic_version")
            if (revision,) != migrate.current_heads():
                return False
            async with connection.transaction():
                # Triggers (data_version's) and foreign keys off: rows go in any order.
                await connection.execute("SET LOCAL session_replication_role = replica")
                await connection.execute(self.empty_all)
                for table, rows in self.initial.items():
                    await connection.copy_records_to_table(table, records=rows)
            return True
        except asyncpg.PostgresError:
            return False
        finally:
            await connection.close()


def _admin_url() -> str:
    assert TEST_DATABASE_URL
    admin = make_url(TEST_DATABASE_URL.replace("postgres://", "postgresql://", 1))
    return admin.render_as_string(hide_password=False)


_REUSED: list[_Emptied] = []  # this process's, once made


async def _reused_postgres(folder: Path) -> str:
    if _REUSED and await _REUSED[0].emptied():
        return _REUSED[0].url
    if _REUSED:
        await _drop_postgres(_admin_url(), _REUSED.pop().name)
    _REUSED.append(await _Emptied.copy_of(await _template("postgresql", folder)))
    return _REUSED[0].url


@pytest.fixture
async def db_url(backend: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head and empty: a copy of this process's migrated
    template (SQLite), or this process's PostgreSQL database emptied."""
    if backend == "sqlite":
        template = await _template("sqlite", tmp_path_factory.getbasetemp())
        path = tmp_path / "loopkeeper.db"
        await asyncio.to_thread(shutil.copyfile, template, str(path))
        return f"sqlite:///{path}"
    assert TEST_DATABASE_URL, "PostgreSQL tests need TEST_DATABASE_URL"
    return await _reused_postgres(tmp_path_factory.getbasetemp())


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """The store on a migrated database, for tests below Slack."""
    database = Database(db_url)
    try:
        yield database
    finally:
        await database.close()


async def count_rows(db: Database, table: type[SQLModel]) -> int:
    async with db.reader() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


def pytest_sessionfinish(session: pytest.Session) -> None:
    names = [reused.name for reused in _REUSED] + [_TEMPLATES.get("postgresql") or ""]
    for name in filter(None, names):
        if TEST_DATABASE_URL:
            asyncio.run(_drop_postgres(TEST_DATABASE_URL, name))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Tests marked `both_databases` run once per backend; the rest on SQLite only.
    if metafunc.definition.get_closest_marker("both_databases") and (
        "backend" in metafunc.fixturenames
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_databases: run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL"
    )
    config.addinivalue_line(
        "markers", "built_once(build, **options): the test's app serves a kept world (worlds.py)"
    )
    config.addinivalue_line(
        "markers",
        "takes_a_second_connection: the test itself holds two connections in one task "
        "(_no_task_holds_two_connections does not check it)",
    )


def _our_frames() -> str:
    """The stack's frames in this project, without the libraries' between them. Under
    SQLAlchemy's asyncio the pool runs in a greenlet of its own: the frames of the code
    that awaited it are in the parent greenlet's stack."""
    parent = greenlet.getcurrent().parent
    stack = traceback.extract_stack(parent.gr_frame) if parent and parent.gr_frame else []
    stack += traceback.extract_stack()[:-2]
    ours = [f for f in stack if "site-packages" not in f.filename and "<" not in f.filename]
    return "".join(traceback.format_list(ours))


@pytest.fixture(autouse=True)
def _no_task_holds_two_connections(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test in which one asyncio task took a second database connection while
    it held one. The pools have no overflow (bot/store/engine.py): a handful of tasks
    each holding one connection and waiting for another would wait for good, so "sessions
    never nest" is checked on every test, not assumed."""
    holders: dict[ConnectionPoolEntry, asyncio.Task[Any]] = {}
    nested: list[str] = []

    def checked_out(_dbapi: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        if isinstance(proxy._pool, NullPool):  # opened for its holder: never runs out
            return
        try:
            task = asyncio.current_task()
        except RuntimeError:  # no event loop: a synchronous caller (migrations) in a thread
            return
        if task is None:
            return
        if task in holders.values():
            nested.append(_our_frames())
        holders[record] = task

    def checked_in(_dbapi: Any, record: ConnectionPoolEntry) -> None:
        holders.pop(record, None)

    # PostgreSQL's pool for statements with no session (bot/store/postgresql_raw.py) has
    # no overflow either: nothing holding a session's connection may wait for one of it.
    acquired = postgresql_raw.Connections._acquired

    async def acquired_checked(self: postgresql_raw.Connections) -> Any:
        if asyncio.current_task() in holders.values():
            nested.append(_our_frames())
        return await acquired(self)

    event.listen(Pool, "checkout", checked_out)
    event.listen(Pool, "checkin", checked_in)
    postgresql_raw.Connections._acquired = acquired_checked  # type: ignore[method-assign]
    try:
        yield
    finally:
        postgresql_raw.Connections._acquired = acquired  # type: ignore[method-assign]
        event.remove(Pool, "checkout", checked_out)
        event.remove(Pool, "checkin", checked_in)
    if request.node.get_closest_marker("takes_a_second_connection"):
        return
    assert not nested, "a task took a second database connection:\n" + nested[0]


@pytest.fixture(autouse=True)
def _json_agrees_with_slack_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Block Kit object any test sends is also turned into JSON by slack-sdk's own
    to_dict(), and the two must agree (bot/slack/blocks/jsonify.py does it faster). Only
    the outermost object is compared: its to_dict() covers every object inside it."""
    ours = jsonify._object
    inside = False

    def checked(value: JsonObject) -> dict[str, Any]:
        nonlocal inside
        if inside:
            return ours(value)
        inside = True
        try:
            made = ours(value)
        finally:
            inside = False
        assert made == value.to_dict(), f"{type(value).__name__}: {made} != {value.to_dict()}"
        return made

    monkeypatch.setattr(jsonify, "_object", checked)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandin]:
    async with SlackStandin(token=BOT_TOKEN) as server:
        yield server
        # Every view and message the app sent must be one Slack would accept.
        assert server.invalid == [], server.invalid


def make_settings(*, db_url: str, api_url: str, **overrides: object) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        "database_url": db_url,
        "loopkeeper_admins": ADMIN,
        "sweep_interval_seconds": 0,  # tests run the sweep themselves, at a time they choose
        "sweep_pace_seconds": 0,
        "weekly_report": "off",  # tests that want it turn it on
        "home_redraw_delay_seconds": 0,  # redraw at once: tests wait with settle()
        # Slack's own 3 s is the app's default; four test processes on two loaded cores
        # can take longer than that to reach the stand-in. Tests of the timeout set theirs.
        "slack_timeout_seconds": 15,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Running:
    """The app as Slack sees it: a URL, plus its insides for assertions."""

    url: str
    deps: Deps
    slack: SlackSender
    standin: SlackStandin
    sweeper: Sweeper

    async def settle(self) -> None:
        """Wait for the work the app does after answering (confirmations, posts). The bound
        is for a stuck test, not a speed check: a loaded CI machine may take seconds, and a
        test that went on with work still running would compare half-done states."""
        await self.deps.background.drain(seconds=60)
        assert self.deps.background.pending == 0, "background work still running after 60 s"


async def _started(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    """Until the app's start-up (admins seeded, templates read) is done: a test that reads
    the database first would otherwise see it before the start wrote to it."""
    deadline = asyncio.get_running_loop().time() + 30
    while not server.started:
        if task.done():
            task.result()  # start-up failed: say why
        assert asyncio.get_running_loop().time() < deadline, "the app did not start in 30 s"
        await asyncio.sleep(0.005)


class _Server(uvicorn.Server):
    """uvicorn as `serve` runs it, minus its fixed waits: its main loop wakes every 0.1 s
    to see whether it should stop, and its shutdown sleeps another 0.1 s before it
    waits for connections. Two tenths of a second idle in every test's tear-down was a
    tenth of the suite's time; here stopping is an event, and connections are awaited
    as they close."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stop = asyncio.Event()

    async def main_loop(self) -> None:
        await self.on_tick(0)  # the Date header, as uvicorn's first tick sets it
        await self.stop.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        deadline = asyncio.get_running_loop().time() + 30
        while self.server_state.connections or self.server_state.tasks:
            assert asyncio.get_running_loop().time() < deadline, "requests still open after 30 s"
            await asyncio.sleep(0.002)
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()


@asynccontextmanager
async def serving(
    db_url: str, standin: SlackStandin, clock: ManualClock, **settings: object
) -> AsyncIterator[Running]:
    """The app behind uvicorn on a loopback port, as `loopkeeper serve` runs it."""
    asgi = create_asgi(make_settings(db_url=db_url, api_url=standin.url, **settings), clock=clock)
    # Bound and listening before uvicorn starts, so requests queue instead of
    # racing start-up, and the port is known without polling.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = _Server(uvicorn.Config(asgi, log_level="warning", lifespan="on"))
    serving_task = asyncio.create_task(server.serve(sockets=[sock]))
    await _started(server, serving_task)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    slack = SlackSender(url, SIGNING_SECRET, response_url_factory=standin.response_url)
    try:
        yield Running(
            url=url, deps=asgi.state.deps, slack=slack, standin=standin, sweeper=asgi.state.sweeper
        )
    finally:
        await slack.aclose()
        server.stop.set()
        await serving_task
        sock.close()


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait for `condition` to hold, looking every 10 ms; fail after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.01)


@pytest.fixture
async def app(
    request: pytest.FixtureRequest,
    db_url: str,
    standin: SlackStandin,
    clock: ManualClock,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Running]:
    """The app; for a test marked built_once, serving a copy of that world (tests/worlds.py)."""
    from tests.worlds import build_marked  # tests.worlds serves its builds with serving()

    await build_marked(
        request, db_url=db_url, standin=standin, clock=clock, tmp_path_factory=tmp_path_factory
    )
    async with serving(db_url, standin, clock) as running:
        yield running


@pytest.fixture
def built(request: pytest.FixtureRequest, app: Running) -> Any:
    """What the build of a built_once test's world returned (tests/worlds.py)."""
    from tests.worlds import built_by

    return built_by(request)
