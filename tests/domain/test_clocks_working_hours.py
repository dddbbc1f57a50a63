"""Working hours: when a reminder may reach a person, where that person is.

No database, no Slack: the clocks (docs/clocks.md) as pure functions of stored facts and `now`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.clocks import last_working_moment, working_moment

BERLIN = "Europe/Berlin"


def local(tz: str, *args: int) -> datetime:
    """A wall-clock moment where the person is, as the aware UTC instant the bot stores."""
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)  # type: ignore[arg-type, misc]  # mypy cannot count *args: callers pass date and time fields, never a tzinfo


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ((2026, 11, 16, 10, 0), (2026, 11, 16, 10, 0)),  # Monday 10:00: now
        ((2026, 11, 16, 20, 0), (2026, 11, 17, 9, 0)),  # Monday 20:00: Tuesday 09:00
        ((2026, 11, 20, 19, 0), (2026, 11, 23, 9, 0)),  # Friday 19:00: Monday 09:00
        ((2026, 11, 21, 12, 0), (2026, 11, 23, 9, 0)),  # Saturday: Monday 09:00
        ((2026, 11, 22, 23, 30), (2026, 11, 23, 9, 0)),  # Sunday night: Monday 09:00
        ((2026, 11, 17, 8, 30), (2026, 11, 17, 9, 0)),  # 08:30: 09:00 the same day
        ((2026, 11, 17, 18, 0), (2026, 11, 18, 9, 0)),  # 18:00 is after hours
    ],
    ids=["mon-10", "mon-20", "fri-19", "sat", "sun-night", "tue-0830", "tue-18"],
)
def test_working_moment_in_the_persons_zone(
    now: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    result = working_moment(local(BERLIN, *now), BERLIN)
    assert result == local(BERLIN, *expected)
    assert result.tzinfo == UTC


def test_working_moment_depends_on_where_the_person_is() -> None:
    now = datetime(2026, 11, 16, 17, 0, tzinfo=UTC)  # Monday 09:00 in LA, Tuesday 02:00 in Tokyo
    assert working_moment(now, "America/Los_Angeles") == now
    assert working_moment(now, "Asia/Tokyo") == datetime(2026, 11, 17, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected", "offset_hours"),
    [
        # Clocks go forward on Sunday 29 March 2026: CET (+1) on Friday, CEST (+2) on Monday.
        ((2026, 3, 27, 19, 0), datetime(2026, 3, 30, 7, 0, tzinfo=UTC), 2),
        # Clocks go back on Sunday 25 October 2026: CEST (+2) on Friday, CET (+1) on Monday.
        ((2026, 10, 23, 19, 0), datetime(2026, 10, 26, 8, 0, tzinfo=UTC), 1),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_working_moment_across_a_dst_change_lands_on_nine_local(
    now: tuple[int, ...], expected: datetime, offset_hours: int
) -> None:
    result = working_moment(local(BERLIN, *now), BERLIN)
    assert result == expected
    there = result.astimezone(ZoneInfo(BERLIN))
    assert (there.weekday(), there.hour, there.minute) == (0, 9, 0)
    assert there.utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize("tz", [None, "", "Mars/Olympus_Mons", "../etc/passwd"])
def test_working_moment_with_an_unknown_zone_falls_back_to_utc(tz: str | None) -> None:
    monday_evening = datetime(2026, 11, 16, 20, 0, tzinfo=UTC)
    assert working_moment(monday_evening, tz) == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    monday_morning = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
    assert working_moment(monday_morning, tz) == monday_morning


# The last working moment before a warning's time ------------------------------------------------


@pytest.mark.parametrize(
    ("before", "tz", "expected"),
    [
        # Inside working hours: its own time.
        (
            datetime(2026, 11, 18, 11, 0, tzinfo=UTC),
            "UTC",
            datetime(2026, 11, 18, 11, 0, tzinfo=UTC),
        ),
        # Saturday 09:00: Friday 17:00.
        (
            datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
            "UTC",
            datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
        ),
        # Monday 08:00 (before work): Friday 17:00.
        (
            datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
            "UTC",
            datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
        ),
        # Wednesday 20:00: that day's 17:00.
        (
            datetime(2026, 11, 18, 20, 0, tzinfo=UTC),
            "UTC",
            datetime(2026, 11, 18, 17, 0, tzinfo=UTC),
        ),
        # Thursday 02:00 UTC is Wednesday 21:00 in New York: Wednesday 17:00 there.
        (
            datetime(2026, 11, 19, 2, 0, tzinfo=UTC),
            "America/New_York",
            datetime(2026, 11, 18, 22, 0, tzinfo=UTC),
        ),
    ],
)
def test_last_working_moment_before_a_time(before: datetime, tz: str, expected: datetime) -> None:
    assert last_working_moment(before, tz) == expected
