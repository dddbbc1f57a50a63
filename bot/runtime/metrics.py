"""Prometheus metrics: what an on-call engineer watches. One registry per app, so
two apps in one process (tests, benchmarks) never share counters.

`loopkeeper serve --workers N` (N > 1) runs prometheus_client's multiprocess mode:
the parent sets PROMETHEUS_MULTIPROC_DIR before the workers start, each worker's
metrics then live in files there, and GET /metrics, whichever worker answers it,
adds up every worker's files (Metrics(multiprocess_dir=...))."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

# Slack's limit is 3 s; the buckets are dense where an ack should be.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
SWEEP_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self, *, multiprocess_dir: str | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "loopkeeper_slack_requests",
            "Requests from Slack, by surface and HTTP status.",
            ["surface", "status"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "loopkeeper_ack_seconds",
            "Time from receiving a Slack request to answering it, by surface.",
            ["surface"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.sweep_seconds = Histogram(
            "loopkeeper_sweep_seconds",
            "Duration of one clock sweep.",
            buckets=SWEEP_BUCKETS,
            registry=self.registry,
        )
        self.alerts = Counter(
            "loopkeeper_alerts",
            "Alerts by what happened to them: planned, sent, failed, retrying, held.",
            ["outcome"],
            registry=self.registry,
        )
        self.deliveries_waiting = Gauge(
            "loopkeeper_deliveries_waiting",
            "Alerts recorded and not yet sent (pending), at scrape time.",
            registry=self.registry,
            # Several workers: the value the worker answering the latest scrape read.
            multiprocess_mode="mostrecent",
        )
        self.background_tasks = Gauge(
            "loopkeeper_background_tasks",
            "Tasks still running after their request was answered (DMs, Home tabs).",
            registry=self.registry,
            # Several workers: the sum over the workers alive now.
            multiprocess_mode="livesum",
        )
        self.slack_unreachable = Counter(
            "loopkeeper_slack_unreachable",
            "Web API calls that could not reach Slack (refused, DNS, timeout), each "
            "attempt; any rise means people's answers and alerts are failing.",
            registry=self.registry,
        )
        self.database_errors = Counter(
            "loopkeeper_database_errors",
            "Database errors seen by request handlers and the sweep.",
            registry=self.registry,
        )

        self.database_fallback = Gauge(
            "loopkeeper_database_fallback",
            "1 while a worker sends work meant for an asyncpg pool of its own through "
            "SQLAlchemy's sessions, the server having refused that pool (a role, a setting, "
            "a DATABASE_URL option asyncpg does not take): slower, not broken.",
            ["path"],
            registry=self.registry,
            # Several workers: 1 if any live worker fell back.
            multiprocess_mode="livemax",
        )

    def exposition(self) -> bytes:
        """The text of GET /metrics: this app's registry, or every worker's figures."""
        if not self.multiprocess_dir:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=self.multiprocess_dir)
        return generate_latest(registry)

    def count_sweep(self, report: object) -> None:
        """Add one sweep's figures (a bot.scheduling.report.Report)."""
        self.alerts.labels("planned").inc(getattr(report, "planned", 0))
        self.alerts.labels("sent").inc(len(getattr(report, "sent", [])))
        self.alerts.labels("failed").inc(len(getattr(report, "failed", [])))
        self.alerts.labels("retrying").inc(getattr(report, "retrying", 0))
        self.alerts.labels("held").inc(getattr(report, "postponed", 0))
