"""Working hours: when a reminder may reach a person, where that person is.

No database, no Slack: the clocks (docs/clocks.md) as pure functions of stored facts and `now`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.clocks import WARNING_LEAD, last_working_moment, working_moment

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


# Company days off --------------------------------------------------------------------------------
# November 2026: Monday 16, Wednesday 18, Friday 20, Monday 23, Tuesday 24.

FRIDAY_OFF = frozenset({date(2026, 11, 20)})
MONDAY_OFF = frozenset({date(2026, 11, 23)})
WEDNESDAY_OFF = frozenset({date(2026, 11, 18)})


@pytest.mark.parametrize(
    ("now", "days_off", "expected"),
    [
        # A Friday off: Thursday evening waits past it and the weekend, for Monday.
        ((2026, 11, 19, 19, 0), FRIDAY_OFF, (2026, 11, 23, 9, 0)),
        # On the day off itself, at what would be a working hour: Monday too.
        ((2026, 11, 20, 11, 0), FRIDAY_OFF, (2026, 11, 23, 9, 0)),
        # A weekend followed by a Monday off: Friday evening waits for Tuesday.
        ((2026, 11, 20, 19, 0), MONDAY_OFF, (2026, 11, 24, 9, 0)),
        # Days off in a row (Thursday and Friday), then the weekend.
        (
            (2026, 11, 18, 18, 30),
            frozenset({date(2026, 11, 19), date(2026, 11, 20)}),
            (2026, 11, 23, 9, 0),
        ),
        # A day off that is not today changes nothing today.
        ((2026, 11, 19, 10, 0), FRIDAY_OFF, (2026, 11, 19, 10, 0)),
        # A day off on a weekend is a weekend day already.
        ((2026, 11, 20, 19, 0), frozenset({date(2026, 11, 21)}), (2026, 11, 23, 9, 0)),
    ],
    ids=[
        "thu-evening-fri-off",
        "on-fri-off",
        "fri-evening-mon-off",
        "thu-fri-off",
        "not-today",
        "sat-off",
    ],
)
def test_working_moment_skips_days_off_as_it_skips_weekends(
    now: tuple[int, ...], days_off: frozenset[date], expected: tuple[int, ...]
) -> None:
    result = working_moment(local(BERLIN, *now), BERLIN, days_off=days_off)
    assert result == local(BERLIN, *expected)
    assert result.tzinfo == UTC


@pytest.mark.parametrize(
    ("before", "days_off", "expected"),
    [
        # A warning due on Saturday, with Friday off: Thursday at 17:00.
        ((2026, 11, 21, 9, 0), FRIDAY_OFF, (2026, 11, 19, 17, 0)),
        # Due on the day off itself, in what would be working hours: Thursday at 17:00.
        ((2026, 11, 20, 11, 0), FRIDAY_OFF, (2026, 11, 19, 17, 0)),
        # Due the morning after a Monday off: 17:00 on the Friday before the weekend,
        # not on the day off (which is what a weekend-only rule gave).
        ((2026, 11, 24, 7, 0), MONDAY_OFF, (2026, 11, 20, 17, 0)),
        # Due the morning after a Wednesday off: Tuesday at 17:00.
        ((2026, 11, 19, 8, 0), WEDNESDAY_OFF, (2026, 11, 17, 17, 0)),
        # In working hours on a working day: its own time, whatever the days off.
        ((2026, 11, 24, 11, 0), MONDAY_OFF, (2026, 11, 24, 11, 0)),
    ],
    ids=["sat-fri-off", "on-fri-off", "tue-morning-mon-off", "thu-morning-wed-off", "in-hours"],
)
def test_last_working_moment_skips_days_off(
    before: tuple[int, ...], days_off: frozenset[date], expected: tuple[int, ...]
) -> None:
    assert last_working_moment(local(BERLIN, *before), BERLIN, days_off=days_off) == local(
        BERLIN, *expected
    )


def test_without_days_off_the_morning_after_a_holiday_lands_on_the_holiday() -> None:
    """What the days off change: a weekend-only rule moves a Tuesday 07:00 warning to the
    Monday before, a public holiday when Monday is one."""
    before = local(BERLIN, 2026, 11, 24, 7, 0)
    assert last_working_moment(before, BERLIN) == local(BERLIN, 2026, 11, 23, 17, 0)


def test_a_day_off_is_a_date_where_the_person_is() -> None:
    """Wednesday 18 November is a day off. At 16:00 UTC on Tuesday it is already Wednesday
    01:00 in Tokyo, still Tuesday 08:00 in Los Angeles: the same instant waits for
    Thursday in one and for Tuesday 09:00 in the other."""
    tuesday = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
    tokyo = working_moment(tuesday, "Asia/Tokyo", days_off=WEDNESDAY_OFF)
    los_angeles = working_moment(tuesday, "America/Los_Angeles", days_off=WEDNESDAY_OFF)
    assert tokyo == datetime(2026, 11, 19, 0, 0, tzinfo=UTC)  # Thursday 09:00 in Tokyo
    assert los_angeles == datetime(2026, 11, 17, 17, 0, tzinfo=UTC)  # Tuesday 09:00 there
    # A day later the other way round: Tokyo works on Thursday, Los Angeles is off.
    wednesday = tuesday + timedelta(days=1)  # Thursday 01:00 in Tokyo, Wednesday 08:00 in LA
    assert working_moment(wednesday, "Asia/Tokyo", days_off=WEDNESDAY_OFF) == datetime(
        2026, 11, 19, 0, 0, tzinfo=UTC
    )
    assert working_moment(wednesday, "America/Los_Angeles", days_off=WEDNESDAY_OFF) == datetime(
        2026, 11, 19, 17, 0, tzinfo=UTC
    )  # Thursday 09:00 there
    # And a warning: due Wednesday 02:00 UTC, Wednesday 11:00 in Tokyo (off) and Tuesday
    # 18:00 in Los Angeles (after hours, on a working day).
    due = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    assert last_working_moment(due, "Asia/Tokyo", days_off=WEDNESDAY_OFF) == datetime(
        2026, 11, 17, 8, 0, tzinfo=UTC
    )  # Tuesday 17:00 in Tokyo
    assert last_working_moment(due, "America/Los_Angeles", days_off=WEDNESDAY_OFF) == datetime(
        2026, 11, 18, 1, 0, tzinfo=UTC
    )  # Tuesday 17:00 there


def test_the_warning_lead_covers_a_weekend_with_a_day_off_either_side() -> None:
    """A warning due at 08:59 on the Tuesday after a Friday and a Monday off (Easter) must
    be recorded by 17:00 the Thursday before, or it could only come after its time."""
    easter = frozenset({date(2026, 4, 3), date(2026, 4, 6)})
    due = datetime(2026, 4, 7, 8, 59, tzinfo=UTC)
    moment = last_working_moment(due, "UTC", days_off=easter)
    assert moment == datetime(2026, 4, 2, 17, 0, tzinfo=UTC)
    assert due - WARNING_LEAD <= moment
