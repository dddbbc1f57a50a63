"""Erasure and subject access (GDPR), Slack-free: what is held about one candidate, as
JSON for the person who asked; and erasing it for good, leaving an anonymous record
("Erased candidate #123") whose stages, dates and ratings keep the numbers true.
Admins only: they are read from the database on every call."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import store
from bot.domain.names import MAX_CHOICES, Named, match_names
from bot.domain.numbers import record_id
from bot.domain.stages import Stage
from bot.store import admins as admin_rows
from bot.store import erasure as erasure_rows
from bot.store.engine import Database
from bot.store.erasure import HeldData, erased_name
from bot.store.tables import Candidate, Role
from bot.usecases.candidates import Found, rows_of
from bot.usecases.errors import NOT_FOUND, NotAllowed

ADMINS_ONLY = "Erasing candidates and exporting their data is for Loopkeeper admins; ask one."
CONFIRM_WORD = "ERASE"
ERASED_KIND = "candidate_erased"


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing this candidate takes away, and what it keeps, in counts."""

    candidate: Candidate
    role: Role
    links: int
    notes: int
    scorecards: int
    evidence: int
    takehome_texts: int
    grades: int
    offers: int
    pauses: int
    changes: int
    pending_alerts: int
    stage_events: int
    interviews: int
    ratings: int
    # Other records that may be the same person (same email, or same name in the role):
    # (id, name, role title, stage). Erasing this one leaves them; the admin should know.
    others: tuple[tuple[int, str, str, str], ...] = ()


@dataclass(frozen=True)
class Erased:
    candidate_id: int
    name: str  # the anonymous one
    role: Role
    # Whose Home tabs showed the candidate: the hiring team, interviewers and graders.
    people: frozenset[str]
    # The interview kits in interviewers' DMs (channel, ts): they name the candidate.
    kits: tuple[tuple[str, str], ...] = ()


def already_erased(candidate: Candidate) -> str:
    return f"{candidate.name} was erased already; there is nothing left to erase."


def erase_refusal(candidate: Candidate) -> str | None:
    """Why this candidate cannot be erased now, or None. An open candidate still has
    clocks and people waiting on them: they are closed first, which tells the team."""
    if candidate.erased_at is not None:
        return already_erased(candidate)
    if not Stage(candidate.stage).is_closed:
        return (
            f"{candidate.name} is still open ({candidate.stage}). Close them first, e.g. "
            f"`/hire move {candidate.name} to withdrawn: asked to be forgotten`, then erase."
        )
    return None


async def _refuse_unless_admin(session: store.AsyncSession, user_id: str) -> None:
    if user_id not in await admin_rows.admin_ids(session):
        raise NotAllowed(ADMINS_ONLY)


async def find(db: Database, *, user_id: str, query: str) -> Found:
    """Every candidate whose name matches, in any role (an admin answers for all of
    them); `#123` names one by its number. Raises NotAllowed for a non-admin."""
    async with db.reader() as session:
        await _refuse_unless_admin(session, user_id)
        number = query.strip()
        if number.startswith("#"):
            candidate_id = record_id(number[1:])  # one that fits the column, or nobody
            return Found(
                await store.candidates_with_roles(
                    session, ids=[candidate_id] if candidate_id else []
                )
            )
        names = await erasure_rows.all_candidate_names(session)
        # Only a closed candidate can be erased: those come first, not the open ones.
        people = [Named(i, name, Stage(stage).is_closed, key) for i, name, key, stage in names]
        return await rows_of(session, match_names(query, people, limit=MAX_CHOICES + 1))


async def _held(
    session: store.AsyncSession, user_id: str, candidate_id: int, *, operator: bool = False
) -> HeldData:
    if not operator:  # an operator at the CLI answers for the database itself
        await _refuse_unless_admin(session, user_id)
    held = await erasure_rows.held_about(session, candidate_id=candidate_id)
    if held is None:
        raise NotAllowed(NOT_FOUND)
    return held


async def preview(
    db: Database, *, user_id: str, candidate_id: int, operator: bool = False
) -> ErasurePreview:
    """What the confirmation shows; raises NotAllowed (not an admin, erased, open)."""
    async with db.reader() as session:
        held = await _held(session, user_id, candidate_id, operator=operator)
        others = await _others(session, held.candidate)
    refusal = erase_refusal(held.candidate)
    if refusal:
        raise NotAllowed(refusal)
    return ErasurePreview(
        candidate=held.candidate,
        role=held.role,
        links=len((held.candidate.links or "").split()),
        notes=sum(1 for e in held.events if e.note or e.detail),
        scorecards=sum(1 for s in held.scorecards if s.summary),
        evidence=sum(1 for r in held.ratings if r.evidence)
        + sum(1 for r in held.takehome_ratings if r.evidence),
        takehome_texts=sum(1 for t in held.takehomes if t.note or t.submission_url),
        grades=sum(1 for g in held.grades if g.summary),
        offers=sum(1 for o in held.offers if o.terms),
        pauses=sum(1 for p in held.pauses if p.reason),
        changes=len(held.changes),
        pending_alerts=sum(1 for a in held.alerts if a.status == "pending"),
        stage_events=len(held.events),
        interviews=len(held.interviews),
        ratings=len(held.ratings) + len(held.takehome_ratings),
        others=others,
    )


