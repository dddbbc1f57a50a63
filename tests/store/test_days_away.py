"""Each person's days away in the store, on SQLite and PostgreSQL: one row per person and
date, added once, read for one person or for several at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from bot import store
from bot.store.engine import Database
from bot.store.tables import DayAway
from tests.conftest import HM, RECRUITER, count_rows
from tests.flows import INTERVIEWER, INTERVIEWER_2

pytestmark = pytest.mark.both_databases

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHRISTMAS = date(2026, 12, 25)
WINTER = [date(2026, 12, 24), CHRISTMAS, date(2026, 12, 26)]


async def add(db: Database, user_id: str, days: list[date]) -> list[date]:
    async with db.transaction() as session:
        return await store.days_away.add_days_away(session, user_id=user_id, days=days, now=NOW)


async def test_days_away_are_added_once_per_person(db: Database) -> None:
    assert await add(db, INTERVIEWER, [CHRISTMAS]) == [CHRISTMAS]
    # The range around it: only the new dates are reported.
    assert await add(db, INTERVIEWER, WINTER) == [WINTER[0], WINTER[2]]
    assert await add(db, INTERVIEWER, WINTER) == []
    # The same dates are someone else's to add as well.
    assert await add(db, INTERVIEWER_2, WINTER) == WINTER
    async with db.reader() as session:
        mine = await store.days_away.days_away_from(
            session, user_id=INTERVIEWER, first=date(2026, 1, 1)
        )
        from_christmas = await store.days_away.days_away_from(
            session, user_id=INTERVIEWER, first=CHRISTMAS
        )
        among = await store.days_away.days_away_among(
            session, user_id=INTERVIEWER, days=[date(2026, 12, 1), CHRISTMAS]
        )
    assert mine == WINTER
    assert from_christmas == WINTER[1:]
    assert among == [CHRISTMAS]
    assert await count_rows(db, DayAway) == 6


async def test_several_people_s_days_in_a_range_come_in_one_read(db: Database) -> None:
    await add(db, INTERVIEWER, [date(2026, 11, 30), *WINTER])
    await add(db, INTERVIEWER_2, [date(2027, 1, 4)])
    await add(db, HM, [CHRISTMAS])  # not asked for
    async with db.reader() as session:
        ranged = await store.days_away.days_away_of(
            session,
            user_ids=[INTERVIEWER, INTERVIEWER_2, RECRUITER],
            first=date(2026, 12, 1),
            last=CHRISTMAS,
        )
        open_ended = await store.days_away.days_away_of(
            session, user_ids=[INTERVIEWER, INTERVIEWER_2], first=date(2026, 12, 1)
        )
        nobody = await store.days_away.days_away_of(session, user_ids=[], first=NOW.date())
    assert ranged == {INTERVIEWER: frozenset(WINTER[:2])}  # someone with none is left out
    assert open_ended == {
        INTERVIEWER: frozenset(WINTER),
        INTERVIEWER_2: frozenset({date(2027, 1, 4)}),
    }
    assert nobody == {}


async def test_removing_deletes_only_that_person_s_dates_named(db: Database) -> None:
    await add(db, INTERVIEWER, WINTER)
    await add(db, INTERVIEWER_2, WINTER)
    async with db.transaction() as session:
        await store.days_away.remove_days_away(
            session, user_id=INTERVIEWER, days=[CHRISTMAS, date(2026, 12, 31)]
        )
    async with db.reader() as session:
        left = await store.days_away.days_away_of(
            session, user_ids=[INTERVIEWER, INTERVIEWER_2], first=date(2026, 1, 1)
        )
    assert left == {INTERVIEWER: {WINTER[0], WINTER[2]}, INTERVIEWER_2: frozenset(WINTER)}


async def test_days_over_everywhere_are_forgotten(db: Database) -> None:
    await add(db, INTERVIEWER, [date(2026, 11, 30), date(2026, 12, 1), CHRISTMAS])
    async with db.transaction() as session:
        await store.days_away.forget_days_away(session, before=date(2026, 12, 1))
    async with db.reader() as session:
        left = await store.days_away.days_away_from(
            session, user_id=INTERVIEWER, first=date(2026, 1, 1)
        )
    assert left == [date(2026, 12, 1), CHRISTMAS]


async def test_the_same_day_added_twice_at_once_stores_one_row(db: Database) -> None:
    first, second = await asyncio.gather(
        add(db, INTERVIEWER, [CHRISTMAS]), add(db, INTERVIEWER, [CHRISTMAS])
    )
    assert sorted([first, second]) == [[], [CHRISTMAS]]  # only the insert that wrote it says so
    assert await count_rows(db, DayAway) == 1
