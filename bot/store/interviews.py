"""Interviews, their interviewers' seats, and versioned scorecards."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from itertools import accumulate
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    true,
    update,
)
from sqlalchemy import select as select_rows
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.interviews import InterviewStatus
from bot.domain.stages import CLOSED
from bot.store.chunks import in_chunks
from bot.store.engine import UTCDateTime
from bot.store.prepared import Prepared, Reading, Writing, attached, dialect_of, objects
from bot.store.replan import replan_ctes
from bot.store.roles import RoleWithTeam, team_of_rows
from bot.store.tables import (
    Candidate,
    CantMakeItAlert,
    Interview,
    Rating,
    Role,
    RoleRecruiter,
    Scorecard,
    Seat,
    table_of,
)
from bot.store.takehomes import GRADES_WAITING, every_grade_in

# The tables themselves, for the statements every scorecard and Home tab runs: a
# statement of model columns also runs the ORM's compile and result steps, which cost
# more than SQLite's own work on these (docs/architecture.md, "Statements built once").
_SEAT_T, _INTERVIEW_T, _SCORECARD_T = table_of(Seat), table_of(Interview), table_of(Scorecard)
_SCORECARD_KEYS = tuple(column.key for column in _SCORECARD_T.c)
_CANDIDATE_T, _ROLE_T = table_of(Candidate), table_of(Role)

# Only a scheduled interview's seats owe scorecards (bot.domain.interviews). On the
# table's column, so it serves statements of tables and of models alike.
HELD = _INTERVIEW_T.c.status == InterviewStatus.SCHEDULED.value


# Statements every scorecard runs are built once, with bound parameters: building one
# and computing its cache key cost more than SQLite running it (docs/architecture.md,
# "Statements built once").


class ScorecardConflict(Exception):
    """That version of the scorecard exists already: a double submit, or a stale edit."""


async def lock_candidate(session: Writing, *, candidate_id: int) -> Candidate | None:
    """Take the candidate's row for this transaction before reading its loop.

    Two last scorecards landing at once must not both see the loop as incomplete.
    PostgreSQL locks the row (FOR NO KEY UPDATE, as an UPDATE of it would: rows that
    refer to it can still be added meanwhile); on SQLite a no-op UPDATE takes the
    file's write lock. An UPDATE on PostgreSQL would also write a new version of the
    row, update its indexes and fire its triggers, for nothing. A SQLite transaction
    with no session (sqlite_writes) holds the write lock from its BEGIN IMMEDIATE on:
    it reads the row alone.
    """
    dialect = dialect_of(session)
    if dialect.name == "postgresql":
        lock = _LOCK_CANDIDATE_ROW
    else:
        lock = LOCK_CANDIDATE if isinstance(session, AsyncSession) else CANDIDATE_ROW
    rows = await lock.rows(session, {"candidate_id": candidate_id})
    if not rows:
        return None
    candidate: Candidate = attached(session, Candidate, lock.keys(dialect), rows[0])
    return candidate


# One round trip: the row comes back with its lock, and replaces whatever the session
# held of it. On the driver (bot.store.prepared): every change to a candidate starts here.
LOCK_CANDIDATE = Prepared(
    update(_CANDIDATE_T)
    .where(_CANDIDATE_T.c.id == bindparam("candidate_id"))
    .values(id=_CANDIDATE_T.c.id)
    .returning(*_CANDIDATE_T.c)
)
_LOCK_CANDIDATE_ROW = Prepared(
    select_rows(_CANDIDATE_T)
    .where(_CANDIDATE_T.c.id == bindparam("candidate_id"))
    .with_for_update(key_share=True)
)
# The row alone, for a transaction that holds a SQLite file's write lock from its BEGIN
# IMMEDIATE on (bot.store.sqlite_writes): there the no-op UPDATE would lock nothing more
# and still write the row, its page in the log and the version's trigger.
CANDIDATE_ROW = Prepared(
    select_rows(_CANDIDATE_T).where(_CANDIDATE_T.c.id == bindparam("candidate_id"))
)


async def add_interview(
    session: AsyncSession,
    *,
    candidate_id: int,
    plan_stage: str,
    interviewer_ids: Iterable[str],
    starts_at: datetime,
    ends_at: datetime,
    feedback_due_at: datetime,
    actor_id: str,
    now: datetime,
    request_key: str | None = None,
    template: str | None = None,
) -> Interview:
    """`template`: the role's template as it is now, kept with the interview so its
    scorecards are written and read against that version."""
    interview = Interview(
        candidate_id=candidate_id,
        plan_stage=plan_stage,
        starts_at=starts_at,
        ends_at=ends_at,
        scheduled_by=actor_id,
        created_at=now,
        request_key=request_key,
        template=template,
    )
    session.add(interview)
    await session.flush()
    assert interview.id is not None
    session.add_all(
        Seat(interview_id=interview.id, interviewer_id=user, feedback_due_at=feedback_due_at)
        for user in sorted(set(interviewer_ids))
    )
    await session.flush()
    return interview


async def interview_by_request(session: AsyncSession, *, request_key: str) -> Interview | None:
    if not request_key:
        return None
    result = await session.exec(select(Interview).where(Interview.request_key == request_key))
    return result.first()


async def get_interview(session: AsyncSession, *, interview_id: int) -> Interview | None:
    return await session.get(Interview, interview_id)


async def seat_of(
    session: Reading, *, interview_id: int, interviewer_id: str, lock: bool = False
) -> tuple[Interview, Candidate, RoleWithTeam] | None:
    """The interview, its candidate and their role with its hiring team, if the
    interviewer holds a seat on it: one query (a row per recruiter, as role_with_team)
    for what every scorecard form and submission starts from. `lock` (PostgreSQL): the
    candidate's row locked as lock_candidate locks it, in the same round trip; a row
    another transaction changed while this one waited for it comes back as that one
    committed it (READ COMMITTED reads a locked row again once it has it)."""
    statement = _SEAT_OF_LOCKED if lock else _SEAT_OF
    rows = await statement.rows(
        session, {"interview_id": interview_id, "interviewer_id": interviewer_id}
    )
    if not rows:
        return None
    # A row per recruiter: the interview's, the candidate's and the role's columns, then
    # the recruiter. Objects of the session, as a select of the three models gave.
    first, ends = rows[0], _SEAT_OF_ENDS
    interview = attached(session, Interview, _INTERVIEW_KEYS, first[: ends[0]])
    candidate = attached(session, Candidate, _CANDIDATE_KEYS, first[ends[0] : ends[1]])
    role = attached(session, Role, _ROLE_KEYS, first[ends[1] : ends[2]])
    with_team = await team_of_rows(
        session, role, [row[-1] for row in rows], templates=[interview.template]
    )
    return interview, candidate, with_team


_INTERVIEW_KEYS, _CANDIDATE_KEYS, _ROLE_KEYS = (
    tuple(column.key for column in table.c) for table in (_INTERVIEW_T, _CANDIDATE_T, _ROLE_T)
)
_SEAT_OF_ENDS = tuple(
    accumulate(len(keys) for keys in (_INTERVIEW_KEYS, _CANDIDATE_KEYS, _ROLE_KEYS))
)
_RECRUITER_T = table_of(RoleRecruiter)
_SEAT_OF_SELECT = (
    select_rows(*_INTERVIEW_T.c, *_CANDIDATE_T.c, *_ROLE_T.c, _RECRUITER_T.c.user_id)
    .select_from(_INTERVIEW_T)
    .join(_SEAT_T, _SEAT_T.c.interview_id == _INTERVIEW_T.c.id)
    .join(_CANDIDATE_T, _CANDIDATE_T.c.id == _INTERVIEW_T.c.candidate_id)
    .join(_ROLE_T, _ROLE_T.c.id == _CANDIDATE_T.c.role_id)
    .outerjoin(_RECRUITER_T, _RECRUITER_T.c.role_id == _ROLE_T.c.id)
    .where(
        _INTERVIEW_T.c.id == bindparam("interview_id"),
        _SEAT_T.c.interviewer_id == bindparam("interviewer_id"),
    )
)
_SEAT_OF = Prepared(_SEAT_OF_SELECT)
_SEAT_OF_LOCKED = Prepared(_SEAT_OF_SELECT.with_for_update(key_share=True, of=_CANDIDATE_T))


async def seats_of(session: AsyncSession, *, candidate_id: int) -> list[tuple[Interview, Seat]]:
    """The candidate's interviews, each with its seats, soonest first. On the driver
    (bot.store.prepared): every status card reads it."""
    rows = await SEATS_OF.rows(session, {"candidate_id": candidate_id})
    split = len(_INTERVIEW_KEYS)
    return [
        (
            attached(session, Interview, _INTERVIEW_KEYS, row[:split]),
            attached(session, Seat, _SEAT_KEYS, row[split:]),
        )
        for row in rows
    ]


_SEAT_KEYS = tuple(column.key for column in _SEAT_T.c)
SEATS_OF = Prepared(
    select_rows(*_INTERVIEW_T.c, *_SEAT_T.c)
    .join(_SEAT_T, _SEAT_T.c.interview_id == _INTERVIEW_T.c.id)
    .where(_INTERVIEW_T.c.candidate_id == bindparam("candidate_id"))
    .order_by(_INTERVIEW_T.c.starts_at, _INTERVIEW_T.c.id, _SEAT_T.c.interviewer_id)
)


async def every_seat_submitted(session: Writing, *, candidate_id: int) -> bool:
    """Has every interviewer of the candidate's held interviews sent a scorecard (and is
    there a loop)? A cancelled interview or a no-show waits for nothing.
    One aggregate, for the submit that holds the write lock; `bot.usecases.feedback.Loop.complete`
    says the same of a loop read whole."""
    [(seats, waiting)] = await SEATS_WAITING.rows(session, {"candidate_id": candidate_id})
    return bool(seats > 0 and waiting == 0)


_SUBMITTED = exists().where(
    _SCORECARD_T.c.interview_id == _SEAT_T.c.interview_id,
    _SCORECARD_T.c.interviewer_id == _SEAT_T.c.interviewer_id,
)


def _seats_waiting(waits: ColumnElement[bool]) -> Select[tuple[int, int]]:
    """The candidate's seats on held interviews (`seats`), and how many of them `waits`
    holds for (`waiting`)."""
    return (
        select_rows(
            func.count().label("seats"),
            func.coalesce(func.sum(case((waits, 1), else_=0)), 0).label("waiting"),
        )
        .select_from(_SEAT_T)
        .join(_INTERVIEW_T, _INTERVIEW_T.c.id == _SEAT_T.c.interview_id)
        .where(_INTERVIEW_T.c.candidate_id == bindparam("candidate_id"), HELD)
    )


SEATS_WAITING = Prepared(_seats_waiting(~_SUBMITTED))


async def seats_owing(session: AsyncSession, *, candidate_id: int) -> list[tuple[Interview, Seat]]:
    """The candidate's seats on held interviews (not cancelled, not a no-show) whose
    scorecard is not in, soonest first."""
    written = {
        (s.interview_id, s.interviewer_id)
        for s in await scorecards_of(session, candidate_id=candidate_id)
    }
    return [
        (interview, seat)
        for interview, seat in await seats_of(session, candidate_id=candidate_id)
        if interview.status == InterviewStatus.SCHEDULED
        and (interview.id, seat.interviewer_id) not in written
    ]


async def interviewer_ids_of(session: AsyncSession, *, candidate_id: int) -> set[str]:
    """Who sees the candidate as their interviewer (as candidates.visible_ids has it):
    a seat on an interview not cancelled, or one they sent a scorecard for. Booked by
    mistake and cancelled, they never met them, and later moves are not theirs to see."""
    seats = await seats_of(session, candidate_id=candidate_id)
    if all(interview.status != InterviewStatus.CANCELLED for interview, _ in seats):
        return {seat.interviewer_id for _, seat in seats}
    wrote = {
        (s.interview_id, s.interviewer_id)
        for s in await scorecards_of(session, candidate_id=candidate_id)
    }
    return {
        seat.interviewer_id
        for interview, seat in seats
        if interview.status != InterviewStatus.CANCELLED
        or (interview.id, seat.interviewer_id) in wrote
    }


async def scorecards_of(session: AsyncSession, *, candidate_id: int) -> list[Scorecard]:
    """Every version of every scorecard of the candidate, oldest first."""
    found: list[Scorecard] = await objects(
        session, SCORECARDS_OF, Scorecard, {"candidate_id": candidate_id}
    )
    return found


SCORECARDS_OF = Prepared(
    select_rows(_SCORECARD_T)
    .where(_SCORECARD_T.c.candidate_id == bindparam("candidate_id"))
    .order_by(_SCORECARD_T.c.submitted_at, _SCORECARD_T.c.id)
)


def latest_versions(scorecards: Iterable[Scorecard]) -> dict[tuple[int, str], Scorecard]:
    """(interview id, interviewer) -> that interviewer's current version."""
    latest: dict[tuple[int, str], Scorecard] = {}
    for scorecard in scorecards:
        key = (scorecard.interview_id, scorecard.interviewer_id)
        if key not in latest or scorecard.version > latest[key].version:
            latest[key] = scorecard
    return latest


