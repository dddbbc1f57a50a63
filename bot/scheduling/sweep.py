"""The sweep: plan what the clocks say is due, record each alert, then deliver it once.

1. Plan (one transaction): candidates and seats whose `next_alert_at` has come
   (an indexed range, so the cost follows what is due, not the size of the store)
   are planned with bot.domain.clocks; each step becomes alert rows keyed by their
   identity, inserted once; offers past expiry are marked expired.
2. Deliver: pending alerts whose time has come are claimed (claimed_until),
   sent, and marked sent as soon as Slack accepts them. Interviewers get one DM
   per nudge; everyone else one digest per sweep.

Only one sweep runs at a time across processes (replicas, the workers of
`loopkeeper serve --workers N`, a `loopkeeper sweep` beside a server): on PostgreSQL
the whole sweep holds an advisory lock; on SQLite an exclusive flock on a lock file
beside the database file (`<database>.sweep-lock`). A process that cannot take the
lock skips that sweep (Report.locked_out). Within one process an asyncio lock keeps
the scheduler and a manual run apart; an in-memory SQLite database has only that.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import time as time_module
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from bot import store
from bot.domain import clocks
from bot.domain.access import Team
from bot.domain.clocks import Audience, Kind, Plan, Step
from bot.domain.scorecards import plan_stage, template_named
from bot.domain.stages import Stage
from bot.readmodels.weekly import WEEKDAYS, Weekly, chart_png, report_moment, weekly
from bot.runtime.logs import new_trace
from bot.runtime.metrics import Metrics
from bot.slack.blocks.alerts import AlertItem, digest_message, nudge_message
from bot.slack.blocks.interviews import zone as zone_of
from bot.slack.blocks.report import weekly_message
from bot.slack.notify import UNREACHABLE, profile
from bot.store.engine import Database, sqlite_file
from bot.store.tables import Alert, Candidate, Role, StageEvent

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=5)  # a crashed sender's claim lapses after this
PLAN_BATCH = 500
SEND_BATCH = 500
MAX_ATTEMPTS = 6
ADVISORY_LOCK = 0x100BCEE9  # "loopkeeper sweep"
# Slack's answers that will not change if we ask again.
PERMANENT = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "not_authed",
        "invalid_auth",
        "token_revoked",
        "missing_scope",
    }
)


@dataclass(frozen=True)
class ReportSchedule:
    """When weekly reports go out: a weekday (0 is Monday) and a time, in a fixed zone
    or (tz None) in each role's hiring manager's zone."""

    weekday: int
    at: time
    tz: str | None = None


def report_schedule(setting: str, tz: str) -> ReportSchedule | None:
    if setting == "off":
        return None
    day, clock_time = setting.split()
    hours, minutes = clock_time.split(":")
    return ReportSchedule(WEEKDAYS.index(day), time(int(hours), int(minutes)), tz or None)


@dataclass
class Report:
    planned: int = 0
    skipped: int = 0
    # recipient, kind, "candidate #id": ids only, as the sweep's output goes to operators
    # who need not be on the hiring team.
    sent: list[tuple[str, str, str]] = field(default_factory=list)
    postponed: int = 0
    retrying: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # recipient, kind, error
    locked_out: bool = False  # another replica was sweeping

    def lines(self) -> list[str]:
        if self.locked_out:
            return ["Another Loopkeeper process is sweeping; nothing to do here."]
        out = [f"sent {kind} about {name} to {who}" for who, kind, name in self.sent]
        out += [f"FAILED {kind} to {who}: {error}" for who, kind, error in self.failed]
        out.append(
            f"{len(self.sent)} sent, {self.postponed} held for working hours, "
            f"{self.retrying} to retry, {len(self.failed)} failed, {self.skipped} superseded."
        )
        return out


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
    ) -> None:
        self.db = db
        self.client = client
        self.pace_seconds = pace_seconds
        self.reports = reports
        self.metrics = metrics
        self._lock = asyncio.Lock()
        self._tz: dict[str, tuple[datetime, str | None]] = {}
        self._tz_ttl = timedelta(seconds=tz_cache_seconds)

    async def wait_idle(self, *, seconds: float) -> None:
        """Let a sweep in progress finish (graceful shutdown), up to `seconds`."""
        try:
            await asyncio.wait_for(self._lock.acquire(), seconds)
        except TimeoutError:
            log.warning("shutting down with a sweep still running; its claims lapse in 5 min")
            return
        self._lock.release()

    async def run(self, now: datetime) -> Report:
        new_trace("sweep")
        started = time_module.perf_counter()
        report = await self._run(now)
        if self.metrics is not None and not report.locked_out:
            self.metrics.sweep_seconds.observe(time_module.perf_counter() - started)
            self.metrics.count_sweep(report)
        return report

    async def _run(self, now: datetime) -> Report:
        report = Report()
        async with self._lock, self._replica_lock() as mine:
            if not mine:
                report.locked_out = True
                return report
            await self.plan(now, report)
            await self.deliver(now, report)
            if self.reports is not None:
                await self.weekly_reports(now, report)
            async with self.db.transaction() as session:
                await store.receipts.forget_events(session, before=now - timedelta(days=1))
        return report

    async def dry_run(self, now: datetime) -> list[str]:
        """What a sweep at `now` would send, without sending or recording anything."""
        report = Report()
        async with self.db.transaction() as session:
            await self._plan_in(session, now, report)
            ready = await store.alerts.ready_alerts(session, now=now)
            items = await self._items(session, ready)
            lines = [
                f"would send {i.alert.kind} about candidate #{i.candidate.id} "
                f"to {i.alert.recipient_id}"
                + ("" if i.alert.breach else " (in their working hours)")
                for i in items
            ]
            await session.rollback()
        return lines or ["Nothing is due."]

    @asynccontextmanager
    async def _replica_lock(self) -> AsyncIterator[bool]:
        """True when no other process is sweeping this database (see the module's doc)."""
        if self.db.engine.dialect.name != "postgresql":
            path = sweep_lock_path(self.db.engine.url)
            if path is None:  # in memory: one process is all there can be
                yield True
                return
            with _file_lock(path) as got:
                yield got
            return
        async with self.db.engine.connect() as connection:
            got = (
                await connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK}
                )
            ).scalar_one()
            await connection.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    await _unlock(connection)

    # Planning ----------------------------------------------------------------------------------

    async def plan(self, now: datetime, report: Report) -> None:
        async with self.db.transaction() as session:
            await self._plan_in(session, now, report)

    async def _plan_in(self, session: store.AsyncSession, now: datetime, report: Report) -> None:
        rows: list[dict[str, Any]] = []
        due = await store.alerts.due_candidates(session, now=now, limit=PLAN_BATCH)
        pauses = await store.alerts.pauses_of(
            session, candidate_ids=[c.id for c, _, _ in due if c.id]
        )
        teams = _Teams()
        for candidate, role, offer in due:
            assert candidate.id is not None
            facts = clocks.candidate_facts(
                Stage(candidate.stage),
                candidate.stage_entered_at,
                candidate.feedback_complete_at,
                offer.expires_at if offer is not None else None,
                pauses.get(candidate.id, []),
                candidate_deadline=candidate.deadline_at,
            )
            next_at: datetime | None = None
            for chain in clocks.plan_candidate(facts, clocks.of_role(role), now):
                team = await teams.get(session, role)
                rows += self._rows(chain, candidate, role, team, None, now, report)
                if chain.send and chain.send.kind == Kind.OFFER_EXPIRED and offer is not None:
                    offer.status = "expired"
                    session.add(
                        StageEvent(
                            candidate_id=candidate.id,
                            at=now,
                            actor_id="loopkeeper",
                            from_stage=Stage.OFFER.value,
                            to_stage=Stage.OFFER.value,
                            detail="offer expired",
                        )
                    )
                next_at = _earliest(next_at, chain.next_at)
            await store.alerts.set_candidate_next(session, candidate_id=candidate.id, at=next_at)

        seats = await store.alerts.due_seats(session, now=now, limit=PLAN_BATCH)
        seat_pauses = await store.alerts.pauses_of(
            session, candidate_ids=[c.id for _, _, c, _, _ in seats if c.id]
        )
        for seat, interview, candidate, role, submitted in seats:
            assert candidate.id is not None and interview.id is not None
            subject = f"{interview.id}:{seat.interviewer_id}"
            paused, snoozed = clocks.pauses_since(
                seat_pauses.get(candidate.id, []), since=interview.created_at, subject=subject
            )
            seat_facts = clocks.SeatFacts(
                interview.id,
                seat.interviewer_id,
                interview.ends_at,
                seat.feedback_due_at,
                submitted,
                Stage(candidate.stage),
                paused.get("feedback", timedelta()),
                snoozed.get("feedback"),
                due_limit=clocks.scorecard_limit(
                    candidate.deadline_at, clocks.of_role(role), interview.ends_at
                ),
            )
            chain = clocks.plan_seat(seat_facts, now)
            team = await teams.get(session, role)
            rows += self._rows(
                chain, candidate, role, team, seat.interviewer_id, now, report, interview.id
            )
            await store.alerts.set_seat_next(
                session,
                interview_id=interview.id,
                interviewer_id=seat.interviewer_id,
                at=chain.next_at,
            )
        rows += await self._plan_takehomes(session, now, report, teams)
        await store.alerts.record_alerts(session, rows)

    async def _plan_takehomes(
        self, session: store.AsyncSession, now: datetime, report: Report, teams: _Teams
    ) -> list[dict[str, Any]]:
        """Take-home windows: an unanswered one past its due time alerts the recruiters once."""
        rows: list[dict[str, Any]] = []
        due = await store.takehomes.due_takehomes(session, now=now, limit=PLAN_BATCH)
        for takehome, candidate, role in due:
            assert takehome.id is not None
            facts = clocks.TakehomeFacts(
                takehome.id, takehome.due_at, takehome.status != "sent", Stage(candidate.stage)
            )
            chain = clocks.plan_takehome(facts, now)
            team = await teams.get(session, role)
            rows += self._rows(chain, candidate, role, team, None, now, report)
            await store.takehomes.set_takehome_next(
                session, takehome_id=takehome.id, at=chain.next_at
            )
        return rows

    def _rows(
        self,
        chain: Plan,
        candidate: Candidate,
        role: Role,
        team: Team,
        interviewer: str | None,
        now: datetime,
        report: Report,
        interview_id: int | None = None,
    ) -> list[dict[str, Any]]:
        rows = []
        steps: list[tuple[Step, str]] = []
        if chain.send is not None:
            steps.append((chain.send, "pending"))
            report.planned += 1
        # Superseded steps are not stored (after 90 days of downtime a daily breach has
        # 90); only one still pending from an earlier sweep is marked skipped.
        steps += [(s, "skipped") for s in chain.skipped]
        report.skipped += len(chain.skipped)
        for step, status in steps:
            for recipient in _recipients(step.audience, role, team, interviewer):
                rows.append(
                    {
                        "key": f"{step.key(candidate.id or 0)}:{recipient}",
                        "candidate_id": candidate.id,
                        "interview_id": interview_id,
                        "kind": step.kind.value,
                        "subject": step.subject,
                        "recipient_id": recipient,
                        "deadline": step.deadline,
                        "due_at": step.due_at,
                        "breach": step.breach or step.urgent,
                        "status": status,
                        "deliver_after": now,
                        "attempts": 0,
                        "claim": "",
                        "error": "",
                        "created_at": now,
                    }
                )
        return rows

    # Weekly reports ------------------------------------------------------------------------------

    async def weekly_reports(self, now: datetime, report: Report) -> None:
        """Each role's private channel gets its report once a week, at the set time in
        its team's zone; a report missed while the bot was down goes on the next sweep."""
        assert self.reports is not None
        async with self.db.reader() as session:
            roles = await store.reports.all_roles(session)
            done = await store.reports.finished_reports(session, now=now)
        for role in roles:
            assert role.id is not None
            tz = self.reports.tz or await self._tz_of(role.hiring_manager_id, now)
            moment = report_moment(
                now, weekday=self.reports.weekday, at=self.reports.at, tz_name=tz
            )
            week = moment.astimezone(zone_of(tz)).date().isoformat()
            if role.created_at > moment or (role.id, week) in done:
                continue  # nothing to report yet, or sent already: no query at all
            async with self.db.transaction() as session:
                claimed = await store.reports.claim_weekly_report(
                    session, role_id=role.id, week=week, now=now
                )
                status = claimed.status if claimed else None
                if status is None:
                    continue
                candidates = await store.pipelines.open_candidates_of(session, role_id=role.id)
                events = await store.pipelines.events_of_role(session, role_id=role.id)
            numbers = weekly(role, candidates, events, week_end=moment)
            outcome = await self._send_report(role, numbers, posted=status == "posted")
            async with self.db.transaction() as session:
                row = await store.reports.weekly_report(session, role_id=role.id, week=week)
                assert row is not None
                if outcome is None:
                    row.status, row.sent_at = "sent", now
                    report.sent.append((role.channel_id, "weekly_report", f"role #{role.id}"))
                elif outcome[0] == "posted":
                    row.status = "posted"  # the chart goes again next sweep, not the text
                    report.retrying += 1
                elif outcome[1] in PERMANENT:
                    row.status, row.error = "failed", outcome[1][:500]
                    report.failed.append((role.channel_id, "weekly_report", outcome[1]))
                else:
                    report.retrying += 1  # stays pending: the next sweep tries again

    async def _send_report(
        self, role: Role, numbers: Weekly, *, posted: bool
    ) -> tuple[str, str] | None:
        if not posted:
            text_, blocks = weekly_message(numbers)
            failed = await self._send(role.channel_id, text_, blocks)
            if failed is not None:
                return ("error", str(failed[1]))
        png = await asyncio.to_thread(chart_png, numbers)  # matplotlib is CPU work
        try:
            await self.client.files_upload_v2(
                channel=role.channel_id,
                file=png,
                filename=f"loopkeeper-weekly-{numbers.week}.png",
                title=f"{role.title}: candidates and days per stage",
            )
        except SlackApiError as error:
            return ("posted", str(error.response.get("error")))
        except UNREACHABLE as error:
            return ("posted", error.__class__.__name__)
        return None

    # Delivering ---------------------------------------------------------------------------------

    async def deliver(self, now: datetime, report: Report) -> None:
        async with self.db.transaction() as session:
            claimed = await store.alerts.claim_ready(
                session, now=now, until=now + CLAIM_FOR, limit=SEND_BATCH
            )
        if not claimed:
            return
        async with self.db.reader() as session:
            items = await self._items(session, claimed)
        ready = await self._hold_for_working_hours(items, now, report)
        messages = _messages(ready, now)
        shown = {i.alert.id for _, group, _ in messages for i in group}
        unshown = [i.alert.id for i in ready if i.alert.id not in shown and i.alert.id]
        if unshown:  # past a digest's length: the next sweep sends them
            async with self.db.transaction() as session:
                await store.alerts.mark(session, alert_ids=unshown, claimed_until=None)
        for position, (recipient, group, (text_, blocks)) in enumerate(messages):
            outcome = await self._send(recipient, text_, blocks)
            ids = [i.alert.id for i in group if i.alert.id]
            async with self.db.transaction() as session:
                if outcome is None:
                    await store.alerts.mark(
                        session, alert_ids=ids, status="sent", sent_at=now, claimed_until=None
                    )
                    report.sent += [
                        (recipient, i.alert.kind, f"candidate #{i.candidate.id}") for i in group
                    ]
                elif outcome[0] == "ratelimited":
                    # Slack asked us to wait: this and the rest go in a later sweep.
                    later = now + timedelta(seconds=outcome[1])
                    rest = [i.alert.id for _, g, _ in messages[position:] for i in g if i.alert.id]
                    await store.alerts.mark(
                        session, alert_ids=rest, deliver_after=later, claimed_until=None
                    )
                    report.retrying += len(rest)
                    return
                else:
                    await self._failed(session, group, outcome[1], now, report)
            if self.pace_seconds:
                await asyncio.sleep(
                    self.pace_seconds
                )  # chat.postMessage: ~1 message a second a channel

    async def _failed(
        self,
        session: store.AsyncSession,
        group: Sequence[AlertItem],
        error: str,
        now: datetime,
        report: Report,
    ) -> None:
        for item in group:
            alert = item.alert
            attempts = alert.attempts + 1
            if error in PERMANENT or attempts >= MAX_ATTEMPTS:
                await store.alerts.mark(
                    session,
                    alert_ids=[alert.id or 0],
                    status="failed",
                    attempts=attempts,
                    error=error[:500],
                    claimed_until=None,
                )
                report.failed.append((alert.recipient_id, alert.kind, error))
                log.warning(
                    "alert %s to %s failed for good: %s", alert.id, alert.recipient_id, error
                )
            else:
                backoff = timedelta(minutes=2 ** (attempts - 1))  # 1, 2, 4, 8, 16 minutes
                await store.alerts.mark(
                    session,
                    alert_ids=[alert.id or 0],
                    attempts=attempts,
                    error=error[:500],
                    deliver_after=now + backoff,
                    claimed_until=None,
                )
                report.retrying += 1

    async def _send(self, channel: str, text_: str, blocks: list[dict]) -> tuple[str, Any] | None:
        """None when Slack took it; ("ratelimited", seconds) or ("error", reason) otherwise."""
        try:
            await self.client.chat_postMessage(channel=channel, text=text_, blocks=blocks)
        except SlackApiError as error:
            if error.response.status_code == 429:
                retry_after = int(error.response.headers.get("Retry-After", "30") or 30)
                return ("ratelimited", max(retry_after, 1))
            return (
                "error",
                str(error.response.get("error") or f"http {error.response.status_code}"),
            )
        except UNREACHABLE as error:  # refused, reset or timed out: retried with back-off
            return ("error", f"{error.__class__.__name__}: {error}")
        return None

    async def _hold_for_working_hours(
        self, items: list[AlertItem], now: datetime, report: Report
    ) -> list[AlertItem]:
        ready: list[AlertItem] = []
        held: dict[datetime, list[int]] = defaultdict(list)
        for item in items:
            if item.alert.breach:
                ready.append(item)
                continue
            moment = clocks.working_moment(now, await self._tz_of(item.alert.recipient_id, now))
            if moment <= now:
                ready.append(item)
            else:
                held[moment].append(item.alert.id or 0)
        if held:
            async with self.db.transaction() as session:
                for moment, ids in held.items():
                    await store.alerts.mark(
                        session, alert_ids=ids, deliver_after=moment, claimed_until=None
                    )
            report.postponed += sum(len(ids) for ids in held.values())
        return ready

    async def _tz_of(self, user_id: str, now: datetime) -> str | None:
        cached = self._tz.get(user_id)
        if cached and now - cached[0] < self._tz_ttl:
            return cached[1]
        tz = (await profile(self.client, user_id)).get("tz")
        tz = tz if isinstance(tz, str) else None
        self._tz[user_id] = (now, tz)
        return tz

    async def _items(self, session: store.AsyncSession, alerts: Sequence[Alert]) -> list[AlertItem]:
        items = []
        for alert in alerts:
            candidate = await store.get_candidate(session, candidate_id=alert.candidate_id)
            found = (
                await store.role_with_team(session, role_id=candidate.role_id)
                if candidate
                else None
            )
            if candidate is None or found is None:
                continue
            interview = (
                await store.get_interview(session, interview_id=alert.interview_id)
                if alert.interview_id
                else None
            )
            stage_name = ""
            if interview is not None:
                stage = plan_stage(template_named(found.role.template), interview.plan_stage)
                stage_name = stage.name if stage else interview.plan_stage
            items.append(AlertItem(alert, candidate, found.role, interview, stage_name))
        return items


