"""Keyword-only data functions. They take a session and never commit: the caller's
transaction decides, so a handler's steps land together or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.access import Team
from bot.models import Candidate, ClockSettings, Role, RoleRecruiter, StageEvent
from bot.names import clean_name, name_key
from bot.stages import CLOSED, Move, Stage


# These carry plain values, not rows: a row expires when the transaction rolls back.
class DuplicateRole(Exception):
    def __init__(self, existing: Role) -> None:
        super().__init__(existing.title)
        self.role_id = existing.id
        self.title = existing.title


class DuplicateCandidate(Exception):
    def __init__(self, existing: Candidate) -> None:
        super().__init__(existing.name)
        self.candidate_id = existing.id
        self.name = existing.name
        self.stage = existing.stage


class StaleStage(Exception):
    """The candidate left the stage the mover saw; someone else moved them first."""


@dataclass(frozen=True)
class RoleWithTeam:
    role: Role
    team: Team


# Roles --------------------------------------------------------------------------


async def create_role(
    session: AsyncSession,
    *,
    title: str,
    hiring_manager_id: str,
    recruiter_ids: Iterable[str],
    channel_id: str,
    template: str,
    clocks: ClockSettings,
    actor_id: str,
    now: datetime,
) -> Role:
    title = clean_name(title)
    existing = await role_by_title(session, title=title)
    if existing is not None:
        raise DuplicateRole(existing)
    role = Role(
        title=title,
        title_key=name_key(title),
        hiring_manager_id=hiring_manager_id,
        channel_id=channel_id,
        template=template,
        created_by=actor_id,
        created_at=now,
        **clocks.model_dump(),
    )
    try:
        # A savepoint, so a racing twin's insert fails alone (see add_candidate).
        async with session.begin_nested():
            session.add(role)
            await session.flush()
    except IntegrityError:
        raced = await role_by_title(session, title=title)
        if raced is None:
            raise
        raise DuplicateRole(raced) from None
    assert role.id is not None
    session.add_all(RoleRecruiter(role_id=role.id, user_id=u) for u in sorted(set(recruiter_ids)))
    await session.flush()
    return role


async def role_by_title(session: AsyncSession, *, title: str) -> Role | None:
    result = await session.exec(select(Role).where(Role.title_key == name_key(title)))
    return result.first()


async def role_with_team(session: AsyncSession, *, role_id: int) -> RoleWithTeam | None:
    role = await session.get(Role, role_id)
    if role is None:
        return None
    return (await _with_teams(session, [role]))[0]


async def roles_for_user(session: AsyncSession, *, user_id: str) -> list[RoleWithTeam]:
    """Roles whose hiring team includes the user, newest first."""
    recruits = exists().where(RoleRecruiter.role_id == Role.id, RoleRecruiter.user_id == user_id)
    result = await session.exec(
        select(Role)
        .where(or_(Role.hiring_manager_id == user_id, recruits))
        .order_by(col(Role.created_at).desc(), col(Role.id).desc())
    )
    return await _with_teams(session, list(result.all()))


async def _with_teams(session: AsyncSession, roles: list[Role]) -> list[RoleWithTeam]:
    ids = [r.id for r in roles]
    result = await session.exec(select(RoleRecruiter).where(col(RoleRecruiter.role_id).in_(ids)))
    recruiters: dict[int, set[str]] = {}
    for row in result.all():
        recruiters.setdefault(row.role_id, set()).add(row.user_id)
    return [
        RoleWithTeam(r, Team(r.hiring_manager_id, frozenset(recruiters.get(r.id or 0, set()))))
        for r in roles
    ]


# Candidates -----------------------------------------------------------------------


async def open_candidate_named(
    session: AsyncSession, *, role_id: int, name: str
) -> Candidate | None:
    result = await session.exec(
        select(Candidate).where(
            Candidate.role_id == role_id,
            Candidate.name_key == name_key(name),
            col(Candidate.stage).not_in([s.value for s in CLOSED]),
        )
    )
    return result.first()


async def add_candidate(
    session: AsyncSession,
    *,
    role_id: int,
    name: str,
    email: str | None,
    links: str | None,
    actor_id: str,
    now: datetime,
) -> Candidate:
    """A new candidate in `sourced`, with the event that says who added them."""
    existing = await open_candidate_named(session, role_id=role_id, name=name)
    if existing is not None:
        raise DuplicateCandidate(existing)
    candidate = Candidate(
        role_id=role_id,
        name=clean_name(name),
        name_key=name_key(name),
        email=email,
        links=links,
        stage=Stage.SOURCED.value,
        stage_entered_at=now,
        created_by=actor_id,
        created_at=now,
    )
    try:
        # A savepoint, so a racing twin's insert fails alone and the caller's
        # transaction stays usable to report it.
        async with session.begin_nested():
            session.add(candidate)
            await session.flush()
    except IntegrityError:
        raced = await open_candidate_named(session, role_id=role_id, name=name)
        if raced is None:
            raise
        raise DuplicateCandidate(raced) from None
    assert candidate.id is not None
    session.add(
        StageEvent(
            candidate_id=candidate.id,
            at=now,
            actor_id=actor_id,
            from_stage=None,
            to_stage=Stage.SOURCED.value,
            note="added",
        )
    )
    await session.flush()
    return candidate


async def candidates_visible_to(
    session: AsyncSession, *, user_id: str
) -> list[tuple[Candidate, Role]]:
    """Every candidate of every role whose hiring team includes the user."""
    recruits = exists().where(RoleRecruiter.role_id == Role.id, RoleRecruiter.user_id == user_id)
    result = await session.exec(
        select(Candidate, Role)
        .join(Role, col(Role.id) == Candidate.role_id)
        .where(or_(Role.hiring_manager_id == user_id, recruits))
        .order_by(col(Candidate.id))
    )
    return list(result.all())


async def get_candidate(session: AsyncSession, *, candidate_id: int) -> Candidate | None:
    return await session.get(Candidate, candidate_id)


async def move_candidate(
    session: AsyncSession,
    *,
    candidate: Candidate,
    move: Move,
    actor_id: str,
    note: str,
    now: datetime,
) -> StageEvent:
    """Move only if the candidate is still where the mover saw them (no lost updates)."""
    assert candidate.id is not None
    result = await session.exec(
        update(Candidate)
        .where(col(Candidate.id) == candidate.id, col(Candidate.stage) == move.from_stage.value)
        .values(stage=move.to_stage.value, stage_entered_at=now)
    )
    if result.rowcount != 1:
        raise StaleStage()
    event = StageEvent(
        candidate_id=candidate.id,
        at=now,
        actor_id=actor_id,
        from_stage=move.from_stage.value,
        to_stage=move.to_stage.value,
        note=note.strip(),
        detail=move.describe(),
    )
    session.add(event)
    await session.flush()
    await session.refresh(candidate)
    return event


async def recent_events(
    session: AsyncSession, *, candidate_id: int, limit: int = 5
) -> list[StageEvent]:
    result = await session.exec(
        select(StageEvent)
        .where(StageEvent.candidate_id == candidate_id)
        .order_by(col(StageEvent.at).desc(), col(StageEvent.id).desc())
        .limit(limit)
    )
    return list(result.all())