async def current_scorecard(
    session: Writing, *, interview_id: int, interviewer_id: str
) -> Scorecard | None:
    """The interviewer's latest version, or None (the usual answer, on a first submit).
    Read from the table and made into a Scorecard only when there is one: a row for the
    caller to read, not one the session tracks."""
    rows = await CURRENT_SCORECARD.rows(
        session, {"interview_id": interview_id, "interviewer_id": interviewer_id}
    )
    return _scorecard_of(rows[0]) if rows else None


def _scorecard_of(row: Sequence[Any]) -> Scorecard:
    """A row of the scorecard table's columns, in their order, as a Scorecard."""
    return Scorecard(**dict(zip(_SCORECARD_KEYS, row, strict=True)))


CURRENT_SCORECARD_STATEMENT = (
    select_rows(_SCORECARD_T)
    .where(
        _SCORECARD_T.c.interview_id == bindparam("interview_id"),
        _SCORECARD_T.c.interviewer_id == bindparam("interviewer_id"),
    )
    .order_by(_SCORECARD_T.c.version.desc())
    .limit(1)
)
CURRENT_SCORECARD = Prepared(CURRENT_SCORECARD_STATEMENT)


async def get_scorecard(session: AsyncSession, *, scorecard_id: int) -> Scorecard | None:
    return await session.get(Scorecard, scorecard_id)


