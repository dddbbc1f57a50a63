"""Each person's days away in the sweep: alerts to them that wait for working hours skip
those days in their own time zone, as they skip company days off; breaches go at once
all the same, and nobody else's alerts wait."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot import store
from bot.runtime.timesource import ManualClock
from tests.conftest import Running
from tests.flows import INTERVIEWER, INTERVIEWER_2
from tests.scheduling.test_sweep import sweep


async def test_days_over_everywhere_are_forgotten_by_the_sweep(
    app: Running, clock: ManualClock
) -> None:
    async with app.deps.db.transaction() as session:
        for who in (INTERVIEWER, INTERVIEWER_2):
            await store.days_away.add_days_away(
                session,
                user_id=who,
                days=[date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)],
                now=clock.now(),
            )
    # Wednesday 13:00 UTC: Tuesday is over everywhere (UTC-12 is at Wednesday 01:00).
    clock.set(datetime(2026, 11, 18, 13, 0, tzinfo=UTC))
    await sweep(app)
    async with app.deps.db.reader() as session:
        left = await store.days_away.days_away_of(
            session, user_ids=[INTERVIEWER, INTERVIEWER_2], first=date(2026, 1, 1)
        )
    assert left == {who: frozenset({date(2026, 11, 18)}) for who in (INTERVIEWER, INTERVIEWER_2)}