def sweep_lock_path(url: URL) -> Path | None:
    """The sweep's lock file beside a SQLite database file; None for an in-memory one."""
    path = sqlite_file(url)
    return path.with_name(f"{path.name}.sweep-lock") if path else None


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    """An exclusive flock, without waiting: True if this open file holds it. flock locks
    belong to the open file, so the kernel releases this one when it is closed or the
    process dies; the file itself stays (removing it could split the lock in two)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            got = False
        else:
            got = True
        yield got
    finally:
        os.close(fd)  # releases the lock


async def _unlock(connection: Any) -> None:
    try:
        await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK})
        await connection.commit()
    except DBAPIError:
        # The connection died (a database restart): the lock died with it. The claims
        # on each alert, not this lock, are what keep a message from going twice.
        log.warning("the sweep's advisory lock connection was lost; nothing to unlock")


class _Teams:
    """Each role's hiring team, read once per sweep."""

    def __init__(self) -> None:
        self._known: dict[int, Team] = {}

    async def get(self, session: store.AsyncSession, role: Role) -> Team:
        assert role.id is not None
        if role.id not in self._known:
            found = await store.role_with_team(session, role_id=role.id)
            assert found is not None
            self._known[role.id] = found.team
        return self._known[role.id]


def _recipients(audience: Audience, role: Role, team: Team, interviewer: str | None) -> list[str]:
    if audience == Audience.INTERVIEWER:
        return [interviewer] if interviewer else []
    people = set(team.recruiter_ids)
    if audience == Audience.TEAM:
        people.add(role.hiring_manager_id)
    return sorted(people)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(x for x in (a, b) if x is not None) if (a or b) else None


def _messages(
    items: list[AlertItem], now: datetime
) -> list[tuple[str, list[AlertItem], tuple[str, list[dict]]]]:
    """One DM per interviewer nudge; one digest per other recipient."""
    out: list[tuple[str, list[AlertItem], tuple[str, list[dict]]]] = []
    digests: dict[str, list[AlertItem]] = defaultdict(list)
    for item in items:
        if item.alert.kind in (Kind.FEEDBACK_NUDGE, Kind.FEEDBACK_DUE):
            out.append((item.alert.recipient_id, [item], nudge_message(item, now)))
        else:
            digests[item.alert.recipient_id].append(item)
    for recipient, group in sorted(digests.items()):
        shown, message = digest_message(group, now)
        out.append((recipient, shown, message))
    return out