async def ratings_of(session: AsyncSession, *, scorecard_ids: Iterable[int]) -> list[Rating]:
    ids = list(scorecard_ids)
    if not ids:
        return []
    result = await session.exec(_RATINGS_OF, params={"ids": ids})
    return list(result.all())


_RATINGS_OF = select(Rating).where(col(Rating.scorecard_id).in_(bindparam("ids", expanding=True)))


async def ratings_of_candidate(session: AsyncSession, *, candidate_id: int) -> list[Rating]:
    """The ratings of every version of the candidate's scorecards: one statement on the
    driver for the status card, which keeps those of the latest versions."""
    found: list[Rating] = await objects(
        session, RATINGS_OF_CANDIDATE, Rating, {"candidate_id": candidate_id}
    )
    return found


_RATING_T = table_of(Rating)
RATINGS_OF_CANDIDATE = Prepared(
    select_rows(_RATING_T)
    .join(_SCORECARD_T, _SCORECARD_T.c.id == _RATING_T.c.scorecard_id)
    .where(_SCORECARD_T.c.candidate_id == bindparam("candidate_id"))
)


async def add_scorecard(
    session: Writing, scorecard: Scorecard, ratings: Mapping[str, tuple[int, str]]
) -> Scorecard:
    """Store one version (`scorecard`, its id the database's) and its ratings; raises
    ScorecardConflict if that version exists already, after which the session's
    transaction can only be rolled back. The caller reads the current version under the
    candidate's lock first, so the conflict is a last line of defence, and it costs no
    savepoint (two statements) on every scorecard."""
    # Core INSERTs, not the session's unit of work: every submission goes through here,
    # and a flush of the scorecard and its ratings cost more than the statements.
    try:
        [(scorecard.id,)] = await ADD_SCORECARD.rows(session, scorecard.model_dump(exclude={"id"}))
    except IntegrityError:
        raise ScorecardConflict() from None
    if ratings:
        await ADD_RATING.many(session, rating_rows(scorecard, ratings))
    return scorecard


