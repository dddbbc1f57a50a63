"""Candidates and their append-only stage event log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import (
    CompoundSelect,
    Integer,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    union,
    update,
)
from sqlalchemy import select as select_rows
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.candidate_csv import Row
from bot.domain.interviews import InterviewStatus
from bot.domain.names import clean_name, name_key
from bot.domain.stages import CLOSED, Move, Stage, undone_entry
from bot.domain.zones import in_utc
from bot.store.changes import NOTE_KIND, NOTE_SUMMARY
from bot.store.chunks import in_chunks
from bot.store.prepared import Prepared, objects
from bot.store.tables import (
    Candidate,
    Change,
    Interview,
    Role,
    RoleRecruiter,
    Scorecard,
    Seat,
    StageEvent,
    Takehome,
    TakehomeGrader,
    table_of,
)


class DuplicateCandidate(Exception):
    """Carries plain values, not the row: a row expires when the transaction rolls back."""

    def __init__(self, existing: Candidate) -> None:
        super().__init__(existing.name)
        self.candidate_id = existing.id
        self.name = existing.name
        self.stage = existing.stage


class StaleStage(Exception):
    """The candidate left the stage the mover saw; someone else moved them first."""


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


def visible_ids(user_id: str) -> CompoundSelect[int]:
    """Ids of the candidates the user may see: of roles whose hiring team includes them,
    those they interview (an interview cancelled counts only if they sent a scorecard
    for it: store.interviewer_ids_of), and those whose take-home they grade.

    A union of indexed lookups: written as one OR, the database reads every
    candidate in the store to test it, and asking where someone stands would slow
    down as the store grows.
    """
    return union(
        select(Candidate.id)
        .join(Role, col(Role.id) == Candidate.role_id)
        .where(Role.hiring_manager_id == user_id),
        select(Candidate.id)
        .join(RoleRecruiter, col(RoleRecruiter.role_id) == Candidate.role_id)
        .where(RoleRecruiter.user_id == user_id),
        select(Interview.candidate_id)
        .join(Seat, col(Seat.interview_id) == Interview.id)
        .where(
            Seat.interviewer_id == user_id,
            or_(
                col(Interview.status) != InterviewStatus.CANCELLED.value,
                exists().where(
                    col(Scorecard.interview_id) == Seat.interview_id,
                    col(Scorecard.interviewer_id) == user_id,
                ),
            ),
        ),
        select(Takehome.candidate_id)
        .join(TakehomeGrader, col(TakehomeGrader.takehome_id) == Takehome.id)
        .where(TakehomeGrader.grader_id == user_id),
    )


async def candidates_visible_to(
    session: AsyncSession, *, user_id: str
) -> list[tuple[Candidate, Role]]:
    """Candidates of the roles whose hiring team includes the user, and those they interview."""
    result = await session.exec(
        select(Candidate, Role)
        .join(Role, col(Role.id) == Candidate.role_id)
        .where(col(Candidate.id).in_(visible_ids(user_id)))
        .order_by(col(Candidate.id))
    )
    return list(result.all())


async def candidate_names_visible_to(
    session: AsyncSession, *, user_id: str
) -> list[tuple[int, str, str, str]]:
    """(id, name, name_key, stage) of every candidate the user may see: columns, not rows."""
    result = await session.exec(
        select(Candidate.id, Candidate.name, Candidate.name_key, Candidate.stage).where(
            col(Candidate.id).in_(visible_ids(user_id))
        )
    )
    return [(i or 0, name, key, stage) for i, name, key, stage in result.all()]


async def candidates_named(
    session: AsyncSession, *, user_id: str, key: str
) -> list[tuple[Candidate, Role]]:
    """The candidates the user may see whose name_key is exactly `key`."""
    result = await session.exec(
        select(Candidate, Role)
        .join(Role, col(Role.id) == Candidate.role_id)
        .where(Candidate.name_key == key, col(Candidate.id).in_(visible_ids(user_id)))
        .order_by(col(Candidate.id))
    )
    return list(result.all())


async def candidates_with_roles(
    session: AsyncSession, *, ids: list[int]
) -> list[tuple[Candidate, Role]]:
    if not ids:
        return []
    result = await session.exec(
        select(Candidate, Role)
        .join(Role, col(Role.id) == Candidate.role_id)
        .where(col(Candidate.id).in_(ids))
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
    """Move only if the candidate is still where the mover saw them (no lost updates). A
    move that undoes one of less than UNDO_WINDOW ago restores when they had entered the
    stage (stages.undone_entry), and its event says so."""
    assert candidate.id is not None
    recent = await recent_events(session, candidate_id=candidate.id, limit=10)
    moves = [(e.from_stage, e.to_stage, e.at) for e in recent if e.from_stage != e.to_stage]
    restored = undone_entry(moves, move, now)
    result = await session.exec(
        update(Candidate)
        .where(col(Candidate.id) == candidate.id, col(Candidate.stage) == move.from_stage.value)
        .values(stage=move.to_stage.value, stage_entered_at=restored or now)
    )
    if result.rowcount != 1:
        raise StaleStage()
    detail = move.describe()
    if restored is not None:
        detail = "; ".join(
            filter(
                None,
                [
                    detail,
                    f"undone within the hour: in {move.to_stage.value} since "
                    f"{in_utc(restored)}, as before",
                ],
            )
        )
    event = StageEvent(
        candidate_id=candidate.id,
        at=now,
        actor_id=actor_id,
        from_stage=move.from_stage.value,
        to_stage=move.to_stage.value,
        note=note.strip(),
        detail=detail,
    )
    session.add(event)
    await session.flush()
    await session.refresh(candidate)
    return event


async def set_deadline(
    session: AsyncSession,
    *,
    candidate: Candidate,
    at: datetime | None,
    reason: str | None,
    actor_id: str,
    note: str,
    detail: str,
    now: datetime,
) -> StageEvent:
    """Set (or, with `at` None, clear) the candidate's own deadline, and record who did it,
    when, what and why in the history as a note: an event that stays in the current stage
    (readmodels.pipelines.is_note), so stage reports do not count it as a move."""
    assert candidate.id is not None
    candidate.deadline_at, candidate.deadline_reason = at, reason
    session.add(candidate)
    event = history_note(
        candidate.id, candidate.stage, actor_id=actor_id, detail=detail, note=note, now=now
    )
    session.add(event)
    await session.flush()
    return event


def history_note(
    candidate_id: int, stage: str, *, actor_id: str, detail: str, note: str = "", now: datetime
) -> StageEvent:
    """A line of the candidate's history that is not a move (an offer revised, a
    take-home's due time moved): an event that stays in `stage`, the candidate's
    current one (readmodels.pipelines.is_note), so stage reports never count it. `detail`
    is ours; `note` is what a person typed, if anything."""
    return StageEvent(
        candidate_id=candidate_id,
        at=now,
        actor_id=actor_id,
        from_stage=stage,
        to_stage=stage,
        detail=detail,
        note=note,
    )


async def recent_events(
    session: AsyncSession, *, candidate_id: int, limit: int = 5
) -> list[StageEvent]:
    found: list[StageEvent] = await objects(
        session, RECENT_EVENTS, StageEvent, {"candidate_id": candidate_id, "limit": limit}
    )
    return found


# On the driver (bot.store.prepared): every status card reads it.
_EVENT_T = table_of(StageEvent)
RECENT_EVENTS = Prepared(
    select_rows(_EVENT_T)
    .where(_EVENT_T.c.candidate_id == bindparam("candidate_id"))
    .order_by(_EVENT_T.c.at.desc(), _EVENT_T.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)


# Imports: a whole file in one transaction, in bulk ---------------------------------------------

IMPORT_CHUNK = 1000  # rows per INSERT: bulk, yet a progress bar can move


async def lock_roles(session: AsyncSession, *, role_ids: Sequence[int]) -> None:
    """Take the roles' rows for this transaction, so two imports into one role (a double
    click, a CLI run beside Slack) take turns and the second sees what the first added.
    A no-op UPDATE is a row lock on PostgreSQL and the write lock on SQLite."""
    if role_ids:
        await session.exec(
            update(Role).where(col(Role.id).in_(sorted(set(role_ids)))).values(id=Role.id)
        )


async def same_person(
    session: AsyncSession, *, email: str | None, role_id: int, key: str
) -> list[Candidate]:
    """Every candidate, open or closed, who may be this person, the latest first: with
    this email (any case, any role), or of this name in this role."""
    same_name = and_(col(Candidate.role_id) == role_id, col(Candidate.name_key) == key)
    which = (
        or_(same_name, func.lower(col(Candidate.email)) == email.lower()) if email else same_name
    )
    result = await session.exec(
        select(Candidate)
        .where(which)
        .order_by(col(Candidate.created_at).desc(), col(Candidate.id).desc())
    )
    return list(result.all())


async def with_emails(
    session: AsyncSession, *, emails: Sequence[str]
) -> list[tuple[str, str, int, str]]:
    """(email lowercased, name, role id, stage) of every candidate, any role, open or
    closed, with one of `emails`: columns, for a file of thousands."""
    found: list[tuple[str, str, int, str]] = []
    for chunk in in_chunks(sorted({e.lower() for e in emails})):
        result = await session.exec(
            select(
                func.lower(col(Candidate.email)), Candidate.name, Candidate.role_id, Candidate.stage
            )
            .where(func.lower(col(Candidate.email)).in_(chunk))
            .order_by(col(Candidate.id))
        )
        found += [(e, n, r, st) for e, n, r, st in result.all()]
    return found


async def candidate_keys(
    session: AsyncSession, *, role_ids: Sequence[int]
) -> list[tuple[int, int, str, str | None]]:
    """(id, role id, name key, email) of every candidate of the roles, open or closed:
    columns, not rows, for matching a file of thousands against them."""
    if not role_ids:
        return []
    result = await session.exec(
        select(Candidate.id, Candidate.role_id, Candidate.name_key, Candidate.email).where(
            col(Candidate.role_id).in_(list(role_ids))
        )
    )
    return [(i or 0, role_id, key, email) for i, role_id, key, email in result.all()]


async def closed_stages(session: AsyncSession, *, role_ids: Sequence[int]) -> dict[int, str]:
    """The stage of each closed candidate of the roles (rejected, withdrawn, hired)."""
    if not role_ids:
        return {}
    result = await session.exec(
        select(Candidate.id, Candidate.stage).where(
            col(Candidate.role_id).in_(list(role_ids)),
            col(Candidate.stage).in_([s.value for s in CLOSED]),
        )
    )
    return {i or 0: stage for i, stage in result.all()}


async def erased_keys(
    session: AsyncSession, *, role_ids: Sequence[int]
) -> list[tuple[int, str | None, str | None]]:
    """(id, email digest, name digest) of every candidate erased at their request: those
    of the roles by name, those of any role by email."""
    result = await session.exec(
        select(Candidate.id, Candidate.erased_email_digest, Candidate.erased_name_digest).where(
            or_(
                col(Candidate.erased_email_digest).is_not(None),
                col(Candidate.role_id).in_(list(role_ids))
                & col(Candidate.erased_name_digest).is_not(None),
            )
        )
    )
    return [(i or 0, email, name) for i, email, name in result.all()]


async def add_imported(
    session: AsyncSession,
    *,
    rows: Sequence[Row],
    notes: Sequence[str],
    actor_id: str,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert checked rows as candidates, each with the stage event that says where they
    came from and, for a row with one, its note as a note by the importer; returns their
    ids. Clocks start now: `stage_entered_at` is the import, and `next_alert_at` is now so
    the next sweep plans them (as `replan_clocks` does for one)."""
    ids: list[int] = []
    # Core statements on the session's connection (same transaction): executemany, and
    # no ORM objects for thousands of rows.
    connection = await session.connection()
    for start in range(0, len(rows), IMPORT_CHUNK):
        chunk = rows[start : start + IMPORT_CHUNK]
        values = [
            {
                "role_id": row.role.id,
                "name": row.name,
                "name_key": row.key,
                "email": row.email,
                "links": row.links,
                "stage": row.stage.value,
                "stage_entered_at": now,
                "created_by": actor_id,
                "created_at": now,
                "next_alert_at": None if row.stage in CLOSED else now,
            }
            for row in chunk
        ]
        # One statement per chunk; RETURNING in the rows' order (insertmanyvalues).
        inserted = await connection.execute(
            insert(Candidate).returning(col(Candidate.id), sort_by_parameter_order=True), values
        )
        # The model's id is Optional (None until inserted); a RETURNING id never is.
        chunk_ids = [int(i) for i in cast("Sequence[int]", inserted.scalars().all())]
        await connection.execute(
            insert(StageEvent),
            [
                {
                    "candidate_id": candidate_id,
                    "at": now,
                    "actor_id": actor_id,
                    "from_stage": None,
                    "to_stage": row.stage.value,
                    "note": note,
                    "detail": "",
                }
                for candidate_id, row, note in zip(
                    chunk_ids, chunk, notes[start : start + IMPORT_CHUNK], strict=True
                )
            ],
        )
        noted = [
            {
                "at": now,
                "actor_id": actor_id,
                "role_id": row.role.id,
                "candidate_id": candidate_id,
                "interview_id": None,
                "kind": NOTE_KIND,
                "summary": NOTE_SUMMARY,
                "reason": row.note,
            }
            for candidate_id, row in zip(chunk_ids, chunk, strict=True)
            if row.note
        ]
        if noted:
            await connection.execute(insert(Change), noted)
        ids += chunk_ids
        if progress is not None:
            progress(len(ids))
    return ids


