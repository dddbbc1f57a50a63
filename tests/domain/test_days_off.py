"""Company days off as dates: which are still ahead, and how they read.

No database, no Slack: plain functions of dates and `now`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.days_off import days_from, first_day_ahead, label, runs


@pytest.mark.parametrize(
    ("now", "first"),
    [
        # Noon UTC on the 25th: the 24th has just ended at UTC-12, the last place it ran.
        (datetime(2026, 12, 25, 12, 0, tzinfo=UTC), date(2026, 12, 25)),
        # 11:59 UTC: still the 24th there, so the 24th is not over everywhere yet.
        (datetime(2026, 12, 25, 11, 59, tzinfo=UTC), date(2026, 12, 24)),
        # Just after midnight UTC: it is the 25th in Berlin, the 24th in New York.
        (datetime(2026, 12, 25, 0, 30, tzinfo=UTC), date(2026, 12, 24)),
    ],
)
def test_a_date_is_ahead_until_it_has_ended_everywhere(now: datetime, first: date) -> None:
    assert first_day_ahead(now) == first


def test_days_from_holds_both_ends() -> None:
    assert days_from(date(2026, 12, 31), date(2027, 1, 2)) == [
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
    ]


def test_dates_read_with_their_weekday_and_consecutive_ones_as_a_span() -> None:
    assert label(date(2026, 12, 25)) == "Friday 2026-12-25"
    days = [date(2026, 12, 26), date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31)]
    assert runs(days) == "Thursday 2026-12-24 to Saturday 2026-12-26, Thursday 2026-12-31"