def rating_rows(
    scorecard: Scorecard, ratings: Mapping[str, tuple[int, str]]
) -> list[dict[str, object]]:
    """ADD_RATING's values for the scorecard's ratings (competency -> rating, evidence)."""
    return [
        {"scorecard_id": scorecard.id, "competency": key, "rating": rating, "evidence": evidence}
        for key, (rating, evidence) in ratings.items()
    ]


# On the tables, not the models: an INSERT of a model goes through the ORM's bulk path,
# which costs more than the statement (bench, 2026-12-01). Every column but the id is
# given, so the id is the database's.
ADD_SCORECARD_STATEMENT = (
    insert(_SCORECARD_T)
    .values({c.name: bindparam(c.name) for c in _SCORECARD_T.c if c.name != "id"})
    .returning(_SCORECARD_T.c.id)
)
ADD_SCORECARD = Prepared(ADD_SCORECARD_STATEMENT)
ADD_RATING = Prepared(
    insert(table_of(Rating)).values({c.name: bindparam(c.name) for c in table_of(Rating).c})
)


class AddedAtOnce(NamedTuple):
    """What add_scorecard_at_once did and found."""

    added: bool  # False: a version as new or newer was in (`current`); nothing written
    current: Scorecard | None  # the interviewer's latest version before this one
    all_in: bool  # the loop's feedback is all in with the scorecard added


async def add_scorecard_at_once(
    session: Writing, scorecard: Scorecard, ratings: Mapping[str, tuple[int, str]], now: datetime
) -> AddedAtOnce:
    """PostgreSQL, under the candidate's lock: current_scorecard, then add_scorecard and
    replan.replan_clocks unless the current version is as new as `scorecard` or newer,
    and whether the loop's feedback is all in with it (every_seat_submitted and
    takehomes.every_grade_in, for complete_feedback), as one statement. Under the lock,
    nothing it reads can change before the transaction ends.

    A scorecard's read of its current version and its writes were five round trips to
    the server, each a socket write and a wait for the event loop while the candidate's
    row stays locked (docs/architecture.md, "How a request flows: an interviewer submits
    a scorecard", step 5)."""
    params = scorecard.model_dump(exclude={"id"})
    params.update(
        competencies=list(ratings),
        ratings=[rating for rating, _ in ratings.values()],
        evidences=[evidence for _, evidence in ratings.values()],
        of_candidate=scorecard.candidate_id,
        now=now,
    )
    try:
        [row] = await ADD_SCORECARD_AT_ONCE.rows(session, params)
    except IntegrityError:
        raise ScorecardConflict() from None
    added_id, current_row, (seats, waiting, grade_waiting) = row[0], row[1:-3], row[-3:]
    current = None if current_row[0] is None else _scorecard_of(current_row)
    if added_id is None:
        return AddedAtOnce(False, current, False)
    scorecard.id = added_id
    return AddedAtOnce(True, current, bool(seats > 0 and waiting == 0 and not grade_waiting))


