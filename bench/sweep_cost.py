"""What one clock sweep costs as the store grows, with the same work due each time.

One store per backend grows from 1,000 to 100,000 candidates; the due work is fixed
(50 candidates and 20 interview seats in ten roles, a day past their deadlines), so
the figures should stay flat: finding what is due is meant to be an index range.
Before each sweep the due rows are made due again and the alerts the last sweep
recorded are removed, so every sweep does the same work. The sweeper is the one
`loopkeeper serve` builds (bot.slack.app.make_sweeper), sending to the Slack stand-in, with
no pause between messages (SWEEP_PACE_SECONDS=0): pacing is a fixed wait per message,
not a cost. This week's weekly reports are recorded as sent (bench.sweep_cost.
mark_reports_sent), so the sweeps timed are the ordinary ones, every minute of a week.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, update
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bench.common import (
    BOT_TOKEN,
    PG_ADMIN_URL,
    SIGNING_SECRET,
    fresh_pg_database,
    median,
    pg_version,
)
from bench.seed import Due, Seeder
from bot import store
from bot.domain.zones import zone
from bot.readmodels.weekly import report_moment
from bot.runtime import migrate
from bot.runtime.settings import Settings
from bot.scheduling.delivery import CLAIM_FOR, SEND_BATCH
from bot.scheduling.planning import PLAN_BATCH
from bot.scheduling.report import Report
from bot.scheduling.sweeper import Sweeper
from bot.slack.app import make_sweeper
from bot.slack.deps import Deps
from bot.store.engine import Database
from bot.store.tables import Alert, Candidate, Role, Seat, WeeklyReport

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
REPEATS = 5  # timed sweeps per figure at most
BUDGET_SECONDS = 20.0  # past two timed sweeps, no more once they took this long together
QUICK_REPEATS = 2
DUE_CANDIDATES = 50
DUE_SEATS = 20
# A Tuesday, 10:00 UTC: working hours for the stand-in's users (UTC), so nothing is held.
SWEEP_NOW = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
# Extra rows at 10,000 candidates: the same 50 due, but their breach started long ago
# (a candidate nobody moved, or a sweep back after downtime).
LATE_DAYS = (7, 90)
# What is timed: the planning phase alone; the whole sweep as `serve` runs it; and the
# whole sweep with WEEKLY_REPORT=off, to tell the weekly reports' share apart.
PHASES = ("plan", "run", "run, reports off")
INDEXES = {
    "due candidates": "ix_candidate_next_alert_at",
    "due seats": "ix_interview_seat_next_alert_at",
    "ready alerts (claim)": "ix_alert_ready",
    "ready alerts (dry run)": "ix_alert_ready",
}


@dataclass
class SweepRow:
    backend: str
    candidates: int
    late_days: int
    # Milliseconds per timed sweep, by phase: "plan", "run" and "run, reports off".
    ms: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PHASES})
    planned: int = 0
    sent: int = 0
    recipients: int = 0
    error: str = ""


@dataclass
class QueryPlan:
    backend: str
    name: str
    index: str
    lines: list[str]

    @property
    def uses_index(self) -> bool:
        return any(self.index in line for line in self.lines)


@dataclass
class SweepResults:
    rows: list[SweepRow]
    plans: list[QueryPlan]
    notes: list[str]
    pg_version: str | None
    sizes: tuple[int, ...]


# Keeping the due work the same ----------------------------------------------------------------


async def make_due_again(db: Database, due: Due) -> None:
    async with db.transaction() as session:
        await session.exec(
            delete(Alert).where(
                col(Alert.candidate_id).in_(due.candidate_ids),
                col(Alert.key).not_like("seed%"),  # the seeded history stays
            )
        )
        await session.exec(
            update(Candidate)
            .where(col(Candidate.id).in_(due.candidate_ids))
            .values(next_alert_at=due.at)
        )
        await session.exec(
            update(Seat)
            .where(col(Seat.interview_id).in_(due.interview_ids))
            .values(next_alert_at=due.at)
        )


async def shift_entered(db: Database, due: Due, by: timedelta) -> None:
    """Move the due candidates' stage entry back by `by`: their breach is older."""
    async with db.transaction() as session:
        for candidate in await _due_candidates(session, due):
            candidate.stage_entered_at -= by
            session.add(candidate)


