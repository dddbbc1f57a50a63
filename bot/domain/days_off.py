"""Company days off (public holidays) as dates: which are still ahead, how they read.

A day off is a calendar date, not a span of UTC: working hours (bot.domain.clocks) skip
it in each person's own calendar, as they skip Saturday and Sunday.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

T = TypeVar("T")

MAX_SPAN = 31  # days one command may add or remove at once: a month, not a typo's decade

# A date ends last twelve hours behind UTC (UTC-12): until then it is still that day
# somewhere, so a day off on it still counts there.
_LAST_ZONE = timedelta(hours=12)
_DAY = timedelta(days=1)


def first_day_ahead(now: datetime) -> date:
    """The earliest date not yet over everywhere: a day off before it holds nowhere any
    more, so adding one is pointless and listing it is noise."""
    return (now.astimezone(UTC) - _LAST_ZONE).date()


def days_from(first: date, last: date) -> list[date]:
    """Every date from `first` to `last`, both included."""
    return [first + n * _DAY for n in range((last - first).days + 1)]


# Not strftime's %A, which follows the process's locale.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def label(day: date) -> str:
    """`Friday 2026-12-25`: the weekday a person plans by, and the date as they type it."""
    return f"{_WEEKDAYS[day.weekday()]} {day.isoformat()}"


def spans(
    items: Iterable[T], *, day: Callable[[T], date], same: Callable[[T], object]
) -> list[list[T]]:
    """`items` by date, consecutive days that are `same` alike together: a winter break
    reads as one span."""
    found: list[list[T]] = []
    for item in sorted(items, key=day):
        last = found[-1][-1] if found else None
        if last is not None and day(item) - day(last) == _DAY and same(item) == same(last):
            found[-1].append(item)
        else:
            found.append([item])
    return found


def span_label(first: date, last: date) -> str:
    """`Thursday 2026-12-24 to Saturday 2026-12-26`, or one day's label."""
    return label(first) if first == last else f"{label(first)} to {label(last)}"


def runs(days: Iterable[date]) -> str:
    """Dates in words, consecutive ones as one span: `Thursday 2026-12-24 to Saturday
    2026-12-26, Thursday 2026-12-31`."""
    found = spans(set(days), day=lambda d: d, same=lambda _: None)
    return ", ".join(span_label(span[0], span[-1]) for span in found)