async def _others(
    session: store.AsyncSession, candidate: Candidate
) -> tuple[tuple[int, str, str, str], ...]:
    """Records not yet erased that may be the same person as `candidate`."""
    found = []
    for other in await store.same_person(
        session, email=candidate.email, role_id=candidate.role_id, key=candidate.name_key
    ):
        if other.id == candidate.id or other.erased_at is not None:
            continue
        role = await store.role_with_team(session, role_id=other.role_id)
        title = role.role.title if role else "?"
        found.append((other.id or 0, other.name, title, other.stage))
    return tuple(found)


async def erase_in(
    session: store.AsyncSession,
    *,
    held: HeldData,
    actor_id: str,
    now: datetime,
    at_their_request: bool = True,
) -> Erased:
    """Erase within the caller's transaction, the candidate's row locked; recorded as a
    change that names nobody but the candidate's number. `at_their_request` (not the
    retention limit's): an import will not bring them back (store.erasure.erase)."""
    candidate_id = held.candidate.id or 0
    team = await store.role_with_team(session, role_id=held.role.id or 0)
    assert team is not None
    people = set(team.team.members)
    people.update(s.interviewer_id for s in held.seats)
    people.update(g.grader_id for g in held.graders)
    await erasure_rows.erase(
        session, held=held, actor_id=actor_id, now=now, remember=at_their_request
    )
    await store.changes.record_change(
        session,
        actor_id=actor_id,
        kind=ERASED_KIND,
        summary=f"erased the personal data of candidate #{candidate_id}",
        now=now,
        role_id=held.role.id,
        candidate_id=candidate_id,
    )
    kits = tuple((s.kit_channel, s.kit_ts) for s in held.seats if s.kit_channel and s.kit_ts)
    return Erased(candidate_id, erased_name(candidate_id), held.role, frozenset(people), kits)


async def erase(
    db: Database, *, actor_id: str, candidate_id: int, now: datetime, operator: bool = False
) -> Erased:
    """Erase the candidate in one transaction; raises NotAllowed (not an admin, open,
    erased already: a second submit of the same form erases nothing more)."""
    async with db.transaction() as session:
        locked = await store.lock_candidate(session, candidate_id=candidate_id)
        if locked is None:
            raise NotAllowed(NOT_FOUND)
        held = await _held(session, actor_id, candidate_id, operator=operator)
        refusal = erase_refusal(held.candidate)
        if refusal:
            raise NotAllowed(refusal)
        return await erase_in(session, held=held, actor_id=actor_id, now=now)


def _dump(rows: list[Any]) -> list[dict[str, Any]]:
    return [row.model_dump(mode="json") for row in rows]


async def person_data(db: Database, *, user_id: str, candidate_id: int) -> dict[str, Any]:
    """Everything held about one candidate (a subject access request); raises NotAllowed."""
    async with db.reader() as session:
        held = await _held(session, user_id, candidate_id)
        others = await _others(session, held.candidate)
    return {
        "candidate": held.candidate.model_dump(mode="json"),
        # Not in this file: records that may be the same person, each exported on its own.
        "other_records_maybe_same_person": [
            {"id": i, "name": name, "role": title, "stage": stage}
            for i, name, title, stage in others
        ],
        "role": {"id": held.role.id, "title": held.role.title},
        "stage_history": _dump(held.events),
        "interviews": [
            {
                **interview.model_dump(mode="json"),
                "seats": _dump([s for s in held.seats if s.interview_id == interview.id]),
            }
            for interview in held.interviews
        ],
        "scorecards": [
            {
                **card.model_dump(mode="json"),
                "ratings": _dump([r for r in held.ratings if r.scorecard_id == card.id]),
            }
            for card in held.scorecards
        ],
        "takehomes": [
            {
                **takehome.model_dump(mode="json"),
                "graders": [g.grader_id for g in held.graders if g.takehome_id == takehome.id],
                "grades": [
                    {
                        **grade.model_dump(mode="json"),
                        "ratings": _dump(
                            [r for r in held.takehome_ratings if r.grade_id == grade.id]
                        ),
                    }
                    for grade in held.grades
                    if grade.takehome_id == takehome.id
                ],
            }
            for takehome in held.takehomes
        ],
        "offers": _dump(held.offers),
        "pauses": _dump(held.pauses),
        "changes": _dump(held.changes),
        "alerts": _dump(held.alerts),
    }


def person_json(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
