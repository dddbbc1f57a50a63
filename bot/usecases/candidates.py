"""Candidates: add one, find them by name, read the card a person may see, move
them between stages."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email

from bot import store
from bot.domain import access
from bot.domain.access import Team
from bot.domain.limits import MAX_LINKS, MAX_NAME, MAX_NOTE
from bot.domain.names import Named, clean_name, match_names, name_key
from bot.domain.stages import CLOSED, IllegalMove, Stage, plan_move
from bot.store.engine import Database
from bot.store.tables import Candidate, Role, StageEvent
from bot.usecases.errors import NOT_FOUND, FormErrors, NotAllowed, StaleMove

MOVERS_ONLY = "Only the role's recruiters and hiring manager can move candidates."


@dataclass(frozen=True)
class CandidateCard:
    candidate: Candidate
    role: Role
    team: Team
    events: list[StageEvent] = field(default_factory=list)

    @property
    def stage(self) -> Stage:
        return Stage(self.candidate.stage)


@dataclass(frozen=True)
class NewCandidate:
    name: str
    role_id: int | None
    email: str | None
    links: str | None


def check_new_candidate(form: NewCandidate) -> tuple[str | None, dict[str, str]]:
    """Validate the add form; returns the normalised email and any field errors."""
    errors: dict[str, str] = {}
    name = clean_name(form.name or "")
    # A name of only punctuation could never be found again by /hire status.
    if not name_key(name):
        errors["name"] = "Enter the candidate's name, e.g. Jane Doe."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep the name under {MAX_NAME} characters."
    if form.role_id is None:
        errors["role"] = "Pick the role the candidate applies for."
    email = (form.email or "").strip() or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            errors["email"] = f"That email address does not look right: {error}"
    if form.links and len(form.links) > MAX_LINKS:
        errors["links"] = f"Keep the links under {MAX_LINKS} characters."
    return email, errors


async def add_candidate(
    db: Database, *, actor_id: str, form: NewCandidate, now: datetime
) -> CandidateCard:
    email, errors = check_new_candidate(form)
    if errors:
        raise FormErrors(errors)
    assert form.role_id is not None
    async with db.transaction() as session:
        role_with_team = await store.role_with_team(session, role_id=form.role_id)
        if role_with_team is None or not access.can_add_candidates(actor_id, role_with_team.team):
            raise FormErrors({"role": "You can only add candidates to roles you recruit for."})
        try:
            candidate = await store.add_candidate(
                session,
                role_id=form.role_id,
                name=form.name,
                email=email,
                links=(form.links or "").strip() or None,
                actor_id=actor_id,
                now=now,
            )
        except store.DuplicateCandidate as dup:
            raise FormErrors(
                {
                    "name": f"{dup.name} is already an open candidate for "
                    f"{role_with_team.role.title} (stage: {dup.stage}). Use `/hire status "
                    f"{dup.name}` to see them."
                }
            ) from None
        assert candidate.id is not None
        # The idle clock starts.
        await store.replan_clocks(session, candidate_id=candidate.id, now=now)
        events = await store.recent_events(session, candidate_id=candidate.id)
        return CandidateCard(candidate, role_with_team.role, role_with_team.team, events)


async def find(db: Database, *, user_id: str, query: str) -> list[tuple[Candidate, Role]]:
    """Candidates the user may see whose name matches; unknown and forbidden look alike."""
    async with db.reader() as session:
        return await find_in(session, user_id=user_id, query=query)


async def find_in(
    session: store.AsyncSession, *, user_id: str, query: str
) -> list[tuple[Candidate, Role]]:
    # Names only (no rows): a hiring manager may see thousands of candidates.
    visible = await store.candidate_names_visible_to(session, user_id=user_id)
    # A StrEnum's members hash as their values: no Stage() per row of thousands.
    people = [Named(i, name, stage not in CLOSED, key) for i, name, key, stage in visible]
    matches = match_names(query, people)
    rows = await store.candidates_with_roles(session, ids=[m.id for m in matches])
    by_id = {c.id: (c, r) for c, r in rows}
    return [by_id[m.id] for m in matches if m.id in by_id]


async def card(db: Database, *, user_id: str, candidate_id: int) -> CandidateCard | None:
    """The candidate's card, or None when it does not exist or the user may not see it."""
    async with db.reader() as session:
        return await card_in(session, user_id=user_id, candidate_id=candidate_id)


