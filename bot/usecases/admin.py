"""What Loopkeeper admins ask of the app: who the admins are (kept in the database,
seeded once from LOOPKEEPER_ADMINS), and what Slack refused to deliver."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from bot import store
from bot.domain import access
from bot.store import admins as admin_rows
from bot.store.engine import Database
from bot.store.tables import Admin, Alert, Candidate, Role, WeeklyReport
from bot.usecases.errors import NotAllowed

ADMINS_ONLY = "`/hire admin` is for Loopkeeper admins; ask one of them for what you need."
LAST_ADMIN = (
    "That is the last Loopkeeper admin, and Loopkeeper needs one, so nothing changed. "
    "Add someone else first with `/hire admin add @person`."
)


@dataclass(frozen=True)
class FailedDeliveries:
    """Alerts and weekly reports Slack refused for good, latest first."""

    alerts: list[tuple[Alert, Candidate]]
    reports: list[tuple[WeeklyReport, Role]]


async def admin_ids(db: Database) -> frozenset[str]:
    """Who the admins are now: the one source every permission check reads."""
    async with db.reader() as session:
        return await admin_rows.admin_ids(session)


async def seed_admins(db: Database, *, user_ids: Collection[str], now: datetime) -> int:
    """On a database with no admin yet, the admins of LOOPKEEPER_ADMINS; how many were
    added. Every start calls it, and only the first one with an empty table writes."""
    async with db.transaction() as session:
        return await admin_rows.seed_if_empty(session, user_ids=user_ids, now=now)


def admin_refusal(user_id: str, admins: Collection[str]) -> str | None:
    """Why this person may not use `/hire admin`, or None: asked before the command is
    even read, and again by each admin use case."""
    return None if access.is_admin(user_id, admins) else ADMINS_ONLY


async def _refuse_unless_admin(session: store.AsyncSession, user_id: str) -> frozenset[str]:
    admins = await admin_rows.lock_admins(session)
    refusal = admin_refusal(user_id, admins)
    if refusal:
        raise NotAllowed(refusal)
    return admins


async def list_admins(db: Database, *, user_id: str) -> list[Admin]:
    """Every admin, for an admin; raises NotAllowed."""
    async with db.reader() as session:
        refusal = admin_refusal(user_id, await admin_rows.admin_ids(session))
        if refusal:
            raise NotAllowed(refusal)
        return await admin_rows.admins(session)


async def add_admin(
    db: Database, *, actor_id: str, user_id: str, now: datetime, operator: bool = False
) -> bool:
    """Make `user_id` an admin; False (and nothing changes) when they already are one.
    Raises NotAllowed for someone who is not an admin. `operator`: whoever runs the
    server (`loopkeeper admin add`), the way back when the last admin has left."""
    async with db.transaction() as session:
        if not operator:
            await _refuse_unless_admin(session, actor_id)
        added = await admin_rows.add_admin(session, user_id=user_id, added_by=actor_id, now=now)
        if added:
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind="admin_added",
                summary=f"made {user_id} a Loopkeeper admin",
                now=now,
            )
        return added


async def remove_admin(db: Database, *, actor_id: str, user_id: str, now: datetime) -> bool:
    """Remove `user_id` from the admins; False (and nothing changes) when they are not one.
    Raises NotAllowed for someone who is not an admin, and for the last admin (the rows
    are locked, so two admins removing each other at once cannot leave none)."""
    async with db.transaction() as session:
        admins = await _refuse_unless_admin(session, actor_id)
        if user_id not in admins:
            return False
        if admins == {user_id}:
            raise NotAllowed(LAST_ADMIN)
        await admin_rows.remove_admin(session, user_id=user_id)
        await store.changes.record_change(
            session,
            actor_id=actor_id,
            kind="admin_removed",
            summary=f"removed {user_id} from the Loopkeeper admins",
            now=now,
        )
        return True


async def failed_deliveries(db: Database, *, user_id: str) -> FailedDeliveries:
    """What Slack refused to deliver, for an admin to look into; raises NotAllowed."""
    async with db.reader() as session:
        refusal = admin_refusal(user_id, await admin_rows.admin_ids(session))
        if refusal:
            raise NotAllowed(refusal)
        alerts = await store.alerts.failed_deliveries(session)
        reports = await store.reports.failed_reports(session)
    return FailedDeliveries(alerts, reports)