async def _due_candidates(session: store.AsyncSession, due: Due) -> list[Candidate]:
    result = await session.exec(select(Candidate).where(col(Candidate.id).in_(due.candidate_ids)))
    return list(result.all())


# Timing -----------------------------------------------------------------------------------------


async def time_sweeps(
    db: Database, sweepers: Sweepers, due: Due, row: SweepRow, repeats: int, *, warm_up: bool
) -> SweepRow:
    """Each phase on the same due work, made due again before each. A first untimed
    round warms caches (the sweeper's time zones, compiled statements), as in a running
    `serve`. At least two timed rounds; more, up to `repeats`, while they take under
    BUDGET_SECONDS together."""
    gc.collect()  # the seeding's garbage is not the sweep's
    phases: dict[str, Callable[[], Awaitable[Report]]] = {
        "plan": lambda: _plan_only(sweepers.default),
        "run": lambda: sweepers.default.run(SWEEP_NOW),
        "run, reports off": lambda: sweepers.reports_off.run(SWEEP_NOW),
    }
    spent = 0.0
    try:
        for round_ in range(repeats + int(warm_up)):
            for phase, sweep in phases.items():
                await make_due_again(db, due)
                started = time.perf_counter()
                report = await sweep()
                elapsed = time.perf_counter() - started
                if phase == "run":
                    _count(row, report)
                if not (warm_up and round_ == 0):
                    row.ms[phase].append(elapsed * 1000)
                    spent += elapsed
            if len(row.ms["run"]) >= 2 and spent > BUDGET_SECONDS:
                break
    except Exception as error:  # a figure that cannot be had is reported, not hidden
        row.error = f"{error.__class__.__name__}: {str(error).splitlines()[0][:160]}"
    return row


async def _plan_only(sweeper: Sweeper) -> Report:
    report = Report()
    await sweeper.plan(SWEEP_NOW, report)
    return report


def _count(row: SweepRow, report: Report) -> None:
    alerts = [(who, kind) for who, kind, _ in report.sent if kind != "weekly_report"]
    row.planned = report.planned
    row.sent = len(alerts)
    row.recipients = len({who for who, _ in alerts})
    if report.failed or report.postponed:
        row.error = f"{len(report.failed)} failed, {report.postponed} held"


async def mark_reports_sent(db: Database, sweeper: Sweeper) -> None:
    """This week's weekly reports went out already (on Monday), as in a store in use:
    the sweeps measured are the ordinary ones of the week, not the one that posts a
    report and chart to every role's channel."""
    if sweeper.reports is None:
        return
    tz = sweeper.reports.tz or "UTC"  # the stand-in's users live in UTC
    moment = report_moment(
        SWEEP_NOW, weekday=sweeper.reports.weekday, at=sweeper.reports.at, tz_name=tz
    )
    week = moment.astimezone(zone(tz)).date().isoformat()
    async with db.transaction() as session:
        role_ids = (await session.exec(select(Role.id))).all()
        session.add_all(
            WeeklyReport(role_id=r, week=week, status="sent", sent_at=moment, created_at=moment)
            for r in role_ids
            if r is not None  # a primary key read back is never None; this narrows the type
        )


# Query plans ----------------------------------------------------------------------------------


async def query_plans(db: Database, backend: str) -> list[QueryPlan]:
    """EXPLAIN the statements the sweep's store functions really send, captured from
    the driver, with their parameters; nothing is kept (the transaction rolls back)."""
    calls: dict[str, Callable[[store.AsyncSession], Awaitable[Any]]] = {
        "due candidates": lambda s: store.alerts.due_candidates(s, now=SWEEP_NOW, limit=PLAN_BATCH),
        "due seats": lambda s: store.alerts.due_seats(s, now=SWEEP_NOW, limit=PLAN_BATCH),
        "ready alerts (claim)": lambda s: store.alerts.claim_ready(
            s, now=SWEEP_NOW, until=SWEEP_NOW + CLAIM_FOR, limit=SEND_BATCH
        ),
        "ready alerts (dry run)": lambda s: store.alerts.ready_alerts(s, now=SWEEP_NOW),
    }
    explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
    plans = []
    for name, call in calls.items():
        sent: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            sent.append((statement, parameters))  # noqa: B023 (used before the loop moves on)

        async with db.reader() as session:
            event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
            try:
                await call(session)
            finally:
                event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
            statement, parameters = next(
                (s, p) for s, p in sent if s.lstrip().upper().startswith(("SELECT", "UPDATE"))
            )
            connection = await session.connection()
            result = await connection.exec_driver_sql(explain + statement, parameters)
            lines = _plan_lines(backend, [tuple(r) for r in result.all()])
            await session.rollback()
        plans.append(QueryPlan(backend, name, INDEXES[name], lines))
    return plans


