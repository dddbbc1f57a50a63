"""Letting the rest go: once a role is closed (filled, or stopped), its recruiters and
hiring manager reject the candidates still in its pipeline in one go, with one reason,
instead of one `/hire move` each.

Each candidate is moved as `/hire move … to rejected` would move them, in a transaction
of their own (their interviews still to come called off, their clocks stopped), so a
long pipeline never holds other people's writes up, and a failure half-way leaves every
candidate either moved whole or not at all: asking again finishes the rest. Candidates
in `offer` are left as they are: an offer awaiting an answer is a conversation of its
own, closed by its answer or by moving that one person.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from bot import store
from bot.domain import access
from bot.domain.limits import MAX_NOTE, required_text
from bot.domain.stages import IllegalMove, Stage
from bot.store.engine import Database
from bot.store.tables import Candidate, Role
from bot.usecases import candidates
from bot.usecases.errors import FormErrors, NotAllowed, StaleMove
from bot.usecases.roles import ROLE_NOT_FOUND, is_open

log = logging.getLogger(__name__)

LEFT_ALONE = frozenset({Stage.OFFER})
TEAM_ONLY = "Only the role's recruiters and hiring manager reject its candidates."
CHANGED_MEANWHILE = (
    "The role's pipeline changed since you opened this form: close it and open it again "
    "to see who is left."
)


@dataclass(frozen=True)
class Rest:
    """A closed role's open candidates: those to reject, and those in offer, left alone."""

    role: Role
    to_reject: list[Candidate]
    in_offer: list[Candidate]

    @property
    def stamp(self) -> str:
        """A fingerprint of who is to be rejected and from which stage: the form carries
        it, and a pipeline that changed meanwhile is refused on the form."""
        seen = ",".join(f"{c.id}:{c.stage}" for c in sorted(self.to_reject, key=_id))
        return hashlib.sha256(seen.encode()).hexdigest()[:16]


def _id(candidate: Candidate) -> int:
    return candidate.id or 0


def rest_refusal(role: store.RoleWithTeam, user_id: str) -> str | None:
    """Why this person may not reject the role's remaining candidates, or None. Admins
    off the team neither: they do not see its candidates."""
    if not access.can_move_candidates(user_id, role.team):
        return TEAM_ONLY
    if is_open(role.role):
        return (
            f"{role.role.title} is still open. Close it first (`/hire role close "
            f"{role.role.title}`): the rest are let go once a role is filled or stopped."
        )
    return None


async def rest_of(db: Database, *, user_id: str, role_id: int) -> Rest:
    """Who is left in a closed role's pipeline; NotAllowed with why when the form should
    not open (nobody left to reject included)."""
    async with db.reader() as session:
        rest = await _rest(session, user_id=user_id, role_id=role_id)
    if not rest.to_reject:
        kept = (
            f" ({_people(len(rest.in_offer))} in offer, left to their offers' answers)"
            if rest.in_offer
            else ""
        )
        raise NotAllowed(f"{rest.role.title} has nobody left to reject{kept}.")
    return rest


async def _rest(session: store.AsyncSession, *, user_id: str, role_id: int) -> Rest:
    found = await store.role_with_team(session, role_id=role_id)
    if found is None:
        raise NotAllowed(ROLE_NOT_FOUND)
    why = rest_refusal(found, user_id)
    if why:
        raise NotAllowed(why)
    # In pipeline order, then by name: how the form lists them.
    still = sorted(
        await store.pipelines.open_candidates_of(session, role_id=role_id),
        key=lambda c: (list(Stage).index(Stage(c.stage)), c.name_key),
    )
    # Left alone: those whose offer awaits their answer. Someone in offer with none (put
    # there by an import or a move) would wait for an answer that never comes.
    awaiting = await store.pipelines.open_offers_of(
        session, candidate_ids=[c.id or 0 for c in still if Stage(c.stage) in LEFT_ALONE]
    )

    def left_alone(c: Candidate) -> bool:
        return Stage(c.stage) in LEFT_ALONE and (c.id or 0) in awaiting

    return Rest(
        found.role,
        [c for c in still if not left_alone(c)],
        [c for c in still if left_alone(c)],
    )


def check_reason(reason: str) -> tuple[str, dict[str, str]]:
    return required_text(
        reason,
        field="reason",
        limit=MAX_NOTE,
        missing="Say why in a few words, e.g. The role is filled.",
    )


