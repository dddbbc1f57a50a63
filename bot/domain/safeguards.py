"""Safeguards when scheduling: what the scheduler is warned about, never refused.

A recruiter often knows better (the candidate agreed to a longer loop, a panel needs a
second system-design round, an interviewer double-booked on purpose), so each rule
only names the fact; the interview is booked all the same.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.domain.clocks import WORK_END, WORK_START
from bot.domain.zones import zone


def overlaps(a_starts: datetime, a_ends: datetime, b_starts: datetime, b_ends: datetime) -> bool:
    """Two intervals share a moment. Back to back (one ends as the other starts) is fine."""
    return a_starts < b_ends and b_starts < a_ends


@dataclass(frozen=True)
class LoopOverrun:
    """The interview ends after the loop's own deadline (stage entry + loop_days + pauses)."""

    loop_ends_at: datetime
    interview_ends_at: datetime
    # The loop had ended before the booking: no earlier slot can help any more.
    ended: bool = False


def loop_overrun(
    loop_ends_at: datetime | None, interview_ends_at: datetime, now: datetime | None = None
) -> LoopOverrun | None:
    if loop_ends_at is None or interview_ends_at <= loop_ends_at:
        return None
    return LoopOverrun(loop_ends_at, interview_ends_at, now is not None and loop_ends_at <= now)


@dataclass(frozen=True)
class ScorecardsAfterLoop:
    """The interview ends inside the loop, but its scorecards are due after the loop's
    deadline: the loop counts from entering interviewing (the first booking), not from
    the first interview, so a first interview booked a week out leaves no time for them.
    A note, not a stop: the team may snooze the loop, or it may be the only slot."""

    loop_ends_at: datetime
    scorecards_due_at: datetime


def scorecards_after_loop(
    loop_ends_at: datetime | None, interview_ends_at: datetime, scorecards_due_at: datetime
) -> ScorecardsAfterLoop | None:
    if loop_ends_at is None or interview_ends_at > loop_ends_at:
        return None  # LoopOverrun says it, more plainly
    if scorecards_due_at <= loop_ends_at:
        return None
    return ScorecardsAfterLoop(loop_ends_at, scorecards_due_at)


@dataclass(frozen=True)
class InThePast:
    """The interview starts before now: booked as held already (a back-filled one), so
    its scorecards are due from its end, which may be passed. Usually a typo."""

    starts_at: datetime


def in_the_past(starts_at: datetime, now: datetime) -> InThePast | None:
    return InThePast(starts_at) if starts_at < now else None


@dataclass(frozen=True)
class PlanOverrun:
    """More held interviews than the plan has, or a plan interview booked twice."""

    planned: int  # interviews in the template's plan
    held: int  # the candidate's held interviews, this one included
    repeated: bool  # another held interview is of the same plan stage


def plan_overrun(
    plan_keys: Sequence[str], others: Iterable[str], stage_key: str, *, over: Iterable[str] = ()
) -> PlanOverrun | None:
    """`others`: the plan stage of each of the candidate's other held interviews
    (scheduled, not cancelled or a no-show: those no longer take a place in the plan);
    `over`: those of them that have ended. One of the same stage that is over is an
    earlier round, not a booking twice that one of them should replace."""
    others = list(others)
    held = len(others) + 1
    repeated = others.count(stage_key) > list(over).count(stage_key)
    if held <= len(plan_keys) and not repeated:
        return None
    return PlanOverrun(len(plan_keys), held, repeated)


@dataclass(frozen=True)
class Booked:
    """An interview an interviewer already has (any candidate, any role)."""

    interviewer_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Clash:
    """An interviewer of this interview has another one at an overlapping time. It says
    only when: the other candidate may be one the scheduler may not see."""

    interviewer_id: str
    starts_at: datetime
    ends_at: datetime


def clashes(
    starts_at: datetime, ends_at: datetime, interviewer_ids: Iterable[str], booked: Iterable[Booked]
) -> list[Clash]:
    """Each of this interview's interviewers' other interviews that overlap it, by
    interviewer then time."""
    people = set(interviewer_ids)
    found = {
        Clash(b.interviewer_id, b.starts_at, b.ends_at)
        for b in booked
        if b.interviewer_id in people and overlaps(starts_at, ends_at, b.starts_at, b.ends_at)
    }
    return sorted(found, key=lambda c: (c.interviewer_id, c.starts_at, c.ends_at))


