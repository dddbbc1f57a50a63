"""Company days off as use cases: admins add and remove them, anyone lists them; each
change lands with its entry in the change record, or nothing lands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.store.engine import Database
from bot.store.tables import Change, DayOff
from bot.usecases import admin, days_off
from bot.usecases.errors import NotAllowed
from tests.conftest import ADMIN, OUTSIDER, count_rows

pytestmark = pytest.mark.both_databases

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHRISTMAS = date(2026, 12, 25)
WINTER = [date(2026, 12, 24), CHRISTMAS, date(2026, 12, 26)]


async def changes(db: Database) -> list[tuple[str, str, str]]:
    async with db.reader() as session:
        rows = (await session.exec(select(Change).order_by(col(Change.id)))).all()
    return [(c.kind, c.actor_id, c.summary) for c in rows]


@pytest.fixture
async def admins(db: Database) -> None:
    await admin.seed_admins(db, user_ids={ADMIN}, now=NOW)


@pytest.mark.usefixtures("admins")
async def test_an_admin_adds_and_removes_days_off_and_each_change_is_recorded(
    db: Database,
) -> None:
    done = await days_off.add_days_off(
        db, actor_id=ADMIN, days=WINTER, name="Winter break", now=NOW
    )
    assert (done.added, done.already) == (WINTER, [])
    again = await days_off.add_days_off(
        db, actor_id=ADMIN, days=[CHRISTMAS], name="Christmas Day", now=NOW
    )
    assert again.added == [] and [(d.day, d.name) for d in again.already] == [
        (CHRISTMAS, "Winter break")
    ]
    gone = await days_off.remove_days_off(
        db, actor_id=ADMIN, days=[CHRISTMAS, date(2026, 12, 31)], now=NOW
    )
    assert [d.day for d in gone.removed] == [CHRISTMAS]
    assert gone.absent == [date(2026, 12, 31)]
    nothing = await days_off.remove_days_off(db, actor_id=ADMIN, days=[CHRISTMAS], now=NOW)
    assert (nothing.removed, nothing.absent) == ([], [CHRISTMAS])

    assert [d.day for d in await days_off.upcoming(db, now=NOW)] == [WINTER[0], WINTER[2]]
    assert await changes(db) == [
        (
            "days_off_added",
            ADMIN,
            "added 3 days off: Thursday 2026-12-24 to Saturday 2026-12-26 (Winter break)",
        ),
        ("days_off_removed", ADMIN, "removed 1 day off: Friday 2026-12-25"),
    ]


@pytest.mark.usefixtures("admins")
async def test_only_admins_change_days_off_and_anyone_lists_them(db: Database) -> None:
    assert days_off.days_off_refusal(OUTSIDER, {ADMIN}) == days_off.ADMINS_ONLY
    assert days_off.days_off_refusal(ADMIN, {ADMIN}) is None
    for change in (
        days_off.add_days_off(db, actor_id=OUTSIDER, days=[CHRISTMAS], name="", now=NOW),
        days_off.remove_days_off(db, actor_id=OUTSIDER, days=[CHRISTMAS], now=NOW),
    ):
        with pytest.raises(NotAllowed, match="for Loopkeeper admins"):
            await change
    assert await count_rows(db, DayOff) == 0
    assert await changes(db) == []
    assert await days_off.upcoming(db, now=NOW) == []  # an outsider may ask: no user id


@pytest.mark.usefixtures("admins")
async def test_a_date_over_everywhere_is_refused_and_nothing_of_the_range_is_added(
    db: Database,
) -> None:
    late_on_the_24th = datetime(2026, 12, 25, 11, 0, tzinfo=UTC)  # still the 24th at UTC-12
    done = await days_off.add_days_off(
        db, actor_id=ADMIN, days=[date(2026, 12, 24)], name="", now=late_on_the_24th
    )
    assert done.added == [date(2026, 12, 24)]
    with pytest.raises(NotAllowed) as refused:
        await days_off.add_days_off(
            db, actor_id=ADMIN, days=WINTER, name="", now=late_on_the_24th + timedelta(hours=1)
        )
    assert str(refused.value) == (
        "Thursday 2026-12-24 is in the past, so nothing changed: days off are for dates to come."
    )
    assert await count_rows(db, DayOff) == 1
    # What is listed is what still holds somewhere: the 24th, until it has ended everywhere.
    assert [d.day for d in await days_off.upcoming(db, now=late_on_the_24th)] == [
        date(2026, 12, 24)
    ]
    assert await days_off.upcoming(db, now=late_on_the_24th + timedelta(hours=1)) == []