def _add_scorecard_at_once() -> Prepared:
    current = CURRENT_SCORECARD_STATEMENT.cte("current")
    written = [c for c in _SCORECARD_T.c if c.name != "id"]
    # Each CTE of a statement sees the data as it was when the statement began: the
    # INSERT is held back by what `current` read, the re-planning by what `added` wrote.
    added = (
        insert(_SCORECARD_T)
        .from_select(
            [c.name for c in written],
            select_rows(*(bindparam(c.name, type_=c.type) for c in written)).where(
                ~exists(current.select().where(current.c.version >= bindparam("version")))
            ),
        )
        .returning(_SCORECARD_T.c.id)
        .cte("added")
    )
    given = (
        func.unnest(
            bindparam("competencies", type_=ARRAY(String)),
            bindparam("ratings", type_=ARRAY(Integer)),
            bindparam("evidences", type_=ARRAY(String)),
        )
        .table_valued("competency", "rating", "evidence")
        .render_derived(name="given")
    )
    rated = (
        insert(_RATING_T)
        .from_select(
            ["scorecard_id", "competency", "rating", "evidence"],
            select_rows(added.c.id, given.c.competency, given.c.rating, given.c.evidence)
            .select_from(added)
            .join(given, true()),
        )
        .cte("rated")
    )
    # The statement's snapshot is taken before its INSERT: the seat being written still
    # looks open to it, so it counts as written here.
    this_seat = and_(
        _SEAT_T.c.interview_id == bindparam("interview_id"),
        _SEAT_T.c.interviewer_id == bindparam("interviewer_id"),
    )
    waiting = _seats_waiting(and_(~_SUBMITTED, ~this_seat)).subquery("waiting")
    return Prepared(
        select_rows(
            added.c.id.label("added_id"),
            *(current.c[key].label(f"current_{key}") for key in _SCORECARD_KEYS),
            waiting.c.seats,
            waiting.c.waiting,
            exists(GRADES_WAITING),
        )
        .select_from(waiting)
        .outerjoin(current, true())
        .outerjoin(added, true())
        .add_cte(rated, *replan_ctes(only_if=exists(added.select())))
    )


ADD_SCORECARD_AT_ONCE = _add_scorecard_at_once()


async def set_feedback_complete(
    session: Writing, *, candidate: Candidate, at: datetime | None
) -> None:
    """Mark (or, with None, reopen) the loop's feedback as complete; the candidate as the
    session holds them says the same after."""
    await SET_FEEDBACK_COMPLETE.rows(
        session, {"candidate_id": candidate.id, "at": at, "first_at": at}
    )
    set_committed_value(candidate, "feedback_complete_at", at)
    if candidate.loop_completed_at is None and at is not None:
        set_committed_value(candidate, "loop_completed_at", at)


# On the table, not the entity: an ORM-enabled UPDATE would look for the row among the
# session's objects; set_feedback_complete tells the one object that matters itself.
SET_FEEDBACK_COMPLETE = Prepared(
    update(_CANDIDATE_T)
    .where(_CANDIDATE_T.c.id == bindparam("candidate_id"))
    .values(
        feedback_complete_at=bindparam("at"),
        # The first completion stays: a booking that reopens the loop clears only the above.
        loop_completed_at=func.coalesce(
            _CANDIDATE_T.c.loop_completed_at, bindparam("first_at", type_=UTCDateTime())
        ),
    )
)


async def complete_feedback(
    session: Writing, *, candidate: Candidate, now: datetime, all_in: bool | None = None
) -> bool:
    """Mark the loop's feedback complete if this was its last piece: every scorecard and
    every grade of a received take-home in. Under the candidate's lock, so two last pieces
    at once complete it exactly once; True when this call completed it. `all_in`: whether
    they are, counted already in this transaction (add_scorecard_at_once)."""
    assert candidate.id is not None
    completes = candidate.feedback_complete_at is None and (
        all_in
        if all_in is not None
        else (
            await every_seat_submitted(session, candidate_id=candidate.id)
            and await every_grade_in(session, candidate_id=candidate.id)
        )
    )
    if completes:
        await set_feedback_complete(session, candidate=candidate, at=now)
    return completes