async def all_candidates(session: AsyncSession) -> list[tuple[Candidate, Role]]:
    """Every candidate with their role, oldest first: for operators' exports."""
    result = await session.exec(
        select(Candidate, Role)
        .join(Role, col(Role.id) == Candidate.role_id)
        .order_by(col(Candidate.id))
    )
    return list(result.all())


# Editing a candidate, and moving them to another role ------------------------------------------


async def update_candidate(
    session: AsyncSession,
    *,
    candidate: Candidate,
    name: str,
    email: str | None,
    links: str | None,
    role_id: int,
) -> None:
    """The candidate's name, contact and role as given; DuplicateCandidate when another
    open candidate of that role has the name. Scorecards, interviews, take-homes and
    offers hang off the candidate's id, so they come along."""
    assert candidate.id is not None
    clash = await open_candidate_named(session, role_id=role_id, name=name)
    if clash is not None and clash.id != candidate.id:
        raise DuplicateCandidate(clash)
    candidate.name, candidate.name_key = clean_name(name), name_key(name)
    candidate.email, candidate.links, candidate.role_id = email, links, role_id
    try:
        # A savepoint, so a racing twin's write fails alone (see add_candidate).
        async with session.begin_nested():
            session.add(candidate)
            await session.flush()
    except IntegrityError:
        raced = await open_candidate_named(session, role_id=role_id, name=name)
        if raced is None:
            raise
        raise DuplicateCandidate(raced) from None


async def pin_interview_templates(
    session: AsyncSession, *, candidate_ids: Sequence[int], template: str
) -> None:
    """Interviews that follow their role's template (NULL) keep `template`: the role is
    about to get another one, and a scorecard must read as it was written."""
    if candidate_ids:
        await session.exec(
            update(Interview)
            .where(
                col(Interview.candidate_id).in_(list(candidate_ids)),
                col(Interview.template).is_(None),
            )
            .values(template=template)
        )
