"""Safeguards when scheduling: each rule names a fact the scheduler should know."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.safeguards import (
    Booked,
    Clash,
    LoopOverrun,
    OnDayAway,
    OnDayOff,
    OutsideHours,
    PlanOverrun,
    clashes,
    days_anywhere,
    local_days,
    loop_overrun,
    on_days_away,
    on_days_off,
    outside_hours,
    overlaps,
    plan_overrun,
)
from tests.domain.clock_facts import DAY, HOUR, T

MINUTE = timedelta(minutes=1)
PLAN = ["screen", "system_design", "incident"]


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        (T - HOUR, T, False),  # ends as ours starts: back to back
        (T + HOUR, T + 2 * HOUR, False),  # starts as ours ends
        (T - HOUR, T + MINUTE, True),
        (T + 59 * MINUTE, T + 2 * HOUR, True),
        (T + 10 * MINUTE, T + 20 * MINUTE, True),  # inside ours
        (T - HOUR, T + 2 * HOUR, True),  # around ours
    ],
)
def test_overlaps(starts, ends, expected: bool) -> None:
    assert overlaps(T, T + HOUR, starts, ends) is expected
    assert overlaps(starts, ends, T, T + HOUR) is expected


def test_loop_overrun_only_past_the_loop_s_end() -> None:
    assert loop_overrun(T + 7 * DAY, T + 7 * DAY) is None
    assert loop_overrun(None, T + 30 * DAY) is None
    assert loop_overrun(T + 7 * DAY, T + 7 * DAY + MINUTE) == LoopOverrun(
        T + 7 * DAY, T + 7 * DAY + MINUTE
    )


def test_plan_overrun() -> None:
    assert plan_overrun(PLAN, [], "screen") is None
    assert plan_overrun(PLAN, ["screen", "system_design"], "incident") is None
    assert plan_overrun(PLAN, ["screen"], "screen") == PlanOverrun(3, 2, repeated=True)
    assert plan_overrun(PLAN, PLAN, "screen") == PlanOverrun(3, 4, repeated=True)
    # A plan of three, each stage once, and a fourth of a stage not in it.
    assert plan_overrun(PLAN, PLAN, "extra") == PlanOverrun(3, 4, repeated=False)
    # One of the same stage that is over is an earlier round: not booked twice.
    assert plan_overrun(PLAN, ["screen"], "screen", over=["screen"]) is None
    assert plan_overrun(PLAN, ["screen", "screen"], "screen", over=["screen"]) == PlanOverrun(
        3, 3, repeated=True
    )


def test_clashes_name_each_interviewer_and_the_other_time() -> None:
    booked = [
        Booked("UB", T + 30 * MINUTE, T + 90 * MINUTE),
        Booked("UA", T - HOUR, T + MINUTE),
        Booked("UA", T + HOUR, T + 2 * HOUR),  # back to back: fine
        Booked("UC", T, T + HOUR),  # not on this interview
    ]
    assert clashes(T, T + HOUR, ["UA", "UB"], booked) == [
        Clash("UA", T - HOUR, T + MINUTE),
        Clash("UB", T + 30 * MINUTE, T + 90 * MINUTE),
    ]
    assert clashes(T, T + HOUR, ["UD"], booked) == []


def test_a_day_off_is_a_date_where_each_interviewer_is() -> None:
    # Thursday 2026-12-24 23:00 to 23:45 UTC: Christmas already in Berlin, not in New York.
    starts = datetime(2026, 12, 24, 23, 0, tzinfo=UTC)
    ends = starts + timedelta(minutes=45)
    zones = {"UBER": "Europe/Berlin", "UNYC": "America/New_York", "UNONE": None}
    christmas = {date(2026, 12, 25): "Christmas Day"}

    assert on_days_off(starts, ends, zones, christmas) == [
        OnDayOff(date(2026, 12, 25), "Christmas Day", ("UBER",))
    ]
    eve = {date(2026, 12, 24): "Christmas Eve"}
    assert on_days_off(starts, ends, zones, eve) == [
        OnDayOff(date(2026, 12, 24), "Christmas Eve", ("UNONE", "UNYC"))  # no zone: UTC
    ]
    assert on_days_off(starts, ends, zones, {date(2026, 12, 26): ""}) == []


def test_an_interview_over_midnight_touches_both_dates() -> None:
    starts = datetime(2026, 12, 24, 23, 30, tzinfo=UTC)
    both = {date(2026, 12, 24): "Eve", date(2026, 12, 25): "Day"}
    assert [d.name for d in on_days_off(starts, starts + HOUR, {"U1": "UTC"}, both)] == [
        "Eve",
        "Day",
    ]


def test_a_day_away_is_the_interviewer_s_own_date_where_they_are() -> None:
    # Thursday 2026-12-24 23:00 UTC: already Friday in Berlin, still Thursday in New York.
    starts = datetime(2026, 12, 24, 23, 0, tzinfo=UTC)
    ends = starts + timedelta(minutes=45)
    zones = {"UBER": "Europe/Berlin", "UNYC": "America/New_York"}
    away = {"UBER": {date(2026, 12, 25)}, "UNYC": {date(2026, 12, 25)}, "UOTHER": {starts.date()}}

    # Only the interviewer for whom that date is the interview's, and never someone else.
    assert on_days_away(starts, ends, zones, away) == [OnDayAway(date(2026, 12, 25), ("UBER",))]
    both = {"UBER": {date(2026, 12, 25)}, "UNYC": {date(2026, 12, 24)}}
    assert on_days_away(starts, ends, zones, both) == [
        OnDayAway(date(2026, 12, 24), ("UNYC",)),
        OnDayAway(date(2026, 12, 25), ("UBER",)),
    ]
    # A company day off on the date is said as the day off, not again as a day away.
    assert on_days_away(starts, ends, zones, both, [date(2026, 12, 25)]) == [
        OnDayAway(date(2026, 12, 24), ("UNYC",))
    ]
    assert on_days_away(starts, ends, zones, {}) == []


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        # 14:00 UTC: 02:00 the same day in Baker Island, 04:00 the next in Kiribati.
        (datetime(2026, 11, 19, 14, 0, tzinfo=UTC), {date(2026, 11, 19), date(2026, 11, 20)}),
        # 05:00 UTC: still the evening before on the Pacific's eastern side.
        (datetime(2026, 11, 19, 5, 0, tzinfo=UTC), {date(2026, 11, 18), date(2026, 11, 19)}),
    ],
)
def test_an_interview_falls_on_the_dates_it_touches_in_some_time_zone(
    starts: datetime, expected: set[date]
) -> None:
    ends = starts + timedelta(hours=1)
    assert days_anywhere(starts, ends) == expected
    for tz in ("Pacific/Kiritimati", "America/Los_Angeles", "Asia/Tokyo", "Etc/GMT+12", None):
        assert local_days(starts, ends, tz) <= expected


def test_outside_hours_is_by_each_interviewer_s_own_zone_and_week() -> None:
    tuesday_10 = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
    hour = timedelta(hours=1)
    zones = {"ULON": "Europe/London", "UNYC": "America/New_York", "UNONE": None}
    # 10:00 in London, 05:00 in New York; a person whose zone is unknown is not guessed at.
    assert outside_hours(tuesday_10, tuesday_10 + hour, zones) == [
        OutsideHours("UNYC", "America/New_York", tuesday_10, tuesday_10 + hour)
    ]
    # 14:00 UTC is 09:00 in New York: inside for both, to the minute.
    assert outside_hours(tuesday_10 + 4 * hour, tuesday_10 + 5 * hour, zones) == []
    # Ending at 18:00 is inside; a minute past it is not.
    evening = tuesday_10.replace(hour=17)
    assert outside_hours(evening, evening + hour, {"ULON": "Europe/London"}) == []
    late = outside_hours(evening, evening + hour + timedelta(minutes=1), {"ULON": "Europe/London"})
    assert [w.interviewer_id for w in late] == ["ULON"]
    # A Saturday is outside, whatever the time.
    saturday = tuesday_10 + timedelta(days=4)
    assert [w.interviewer_id for w in outside_hours(saturday, saturday + hour, zones)] == [
        "ULON",
        "UNYC",
    ]