class SeatRow(NamedTuple):
    """What an interviewer's list shows of one of their seats."""

    interview_id: int
    starts_at: datetime
    plan_stage: str
    template: str | None  # the interview's template; None: its role's
    role_template: str
    candidate_name: str
    role_title: str
    feedback_due_at: datetime
    version: int  # of their scorecard; 0: not submitted
    candidate_id: int
    role_id: int
    candidate_stage: str
    # What the candidate's own deadline makes of the due time (clocks.scorecard_limit).
    ends_at: datetime
    candidate_deadline: datetime | None
    loop_days: int
    feedback_hours: int
    decision_hours: int
    offer_hours: int
    idle_hours: int
    cant_make_it_at: datetime | None  # they said they can't make it (until it is fixed)


async def seats_for(session: AsyncSession, *, interviewer_id: str) -> list[SeatRow]:
    """The interviewer's seats on interviews of open candidates, soonest first. One query
    of the columns the list shows, not rows of four tables made into objects: every Home
    tab redraw of an interviewer asks, and the objects were most of its cost."""
    rows: Sequence[tuple[Any, ...]] = (
        await session.exec(_SEATS_FOR, params={"interviewer_id": interviewer_id})
    ).all()
    return [SeatRow(*row) for row in rows]


class PanelSeat(NamedTuple):
    """One interviewer's seat on a scheduled interview of a role's candidate: who a
    hiring team books, and when."""

    interview_id: int
    candidate_id: int
    candidate_name: str
    role_title: str
    starts_at: datetime
    ends_at: datetime
    interviewer_id: str
    open: bool  # the candidate is still in the process (not hired, rejected, withdrawn)


async def panel_seats(
    session: AsyncSession, *, role_ids: Sequence[int] | None, since: datetime
) -> list[PanelSeat]:
    """The seats of scheduled interviews starting from `since`, of the candidates of
    `role_ids` (None: every role), soonest first, in one query of the columns shown."""
    query = _PANEL_SEATS.where(_INTERVIEW_T.c.starts_at >= since)
    if role_ids is not None:
        query = query.where(_CANDIDATE_T.c.role_id.in_(list(role_ids)))
    rows: Sequence[tuple[Any, ...]] = (await session.exec(query)).all()
    return [PanelSeat._make((*row[:-1], bool(row[-1]))) for row in rows]


def _held_seats(*columns: Any) -> Any:
    """`columns` of the seats of scheduled interviews, with their candidate and role to
    read from, soonest first and an interview's seats together."""
    return (
        select_rows(*columns)
        .select_from(_SEAT_T)
        .join(_INTERVIEW_T, _INTERVIEW_T.c.id == _SEAT_T.c.interview_id)
        .join(_CANDIDATE_T, _CANDIDATE_T.c.id == _INTERVIEW_T.c.candidate_id)
        .join(_ROLE_T, _ROLE_T.c.id == _CANDIDATE_T.c.role_id)
        .where(HELD)
        .order_by(_INTERVIEW_T.c.starts_at, _INTERVIEW_T.c.id, _SEAT_T.c.interviewer_id)
    )


_OPEN_CANDIDATE = _CANDIDATE_T.c.stage.not_in([s.value for s in CLOSED])
_PANEL_SEATS: Any = _held_seats(
    _INTERVIEW_T.c.id,
    _CANDIDATE_T.c.id,
    _CANDIDATE_T.c.name,
    _ROLE_T.c.title,
    _INTERVIEW_T.c.starts_at,
    _INTERVIEW_T.c.ends_at,
    _SEAT_T.c.interviewer_id,
    _OPEN_CANDIDATE,
)


class AheadSeat(NamedTuple):
    """One interviewer's seat on an interview to come, with what a schedule shows."""

    interview_id: int
    candidate_id: int
    candidate_name: str
    role_title: str
    template: str  # the interview's template, else its role's
    plan_stage: str
    starts_at: datetime
    ends_at: datetime
    interviewer_id: str
    cant_make_it: bool


async def seats_ahead(
    session: AsyncSession, *, role_ids: Sequence[int], since: datetime, until: datetime
) -> list[AheadSeat]:
    """The seats of scheduled interviews of open candidates of `role_ids` that start in
    [since, until), soonest first, in one query of the columns shown."""
    if not role_ids:
        return []
    query = _SEATS_AHEAD.where(
        _CANDIDATE_T.c.role_id.in_(list(role_ids)),
        _INTERVIEW_T.c.starts_at >= since,
        _INTERVIEW_T.c.starts_at < until,
    )
    rows: Sequence[tuple[Any, ...]] = (await session.exec(query)).all()
    return [AheadSeat._make((*row[:-1], row[-1] is not None)) for row in rows]


