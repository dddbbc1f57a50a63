"""Steps straight through the use cases and the data functions, no Slack: the roles,
candidates and moves the use-case, store and scheduling tests start from. (The steps a
person takes in Slack are in tests/flows.py.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import store
from bot.domain.stages import Stage
from bot.runtime.timesource import ManualClock
from bot.store.engine import Database
from bot.store.tables import ClockSettings, Role
from bot.usecases import candidates, roles
from bot.usecases.candidates import CandidateCard, NewCandidate
from bot.usecases.roles import NewRole
from tests.conftest import ADMIN, HIRING_CHANNEL, HM, RECRUITER, free_channel

# Use cases ------------------------------------------------------------------------------


def role_form(**changes: Any) -> NewRole:
    form = replace(
        NewRole(
            title="Senior MLOps Engineer",
            hiring_manager_id=HM,
            recruiter_ids=[RECRUITER],
            channel_id=HIRING_CHANNEL,
            template="mlops",
            clocks={},
        ),
        **changes,
    )
    return form


async def create_role(db: Database, clock: ManualClock, **changes: Any) -> Role:
    """The admin creates a role (role_form with `changes`); in the tests' hiring channel
    unless a role of another team has it (free_channel)."""
    form = role_form(**changes)
    if "channel_id" not in changes:
        team = {form.hiring_manager_id or "", *form.recruiter_ids}
        form = replace(form, channel_id=await free_channel(db, form.title, team))
    return await roles.create_role(db, actor_id=ADMIN, admins={ADMIN}, form=form, now=clock.now())


async def add(
    db: Database,
    clock: ManualClock,
    role: Role,
    name: str = "Jane Doe",
    *,
    actor: str = RECRUITER,
    **changes: Any,
) -> CandidateCard:
    """A recruiter adds a candidate to the role."""
    form = NewCandidate(name=name, role_id=role.id, email=None, links=None)
    added = await candidates.add_candidate(
        db, actor_id=actor, form=replace(form, **changes), now=clock.now()
    )
    return added.card


async def jane(db: Database, clock: ManualClock, **role_changes: Any) -> tuple[Role, CandidateCard]:
    """A new role, and Jane Doe added to it."""
    role = await create_role(db, clock, **role_changes)
    return role, await add(db, clock, role)


async def move(
    db: Database,
    candidate_id: int,
    seen: Stage,
    target: Stage,
    *,
    now: datetime,
    actor: str = RECRUITER,
    reason: str = "",
) -> CandidateCard:
    """`actor`, who saw the candidate in `seen`, moves them to `target`."""
    moved = await candidates.move(
        db,
        actor_id=actor,
        candidate_id=candidate_id,
        seen_stage=seen,
        target=target,
        reason=reason,
        now=now,
    )
    return moved.card


# Data functions ----------------------------------------------------------------------------


async def create_role_in(
    session: AsyncSession,
    now: datetime,
    *,
    title: str = "Senior MLOps Engineer",
    hiring_manager_id: str = HM,
    recruiter_ids: tuple[str, ...] = (RECRUITER,),
) -> Role:
    return await store.create_role(
        session,
        title=title,
        hiring_manager_id=hiring_manager_id,
        recruiter_ids=recruiter_ids,
        channel_id=HIRING_CHANNEL,
        template="mlops",
        clocks=ClockSettings(),
        actor_id=ADMIN,
        now=now,
    )


async def new_role(db: Database, now: datetime, **fields: Any) -> Role:
    """A role stored in a transaction of its own (create_role_in's `fields`)."""
    async with db.transaction() as session:
        return await create_role_in(session, now, **fields)
