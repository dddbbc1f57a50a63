"""Company days off in the store, on SQLite and PostgreSQL: one row per date, added once,
read from a date on."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from bot import store
from bot.store.engine import Database
from bot.store.tables import DayOff
from tests.conftest import ADMIN, count_rows

pytestmark = pytest.mark.both_databases

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHRISTMAS = date(2026, 12, 25)
WINTER = [date(2026, 12, 24), CHRISTMAS, date(2026, 12, 26)]


async def add(db: Database, days: list[date], name: str = "", by: str = ADMIN) -> list[date]:
    async with db.transaction() as session:
        return await store.days_off.add_days_off(
            session, days=days, name=name, added_by=by, now=NOW
        )


async def test_days_off_are_added_once_and_keep_their_first_name(db: Database) -> None:
    assert await add(db, [CHRISTMAS], "Christmas Day") == [CHRISTMAS]
    # The range around it: only the new dates are reported, Christmas keeps its name.
    assert await add(db, WINTER, "Winter break") == [WINTER[0], WINTER[2]]
    assert await add(db, WINTER, "Again") == []
    async with db.reader() as session:
        rows = await store.days_off.days_off_from(session, first=date(2026, 1, 1))
    assert [(d.day, d.name, d.added_by, d.added_at) for d in rows] == [
        (WINTER[0], "Winter break", ADMIN, NOW),
        (CHRISTMAS, "Christmas Day", ADMIN, NOW),
        (WINTER[2], "Winter break", ADMIN, NOW),
    ]
    assert await count_rows(db, DayOff) == 3


async def test_reads_start_at_a_date_and_the_sweep_gets_dates_alone(db: Database) -> None:
    await add(db, [date(2026, 11, 30), *WINTER])
    async with db.reader() as session:
        from_christmas = await store.days_off.days_off_from(session, first=CHRISTMAS)
        dates = await store.days_off.dates_from(session, first=date(2026, 12, 1))
        among = await store.days_off.days_off_among(
            session, days=[date(2026, 11, 30), CHRISTMAS, date(2026, 12, 27)]
        )
    assert [d.day for d in from_christmas] == [CHRISTMAS, WINTER[2]]
    assert dates == frozenset(WINTER)
    assert [d.day for d in among] == [date(2026, 11, 30), CHRISTMAS]


async def test_removing_deletes_only_the_dates_named(db: Database) -> None:
    await add(db, WINTER)
    async with db.transaction() as session:
        await store.days_off.remove_days_off(session, days=[CHRISTMAS, date(2026, 12, 31)])
    async with db.reader() as session:
        left = await store.days_off.dates_from(session, first=date(2026, 1, 1))
    assert left == {WINTER[0], WINTER[2]}


async def test_two_admins_adding_the_same_date_at_once_store_one_row(db: Database) -> None:
    first, second = await asyncio.gather(add(db, [CHRISTMAS]), add(db, [CHRISTMAS], by="UADMIN02"))
    assert sorted([first, second]) == [[], [CHRISTMAS]]  # only the insert that wrote it says so
    assert await count_rows(db, DayOff) == 1
