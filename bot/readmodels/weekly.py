"""The weekly picture of a role, Slack-free: the numbers, when it is due, and its chart."""

from __future__ import annotations

import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.stages import OPEN_STAGES, Stage
from bot.domain.zones import zone
from bot.readmodels.pipelines import is_note, stage_durations
from bot.store.tables import Candidate, Role, StageEvent

WEEK = timedelta(days=7)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOP_ENDS = {Stage.DECISION.value, Stage.OFFER.value, Stage.HIRED.value}


def report_moment(now: datetime, *, weekday: int, at: time, tz_name: str | None) -> datetime:
    """The latest report time (e.g. Monday 09:00 where the team is) at or before `now`."""
    tz = zone(tz_name)
    local = now.astimezone(tz)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    moment = datetime.combine(day, at, tzinfo=tz)
    if moment > local:
        moment -= WEEK
    return moment.astimezone(now.tzinfo)


@dataclass(frozen=True)
class Weekly:
    role: Role
    week_end: datetime
    counts: dict[Stage, int]
    loops_this_week: tuple[int, int]  # (completed inside the loop limit, completed)
    loops_last_week: tuple[int, int]
    median_days: dict[Stage, float]

    @property
    def week(self) -> date:
        return self.week_end.date()


def loops_completed(
    events: Sequence[StageEvent], *, start: datetime, end: datetime, limit: timedelta
) -> tuple[int, int]:
    """Loops that ended in [start, end): (inside the limit, all). A loop ends when a
    candidate leaves interviewing for decision, offer or hired."""
    entered: dict[int, datetime] = {}
    inside = total = 0
    for event in sorted(events, key=lambda e: (e.at, e.id or 0)):
        if is_note(event):
            continue  # the deadline was set mid-loop: the loop did not restart
        if event.to_stage == Stage.INTERVIEWING.value:
            entered[event.candidate_id] = event.at
        elif (
            event.from_stage == Stage.INTERVIEWING.value
            and event.to_stage in LOOP_ENDS
            and event.candidate_id in entered
        ):
            began = entered.pop(event.candidate_id)
            if start <= event.at < end:
                total += 1
                inside += (event.at - began) <= limit
    return inside, total


def weekly(
    role: Role, candidates: Sequence[Candidate], events: Sequence[StageEvent], *, week_end: datetime
) -> Weekly:
    counts = {s: 0 for s in OPEN_STAGES}
    for candidate in candidates:
        stage = Stage(candidate.stage)
        if stage in counts:
            counts[stage] += 1
    limit = timedelta(days=role.loop_days)
    spans = stage_durations([e for e in events if e.at < week_end], week_end)
    return Weekly(
        role,
        week_end,
        counts,
        loops_completed(events, start=week_end - WEEK, end=week_end, limit=limit),
        loops_completed(events, start=week_end - 2 * WEEK, end=week_end - WEEK, limit=limit),
        {s: statistics.median(v) for s, v in spans.items() if v and not s.is_closed},
    )


def chart_png(numbers: Weekly) -> bytes:
    """A funnel of candidates per stage beside median days per stage, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no screen on a server
    from matplotlib import pyplot

    stages = [s for s in OPEN_STAGES]
    labels = [s.label for s in stages]
    figure, (funnel, days) = pyplot.subplots(1, 2, figsize=(9, 3.2), dpi=100)
    try:
        funnel.barh(labels, [numbers.counts.get(s, 0) for s in stages], color="#2c7be5")
        funnel.invert_yaxis()
        funnel.set_title("Candidates per stage")
        funnel.xaxis.get_major_locator().set_params(integer=True)
        days.barh(labels, [numbers.median_days.get(s, 0.0) for s in stages], color="#00a37a")
        days.invert_yaxis()
        days.set_title("Median days in stage")
        figure.suptitle(f"{numbers.role.title}, week to {numbers.week:%d %b %Y}")
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
    finally:
        pyplot.close(figure)
