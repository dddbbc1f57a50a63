"""What Loopkeeper admins (LOOPKEEPER_ADMINS) ask of the app: what Slack refused to deliver."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot import store
from bot.domain import access
from bot.store.engine import Database
from bot.store.tables import Alert, Candidate, Role, WeeklyReport
from bot.usecases.errors import NotAllowed

ADMINS_ONLY = "`/hire admin` is for Loopkeeper admins (LOOPKEEPER_ADMINS)."


@dataclass(frozen=True)
class FailedDeliveries:
    """Alerts and weekly reports Slack refused for good, latest first."""

    alerts: list[tuple[Alert, Candidate]]
    reports: list[tuple[WeeklyReport, Role]]


def admin_refusal(user_id: str, admins: Collection[str]) -> str | None:
    """Why this person may not use `/hire admin`, or None: asked before the command is
    even read, and again by each admin use case."""
    return None if access.is_admin(user_id, admins) else ADMINS_ONLY


async def failed_deliveries(
    db: Database, *, user_id: str, admins: Collection[str]
) -> FailedDeliveries:
    """What Slack refused to deliver, for an admin to look into; raises NotAllowed."""
    refusal = admin_refusal(user_id, admins)
    if refusal:
        raise NotAllowed(refusal)
    async with db.reader() as session:
        alerts = await store.alerts.failed_deliveries(session)
        reports = await store.reports.failed_reports(session)
    return FailedDeliveries(alerts, reports)