_SEATS_AHEAD: Any = _held_seats(
    _INTERVIEW_T.c.id,
    _CANDIDATE_T.c.id,
    _CANDIDATE_T.c.name,
    _ROLE_T.c.title,
    func.coalesce(_INTERVIEW_T.c.template, _ROLE_T.c.template),
    _INTERVIEW_T.c.plan_stage,
    _INTERVIEW_T.c.starts_at,
    _INTERVIEW_T.c.ends_at,
    _SEAT_T.c.interviewer_id,
    _SEAT_T.c.cant_make_it_at,
).where(_OPEN_CANDIDATE)


_SCORECARD_VERSION = (
    select(func.coalesce(func.max(_SCORECARD_T.c.version), 0))
    .where(
        _SCORECARD_T.c.interview_id == _SEAT_T.c.interview_id,
        _SCORECARD_T.c.interviewer_id == _SEAT_T.c.interviewer_id,
    )
    .scalar_subquery()
)
_SEATS_FOR: Any = _held_seats(
    _INTERVIEW_T.c.id,
    _INTERVIEW_T.c.starts_at,
    _INTERVIEW_T.c.plan_stage,
    _INTERVIEW_T.c.template,
    _ROLE_T.c.template,
    _CANDIDATE_T.c.name,
    _ROLE_T.c.title,
    _SEAT_T.c.feedback_due_at,
    _SCORECARD_VERSION,
    _CANDIDATE_T.c.id,
    _ROLE_T.c.id,
    _CANDIDATE_T.c.stage,
    _INTERVIEW_T.c.ends_at,
    _CANDIDATE_T.c.deadline_at,
    _ROLE_T.c.loop_days,
    _ROLE_T.c.feedback_hours,
    _ROLE_T.c.decision_hours,
    _ROLE_T.c.offer_hours,
    _ROLE_T.c.idle_hours,
    _SEAT_T.c.cant_make_it_at,
).where(_SEAT_T.c.interviewer_id == bindparam("interviewer_id"), _OPEN_CANDIDATE)


# Many candidates at once (exports): one query each, in chunks (bot.store.chunks).


async def seats_of_many(
    session: AsyncSession, *, candidate_ids: Sequence[int]
) -> list[tuple[Interview, Seat]]:
    out: list[tuple[Interview, Seat]] = []
    for ids in in_chunks(candidate_ids):
        result = await session.exec(
            select(Interview, Seat)
            .join(Seat, col(Seat.interview_id) == Interview.id)
            .where(col(Interview.candidate_id).in_(ids))
            .order_by(col(Interview.starts_at), col(Interview.id), col(Seat.interviewer_id))
        )
        out += list(result.all())
    return out


async def scorecards_of_many(
    session: AsyncSession, *, candidate_ids: Sequence[int]
) -> list[Scorecard]:
    """Every version of the candidates' scorecards, oldest first (see latest_versions)."""
    out: list[Scorecard] = []
    for ids in in_chunks(candidate_ids):
        result = await session.exec(
            select(Scorecard)
            .where(col(Scorecard.candidate_id).in_(ids))
            .order_by(col(Scorecard.submitted_at), col(Scorecard.id))
        )
        out += list(result.all())
    return out


# An interview changed after it was booked (bot.usecases.interviews) ----------------------------
# Each is part of the caller's transaction, under the candidate's lock.


async def seats_of_interview(session: AsyncSession, *, interview_id: int) -> list[Seat]:
    result = await session.exec(
        select(Seat).where(Seat.interview_id == interview_id).order_by(col(Seat.interviewer_id))
    )
    return list(result.all())


async def get_seat(session: AsyncSession, *, interview_id: int, interviewer_id: str) -> Seat | None:
    return await session.get(Seat, (interview_id, interviewer_id))


async def move_interview(
    session: AsyncSession,
    *,
    interview: Interview,
    starts_at: datetime,
    ends_at: datetime,
    feedback_due_at: datetime,
) -> None:
    """New times, scheduled again (a no-show may be rescheduled), the next version; every
    seat due from the new end, and a "can't make it" said of the old time forgotten."""
    interview.starts_at, interview.ends_at = starts_at, ends_at
    interview.status = InterviewStatus.SCHEDULED.value
    interview.version += 1
    session.add(interview)
    await session.exec(
        update(Seat)
        .where(col(Seat.interview_id) == interview.id)
        .values(
            feedback_due_at=feedback_due_at,
            cant_make_it_at=None,
            cant_make_it_reason="",
            proposed_start_at=None,
            proposed_start_at_2=None,
            proposed_start_at_3=None,
        )
    )
    await session.flush()


async def set_interview_status(
    session: AsyncSession, *, interview: Interview, status: InterviewStatus
) -> None:
    interview.status = status.value
    interview.version += 1
    session.add(interview)
    await session.flush()


