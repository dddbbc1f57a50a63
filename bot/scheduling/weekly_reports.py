"""Weekly reports, the sweep's last step: each role's private channel gets its numbers
and a chart once a week, at the set time in its team's zone (WEEKLY_REPORT)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from slack_sdk.errors import SlackApiError

from bot import store
from bot.domain.zones import zone
from bot.readmodels.weekly import WEEK, WEEKDAYS, Weekly, chart_png, report_moment, weekly
from bot.scheduling.messenger import PERMANENT, Messenger
from bot.scheduling.report import Report
from bot.slack.blocks.report import weekly_message
from bot.slack.notify import UNREACHABLE, refusal
from bot.store.engine import Database
from bot.store.tables import Role

# A report this long after its moment went out late: it says so.
LATE_AFTER = timedelta(hours=1)


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


@dataclass(frozen=True)
class DueReport:
    """A role's weekly report due at the sweep's time and not sent yet."""

    role: Role
    week: str  # the date, in the report's zone, of the moment it is for
    moment: datetime  # when it was to go: the week it tells ends here
    due: datetime  # that moment, moved past the company's days off


async def due_reports(
    db: Database, messenger: Messenger, schedule: ReportSchedule, now: datetime
) -> list[DueReport]:
    """The roles whose report is due at `now` and not sent. Each one's moment is in its
    hiring manager's zone unless the schedule fixes one (asked of Slack: a read)."""
    async with db.reader() as session:
        roles = await store.reports.all_roles(session)
        done = await store.reports.finished_reports(session, now=now)
    days_off: frozenset[date] | None = None  # read once a report is due, not every sweep
    found = []
    for role in roles:
        assert role.id is not None
        tz = schedule.tz or await messenger.tz_of(role.hiring_manager_id, now)
        moment = report_moment(now, weekday=schedule.weekday, at=schedule.at, tz_name=tz)
        week = moment.astimezone(zone(tz)).date().isoformat()
        if role.created_at > moment or (role.id, week) in done:
            continue  # nothing to report yet, or sent already: no query at all
        # On a company day off, the report waits for the next working day, same time.
        if days_off is None:
            async with db.reader() as session:
                days_off = await store.days_off.dates_from(session, first=(now - WEEK).date())
        due = working_day_at(moment, tz, days_off)
        if now >= due:
            found.append(DueReport(role, week, moment, due))
    return found


async def post_weekly_reports(
    db: Database, messenger: Messenger, schedule: ReportSchedule, now: datetime, report: Report
) -> None:
    """Each role's report once a week; one missed while the bot was down goes on the
    next sweep. The text and the chart are recorded apart, so a chart that failed goes
    again without the text."""
    for each in await due_reports(db, messenger, schedule, now):
        role, week, moment, due = each.role, each.week, each.moment, each.due
        assert role.id is not None
        async with db.transaction() as session:
            claimed = await store.reports.claim_weekly_report(
                session, role_id=role.id, week=week, now=now
            )
            status = claimed.status if claimed else None
            if status is None:
                continue
            candidates = await store.pipelines.open_candidates_of(session, role_id=role.id)
            events = await store.pipelines.events_of_role(session, role_id=role.id)
            everyone = await store.pipelines.all_candidates_of(session, role_id=role.id)
            statuses = await store.pipelines.offer_statuses_of_role(session, role_id=role.id)
            firsts = await store.pipelines.first_scorecards_of_role(session, role_id=role.id)
            declines = await store.pipelines.decline_reasons_of_role(session, role_id=role.id)
        numbers = weekly(
            role,
            candidates,
            events,
            week_end=moment,
            everyone=everyone,
            offer_statuses=statuses,
            first_scorecards=firsts,
            decline_reasons=declines,
        )
        late = due if now - due > LATE_AFTER else None
        outcome = await _send_report(messenger, role, numbers, posted=status == "posted", late=late)
        async with db.transaction() as session:
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


def working_day_at(moment: datetime, tz_name: str | None, days_off: frozenset[date]) -> datetime:
    """`moment`, or the same time on the next day that is no company day off where the
    team is (a weekend is the schedule's own choice, so it is not skipped)."""
    local = moment.astimezone(zone(tz_name))
    while local.date() in days_off:
        local = datetime.combine(local.date() + timedelta(days=1), local.timetz())
    return local.astimezone(moment.tzinfo)


async def _send_report(
    messenger: Messenger, role: Role, numbers: Weekly, *, posted: bool, late: datetime | None
) -> tuple[str, str] | None:
    """None when the text (unless `posted` already) and the chart both went; else
    ("error", reason) for the text or ("posted", reason) for the chart."""
    if not posted:
        text_, blocks = weekly_message(numbers, due=late)
        refused = await messenger.post(role.channel_id, text_, blocks)
        if refused is not None:
            return ("error", str(refused[1]))
    png = await asyncio.to_thread(chart_png, numbers)  # matplotlib is CPU work
    try:
        await messenger.client.files_upload_v2(
            channel=role.channel_id,
            file=png,
            filename=f"loopkeeper-weekly-{numbers.week}.png",
            title=f"{role.title}: days per stage against target, and time to fill",
        )
    except SlackApiError as error:
        return ("posted", refusal(error))
    except UNREACHABLE as error:
        return ("posted", error.__class__.__name__)
    return None