def _plan_lines(backend: str, rows: list[tuple[Any, ...]]) -> list[str]:
    if backend != "sqlite":
        return [str(r[0]) for r in rows]
    # SQLite: (id, parent, notused, detail); indent each step under its parent.
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + str(detail))
    return lines


# One backend ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sweepers:
    default: Sweeper  # as `serve` builds it from the default settings
    reports_off: Sweeper  # the same with WEEKLY_REPORT=off


def sweeper_for(db: Database, api_url: str, **settings: Any) -> Sweeper:
    """The sweeper `serve` builds (bot.slack.app.make_sweeper), with no pause between messages."""
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        "database_url": db.url,
        "sweep_pace_seconds": 0,
        "_env_file": None,
        **settings,
    }
    return make_sweeper(Deps(settings=Settings(**values), db=db))


async def measure_backend(
    backend: str, url: str, api_url: str, sizes: tuple[int, ...], repeats: int
) -> tuple[list[SweepRow], list[QueryPlan]]:
    await asyncio.to_thread(migrate.upgrade, url)
    db = Database(url)
    rows: list[SweepRow] = []
    try:
        seeder = Seeder(db, now=SWEEP_NOW, roles=250, interviewers=1000, pending_share=0.3)
        await seeder.add_roles()
        due = await seeder.add_due(
            candidates=DUE_CANDIDATES, seats=DUE_SEATS, late=timedelta(days=1)
        )
        sweepers = Sweepers(sweeper_for(db, api_url), sweeper_for(db, api_url, weekly_report="off"))
        await mark_reports_sent(db, sweepers.default)
        for size in sizes:
            started = time.perf_counter()
            await seeder.add_candidates(size - seeder.candidates)
            await seeder.finish()
            seeder.pending.clear()  # the sweep store keeps no list of them in memory
            print(
                f"sweep: {backend}, {size:,} candidates "
                f"(seeded in {time.perf_counter() - started:.1f} s)…",
                flush=True,
            )
            row = SweepRow(backend, size, 1)
            first = size == sizes[0]
            rows.append(await time_sweeps(db, sweepers, due, row, repeats, warm_up=first))
            if size == 10_000:
                rows += await _late_rows(db, sweepers, due, backend, size, repeats)
        plans = await query_plans(db, backend)
    finally:
        await db.close()
    return rows, plans


async def _late_rows(
    db: Database, sweepers: Sweepers, due: Due, backend: str, size: int, repeats: int
) -> list[SweepRow]:
    rows = []
    shifted = timedelta()
    for days in LATE_DAYS:
        step = timedelta(days=days - 1) - shifted
        await shift_entered(db, due, step)
        shifted += step
        row = SweepRow(backend, size, days)
        rows.append(await time_sweeps(db, sweepers, due, row, repeats, warm_up=False))
    await shift_entered(db, due, -shifted)
    return rows


async def measure(
    workdir: Any,
    api_url: str,
    *,
    quick: bool,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
) -> SweepResults:
    sizes = QUICK_SIZES if quick else SIZES
    repeats = QUICK_REPEATS if quick else REPEATS
    rows: list[SweepRow] = []
    plans: list[QueryPlan] = []
    notes: list[str] = []
    if "sqlite" in backends:
        sqlite_rows, sqlite_plans = await measure_backend(
            "sqlite", f"sqlite:///{workdir / 'sweep.db'}", api_url, sizes, repeats
        )
        rows += sqlite_rows
        plans += sqlite_plans
    version = await pg_version()
    if "postgresql" in backends and version is None:
        notes.append(f"PostgreSQL skipped: nothing answered at {make_url(PG_ADMIN_URL)!r}.")
    elif "postgresql" in backends:
        async with fresh_pg_database("bench") as url:
            pg_rows, pg_plans = await measure_backend("postgresql", url, api_url, sizes, repeats)
            rows += pg_rows
            plans += pg_plans
    return SweepResults(rows, plans, notes, version, sizes)


def summary(row: SweepRow, phase: str) -> float:
    return median(row.ms[phase])