@dataclass(frozen=True)
class OnDayOff:
    """The interview falls on a company day off where some of its interviewers are
    (each by their own calendar, as working hours count it: bot.domain.clocks)."""

    day: date
    name: str
    interviewer_ids: tuple[str, ...]


def local_days(starts_at: datetime, ends_at: datetime, tz_name: str | None) -> set[date]:
    """The dates an interview touches where a person is."""
    tz = zone(tz_name)
    return {starts_at.astimezone(tz).date(), ends_at.astimezone(tz).date()}


# The furthest any time zone is behind UTC and ahead of it (Baker Island, Kiribati).
_BEHIND, _AHEAD = timedelta(hours=12), timedelta(hours=14)


def days_anywhere(starts_at: datetime, ends_at: datetime) -> set[date]:
    """The dates an interview touches somewhere on Earth: what it may fall on for
    someone whose time zone is not known."""
    first = (starts_at - _BEHIND).astimezone(UTC).date()
    last = (ends_at + _AHEAD).astimezone(UTC).date()
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def on_days_off(
    starts_at: datetime,
    ends_at: datetime,
    zones: Mapping[str, str | None],
    days_off: Mapping[date, str],
) -> list[OnDayOff]:
    """Each day off the interview falls on for one of its interviewers (`zones`: each
    interviewer's time zone; `days_off`: date -> its name), by date."""
    away: dict[date, set[str]] = {}
    for interviewer, tz_name in zones.items():
        for day in local_days(starts_at, ends_at, tz_name) & days_off.keys():
            away.setdefault(day, set()).add(interviewer)
    return [OnDayOff(day, days_off[day], tuple(sorted(away[day]))) for day in sorted(away)]


@dataclass(frozen=True)
class OnDayAway:
    """The interview falls on a day some of its interviewers set as their own day away
    (`/hire away`: vacation, leave), each by their own calendar. A date that is a company
    day off too is said once, as the day off (OnDayOff)."""

    day: date
    interviewer_ids: tuple[str, ...]


def on_days_away(
    starts_at: datetime,
    ends_at: datetime,
    zones: Mapping[str, str | None],
    days_away: Mapping[str, Collection[date]],
    days_off: Collection[date] = (),
) -> list[OnDayAway]:
    """Each day the interview falls on that one of its interviewers is away (`zones`: each
    interviewer's time zone; `days_away`: interviewer -> their days away), by date; the
    company `days_off` left out, which on_days_off names."""
    away: dict[date, set[str]] = {}
    for interviewer, tz_name in zones.items():
        theirs = set(days_away.get(interviewer, ())) - set(days_off)
        for day in local_days(starts_at, ends_at, tz_name) & theirs:
            away.setdefault(day, set()).add(interviewer)
    return [OnDayAway(day, tuple(sorted(away[day]))) for day in sorted(away)]


@dataclass(frozen=True)
class OutsideHours:
    """The interview falls outside an interviewer's working hours where they are (09:00
    to 18:00, Monday to Friday, as the clocks count working time): a time picked in the
    scheduler's own zone that is the small hours, or a weekend, in theirs. A note, not a
    check the form stops for: a candidate abroad may need that time, and the interviewer
    sees it in their own zone on the kit, with its "I can't make it"."""

    interviewer_id: str
    tz_name: str
    starts_at: datetime
    ends_at: datetime


def outside_hours(
    starts_at: datetime, ends_at: datetime, zones: Mapping[str, str | None]
) -> list[OutsideHours]:
    """Each interviewer whose known zone (`zones`: Slack's, None when it did not say)
    puts the interview before 09:00, past 18:00 or on a Saturday or Sunday, by
    interviewer."""
    found = []
    for interviewer, tz_name in sorted(zones.items()):
        if not tz_name:
            continue
        tz = zone(tz_name)
        start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
        inside = (
            start.date() == end.date()
            and start.weekday() < 5
            and start.time() >= WORK_START
            and end.time() <= WORK_END
        )
        if not inside:
            found.append(OutsideHours(interviewer, tz.key, starts_at, ends_at))
    return found


@dataclass(frozen=True)
class UnderWay:
    """Interviewers taken off an interview that has begun, their scorecard not in: they
    can no longer send it (put back on the panel, they can)."""

    starts_at: datetime
    interviewer_ids: tuple[str, ...]


Warning = (
    InThePast
    | LoopOverrun
    | ScorecardsAfterLoop
    | PlanOverrun
    | Clash
    | OnDayOff
    | OnDayAway
    | OutsideHours
    | UnderWay
)
# Said after the booking, never asked about on the form first.
NOTES = (OutsideHours, ScorecardsAfterLoop)