async def card_in(
    session: store.AsyncSession, *, user_id: str, candidate_id: int
) -> CandidateCard | None:
    with_role = await store.candidate_with_role(session, candidate_id=candidate_id)
    if with_role is None:
        return None
    candidate, role_with_team = with_role
    # Interviewers see the candidates they interview; the hiring team sees all of the role's.
    if not access.can_see_candidates(user_id, role_with_team.team) and user_id not in (
        await store.interviewer_ids_of(session, candidate_id=candidate_id)
    ):
        return None
    events = await store.recent_events(session, candidate_id=candidate_id)
    return CandidateCard(candidate, role_with_team.role, role_with_team.team, events)


# Refusals: each rule about one candidate is a function of the card and the person, so the
# button or command that opens a form and the use case that takes it ask the same question.
Refusal = Callable[[CandidateCard, str], str | None]


def move_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not move this candidate, or None."""
    if not access.can_move_candidates(user_id, card.team):
        return MOVERS_ONLY
    return None


def move_form_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why the move form does not open, or None: a closed candidate has no stage to pick.
    A move typed at one gets the stage machine's fuller why instead (plan_move)."""
    refusal = move_refusal(card, user_id)
    if refusal is None and card.stage.is_closed:
        return f"{card.candidate.name} is {card.stage.value}, which is final."
    return refusal


async def allowed_card(
    session: store.AsyncSession, *, user_id: str, candidate_id: int, refusal: Refusal
) -> CandidateCard:
    """The candidate's card when `refusal` lets this person act on it; else NotAllowed with
    its why, or with NOT_FOUND when they may not see the candidate at all."""
    card = await card_in(session, user_id=user_id, candidate_id=candidate_id)
    if card is None:
        raise NotAllowed(NOT_FOUND)
    why = refusal(card, user_id)
    if why:
        raise NotAllowed(why)
    return card


async def lock_open(
    session: store.AsyncSession,
    *,
    candidate_id: int,
    stages: Collection[Stage],
    closed: Callable[[Candidate], str],
) -> Candidate:
    """Lock the candidate and read them again: NotAllowed with `closed`'s why when they
    have left `stages` since a form was read."""
    candidate = await store.lock_candidate(session, candidate_id=candidate_id)
    assert candidate is not None and candidate.id is not None
    still_open(candidate, stages=stages, closed=closed)
    return candidate


def still_open(
    candidate: Candidate, *, stages: Collection[Stage], closed: Callable[[Candidate], str]
) -> None:
    """NotAllowed with `closed`'s why unless the candidate is in one of `stages`."""
    if Stage(candidate.stage) not in stages:
        raise NotAllowed(closed(candidate))


async def form_card(
    db: Database, *, user_id: str, candidate_id: int, refusal: Refusal
) -> CandidateCard:
    """The card a form about this candidate opens on; NotAllowed when it should not open.
    The use case taking the form asks the same `refusal` again, under its transaction."""
    async with db.reader() as session:
        return await allowed_card(
            session, user_id=user_id, candidate_id=candidate_id, refusal=refusal
        )


async def move(
    db: Database,
    *,
    actor_id: str,
    candidate_id: int,
    seen_stage: Stage,
    target: Stage,
    reason: str,
    now: datetime,
) -> CandidateCard:
    """Move a candidate the actor saw in `seen_stage`; raises NotAllowed, IllegalMove, StaleMove."""
    async with db.transaction() as session:
        current = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=move_refusal
        )
        if current.stage == seen_stage:
            if len(reason.strip()) > MAX_NOTE:
                raise IllegalMove(f"keep the reason under {MAX_NOTE} characters.")
            planned = plan_move(current.stage, target, reason=reason)
            try:
                await store.move_candidate(
                    session,
                    candidate=current.candidate,
                    move=planned,
                    actor_id=actor_id,
                    note=reason,
                    now=now,
                )
            except store.StaleStage:
                raise IllegalMove(
                    "someone else moved this candidate a moment ago; look again."
                ) from None
            await store.replan_clocks(session, candidate_id=candidate_id, now=now)
            events = await store.recent_events(session, candidate_id=candidate_id)
            await session.refresh(current.candidate)
            return CandidateCard(current.candidate, current.role, current.team, events)
    # Raised outside the transaction: a rollback would expire the card's rows.
    raise StaleMove(current)
