"""Point reads on a SQLite file run on the event loop with no session
(bot/store/sqlite_reads.py): the same objects as through a session, one snapshot per
read, a locked file waited for on a thread; elsewhere a point reader is a session."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import aiosqlite
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.scorecards import forget_installed, is_registered
from bot.runtime.timesource import ManualClock
from bot.store import app_tabs, sqlite_reads
from bot.store.engine import Database, sqlite_file
from bot.store.interviews import seat_of
from bot.store.roles import team_of_rows
from bot.usecases import app_tabs as app_tab_cases
from bot.usecases import templates
from tests.conftest import ADMIN, HM, RECRUITER
from tests.handlers.test_templates import acme
from tests.usecases.test_feedback import jane_scheduled

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INTERVIEWER = "UINT0001"


@pytest.fixture
async def interview_with_seat(db: Database) -> tuple[int, str]:
    """Jane Doe's booked interview and the interviewer on its panel."""
    _, done = await jane_scheduled(db, ManualClock(NOW), [INTERVIEWER], NOW)
    return done.interview.id or 0, INTERVIEWER


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every hand-off to a connection's thread, through aiosqlite or asyncio.to_thread."""
    made: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        made.append("aiosqlite")
        return await original(self, fn, *args, **kwargs)

    to_thread = asyncio.to_thread

    async def to_thread_counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        made.append("to_thread")
        return await to_thread(fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    monkeypatch.setattr(asyncio, "to_thread", to_thread_counted)
    yield made


@pytest.mark.both_databases
async def test_a_seat_reads_the_same_with_no_session_and_no_trip(
    db: Database, trips: list[str], interview_with_seat: tuple[int, str]
) -> None:
    interview_id, interviewer = interview_with_seat
    async with db.reader() as session:
        through_session = await seat_of(
            session, interview_id=interview_id, interviewer_id=interviewer
        )
    trips.clear()
    async with db.point_reader() as reading:
        on_file = db.engine.dialect.name == "sqlite"
        assert not isinstance(reading, AsyncSession)  # on the file, or on asyncpg
        read = await seat_of(reading, interview_id=interview_id, interviewer_id=interviewer)
        missing = await seat_of(reading, interview_id=interview_id, interviewer_id="UNOBODY")
    if on_file:
        assert trips == []  # on the loop's thread, start to end
    assert read is not None and through_session is not None and missing is None
    for mine, theirs in zip(read[:2], through_session[:2], strict=True):
        assert mine.model_dump() == theirs.model_dump()
    assert read[2].role.model_dump() == through_session[2].role.model_dump()
    assert read[2].team == through_session[2].team


async def test_a_read_sees_one_snapshot_and_the_next_read_the_change(db: Database) -> None:
    await app_tab_cases.opened(db, user_id=HM, tab="messages", stamp=None, now=NOW)
    async with db.point_reader() as reading:
        assert await app_tabs.last_tabs(reading, user_ids=[HM]) == {HM: "messages"}
        # Another connection commits meanwhile (the writer, or another process).
        await app_tab_cases.opened(db, user_id=HM, tab="home", stamp=None, now=NOW)
        assert await app_tabs.last_tabs(reading, user_ids=[HM]) == {HM: "messages"}
    assert await app_tab_cases.on_home(db, user_ids=[HM, RECRUITER]) == frozenset({HM})


async def test_a_read_that_raised_leaves_its_connection_fit_for_the_next(db: Database) -> None:
    await app_tab_cases.opened(db, user_id=HM, tab="home", stamp=None, now=NOW)
    for _ in range(sqlite_reads.KEPT + 2):
        with pytest.raises(LookupError):
            async with db.point_reader() as reading:
                await app_tabs.last_tabs(reading, user_ids=[HM])
                raise LookupError("the caller's own refusal")
    assert await app_tab_cases.on_home(db, user_ids=[HM]) == frozenset({HM})


async def test_a_file_locked_by_another_program_is_waited_for_off_the_loop(
    db: Database, trips: list[str]
) -> None:
    path = sqlite_file(db.engine.url)
    assert path is not None
    await app_tab_cases.opened(db, user_id=HM, tab="home", stamp=None, now=NOW)
    await db.close()
    # Another program holding the whole file (it had it first): even the write-ahead
    # log's readers wait for it.
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("UPDATE app_tab SET tab = 'messages'")
    ours = Database(str(db.engine.url))
    try:
        reading = asyncio.create_task(app_tab_cases.on_home(ours, user_ids=[HM]))
        ticks = 0
        while "to_thread" not in trips:
            await asyncio.sleep(0.01)  # the loop turns meanwhile: nothing waits on it
            ticks += 1
            assert ticks < 500, "the read never went to a thread"
        await asyncio.sleep(0.1)
        assert not reading.done()  # still waiting, on the thread
        other.execute("COMMIT")
        other.close()  # an exclusive lock lasts as long as its connection
        assert await asyncio.wait_for(reading, 15) == frozenset()  # the committed tab
        # The connection waits no more on the loop: its next read is there again.
        trips.clear()
        assert await app_tab_cases.on_home(ours, user_ids=[HM]) == frozenset()
        assert trips == []
    finally:
        await ours.close()


@pytest.mark.both_databases
async def test_a_template_installed_by_another_process_is_read_on_first_use(
    db: Database, interview_with_seat: tuple[int, str]
) -> None:
    forget_installed()
    try:
        done = await templates.install(
            db,
            user_id=ADMIN,
            source_name="acme-ml.toml",
            data=acme().encode(),
            now=NOW,
            operator=True,
        )
        forget_installed()  # as a process that did not install it knows it
        interview_id, interviewer = interview_with_seat
        async with db.point_reader() as reading:
            seat = await seat_of(reading, interview_id=interview_id, interviewer_id=interviewer)
            assert seat is not None
            await team_of_rows(reading, seat[2].role, [], templates=[done.key])
        assert is_registered(done.key)
    finally:
        forget_installed()
