"""The weekly picture of a role, Slack-free: the numbers, when it is due, and its chart."""

from __future__ import annotations

import io
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.domain.hiring_numbers import (
    HiringNumbers,
    TrendPoint,
    fill_trend,
    hired_at,
    loop_spans,
)
from bot.domain.stages import OPEN_STAGES, Stage
from bot.domain.zones import zone
from bot.readmodels.pipelines import numbers_of, stage_durations
from bot.store.tables import Candidate, Role, StageEvent

WEEK = timedelta(days=7)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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
    numbers: HiringNumbers | None = None  # time to fill and the rest, as of week_end
    trend: list[TrendPoint] = field(default_factory=list)  # time to fill, last 12 weeks

    @property
    def week(self) -> date:
        return self.week_end.date()


def loops_completed(
    spans: Sequence[tuple[datetime, datetime]],
    *,
    start: datetime,
    end: datetime,
    limit: timedelta,
) -> tuple[int, int]:
    """Loops that ended in [start, end): (inside the limit, all), of the role's loops
    (hiring_numbers.loop_spans, as its "loops inside N days" counts them)."""
    ended = [(began, done) for began, done in spans if start <= done < end]
    return sum(done - began <= limit for began, done in ended), len(ended)


def weekly(
    role: Role,
    candidates: Sequence[Candidate],
    events: Sequence[StageEvent],
    *,
    week_end: datetime,
    everyone: Sequence[Candidate] = (),
    offer_statuses: Sequence[str] = (),
    first_scorecards: Mapping[int, datetime] | None = None,
    decline_reasons: Sequence[str | None] = (),
) -> Weekly:
    """The week's numbers: `candidates` are the open ones (the counts), `everyone` all
    the role ever had (the hiring numbers; none given: the open ones)."""
    counts = {s: 0 for s in OPEN_STAGES}
    for candidate in candidates:
        stage = Stage(candidate.stage)
        if stage in counts:
            counts[stage] += 1
    limit = timedelta(days=role.loop_days)
    loops = loop_spans(
        everyone or candidates, events, now=week_end, first_scorecards=first_scorecards
    )
    spans = stage_durations([e for e in events if e.at < week_end], week_end)
    return Weekly(
        role,
        week_end,
        counts,
        loops_completed(loops, start=week_end - WEEK, end=week_end, limit=limit),
        loops_completed(loops, start=week_end - 2 * WEEK, end=week_end - WEEK, limit=limit),
        {s: statistics.median(v) for s, v in spans.items() if v and not s.is_closed},
        numbers_of(
            role,
            everyone or candidates,
            events,
            offer_statuses,
            week_end,
            first_scorecards,
            decline_reasons,
        ),
        fill_trend(
            role.created_at,
            hired_at(e for e in events if e.at <= week_end).values(),
            now=week_end,
            closed_at=role.closed_at,
        ),
    )


def targets(role: Role) -> dict[Stage, float]:
    """Each open stage's target in days, from the role's clocks: the idle limit for
    sourced and screening, the loop for interviewing, the decision and offer windows."""
    idle = role.idle_hours / 24
    return {
        Stage.SOURCED: idle,
        Stage.SCREENING: idle,
        Stage.INTERVIEWING: float(role.loop_days),
        Stage.DECISION: role.decision_hours / 24,
        Stage.OFFER: role.offer_hours / 24,
    }


def clip_title(title: str, limit: int = 70) -> str:
    """A role title short enough for the chart's heading (titles go to 150 characters),
    with `$` escaped: matplotlib would read "$120k-$150k" as mathematics."""
    short = title if len(title) <= limit else title[: limit - 1] + "…"
    return short.replace("$", r"\$")


BLUE, GREEN, LATE, GREY, INK = "#2c7be5", "#00a37a", "#e8590c", "#868e96", "#212529"