async def confirm_rest(
    db: Database, *, user_id: str, role_id: int, reason: str, seen: str
) -> tuple[Rest, str]:
    """The form's submission, checked before anything moves: (who is to be rejected, the
    reason). FormErrors for a bad reason or a pipeline that changed since the form showed
    it (`seen`); NotAllowed for anyone who may not."""
    text, errors = check_reason(reason)
    if errors:
        raise FormErrors(errors)
    async with db.reader() as session:
        rest = await _rest(session, user_id=user_id, role_id=role_id)
    if rest.stamp != seen:
        raise FormErrors({"reason": CHANGED_MEANWHILE})
    return rest, text


@dataclass(frozen=True)
class LetGo:
    """One candidate rejected: from which stage, and what their move did."""

    from_stage: Stage
    moved: candidates.Moved


@dataclass(frozen=True)
class MovedMeanwhile:
    """One of the rest someone else moved while the form was being sent: where they are
    now, and who put them there (a teammate's Reject the rest a moment earlier, say)."""

    name: str
    stage: str
    actor_id: str | None


@dataclass(frozen=True)
class RestRejected:
    role: Role
    reason: str
    moved: list[LetGo] = field(default_factory=list)
    skipped: list[MovedMeanwhile] = field(default_factory=list)
    # Rejected already by this same person with this reason: the form sent twice (a
    # double click), whose other sending does the telling.
    already: list[str] = field(default_factory=list)
    in_offer: list[Candidate] = field(default_factory=list)
    failed: bool = False  # stopped half-way on an error: asking again finishes the rest


async def reject_rest(
    db: Database, *, actor_id: str, rest: Rest, reason: str, now: datetime
) -> RestRejected:
    """Each candidate of `rest` moved to rejected, one transaction each, as the form saw
    them: one moved meanwhile by someone else is left where they are, and said so."""
    moved: list[LetGo] = []
    skipped: list[MovedMeanwhile] = []
    already: list[str] = []
    failed = False
    for candidate in rest.to_reject:
        stage = Stage(candidate.stage)
        try:
            done = await candidates.move(
                db,
                actor_id=actor_id,
                candidate_id=candidate.id or 0,
                seen_stage=stage,
                target=Stage.REJECTED,
                reason=reason,
                now=now,
            )
        except (StaleMove, IllegalMove, NotAllowed):
            # Moved meanwhile (read again: two moves at once may fail either way): by this
            # same form sent twice, or by someone else.
            current = await candidates.card(db, user_id=actor_id, candidate_id=candidate.id or 0)
            if current is not None and _rejected_by(current, actor_id, reason):
                # This form's other sending (a double click) got there first: it goes on
                # through the same list and tells the person; this one stops, so two
                # sendings never each move (and report) part of it.
                already.append(candidate.name)
                break
            skipped.append(_meanwhile(candidate, current))
        except Exception:
            log.exception("rejecting the rest of role %s stopped half-way", rest.role.id)
            failed = True
            break
        else:
            moved.append(LetGo(stage, done))
    if moved:
        async with db.transaction() as session:
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind="role_rest_rejected",
                summary=f"rejected the {_people(len(moved))} left in its pipeline",
                now=now,
                role_id=rest.role.id,
                reason=reason,
            )
    return RestRejected(
        rest.role, reason, moved, skipped, in_offer=rest.in_offer, failed=failed, already=already
    )


def _meanwhile(candidate: Candidate, card: candidates.CandidateCard | None) -> MovedMeanwhile:
    if card is None:
        return MovedMeanwhile(candidate.name, candidate.stage, None)
    latest = card.latest_move
    return MovedMeanwhile(
        card.candidate.name, card.stage.value, latest.actor_id if latest is not None else None
    )


def _rejected_by(card: candidates.CandidateCard, actor_id: str, reason: str) -> bool:
    """The candidate's latest move is to rejected, by this person, for this reason: one
    their own form's other sending made a moment ago, not someone else's move."""
    latest = card.latest_move
    return (
        latest is not None
        and latest.to_stage == Stage.REJECTED
        and latest.actor_id == actor_id
        and (latest.note or "") == reason
    )


def _people(count: int) -> str:
    return f"{count} candidate{'s' if count != 1 else ''}"
