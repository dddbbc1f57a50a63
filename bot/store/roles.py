"""Roles and their hiring teams."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, or_, update
from sqlalchemy import select as select_rows
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.access import Team
from bot.domain.names import clean_name, name_key
from bot.store.prepared import Prepared, Reading, attached
from bot.store.tables import (
    Candidate,
    ClockSettings,
    Interview,
    Role,
    RoleRecruiter,
    table_of,
)
from bot.store.templates import ensure_templates


class DuplicateRole(Exception):
    """Carries plain values, not the row: a row expires when the transaction rolls back."""

    def __init__(self, existing: Role) -> None:
        super().__init__(existing.title)
        self.role_id = existing.id
        self.title = existing.title


@dataclass(frozen=True)
class RoleWithTeam:
    role: Role
    team: Team


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
    # One query, a row per recruiter: most requests read a role and its team once. An
    # outer join, so a role without recruiters comes back once, with None for the user.
    rows: Sequence[tuple[Role, str | None]] = (
        await session.exec(_ROLE_WITH_TEAM, params={"role_id": role_id})
    ).all()
    if not rows:
        return None
    return await team_of_rows(session, rows[0][0], [user_id for _, user_id in rows])


async def team_of_rows(
    session: Reading,
    role: Role,
    recruiter_ids: Iterable[str | None],
    templates: Iterable[str | None] = (),
) -> RoleWithTeam:
    """The role and its team from a query's rows, one per recruiter (None: a role without
    any, outer-joined). Whoever reads a role goes on to its template (template_named), and
    to `templates`: an installed version another process added is read now."""
    await ensure_templates(session, [role.template, *templates])
    recruiters = frozenset(user_id for user_id in recruiter_ids if user_id is not None)
    return RoleWithTeam(role, Team(role.hiring_manager_id, recruiters))


# Built once, with bound parameters: most requests run one of these (docs/architecture.md,
# "Statements built once").
_ROLE_WITH_TEAM = (
    select(Role, RoleRecruiter.user_id)
    .outerjoin(RoleRecruiter, col(RoleRecruiter.role_id) == Role.id)
    .where(col(Role.id) == bindparam("role_id"))
)
_CANDIDATE_T, _ROLE_T, _RECRUITER_T = table_of(Candidate), table_of(Role), table_of(RoleRecruiter)
_CANDIDATE_KEYS = tuple(column.key for column in _CANDIDATE_T.c)
_ROLE_KEYS = tuple(column.key for column in _ROLE_T.c)
CANDIDATE_WITH_ROLE = Prepared(
    select_rows(*_CANDIDATE_T.c, *_ROLE_T.c, _RECRUITER_T.c.user_id)
    .join(_ROLE_T, _ROLE_T.c.id == _CANDIDATE_T.c.role_id)
    .outerjoin(_RECRUITER_T, _RECRUITER_T.c.role_id == _ROLE_T.c.id)
    .where(_CANDIDATE_T.c.id == bindparam("candidate_id"))
)


async def candidate_with_role(
    session: AsyncSession, *, candidate_id: int
) -> tuple[Candidate, RoleWithTeam] | None:
    """The candidate, their role and its hiring team; None when the candidate is gone.
    One query, a row per recruiter, as role_with_team: every card starts here, so it
    runs on the driver (bot.store.prepared)."""
    rows = await CANDIDATE_WITH_ROLE.rows(session, {"candidate_id": candidate_id})
    if not rows:
        return None
    split, first = len(_CANDIDATE_KEYS), rows[0]
    candidate = attached(session, Candidate, _CANDIDATE_KEYS, first[:split])
    role = attached(session, Role, _ROLE_KEYS, first[split:-1])
    return candidate, await team_of_rows(session, role, [row[-1] for row in rows])


async def roles_for_user(session: AsyncSession, *, user_id: str) -> list[RoleWithTeam]:
    """Roles whose hiring team includes the user, newest first. Every Home tab asks,
    and most people (interviewers) are on no team: read from the table, the rows made
    into Roles only when there are some (a Role the session does not track)."""
    rows = (await session.exec(_ROLES_FOR_USER, params={"user_id": user_id})).all()
    return await _with_teams(session, [Role(**row._mapping) for row in rows])


_ROLES_FOR_USER: Any = (  # a Core select: sqlmodel types exec() for its own only
    select_rows(_ROLE_T)
    .where(
        or_(
            _ROLE_T.c.hiring_manager_id == bindparam("user_id"),
            exists().where(
                _RECRUITER_T.c.role_id == _ROLE_T.c.id,
                _RECRUITER_T.c.user_id == bindparam("user_id"),
            ),
        )
    )
    .order_by(_ROLE_T.c.created_at.desc(), _ROLE_T.c.id.desc())
)


async def _with_teams(session: AsyncSession, roles: list[Role]) -> list[RoleWithTeam]:
    if not roles:  # most interviewers are on no hiring team: no second query for them
        return []
    ids = [r.id for r in roles]
    result = await session.exec(select(RoleRecruiter).where(col(RoleRecruiter.role_id).in_(ids)))
    recruiters: dict[int, set[str]] = {}
    for row in result.all():
        recruiters.setdefault(row.role_id, set()).add(row.user_id)
    return [
        RoleWithTeam(r, Team(r.hiring_manager_id, frozenset(recruiters.get(r.id or 0, set()))))
        for r in roles
    ]


async def open_roles_in_channel(
    session: AsyncSession, *, channel_id: str, other_than: int | None = None
) -> list[RoleWithTeam]:
    """The open roles whose hiring channel this is (but `other_than`), with their teams."""
    query = select(Role).where(Role.channel_id == channel_id, Role.status != CLOSED_ROLE)
    if other_than is not None:
        query = query.where(Role.id != other_than)
    result = await session.exec(query.order_by(col(Role.title_key)))
    return await _with_teams(session, list(result.all()))


async def all_roles(session: AsyncSession) -> list[RoleWithTeam]:
    """Every role with its team, by title: for operators' tools (the CLI's import, export)."""
    result = await session.exec(select(Role).order_by(col(Role.title_key)))
    return await _with_teams(session, list(result.all()))


# Editing, closing and reopening a role -------------------------------------------------------

OPEN = "open"
CLOSED_ROLE = "closed"


async def lock_role(session: AsyncSession, *, role_id: int) -> Role | None:
    """Take the role's row for this transaction and read it as it stands: an edit, a close
    and an add racing it take turns. A no-op UPDATE is a row lock on PostgreSQL and the
    write lock on SQLite (as store.lock_candidate)."""
    result = await session.exec(
        update(Role)
        .where(col(Role.id) == role_id)
        .values(id=Role.id)
        .returning(Role)
        .execution_options(populate_existing=True)
    )
    return result.scalars().first()


async def update_role(
    session: AsyncSession,
    *,
    role: Role,
    title: str,
    hiring_manager_id: str,
    recruiter_ids: Iterable[str],
    channel_id: str,
    template: str,
    clocks: ClockSettings,
) -> None:
    """Every field of the role and its recruiters as given; DuplicateRole when another
    role has the title."""
    assert role.id is not None
    title = clean_name(title)
    existing = await role_by_title(session, title=title)
    if existing is not None and existing.id != role.id:
        raise DuplicateRole(existing)
    role.title, role.title_key = title, name_key(title)
    role.hiring_manager_id, role.channel_id, role.template = hiring_manager_id, channel_id, template
    for name, value in clocks.model_dump().items():
        setattr(role, name, value)
    try:
        async with session.begin_nested():  # a racing rename to the same title fails alone
            session.add(role)
            await session.flush()
    except IntegrityError:
        raced = await role_by_title(session, title=title)
        if raced is None:
            raise
        raise DuplicateRole(raced) from None
    wanted = set(recruiter_ids)
    current = await session.exec(select(RoleRecruiter).where(RoleRecruiter.role_id == role.id))
    for row in current.all():
        if row.user_id in wanted:
            wanted.discard(row.user_id)
        else:
            await session.delete(row)
    session.add_all(RoleRecruiter(role_id=role.id, user_id=u) for u in sorted(wanted))
    await session.flush()


async def set_role_status(
    session: AsyncSession, *, role: Role, status: str, actor_id: str, now: datetime
) -> None:
    """Close (who and when are kept) or reopen the role."""
    closing = status == CLOSED_ROLE
    role.status = status
    role.closed_at = now if closing else None
    role.closed_by = actor_id if closing else None
    session.add(role)
    await session.flush()


async def pin_interview_templates(session: AsyncSession, *, role_id: int, template: str) -> None:
    """The role's interviews that follow its template (NULL) keep `template`: the role is
    about to get another one, and a scorecard must read as it was written."""
    of_role = select(Candidate.id).where(Candidate.role_id == role_id)
    await session.exec(
        update(Interview)
        .where(col(Interview.candidate_id).in_(of_role), col(Interview.template).is_(None))
        .values(template=template)
    )


async def closed_role_ids(session: AsyncSession, *, role_ids: Sequence[int]) -> set[int]:
    """Which of the roles are closed, as the database has them now."""
    if not role_ids:
        return set()
    result = await session.exec(
        select(Role.id).where(col(Role.id).in_(list(role_ids)), Role.status == CLOSED_ROLE)
    )
    return {i for i in result.all() if i is not None}
