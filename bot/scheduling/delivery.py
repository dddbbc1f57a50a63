"""Delivery, the sweep's second step: pending alerts whose time has come are claimed
(claimed_until), sent, and marked sent as soon as Slack accepts them.

Interviewers get one DM per nudge or reminder; everyone else one digest per sweep. An
alert that is not a breach waits for its recipient's working hours (weekdays that are
neither company days off nor the recipient's own days away). A reminder that could not
go before its interview started is dropped. Slack's rate limit puts the rest of the
sweep off; other refusals are retried with back-off, and one that will not pass (an
archived channel, a deactivated person) fails the alert for good.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from slack_sdk.models.blocks import Block

from bot import store
from bot.domain import clocks
from bot.domain.clocks import Kind
from bot.domain.days_off import first_day_ahead
from bot.domain.interviews import InterviewStatus
from bot.domain.scorecards import competencies_for, plan_stage, template_named
from bot.scheduling.messenger import PERMANENT, Messenger
from bot.scheduling.report import Report
from bot.slack.blocks.alerts import (
    AlertItem,
    digest_message,
    interview_reminder_message,
    nudge_message,
)
from bot.store.engine import Database
from bot.store.tables import Alert
from bot.store.templates import ensure_templates

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=5)  # a crashed sender's claim lapses after this
SEND_BATCH = 500
MAX_ATTEMPTS = 6

# Who a message goes to, the alerts it shows, and its (text, blocks).
Message = tuple[str, list[AlertItem], tuple[str, list[Block]]]


async def deliver(
    db: Database, messenger: Messenger, now: datetime, report: Report, *, pace_seconds: float
) -> None:
    async with db.transaction() as session:
        claimed = await store.alerts.claim_ready(
            session, now=now, until=now + CLAIM_FOR, limit=SEND_BATCH
        )
    if not claimed:
        return
    async with db.reader() as session:
        items = await alert_items(session, claimed)
    ready = await _hold_for_working_hours(db, messenger, items, now, report)
    ready = await _drop_late_reminders(db, ready, now, report)
    messages = _messages(ready, now)
    shown = {i.alert.id for _, group, _ in messages for i in group}
    unshown = [i.alert.id for i in ready if i.alert.id not in shown and i.alert.id]
    if unshown:  # past a digest's length: the next sweep sends them
        async with db.transaction() as session:
            await store.alerts.mark(session, alert_ids=unshown, claimed_until=None)
    for position, (recipient, group, (text_, blocks)) in enumerate(messages):
        outcome = await messenger.post(recipient, text_, blocks)
        ids = [i.alert.id for i in group if i.alert.id]
        async with db.transaction() as session:
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
                await _failed(session, group, outcome[1], now, report)
        if pace_seconds:
            await asyncio.sleep(pace_seconds)  # chat.postMessage: ~1 message a second a channel


async def alert_items(session: store.AsyncSession, alerts: Sequence[Alert]) -> list[AlertItem]:
    """Each alert with what its message shows; one whose candidate or role is gone is left out."""
    items = []
    for alert in alerts:
        with_role = await store.candidate_with_role(session, candidate_id=alert.candidate_id)
        if with_role is None:
            continue
        candidate, role_and_team = with_role
        interview = (
            await store.get_interview(session, interview_id=alert.interview_id)
            if alert.interview_id
            else None
        )
        stage_name = ""
        competencies = []
        if interview is not None:
            # The version the interview was booked with may not be the role's now.
            await ensure_templates(session, [interview.template])
            template = template_named(interview.template or role_and_team.role.template)
            stage = plan_stage(template, interview.plan_stage)
            stage_name = stage.name if stage else interview.plan_stage
            if alert.kind == Kind.INTERVIEW_REMINDER:  # the kit's competencies, again
                competencies = competencies_for(template, interview.plan_stage)
        items.append(
            AlertItem(alert, candidate, role_and_team.role, interview, stage_name, competencies)
        )
    return items


async def _hold_for_working_hours(
    db: Database, messenger: Messenger, items: list[AlertItem], now: datetime, report: Report
) -> list[AlertItem]:
    ready: list[AlertItem] = []
    held: dict[datetime, list[int]] = defaultdict(list)
    waiting = [i.alert.recipient_id for i in items if not i.alert.breach]
    days_off, days_away = await _days_off(db, now, waiting) if waiting else (frozenset(), {})
    for item in items:
        if item.alert.breach:
            ready.append(item)
            continue
        tz = await messenger.tz_of(item.alert.recipient_id, now)
        # The recipient's own days away count as company days off do, in their own zone.
        away = days_away.get(item.alert.recipient_id)
        not_working = days_off | away if away else days_off
        moment = clocks.working_moment(now, tz, days_off=not_working)
        if item.alert.due_at > now:
            # A warning recorded ahead of its time (clocks.WARNING_LEAD): at its time if
            # that is a working moment, else the last one before it. If that has passed
            # too (the sweep was down), the next working moment, as for any alert.
            earlier = clocks.last_working_moment(item.alert.due_at, tz, days_off=not_working)
            moment = earlier if earlier > now else moment
        if moment <= now:
            ready.append(item)
        else:
            held[moment].append(item.alert.id or 0)
    if held:
        async with db.transaction() as session:
            for moment, ids in held.items():
                await store.alerts.mark(
                    session, alert_ids=ids, deliver_after=moment, claimed_until=None
                )
        report.postponed += sum(len(ids) for ids in held.values())
    return ready


async def _days_off(
    db: Database, now: datetime, recipient_ids: Sequence[str]
) -> tuple[frozenset[date], dict[str, frozenset[date]]]:
    """The company days off, and each recipient's own days away, from the earliest date
    still running anywhere: an earlier one could only move an alert to a moment already
    past, which is never used. One read for each, whatever the number of alerts."""
    first = first_day_ahead(now)
    async with db.reader() as session:
        days_off = await store.days_off.dates_from(session, first=first)
        days_away = await store.days_away.days_away_of(session, user_ids=recipient_ids, first=first)
    return days_off, days_away


async def _drop_late_reminders(
    db: Database, items: list[AlertItem], now: datetime, report: Report
) -> list[AlertItem]:
    """A reminder (or a panel-gap warning) still unsent when its interview starts (Slack
    refused it until then), or whose interview was cancelled meanwhile, is skipped: it
    would only be noise."""
    late = [
        item
        for item in items
        if item.alert.kind in (Kind.INTERVIEW_REMINDER, Kind.PANEL_GAP)
        and (
            item.interview is None
            or item.interview.starts_at <= now
            or item.interview.status != InterviewStatus.SCHEDULED
        )
    ]
    if not late:
        return items
    ids = {i.alert.id for i in late if i.alert.id}
    async with db.transaction() as session:
        await store.alerts.mark(
            session, alert_ids=sorted(ids), status="skipped", claimed_until=None
        )
    report.skipped += len(late)
    return [item for item in items if item.alert.id not in ids]


def _messages(items: list[AlertItem], now: datetime) -> list[Message]:
    """One DM per interviewer nudge or reminder; one digest per other recipient."""
    out: list[Message] = []
    digests: dict[str, list[AlertItem]] = defaultdict(list)
    for item in items:
        if item.alert.kind in (Kind.FEEDBACK_NUDGE, Kind.FEEDBACK_DUE):
            out.append((item.alert.recipient_id, [item], nudge_message(item, now)))
        elif item.alert.kind == Kind.INTERVIEW_REMINDER:
            out.append((item.alert.recipient_id, [item], interview_reminder_message(item)))
        else:
            digests[item.alert.recipient_id].append(item)
    for recipient, group in sorted(digests.items()):
        shown, message = digest_message(group, now)
        out.append((recipient, shown, message))
    return out


async def _failed(
    session: store.AsyncSession,
    group: Sequence[AlertItem],
    error: str,
    now: datetime,
    report: Report,
) -> None:
    """Slack refused a message: its alerts fail for good, or go again after a back-off."""
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
            log.warning("alert %s to %s failed for good: %s", alert.id, alert.recipient_id, error)
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