async def change_seats(
    session: AsyncSession,
    *,
    interview: Interview,
    add: Iterable[str],
    remove: Iterable[str],
    feedback_due_at: datetime,
) -> None:
    """Seats added and removed, and the next version. A removed seat goes whether or not
    its scorecard is in: the scorecard is kept on its own (it never depended on the seat)."""
    assert interview.id is not None
    gone = sorted(set(remove))
    if gone:
        await session.exec(
            delete(Seat).where(
                col(Seat.interview_id) == interview.id, col(Seat.interviewer_id).in_(gone)
            )
        )
    session.add_all(
        Seat(interview_id=interview.id, interviewer_id=user, feedback_due_at=feedback_due_at)
        for user in sorted(set(add))
    )
    interview.version += 1
    session.add(interview)
    await session.flush()


async def flag_cant_make_it(
    session: AsyncSession, *, seat: Seat, at: datetime, reason: str, proposed: Sequence[datetime]
) -> None:
    """`proposed`: up to three starts that work for them, in the order they gave them."""
    seat.cant_make_it_at, seat.cant_make_it_reason = at, reason
    padded = [*proposed, None, None, None]
    seat.proposed_start_at = padded[0]
    seat.proposed_start_at_2 = padded[1]
    seat.proposed_start_at_3 = padded[2]
    session.add(seat)
    await session.flush()


async def set_kit_message(
    session: AsyncSession, *, interview_id: int, interviewer_id: str, channel: str, ts: str
) -> None:
    """Where the interviewer's kit DM is, so a change edits it in place."""
    await session.exec(
        update(Seat)
        .where(col(Seat.interview_id) == interview_id, col(Seat.interviewer_id) == interviewer_id)
        .values(kit_channel=channel, kit_ts=ts)
    )


async def record_cant_make_it_alert(
    session: AsyncSession, *, interview_id: int, interviewer_id: str, channel: str, ts: str
) -> None:
    """Where a recruiter's "I can't make it" alert landed, for the change that settles it."""
    session.add(
        CantMakeItAlert(
            channel=channel, ts=ts, interview_id=interview_id, interviewer_id=interviewer_id
        )
    )


async def settle_cant_make_it_alerts(
    session: AsyncSession, *, interview_id: int
) -> list[CantMakeItAlert]:
    """The interview's alerts whose "can't make it" no longer stands (the interviewer is
    off the panel, the interview moved, or it is no longer to be held), forgotten once
    returned: each is edited once, by whichever change settled it."""
    alerts = list(
        (
            await session.exec(
                select(CantMakeItAlert).where(CantMakeItAlert.interview_id == interview_id)
            )
        ).all()
    )
    if not alerts:
        return []
    interview = await session.get(Interview, interview_id)
    standing = (
        set()
        if interview is None or interview.status != InterviewStatus.SCHEDULED
        else {
            seat.interviewer_id
            for seat in (
                await session.exec(select(Seat).where(Seat.interview_id == interview_id))
            ).all()
            if seat.cant_make_it_at is not None
        }
    )
    settled = [alert for alert in alerts if alert.interviewer_id not in standing]
    for alert in settled:
        await session.delete(alert)
    return settled


# Safeguards when scheduling (bot.domain.safeguards) ----------------------------------------------


async def held_stages_of(
    session: AsyncSession, *, candidate_id: int, other_than: int | None = None
) -> list[tuple[str, datetime]]:
    """(plan stage, end) of each of the candidate's held interviews, but `other_than`."""
    query = select(Interview.plan_stage, Interview.ends_at).where(
        Interview.candidate_id == candidate_id, HELD
    )
    if other_than is not None:
        query = query.where(col(Interview.id) != other_than)
    rows = (await session.exec(query.order_by(col(Interview.id)))).all()
    return [(stage, ends_at) for stage, ends_at in rows]


async def booked_between(
    session: AsyncSession,
    *,
    interviewer_ids: Iterable[str],
    starts_at: datetime,
    ends_at: datetime,
    other_than: int | None = None,
) -> list[tuple[str, Interview]]:
    """(interviewer, interview) for the people's held interviews of open candidates, any
    role, that share a moment with [starts_at, ends_at)."""
    ids = sorted(set(interviewer_ids))
    if not ids:
        return []
    query = (
        select(Seat.interviewer_id, Interview)
        .join(Interview, col(Interview.id) == Seat.interview_id)
        .join(Candidate, col(Candidate.id) == Interview.candidate_id)
        .where(
            col(Seat.interviewer_id).in_(ids),
            HELD,
            col(Candidate.stage).not_in([s.value for s in CLOSED]),
            col(Interview.starts_at) < ends_at,
            col(Interview.ends_at) > starts_at,
        )
    )
    if other_than is not None:
        query = query.where(col(Interview.id) != other_than)
    result = await session.exec(query.order_by(col(Interview.starts_at), col(Seat.interviewer_id)))
    return [(interviewer, interview) for interviewer, interview in result.all()]
