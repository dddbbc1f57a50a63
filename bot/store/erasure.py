"""Everything held about one candidate, read whole (a subject access request) or
overwritten with anonymous values (erasure); and the candidates the retention limit
reaches. Keep ERASED in step with tables.py: each table that can hold what a person
typed about a candidate is listed there, and tests/handlers/test_erasure.py dumps every
table to prove nothing is left."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.names import erased_email_digest, erased_name_digest, name_key
from bot.domain.stages import Stage
from bot.store.changes import ERASED_SUMMARY
from bot.store.tables import (
    Alert,
    Candidate,
    Change,
    ClockPause,
    Interview,
    Offer,
    Rating,
    Role,
    RoleRecruiter,
    Scorecard,
    Seat,
    StageEvent,
    Takehome,
    TakehomeGrade,
    TakehomeGrader,
    TakehomeRating,
)

# The columns erasure overwrites, table by table (the candidate's own row aside).
ERASED: dict[str, tuple[str, ...]] = {
    "candidate": ("name", "name_key", "email", "links", "deadline_reason"),
    "stage_event": ("note", "detail"),
    "interview_seat": ("cant_make_it_reason",),
    "scorecard": ("summary",),
    "scorecard_rating": ("evidence",),
    "takehome": ("note", "submission_url"),
    "takehome_grade": ("summary",),
    "takehome_rating": ("evidence",),
    "offer": ("terms", "decline_details"),
    "clock_pause": ("reason",),
    "change_record": ("summary", "reason"),
}
_T = TypeVar("_T", bound=SQLModel)
RETAINED_STAGES = (Stage.REJECTED.value, Stage.WITHDRAWN.value)


def erased_name(candidate_id: int) -> str:
    return f"Erased candidate #{candidate_id}"


@dataclass(frozen=True)
class HeldData:
    """Every row about one candidate, oldest first."""

    candidate: Candidate
    role: Role
    events: list[StageEvent]
    interviews: list[Interview]
    seats: list[Seat]
    scorecards: list[Scorecard]
    ratings: list[Rating]
    takehomes: list[Takehome]
    graders: list[TakehomeGrader]
    grades: list[TakehomeGrade]
    takehome_ratings: list[TakehomeRating]
    offers: list[Offer]
    pauses: list[ClockPause]
    changes: list[Change]
    alerts: list[Alert]


async def all_candidate_names(session: AsyncSession) -> list[tuple[int, str, str, str]]:
    """(id, name, name_key, stage) of every candidate: what an admin looks among."""
    result = await session.exec(
        select(Candidate.id, Candidate.name, Candidate.name_key, Candidate.stage)
    )
    return [(i or 0, name, key, stage) for i, name, key, stage in result.all()]


async def held_about(session: AsyncSession, *, candidate_id: int) -> HeldData | None:
    candidate = await session.get(Candidate, candidate_id)
    if candidate is None:
        return None
    role = await session.get(Role, candidate.role_id)
    assert role is not None  # a foreign key
    ids = [candidate_id]
    interviews = await _rows(session, Interview, Interview.candidate_id, ids)
    scorecards = await _rows(session, Scorecard, Scorecard.candidate_id, ids)
    takehomes = await _rows(session, Takehome, Takehome.candidate_id, ids)
    takehome_ids = [t.id or 0 for t in takehomes]
    grades = await _rows(session, TakehomeGrade, TakehomeGrade.takehome_id, takehome_ids)
    return HeldData(
        candidate=candidate,
        role=role,
        events=await _rows(session, StageEvent, StageEvent.candidate_id, ids),
        interviews=interviews,
        seats=await _rows(
            session,
            Seat,
            Seat.interview_id,
            [i.id or 0 for i in interviews],
            order=(Seat.interview_id, Seat.interviewer_id),
        ),
        scorecards=scorecards,
        ratings=await _rows(
            session,
            Rating,
            Rating.scorecard_id,
            [c.id or 0 for c in scorecards],
            order=(Rating.scorecard_id, Rating.competency),
        ),
        takehomes=takehomes,
        graders=await _rows(
            session,
            TakehomeGrader,
            TakehomeGrader.takehome_id,
            takehome_ids,
            order=(TakehomeGrader.takehome_id, TakehomeGrader.grader_id),
        ),
        grades=grades,
        takehome_ratings=await _rows(
            session,
            TakehomeRating,
            TakehomeRating.grade_id,
            [g.id or 0 for g in grades],
            order=(TakehomeRating.grade_id, TakehomeRating.part),
        ),
        offers=await _rows(session, Offer, Offer.candidate_id, ids),
        pauses=await _rows(session, ClockPause, ClockPause.candidate_id, ids),
        changes=await _rows(session, Change, Change.candidate_id, ids),
        alerts=await _rows(session, Alert, Alert.candidate_id, ids),
    )


async def _rows(
    session: AsyncSession,
    table: type[_T],
    column: object,
    ids: Sequence[int],
    *,
    order: Sequence[object] = (),
) -> list[_T]:
    """The rows of `table` whose `column` is one of `ids`, by `order` (default: by id;
    the tables keyed by two columns name them)."""
    # Every table read here without an `order` has an `id` (SQLModel itself does not).
    by = [col(c) for c in order] or [col(table.id)]  # type: ignore[attr-defined]
    result = await session.exec(select(table).where(col(column).in_(ids)).order_by(*by))
    return list(result.all())


async def erase(
    session: AsyncSession,
    *,
    held: HeldData,
    actor_id: str,
    now: datetime,
    remember: bool = True,
) -> None:
    """Overwrite what people typed about the candidate; ids, stages, dates, ratings and
    recommendations stay, so every count and duration reads the same afterwards.
    `remember`: at the person's request, keep digests of their email and name in the
    role (names.erased_email_digest), so an old file does not bring them back."""
    candidate = held.candidate
    candidate_id = candidate.id or 0
    old_names = {candidate.name}
    anonymous = erased_name(candidate_id)
    email = candidate.email
    await session.exec(
        update(Candidate)
        .where(col(Candidate.id) == candidate_id)
        .values(
            name=anonymous,
            name_key=name_key(anonymous),  # the id makes it unique among open ones too
            email=None,
            links=None,
            deadline_reason=None,
            next_alert_at=None,
            erased_at=now,
            erased_by=actor_id,
            erased_email_digest=erased_email_digest(email) if remember and email else None,
            erased_name_digest=(
                erased_name_digest(candidate.role_id, candidate.name) if remember else None
            ),
        )
        .execution_options(synchronize_session=False)
    )
    await _blank(session, StageEvent, StageEvent.candidate_id, [candidate_id], note="", detail="")
    interview_ids = [i.id or 0 for i in held.interviews]
    await _blank(
        session, Seat, Seat.interview_id, interview_ids, cant_make_it_reason="", next_alert_at=None
    )
    await _blank(session, Scorecard, Scorecard.candidate_id, [candidate_id], summary="")
    await _blank(
        session, Rating, Rating.scorecard_id, [s.id or 0 for s in held.scorecards], evidence=""
    )
    await _blank(
        session,
        Takehome,
        Takehome.candidate_id,
        [candidate_id],
        note="",
        submission_url=None,
        next_alert_at=None,
    )
    await _blank(
        session, TakehomeGrade, TakehomeGrade.id, [g.id or 0 for g in held.grades], summary=""
    )
    await _blank(
        session,
        TakehomeRating,
        TakehomeRating.grade_id,
        [g.id or 0 for g in held.grades],
        evidence="",
    )
    # Why an offer was declined stays as its reason's key, which names nobody.
    await _blank(session, Offer, Offer.candidate_id, [candidate_id], terms="", decline_details=None)
    await _blank(session, ClockPause, ClockPause.candidate_id, [candidate_id], reason="")
    # The kind (interview_rescheduled, candidate_edited...) and the date stay; the words
    # may quote the old name ("name: Jane → Janet") or an email, so they go.
    await _blank(
        session, Change, Change.candidate_id, [candidate_id], summary=ERASED_SUMMARY, reason=""
    )
    # An old name can also be quoted by a candidate's former spelling in their own
    # edits (already blanked above) or by a role's change: those are rewritten.
    for change in held.changes:
        for line in change.summary.split("; "):
            if line.startswith("name: "):
                old_names.update(n.strip() for n in line[len("name: ") :].split("→"))
    await _scrub_role_changes(session, old_names, anonymous)
    # Alerts still to go would name them in someone's DM: dropped.
    await session.exec(
        update(Alert)
        .where(col(Alert.candidate_id) == candidate_id, col(Alert.status) == "pending")
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )


# Ids per UPDATE: a first retention sweep over years of closed candidates marks tens of
# thousands, past PostgreSQL's 32,767 parameters a statement.
_BLANK_SLICE = 1000


async def _blank(
    session: AsyncSession, table: type[object], column: object, ids: Sequence[int], **values: object
) -> None:
    for start in range(0, len(ids), _BLANK_SLICE):
        await session.exec(
            update(table)
            .where(col(column).in_(ids[start : start + _BLANK_SLICE]))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


async def _scrub_role_changes(session: AsyncSession, names: set[str], anonymous: str) -> None:
    """Changes not about the candidate (a role's, an admin's) that quote one of their
    names get it replaced with the anonymous one."""
    words = sorted((n for n in names if len(n) >= 2), key=len, reverse=True)
    if not words:
        return
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words), re.IGNORECASE)
    result = await session.exec(select(Change).where(col(Change.candidate_id).is_(None)))
    for change in result.all():
        summary = pattern.sub(anonymous, change.summary)
        reason = pattern.sub(anonymous, change.reason)
        if (summary, reason) != (change.summary, change.reason):
            change.summary, change.reason = summary[:1000], reason
            session.add(change)
    await session.flush()


async def due_for_notice(session: AsyncSession, *, closed_before: datetime) -> list[Candidate]:
    """Rejected and withdrawn candidates closed before the time given, neither erased nor
    noticed yet. Every sweep asks: what was noticed stays out of the answer, so a store
    with years of closed candidates reads none of them again."""
    result = await session.exec(
        select(Candidate)
        .where(*_retained(closed_before), col(Candidate.erasure_notice_at).is_(None))
        .order_by(col(Candidate.stage_entered_at), col(Candidate.id))
    )
    return list(result.all())


async def due_for_erasure(
    session: AsyncSession, *, closed_before: datetime, noticed_before: datetime, limit: int
) -> list[int]:
    """Ids of rejected and withdrawn candidates, not yet erased, closed before one time
    and noticed before another: the oldest `limit` of them."""
    result = await session.exec(
        select(Candidate.id)
        .where(*_retained(closed_before), col(Candidate.erasure_notice_at) <= noticed_before)
        .order_by(col(Candidate.stage_entered_at), col(Candidate.id))
        .limit(limit)
    )
    return [i or 0 for i in result.all()]


def _retained(closed_before: datetime) -> tuple[ColumnElement[bool], ...]:
    """Rejected and withdrawn candidates, not yet erased, closed before the time given."""
    return (
        col(Candidate.stage).in_(RETAINED_STAGES),
        col(Candidate.erased_at).is_(None),
        col(Candidate.stage_entered_at) <= closed_before,
    )


async def recruiters_of(session: AsyncSession, *, role_ids: Sequence[int]) -> dict[int, list[str]]:
    result = await session.exec(
        select(RoleRecruiter).where(col(RoleRecruiter.role_id).in_(role_ids))
    )
    by_role: dict[int, list[str]] = {}
    for row in result.all():
        by_role.setdefault(row.role_id, []).append(row.user_id)
    return {role: sorted(people) for role, people in by_role.items()}


async def roles_by_id(session: AsyncSession, *, role_ids: Sequence[int]) -> dict[int, Role]:
    result = await session.exec(select(Role).where(col(Role.id).in_(role_ids)))
    return {r.id or 0: r for r in result.all()}


async def mark_notified(
    session: AsyncSession, *, candidate_ids: Sequence[int], now: datetime
) -> None:
    await _blank(session, Candidate, Candidate.id, candidate_ids, erasure_notice_at=now)
