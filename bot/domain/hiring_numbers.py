"""The numbers that matter for a role: time to fill, time to hire, stage-to-stage
conversion, offer acceptance and loops finished inside the loop limit. Plain functions
of a role's history and `now`; every definition is stated on the function that
computes it (and in the README)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.declines import reason_counts
from bot.domain.stages import PATH, Stage

DAY = timedelta(days=1)
# The market figure of the product brief (issue 15, "the seeds measure hiring by time
# to fill: 89 days on average for MLOps roles"): shown beside an MLOps role's own figure.
MLOPS_TIME_TO_FILL_DAYS = 89
FINAL_OFFERS = ("accepted", "declined", "expired")
TREND_WEEKS = 12


class Event(Protocol):
    """A stage event as the log keeps it (bot.store.tables.StageEvent fits)."""

    @property
    def candidate_id(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def from_stage(self) -> str | None: ...
    @property
    def to_stage(self) -> str: ...


class Person(Protocol):
    """A candidate as far as the numbers care (bot.store.tables.Candidate fits)."""

    @property
    def id(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def stage(self) -> str: ...
    @property
    def feedback_complete_at(self) -> datetime | None: ...
    @property
    def loop_completed_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None

    def __str__(self) -> str:
        return f"{self.percent}% ({self.part} of {self.whole})" if self.whole else "none yet"


@dataclass(frozen=True)
class HiringNumbers:
    opened_at: datetime
    open_days: float  # opened to now, or to when the role was closed
    time_to_fill: list[float]  # days, one per hire, in hiring order
    time_to_hire: list[float]  # days, one per hire, in hiring order
    conversion: dict[Stage, Share]  # reached the stage -> reached the next one
    offers: Share  # accepted of the offers decided
    loops: Share  # loops finished inside the loop limit, of loops finished
    loop_days: int
    mlops: bool = False
    benchmark_days: int | None = None  # the MLOps market figure, for MLOps roles
    closed: bool = False  # the role was closed: its open days stopped then
    # Why offers were declined: (the reason as people read it, how many), most first.
    declines: tuple[tuple[str, int], ...] = ()

    @property
    def median_time_to_fill(self) -> float | None:
        return statistics.median(self.time_to_fill) if self.time_to_fill else None

    @property
    def median_time_to_hire(self) -> float | None:
        return statistics.median(self.time_to_hire) if self.time_to_hire else None


def is_note(event: Event) -> bool:
    """An event that records something without a move (an offer expired, a deadline
    set): it neither starts nor ends a stint."""
    return event.from_stage is not None and event.from_stage == event.to_stage


# Titles that name another discipline: the shipped MLOps template is every new role's
# default, so a "Data Scientist" on it is no MLOps role to hold to the MLOps market.
OTHER_DISCIPLINES = (
    "data scien",
    "data analy",
    "data engineer",
    "data platform",
    "analyst",
    "backend",
    "back-end",
    "frontend",
    "front-end",
    "mobile",
    "ios",
    "android",
    "design",
    "product manager",
    "sales",
    "marketing",
    "recruit",
    "security",
    "qa ",
    "support",
)


def is_mlops(*, template: str, title: str) -> bool:
    """An MLOps role: its title says MLOps; or its template is the shipped "mlops" or an
    installed template named like it ("mlops@v2", "mlops-platform@v1") and its title
    names no other discipline (OTHER_DISCIPLINES)."""
    name = template.split("@", 1)[0].lower().replace("-", "").replace("_", "")
    said = title.lower()
    if "mlops" in said or "ml ops" in said:
        return True
    return "mlops" in name and not any(other in f"{said} " for other in OTHER_DISCIPLINES)


def _moves(events: Iterable[Event]) -> dict[int, list[Event]]:
    by_candidate: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        if not is_note(event):
            by_candidate[event.candidate_id].append(event)
    for history in by_candidate.values():
        history.sort(key=lambda e: e.at)
    return by_candidate


def hired_at(events: Iterable[Event]) -> dict[int, datetime]:
    """Candidate -> when they moved to hired (their offer accepted). Someone who arrived
    hired (imported, or added so, from the hiring before Loopkeeper) is no hire made
    here: when they were hired is not known, and their import day would count as a
    hire made in no time."""
    out: dict[int, datetime] = {}
    for candidate, history in _moves(events).items():
        hires = [
            e.at for e in history if e.to_stage == Stage.HIRED.value and e.from_stage is not None
        ]
        if hires:
            out[candidate] = hires[0]
    return out


def time_to_fill(opened_at: datetime, hires: Iterable[datetime]) -> list[float]:
    """Time to fill: days from the role's opening (its creation) to each offer accepted
    (the candidate's move to hired), in hiring order. The role's figure is the median."""
    return [(at - opened_at) / DAY for at in sorted(hires)]


def time_to_hire(candidates: Sequence[Person], hires: dict[int, datetime]) -> list[float]:
    """Time to hire: days from a candidate being added to them being hired, per hire,
    in hiring order. The role's figure is the median."""
    spans = [
        (hires[c.id], (hires[c.id] - c.created_at) / DAY)
        for c in candidates
        if c.id is not None and c.id in hires
    ]
    return [days for _, days in sorted(spans)]


def furthest_reached(candidates: Sequence[Person], events: Iterable[Event]) -> dict[int, int]:
    """Candidate -> the furthest stage of the path they ever entered (its index in
    PATH), from their events (a candidate with none: their stage now); rejected and
    withdrawn are not on the path and reach nothing."""
    out: dict[int, int] = {}
    logged: set[int] = set()
    for event in events:
        logged.add(event.candidate_id)
        if event.to_stage in PATH:
            index = PATH.index(Stage(event.to_stage))
            out[event.candidate_id] = max(out.get(event.candidate_id, index), index)
    for c in candidates:
        if c.id is not None and c.id not in logged and c.stage in PATH:
            out[c.id] = PATH.index(Stage(c.stage))
    return {c.id: out[c.id] for c in candidates if c.id is not None and c.id in out}


def conversion(candidates: Sequence[Person], events: Iterable[Event]) -> dict[Stage, Share]:
    """Stage-to-stage conversion: of the candidates who reached a stage of the path
    (sourced → screening → interviewing → decision → offer → hired), the share who
    reached the next one. A skip counts as reaching the stages skipped (moved from
    sourced to interviewing: reached screening too); a candidate still in a stage counts
    as reached, not converted, until they move on."""
    furthest = furthest_reached(candidates, events)
    out: dict[Stage, Share] = {}
    for index, stage in enumerate(PATH[:-1]):
        reached = sum(1 for f in furthest.values() if f >= index)
        if reached:
            out[stage] = Share(sum(1 for f in furthest.values() if f > index), reached)
    return out


def offer_acceptance(statuses: Iterable[str]) -> Share:
    """Offer acceptance rate: accepted offers of those decided (accepted + declined +
    expired). Open offers are not counted yet, nor offers rescinded (taken back: no
    answer of the candidate's)."""
    final = [s for s in statuses if s in FINAL_OFFERS]
    return Share(sum(1 for s in final if s == "accepted"), len(final))


def loops_inside_limit(
    candidates: Sequence[Person],
    events: Iterable[Event],
    *,
    loop_days: int,
    now: datetime | None = None,
    first_scorecards: Mapping[int, datetime] | None = None,
) -> Share:
    """Loops finished inside the loop limit: of the candidates whose loop finished (all
    their scorecards are in, or they left interviewing for any stage), the share whose
    loop took at most the role's loop days (loop_spans)."""
    limit = timedelta(days=loop_days)
    spans = loop_spans(candidates, events, now=now, first_scorecards=first_scorecards)
    return Share(sum(end - start <= limit for start, end in spans), len(spans))


def loop_spans(
    candidates: Sequence[Person],
    events: Iterable[Event],
    *,
    now: datetime | None = None,
    first_scorecards: Mapping[int, datetime] | None = None,
) -> list[tuple[datetime, datetime]]:
    """Each finished loop's (start, end): it starts when the candidate first entered
    interviewing and ends at the earlier of the loop's first completion (its last
    scorecard in) and their first move out of interviewing, to any stage; as of `now`
    when given.

    `first_scorecards` (candidate id -> when their first scorecard came in): given, a
    loop let go (rejected, withdrawn) before any scorecard came in is not counted.
    Someone imported into interviewing and let go without an interview had no loop:
    counted, each such quick "loop" read as one inside the limit. A loop that reached
    decision counts either way: the team decided, with scorecards kept elsewhere or not."""
    moves = _moves(events)
    spans = []
    for c in candidates:
        if c.id is None:
            continue
        history = moves.get(c.id, [])
        starts = [e.at for e in history if e.to_stage == Stage.INTERVIEWING.value]
        if not starts:
            continue
        start = starts[0]
        exits = [
            e
            for e in history
            if e.from_stage == Stage.INTERVIEWING.value
            and e.to_stage != Stage.INTERVIEWING.value
            and e.at >= start
        ]
        ends = [e.at for e in exits]
        # The first completion: a booking later reopens the loop's feedback, but not the
        # loop the numbers counted (its result would change after the fact).
        complete = c.loop_completed_at or c.feedback_complete_at
        if complete is not None and complete >= start and (now is None or complete <= now):
            ends.append(complete)
        if not ends:
            continue  # the loop is still running
        end = min(ends)
        if first_scorecards is not None:
            first = first_scorecards.get(c.id)
            let_go = any(e.at == end and Stage(e.to_stage).is_closed for e in exits)
            if let_go and (first is None or first > end):
                continue  # let go before anyone interviewed them
        spans.append((start, end))
    return spans


def hiring_numbers(
    *,
    opened_at: datetime,
    closed_at: datetime | None,
    loop_days: int,
    template: str,
    title: str,
    candidates: Sequence[Person],
    events: Sequence[Event],
    offer_statuses: Iterable[str],
    now: datetime,
    first_scorecards: Mapping[int, datetime] | None = None,
    decline_reasons: Iterable[str | None] = (),
) -> HiringNumbers:
    """All of a role's numbers, as of `now`: candidates added and events after it are
    not counted (a weekly report is as of its week's end)."""
    events = [e for e in events if e.at <= now]
    candidates = [c for c in candidates if c.created_at <= now]
    hires = hired_at(events)
    mlops = is_mlops(template=template, title=title)
    end = min(closed_at, now) if closed_at is not None else now
    return HiringNumbers(
        opened_at=opened_at,
        open_days=max(0.0, (end - opened_at) / DAY),
        time_to_fill=time_to_fill(opened_at, hires.values()),
        time_to_hire=time_to_hire(candidates, hires),
        conversion=conversion(candidates, events),
        offers=offer_acceptance(offer_statuses),
        loops=loops_inside_limit(
            candidates, events, loop_days=loop_days, now=now, first_scorecards=first_scorecards
        ),
        loop_days=loop_days,
        mlops=mlops,
        benchmark_days=MLOPS_TIME_TO_FILL_DAYS if mlops else None,
        closed=closed_at is not None and closed_at <= now,
        declines=tuple(reason_counts(list(decline_reasons))),
    )


@dataclass(frozen=True)
class TrendPoint:
    week_end: datetime
    days: float | None  # None: the role did not exist yet
    filled: bool  # True: median time to fill of the hires so far; False: days open


def fill_trend(
    opened_at: datetime,
    hires: Iterable[datetime],
    *,
    now: datetime,
    closed_at: datetime | None = None,
    weeks: int = TREND_WEEKS,
) -> list[TrendPoint]:
    """Time to fill over the last `weeks` weeks, one point per week ending at `now`,
    `now` - 7 d, ...: the median time to fill of the hires made by then, or, while
    the role had no hire yet, the days it had been open (so an unfilled role's line
    climbs, as its time to fill will, until the role is closed)."""
    ordered = sorted(hires)
    points: list[TrendPoint] = []
    for back in range(weeks - 1, -1, -1):
        week_end = now - back * 7 * DAY
        made = [at for at in ordered if at <= week_end]
        if made:
            points.append(
                TrendPoint(week_end, statistics.median(time_to_fill(opened_at, made)), True)
            )
        elif week_end >= opened_at:
            end = min(week_end, closed_at) if closed_at is not None else week_end
            points.append(TrendPoint(week_end, (end - opened_at) / DAY, False))
        else:
            points.append(TrendPoint(week_end, None, False))
    return points


def days(n: float) -> str:
    """Whole days for people: "1 day", "41 days"."""
    whole = round(n)
    return f"{whole} day" if whole == 1 else f"{whole} days"


def fill_summary(numbers: HiringNumbers) -> str:
    """The time-to-fill phrase: "time to fill 41 days (MLOps average: 89 days)", or
    "not filled yet: open 12 days" for a role without a hire (open days rounded down), or
    "closed without a hire after 12 days open" for one closed so."""
    median = numbers.median_time_to_fill
    if median is None and numbers.closed:
        # "Not filled yet: open 0 days" read as if it still were, and just opened.
        text = f"closed without a hire after {days(int(numbers.open_days))} open"
    elif median is None:
        text = f"not filled yet: open {days(int(numbers.open_days))}"
    else:
        text = f"time to fill {days(median)}"
    if numbers.benchmark_days is not None:
        text += f" (MLOps average: {days(numbers.benchmark_days)})"
    return text
