"""One sweep: take the lock, plan what the clocks say is due, deliver it once, post the
weekly reports.

1. Lock (bot.scheduling.lock): one sweep at a time across processes; a process that
   cannot take the lock skips that sweep (Report.locked_out). Within one process an
   asyncio lock keeps the scheduler and a manual run apart.
2. Plan (bot.scheduling.planning), in one transaction: due clocks become alert rows.
3. Deliver (bot.scheduling.delivery): ready alerts are claimed, sent, and marked.
4. Weekly reports (bot.scheduling.weekly_reports), when WEEKLY_REPORT is not off.
5. Retention (bot.scheduling.retention), when RETENTION_DAYS is not 0: the notice a week
   ahead, then erasure of candidates closed longer than that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot import store
from bot.domain.days_off import first_day_ahead
from bot.runtime.logs import new_trace
from bot.runtime.metrics import Metrics
from bot.scheduling import delivery, planning, retention
from bot.scheduling.lock import sweep_lock
from bot.scheduling.messenger import Messenger
from bot.scheduling.report import Report
from bot.scheduling.weekly_reports import ReportSchedule, due_reports, post_weekly_reports
from bot.store import app_tabs, days_away
from bot.store.engine import Database

log = logging.getLogger(__name__)
# The last tab each person opened (bot/usecases/app_tabs.py) is forgotten after this;
# like someone never seen, they are then drawn fresh when they open Home again.
TABS_KEPT = timedelta(days=30)


class Sweeper:
    def __init__(
        self,
        db: Database,
        client: AsyncWebClient,
        *,
        pace_seconds: float = 0.0,
        tz_cache_seconds: float = 12 * 3600,
        reports: ReportSchedule | None = None,
        metrics: Metrics | None = None,
        retention_days: int = 0,
    ) -> None:
        self.db = db
        self.retention_days = retention_days
        self.pace_seconds = pace_seconds
        self.reports = reports
        self.metrics = metrics
        self._messenger = Messenger(client, tz_cache_seconds=tz_cache_seconds)
        self._lock = asyncio.Lock()

    @property
    def client(self) -> AsyncWebClient:
        return self._messenger.client

    async def run(self, now: datetime) -> Report:
        new_trace("sweep")
        started = time.perf_counter()
        report = await self._run(now)
        if self.metrics is not None and not report.locked_out:
            self.metrics.sweep_seconds.observe(time.perf_counter() - started)
            self.metrics.count_sweep(report)
        if report.sent or report.failed or report.retrying or report.postponed:
            # One line a sweep that did something (the last of report.lines: counts only);
            # an idle one says nothing, every minute.
            log.info("sweep: %s", report.lines()[-1])
        return report

    async def _run(self, now: datetime) -> Report:
        report = Report()
        async with self._lock, sweep_lock(self.db) as mine:
            if not mine:
                report.locked_out = True
                return report
            await self.plan(now, report)
            await self.deliver(now, report)
            if self.reports is not None:
                await self.weekly_reports(now, report)
            if self.retention_days:
                await retention.run(self.db, self._messenger, now, days=self.retention_days)
            async with self.db.transaction() as session:
                await store.receipts.forget_events(session, before=now - timedelta(days=1))
                await app_tabs.forget_tabs(session, before=now - TABS_KEPT)
                await days_away.forget_days_away(session, before=first_day_ahead(now))
        return report

    # Each step a method of its own, so a test can stand in for one of them.

    async def plan(self, now: datetime, report: Report) -> None:
        async with self.db.transaction() as session:
            await planning.plan(session, now, report)

    async def deliver(self, now: datetime, report: Report) -> None:
        await delivery.deliver(
            self.db, self._messenger, now, report, pace_seconds=self.pace_seconds
        )

    async def weekly_reports(self, now: datetime, report: Report) -> None:
        assert self.reports is not None
        await post_weekly_reports(self.db, self._messenger, self.reports, now, report)

    async def dry_run(self, now: datetime) -> list[str]:
        """The alerts a sweep at `now` would send, the weekly reports it would post, and
        the retention notices and erasures it would make, without sending or recording
        anything (Slack is asked for hiring managers' zones: a read)."""
        report = Report()
        async with self.db.transaction() as session:
            await planning.plan(session, now, report)
            ready = await store.alerts.ready_alerts(session, now=now)
            items = await delivery.alert_items(session, ready)
            lines = [
                f"would send {i.alert.kind} about candidate #{i.candidate.id} "
                f"to {i.alert.recipient_id}"
                # Delivery holds it when the recipient is outside working hours, which
                # only Slack's idea of their zone says: not asked in a dry run.
                + ("" if i.alert.breach else " (or held until their working hours)")
                for i in items
            ]
            await session.rollback()
        if self.reports is not None:
            lines += [
                f"would post role #{due.role.id}'s weekly report (week of {due.week}) "
                f"to {due.role.channel_id}"
                for due in await due_reports(self.db, self._messenger, self.reports, now)
            ]
        if self.retention_days:
            lines += await retention.dry_run(self.db, now, days=self.retention_days)
        return lines or ["Nothing is due."]

    async def wait_idle(self, *, seconds: float) -> None:
        """Let a sweep in progress finish (graceful shutdown), up to `seconds`."""
        try:
            await asyncio.wait_for(self._lock.acquire(), seconds)
        except TimeoutError:
            log.warning("shutting down with a sweep still running; its claims lapse in 5 min")
            return
        self._lock.release()
