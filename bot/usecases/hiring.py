"""What people ask of Loopkeeper, Slack-free: each function checks who is asking,
runs in one transaction, and returns data for the Block Kit builders."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email

from bot import store
from bot.domain import access
from bot.domain.access import Team
from bot.domain.names import Named, clean_name, match_names, name_key
from bot.domain.numbers import small_int
from bot.domain.scorecards import templates
from bot.domain.stages import CLOSED, IllegalMove, Stage, plan_move
from bot.store.engine import Database
from bot.store.tables import MAX_NOTE, Candidate, ClockSettings, Role, StageEvent

MAX_NAME = 150
MAX_LINKS = 2000


class FormErrors(Exception):
    """Field name -> message, for a modal to show under each field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class NotAllowed(Exception):
    """The person may not do this; the message says why, without revealing candidates."""


@dataclass(frozen=True)
class CandidateCard:
    candidate: Candidate
    role: Role
    team: Team
    events: list[StageEvent] = field(default_factory=list)

    @property
    def stage(self) -> Stage:
        return Stage(self.candidate.stage)


# Roles ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewRole:
    title: str
    hiring_manager_id: str | None
    recruiter_ids: list[str]
    channel_id: str | None
    template: str | None
    clocks: dict[str, str | None]


def check_new_role(form: NewRole) -> tuple[ClockSettings, dict[str, str]]:
    errors: dict[str, str] = {}
    title = clean_name(form.title)
    if not name_key(title):
        errors["title"] = "Give the role a title, e.g. Senior MLOps Engineer."
    elif len(title) > MAX_NAME:
        errors["title"] = f"Keep the title under {MAX_NAME} characters."
    if not form.hiring_manager_id:
        errors["hiring_manager"] = "Pick the hiring manager who will make the decision."
    if not form.recruiter_ids:
        errors["recruiters"] = "Pick at least one recruiter to receive the stall alerts."
    if not form.channel_id:
        errors["channel"] = "Pick the role's private hiring channel."
    if form.template not in templates():
        errors["template"] = "Pick one of the listed scorecard templates."
    clocks: dict[str, int] = {}
    for name, spec in ClockSettings.model_fields.items():
        raw = (form.clocks.get(name) or "").strip()
        if not raw:
            continue
        bounds = {m.__class__.__name__: m for m in spec.metadata}
        low, high = bounds["Ge"].ge, bounds["Le"].le  # type: ignore[attr-defined]
        value = small_int(raw, low=low, high=high)  # "²", "1e9", 5,000 digits: all refused
        if value is None:
            errors[name] = f"Enter a whole number from {low} to {high}."
        else:
            clocks[name] = value
    return ClockSettings(**clocks), errors


async def create_role(
    db: Database, *, actor_id: str, admins: Collection[str], form: NewRole, now: datetime
) -> Role:
    if not access.can_create_role(actor_id, admins):
        raise NotAllowed(
            "Only Loopkeeper admins can create roles. Ask an admin, or have your user id "
            "added to LOOPKEEPER_ADMINS."
        )
    clocks, errors = check_new_role(form)
    if errors:
        raise FormErrors(errors)
    assert form.hiring_manager_id and form.channel_id and form.template
    async with db.transaction() as session:
        try:
            return await store.create_role(
                session,
                title=form.title,
                hiring_manager_id=form.hiring_manager_id,
                recruiter_ids=form.recruiter_ids,
                channel_id=form.channel_id,
                template=form.template,
                clocks=clocks,
                actor_id=actor_id,
                now=now,
            )
        except store.DuplicateRole as dup:
            raise FormErrors(
                {
                    "title": f"A role called {dup.title} exists already. Add a team "
                    "or level to tell them apart."
                }
            ) from None


async def roles_for(db: Database, *, user_id: str) -> list[store.RoleWithTeam]:
    async with db.reader() as session:
        return await store.roles_for_user(session, user_id=user_id)


async def team_of(db: Database, *, role_id: int) -> Team | None:
    async with db.reader() as session:
        found = await store.role_with_team(session, role_id=role_id)
    return found.team if found else None


async def roles_user_can_add_to(db: Database, *, user_id: str) -> list[Role]:
    return [
        r.role
        for r in await roles_for(db, user_id=user_id)
        if access.can_add_candidates(user_id, r.team)
    ]


# Candidates --------------------------------------------------------------------------


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
        found = await store.role_with_team(session, role_id=form.role_id)
        if found is None or not access.can_add_candidates(actor_id, found.team):
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
                    f"{found.role.title} (stage: {dup.stage}). Use `/hire status "
                    f"{dup.name}` to see them."
                }
            ) from None
        assert candidate.id is not None
        await store.touch(session, candidate_id=candidate.id, now=now)  # the idle clock starts
        events = await store.recent_events(session, candidate_id=candidate.id)
        return CandidateCard(candidate, found.role, found.team, events)


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
    found = await store.candidates_with_roles(session, ids=[m.id for m in matches])
    by_id = {c.id: (c, r) for c, r in found}
    return [by_id[m.id] for m in matches if m.id in by_id]


async def card(db: Database, *, user_id: str, candidate_id: int) -> CandidateCard | None:
    """The candidate's card, or None when it does not exist or the user may not see it."""
    async with db.reader() as session:
        return await card_in(session, user_id=user_id, candidate_id=candidate_id)


async def card_in(
    session: store.AsyncSession, *, user_id: str, candidate_id: int
) -> CandidateCard | None:
    candidate = await store.get_candidate(session, candidate_id=candidate_id)
    if candidate is None:
        return None
    found = await store.role_with_team(session, role_id=candidate.role_id)
    if found is None:
        return None
    # Interviewers see the candidates they interview; the hiring team sees all of the role's.
    if not access.can_see_candidates(user_id, found.team) and user_id not in (
        await store.interviewer_ids_of(session, candidate_id=candidate_id)
    ):
        return None
    events = await store.recent_events(session, candidate_id=candidate_id)
    return CandidateCard(candidate, found.role, found.team, events)


class StaleMove(Exception):
    """Someone moved the candidate since the mover looked; the card shows where they are now."""

    def __init__(self, current: CandidateCard) -> None:
        super().__init__(current.candidate.stage)
        self.current = current


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
        current = await card_in(session, user_id=actor_id, candidate_id=candidate_id)
        if current is None:
            raise NotAllowed("I can't find that candidate among the roles you hire for.")
        if not access.can_move_candidates(actor_id, current.team):
            raise NotAllowed("Only the role's recruiters and hiring manager can move candidates.")
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
            await store.touch(session, candidate_id=candidate_id, now=now)
            events = await store.recent_events(session, candidate_id=candidate_id)
            await session.refresh(current.candidate)
            return CandidateCard(current.candidate, current.role, current.team, events)
    # Raised outside the transaction: a rollback would expire the card's rows.
    raise StaleMove(current)
