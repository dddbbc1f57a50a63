"""Take-home assignments: sent, answered, their graders and grades."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import bindparam, delete, exists, update
from sqlalchemy import select as select_rows
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.stages import SCHEDULABLE
from bot.store.prepared import Prepared, Reading, Writing, objects
from bot.store.tables import (
    Candidate,
    Role,
    Takehome,
    TakehomeGrade,
    TakehomeGrader,
    TakehomeRating,
    table_of,
)


class GradeConflict(Exception):
    """That grader's grade is in already: a double submit, or a second window."""


async def add_takehome(
    session: AsyncSession,
    *,
    candidate_id: int,
    grader_ids: Iterable[str],
    due_at: datetime,
    note: str,
    actor_id: str,
    now: datetime,
) -> Takehome:
    # next_alert_at = now: the next sweep plans the new window.
    takehome = Takehome(
        candidate_id=candidate_id,
        sent_by=actor_id,
        sent_at=now,
        due_at=due_at,
        note=note,
        next_alert_at=now,
    )
    session.add(takehome)
    await session.flush()
    assert takehome.id is not None
    session.add_all(
        TakehomeGrader(takehome_id=takehome.id, grader_id=grader)
        for grader in sorted(set(grader_ids))
    )
    await session.flush()
    return takehome


async def get_takehome(session: AsyncSession, *, takehome_id: int) -> Takehome | None:
    return await session.get(Takehome, takehome_id)


async def latest_takehome(session: AsyncSession, *, candidate_id: int) -> Takehome | None:
    """The candidate's most recent take-home: the one the status card shows."""
    found = await objects(session, LATEST_TAKEHOME, Takehome, {"candidate_id": candidate_id})
    return found[0] if found else None


# On the driver (bot.store.prepared): every status card reads it.
_TAKEHOME_T = table_of(Takehome)
LATEST_TAKEHOME = Prepared(
    select_rows(_TAKEHOME_T)
    .where(_TAKEHOME_T.c.candidate_id == bindparam("candidate_id"))
    .order_by(_TAKEHOME_T.c.id.desc())
    .limit(1)
)


async def record_answer(
    session: AsyncSession,
    *,
    takehome: Takehome,
    received: bool,
    url: str | None,
    actor_id: str,
    now: datetime,
) -> None:
    takehome.status = "received" if received else "not_received"
    takehome.submission_url = url
    takehome.recorded_by, takehome.recorded_at = actor_id, now
    takehome.next_alert_at = now  # the sweep sees it answered and stops its clock
    session.add(takehome)
    await session.flush()


async def grader_ids_of(session: Reading, *, candidate_id: int) -> set[str]:
    """Who grades (or graded) any take-home of the candidate."""
    rows = await GRADER_IDS_OF.rows(session, {"candidate_id": candidate_id})
    return {grader_id for (grader_id,) in rows}


# On the driver (bot.store.prepared): a card of someone outside the hiring team reads it.
_GRADER_T = table_of(TakehomeGrader)
GRADER_IDS_OF = Prepared(
    select_rows(_GRADER_T.c.grader_id)
    .join(_TAKEHOME_T, _TAKEHOME_T.c.id == _GRADER_T.c.takehome_id)
    .where(_TAKEHOME_T.c.candidate_id == bindparam("candidate_id"))
)


async def graders_of(session: AsyncSession, *, takehome_id: int) -> list[str]:
    result = await session.exec(
        select(TakehomeGrader.grader_id)
        .where(TakehomeGrader.takehome_id == takehome_id)
        .order_by(col(TakehomeGrader.grader_id))
    )
    return list(result.all())


async def change_graders(
    session: AsyncSession, *, takehome_id: int, add: Iterable[str], remove: Iterable[str]
) -> None:
    gone = sorted(set(remove))
    if gone:
        await session.exec(
            delete(TakehomeGrader).where(
                col(TakehomeGrader.takehome_id) == takehome_id,
                col(TakehomeGrader.grader_id).in_(gone),
            )
        )
    session.add_all(
        TakehomeGrader(takehome_id=takehome_id, grader_id=grader) for grader in sorted(set(add))
    )
    await session.flush()


async def grades_of(session: AsyncSession, *, takehome_id: int) -> list[TakehomeGrade]:
    result = await session.exec(
        select(TakehomeGrade)
        .where(TakehomeGrade.takehome_id == takehome_id)
        .order_by(col(TakehomeGrade.submitted_at), col(TakehomeGrade.id))
    )
    return list(result.all())


async def part_ratings_of(
    session: AsyncSession, *, grade_ids: Iterable[int]
) -> list[TakehomeRating]:
    ids = list(grade_ids)
    if not ids:
        return []
    result = await session.exec(select(TakehomeRating).where(col(TakehomeRating.grade_id).in_(ids)))
    return list(result.all())