def chart_png(numbers: Weekly) -> bytes:
    """What is late at a glance: candidates per stage; median days per stage against
    each stage's target (a mark; bars past it in the warning colour, values on the
    bars); and time to fill over the last 12 weeks. A PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no screen on a server
    from matplotlib import pyplot
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    stages = list(OPEN_STAGES)
    labels = [s.label for s in stages]
    goal = targets(numbers.role)
    figure = pyplot.figure(figsize=(10, 6.6), dpi=100)
    grid = figure.add_gridspec(2, 2, height_ratios=(1, 1), hspace=0.55, wspace=0.35)
    funnel = figure.add_subplot(grid[0, 0])
    days = figure.add_subplot(grid[0, 1])
    trend = figure.add_subplot(grid[1, :])
    try:
        counts = [numbers.counts.get(s, 0) for s in stages]
        bars = funnel.barh(labels, counts, color=BLUE)
        funnel.bar_label(bars, padding=3, fontsize=9)
        funnel.invert_yaxis()
        funnel.set_title("Candidates per stage", fontsize=11)
        funnel.set_xlim(0, max(counts, default=0) * 1.15 + 1)
        funnel.xaxis.set_major_locator(MaxNLocator(integer=True))

        medians = [numbers.median_days.get(s, 0.0) for s in stages]
        colours = [LATE if m > goal[s] else GREEN for s, m in zip(stages, medians, strict=True)]
        bars = days.barh(labels, medians, color=colours)
        for y, stage in enumerate(stages):
            days.plot([goal[stage]] * 2, [y - 0.42, y + 0.42], color=INK, linewidth=2)
            # The value sits past both the bar and the mark, so neither hides it.
            days.annotate(
                f"{medians[y]:.1f}" if stage in numbers.median_days else "no data",
                (max(medians[y], goal[stage]), y),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        days.invert_yaxis()
        days.set_xlim(0, max([*medians, *goal.values()]) * 1.3)
        days.set_title("Median days in stage vs target", fontsize=11)
        days.legend(
            handles=[
                Line2D([], [], color=INK, linewidth=2, label="target"),
                Patch(color=GREEN, label="on time"),
                Patch(color=LATE, label="past target"),
            ],
            fontsize=8,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.14),  # under the axis, clear of every bar
            ncol=3,
            frameon=False,
        )

        _trend_panel(trend, numbers)
        title = clip_title(numbers.role.title)
        figure.suptitle(f"{title}, week to {numbers.week:%d %b %Y}", fontsize=13)
        figure.subplots_adjust(left=0.11, right=0.97, top=0.88, bottom=0.1)
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
    finally:
        pyplot.close(figure)


def _trend_panel(axes: Any, numbers: Weekly) -> None:
    """Time to fill per week: the median of the hires made by then (solid), or the days
    the role had been open while it had no hire (dashed), and the MLOps benchmark."""
    points = [p for p in numbers.trend if p.days is not None]
    axes.set_title(f"Time to fill, last {len(numbers.trend)} weeks (days)", fontsize=11)
    if not points:
        axes.text(0.5, 0.5, "no weeks yet", ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
        axes.set_yticks([])
        return
    xs = [p.week_end.date() for p in points]
    ys = [p.days or 0.0 for p in points]
    axes.plot(xs, ys, color=GREY, linewidth=1, linestyle="--", zorder=1)
    filled = [(x, y) for x, y, p in zip(xs, ys, points, strict=True) if p.filled]
    waiting = [(x, y) for x, y, p in zip(xs, ys, points, strict=True) if not p.filled]
    if filled:
        axes.plot(*zip(*filled, strict=True), "o-", color=BLUE, label="median time to fill")
    if waiting:
        axes.plot(
            *zip(*waiting, strict=True),
            "o",
            color=GREY,
            markerfacecolor="white",
            label="not filled yet: days open",
        )
    for x, y in zip(xs, ys, strict=True):
        axes.annotate(
            f"{y:.0f}", (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8
        )
    top = max(ys)
    if numbers.numbers is not None and numbers.numbers.benchmark_days is not None:
        benchmark = numbers.numbers.benchmark_days
        axes.axhline(
            benchmark,
            color=LATE,
            linewidth=1,
            linestyle=":",
            label=f"MLOps average ({benchmark} days)",
        )
        top = max(top, benchmark)
    axes.set_ylim(0, top * 1.2 + 1)
    opened = numbers.role.created_at.date()
    if opened > numbers.trend[0].week_end.date():
        axes.axvline(opened, color=GREY, linewidth=1)
        axes.annotate(
            "role opened",
            (opened, 0.96),
            xycoords=("data", "axes fraction"),
            xytext=(-4, 0),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=8,
            color=GREY,
        )
    # Every week of the span gets a tick, so weeks before the role opened show as empty.
    weeks = [p.week_end.date() for p in numbers.trend]
    axes.set_xlim(weeks[0] - timedelta(days=3), weeks[-1] + timedelta(days=3))
    axes.set_xticks(weeks)
    axes.set_xticklabels([f"{w.day} {w:%b}" for w in weeks], fontsize=8)
    axes.legend(fontsize=8, loc="best", framealpha=0.9)