async def add_grade(
    session: AsyncSession,
    *,
    takehome_id: int,
    grader_id: str,
    summary: str,
    ratings: Mapping[str, tuple[int, str]],
    now: datetime,
) -> TakehomeGrade:
    """Store a grader's grade; raises GradeConflict if theirs is in already."""
    grade = TakehomeGrade(
        takehome_id=takehome_id, grader_id=grader_id, summary=summary, submitted_at=now
    )
    try:
        async with session.begin_nested():
            session.add(grade)
            await session.flush()
    except IntegrityError:
        raise GradeConflict() from None
    assert grade.id is not None
    session.add_all(
        TakehomeRating(grade_id=grade.id, part=key, rating=rating, evidence=evidence)
        for key, (rating, evidence) in ratings.items()
    )
    await session.flush()
    return grade


async def edit_grade(
    session: AsyncSession,
    *,
    grade: TakehomeGrade,
    summary: str,
    ratings: Mapping[str, tuple[int, str]],
    now: datetime,
) -> TakehomeGrade:
    """The grader's new grade in place of their last: its ratings replaced, its version
    counted, its time the edit's."""
    assert grade.id is not None
    await session.exec(delete(TakehomeRating).where(col(TakehomeRating.grade_id) == grade.id))
    grade.summary, grade.submitted_at, grade.version = summary, now, grade.version + 1
    session.add(grade)
    session.add_all(
        TakehomeRating(grade_id=grade.id, part=key, rating=rating, evidence=evidence)
        for key, (rating, evidence) in ratings.items()
    )
    await session.flush()
    return grade


async def to_grade(
    session: AsyncSession, *, grader_id: str
) -> list[tuple[Takehome, Candidate, Role]]:
    """The received take-homes this person grades and has not graded yet, of candidates
    whose grading is still open (it closes once they leave decision), oldest first."""
    graded = exists().where(
        col(TakehomeGrade.takehome_id) == col(Takehome.id),
        col(TakehomeGrade.grader_id) == grader_id,
    )
    result = await session.exec(
        select(Takehome, Candidate, Role)
        .join(TakehomeGrader, col(TakehomeGrader.takehome_id) == col(Takehome.id))
        .join(Candidate, col(Candidate.id) == col(Takehome.candidate_id))
        .join(Role, col(Role.id) == col(Candidate.role_id))
        .where(
            col(TakehomeGrader.grader_id) == grader_id,
            col(Takehome.status) == "received",
            col(Candidate.stage).in_([s.value for s in SCHEDULABLE]),
            ~graded,
        )
        .order_by(col(Takehome.recorded_at), col(Takehome.id))
    )
    return list(result.all())


async def every_grade_in(session: Writing, *, candidate_id: int) -> bool:
    """Has every grader of the candidate's received take-homes sent their grade?
    (True when there is none: a take-home only holds the loop up once it is in.)"""
    return not await GRADE_WAITING.rows(session, {"candidate_id": candidate_id})


# Built once: every last scorecard of a loop asks (docs/architecture.md, "Statements built once").
# On PostgreSQL a scorecard asks inside its own statement (interviews.ADD_SCORECARD_AT_ONCE).
GRADES_WAITING = (
    select(TakehomeGrader.grader_id)
    .join(Takehome, col(Takehome.id) == TakehomeGrader.takehome_id)
    .where(
        col(Takehome.candidate_id) == bindparam("candidate_id"),
        col(Takehome.status) == "received",
        ~exists().where(
            col(TakehomeGrade.takehome_id) == TakehomeGrader.takehome_id,
            col(TakehomeGrade.grader_id) == TakehomeGrader.grader_id,
        ),
    )
)
GRADE_WAITING = Prepared(GRADES_WAITING.limit(1))


# The sweep --------------------------------------------------------------------------------------


async def due_takehomes(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[tuple[Takehome, Candidate, Role]]:
    """Take-homes whose window needs a look: an indexed range on next_alert_at."""
    result = await session.exec(
        select(Takehome, Candidate, Role)
        .join(Candidate, col(Candidate.id) == Takehome.candidate_id)
        .join(Role, col(Role.id) == Candidate.role_id)
        .where(col(Takehome.next_alert_at) <= now)
        .order_by(col(Takehome.next_alert_at))
        .limit(limit)
    )
    return list(result.all())


async def set_takehome_next(
    session: AsyncSession, *, takehome_id: int, at: datetime | None
) -> None:
    await session.exec(
        update(Takehome).where(col(Takehome.id) == takehome_id).values(next_alert_at=at)
    )
