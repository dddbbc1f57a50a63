"""Candidates: add one, find them by name, read the card a person may see, move
them between stages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from email_validator import EmailNotValidError, validate_email

from bot import store
from bot.domain import access
from bot.domain.access import Team
from bot.domain.clocks import decision_window_restarts, pauses_since
from bot.domain.interviews import InterviewChange, InterviewStatus
from bot.domain.limits import MAX_LINKS, MAX_NAME, MAX_NOTE, too_long
from bot.domain.links import clean_links
from bot.domain.names import (
    GUESS_BELOW,
    MAX_CHOICES,
    Match,
    Named,
    clean_name,
    match_names,
    name_key,
)
from bot.domain.scorecards import booked_template, stage_name
from bot.domain.stages import CLOSED, SCHEDULABLE, IllegalMove, Move, Stage, plan_move
from bot.store import candidates as candidate_store
from bot.store import interviews as interview_store
from bot.store.engine import Database
from bot.store.roles import CLOSED_ROLE
from bot.store.tables import Candidate, Change, Interview, Role, Seat, StageEvent
from bot.usecases.errors import NOT_FOUND, FormErrors, NotAllowed, StaleMove

HISTORY_CHANGES = 5  # as many as the stage events a card shows
MOVERS_ONLY = "Only the role's recruiters and hiring manager can move candidates."


@dataclass(frozen=True)
class CandidateCard:
    candidate: Candidate
    role: Role
    team: Team
    events: list[StageEvent] = field(default_factory=list)
    # The latest recorded changes (interviews rescheduled, cancelled...), for the history.
    changes: list[Change] = field(default_factory=list)

    @property
    def stage(self) -> Stage:
        return Stage(self.candidate.stage)

    @property
    def latest_move(self) -> StageEvent | None:
        """The latest move among the events read (not a note-only event at the same
        moment, such as the offer a move closed), ties broken by id."""
        moves = [e for e in self.events if e.from_stage != e.to_stage]
        return max(moves, key=lambda e: (e.at, e.id or 0), default=None)


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
    elif problem := too_long("name", name, MAX_NAME):
        errors["name"] = problem
    if form.role_id is None:
        errors["role"] = "Pick the role the candidate applies for."
    email = (form.email or "").strip() or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            why = str(error)
            errors["email"] = f"That email address does not look right: {why[:1].lower()}{why[1:]}"
    if (problem := too_long("links", form.links or "", MAX_LINKS)) or (
        problem := clean_links(form.links or "")[1]
    ):
        errors["links"] = problem
    return email, errors


@dataclass(frozen=True)
class SamePerson:
    """Another candidate who may be the one just added, in a role the adder may see: the
    same email anywhere, or the same name in the role (rejected or withdrawn before)."""

    name: str
    role_title: str
    stage: str
    candidate_id: int


@dataclass(frozen=True)
class Added:
    card: CandidateCard
    same_person: tuple[SamePerson, ...] = ()


async def add_candidate(db: Database, *, actor_id: str, form: NewCandidate, now: datetime) -> Added:
    email, errors = check_new_candidate(form)
    if errors:
        raise FormErrors(errors)
    assert form.role_id is not None
    async with db.transaction() as session:
        # The role's row, taken: a close racing this add goes first or sees the candidate.
        await store.lock_roles(session, role_ids=[form.role_id])
        role_with_team = await store.role_with_team(session, role_id=form.role_id)
        if role_with_team is None or not access.can_add_candidates(actor_id, role_with_team.team):
            raise FormErrors({"role": "You can only add candidates to roles you recruit for."})
        if role_with_team.role.status == CLOSED_ROLE:
            raise FormErrors({"role": closed_role_words(role_with_team.role)})
        same = await _same_person(session, actor_id, email, form.name, role_with_team.role)
        try:
            candidate = await store.add_candidate(
                session,
                role_id=form.role_id,
                name=form.name,
                email=email,
                links=clean_links(form.links or "")[0],
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
        card = CandidateCard(candidate, role_with_team.role, role_with_team.team, events)
        return Added(card, same)


async def _same_person(
    session: store.AsyncSession, actor_id: str, email: str | None, name: str, role: Role
) -> tuple[SamePerson, ...]:
    """The candidates already on file who may be this person, that the adder may see. The
    same email open in the same role is the same application twice: refused, as a name
    already open there is (store.add_candidate). The rest (closed, or in other roles)
    are told, so nobody adds a person again without knowing."""
    found: list[SamePerson] = []
    key = name_key(name)
    for other in await store.same_person(session, email=email, role_id=role.id or 0, key=key):
        other_role = await store.role_with_team(session, role_id=other.role_id)
        if other_role is None or not access.can_see_candidates(actor_id, other_role.team):
            continue
        if other.role_id == role.id and Stage(other.stage) not in CLOSED:
            if other.name_key == key:
                continue  # store.add_candidate refuses it on the name, as ever
            raise FormErrors({"email": _applies_already(other, role)})
        found.append(SamePerson(other.name, other_role.role.title, other.stage, other.id or 0))
    return tuple(found)


async def _taken(
    session: store.AsyncSession, name: str, email: str | None, role: Role, *, other_than: int
) -> dict[str, str]:
    """What an edit may not give an open candidate: the name or the email of another one
    open in the same role (the same application twice, as the add form refuses it),
    each on its field, both at once."""
    errors: dict[str, str] = {}
    key = name_key(name)
    for other in await store.same_person(session, email=email, role_id=role.id or 0, key=key):
        if other.id == other_than or other.role_id != role.id or Stage(other.stage) in CLOSED:
            continue
        if email and (other.email or "").lower() == email.lower():
            errors["email"] = _applies_already(other, role)
        if other.name_key == key:
            errors["name"] = _name_taken(other.name, other.stage, role)
    return errors


def _name_taken(name: str, stage: str, role: Role) -> str:
    return (
        f"{name} is already an open candidate for {role.title} (stage: {stage}). "
        f"Use `/hire status {name}` to see them."
    )


def _applies_already(other: Candidate, role: Role) -> str:
    """The same email open in the same role: the same application twice."""
    return (
        f"{other.name} already applies for {role.title} with this email "
        f"(stage: {other.stage}). Use `/hire status {other.name}` to see them."
    )


class Found(NamedTuple):
    """The candidates a name may mean, best first: at most MAX_CHOICES, and `more` when
    others matched too; `guessed` when the best is only like the name typed (a typo
    corrected, names.GUESS_BELOW), not that name or the start of its words."""

    rows: list[tuple[Candidate, Role]]
    more: bool = False
    guessed: bool = False


async def find(db: Database, *, user_id: str, query: str) -> Found:
    """Candidates the user may see whose name matches; unknown and forbidden look alike."""
    async with db.reader() as session:
        return await find_in(session, user_id=user_id, query=query)


async def find_in(session: store.AsyncSession, *, user_id: str, query: str) -> Found:
    # Most people type the whole name, and an exact name wins alone (match_names): when
    # the store has it, its rows are all that is read, not every name the asker may see.
    key = name_key(query)
    if not key:
        return Found([])
    exact = await store.candidates_named(session, user_id=user_id, key=key)
    if exact:
        # Open candidates first, as match_names ranks them.
        exact.sort(key=lambda row: row[0].stage in CLOSED)
        return Found(exact[:MAX_CHOICES], more=len(exact) > MAX_CHOICES)
    # Names only (no rows): a hiring manager may see thousands of candidates.
    visible = await store.candidate_names_visible_to(session, user_id=user_id)
    # A StrEnum's members hash as their values: no Stage() per row of thousands.
    people = [Named(i, name, stage not in CLOSED, key) for i, name, key, stage in visible]
    return await rows_of(session, match_names(query, people, limit=MAX_CHOICES + 1))


async def rows_of(session: store.AsyncSession, matches: list[Match]) -> Found:
    """The candidates and roles of match_names' matches (asked for one more than
    MAX_CHOICES, to know whether there are more), best first."""
    shown = matches[:MAX_CHOICES]
    rows = await store.candidates_with_roles(session, ids=[m.id for m in shown])
    by_id = {c.id: (c, r) for c, r in rows}
    return Found(
        [by_id[m.id] for m in shown if m.id in by_id],
        more=len(matches) > MAX_CHOICES,
        guessed=bool(shown) and shown[0].score < GUESS_BELOW,
    )


async def card(db: Database, *, user_id: str, candidate_id: int) -> CandidateCard | None:
    """The candidate's card, or None when it does not exist or the user may not see it."""
    async with db.reader() as session:
        return await card_in(session, user_id=user_id, candidate_id=candidate_id)


# A candidate's whole history: more than any real one holds, and what one message shows.
WHOLE_HISTORY = 400


async def history(db: Database, *, user_id: str, candidate_id: int) -> CandidateCard:
    """The card with its whole history (`/hire history`): every move and change, as the
    person may see them (an interviewer's as on their card). Raises NotAllowed."""
    async with db.reader() as session:
        found = await card_in(
            session, user_id=user_id, candidate_id=candidate_id, history=WHOLE_HISTORY
        )
    if found is None:
        raise NotAllowed(NOT_FOUND)
    return found


async def card_in(
    session: store.AsyncSession,
    *,
    user_id: str,
    candidate_id: int,
    history: int = HISTORY_CHANGES,
) -> CandidateCard | None:
    """`history`: how many of the latest stage events, and of the latest changes, to read."""
    with_role = await store.candidate_with_role(session, candidate_id=candidate_id)
    if with_role is None:
        return None
    candidate, role_with_team = with_role
    # Interviewers see the candidates they interview, graders those whose take-home they
    # grade (store.visible_ids); the hiring team sees all of the role's.
    if (
        not access.can_see_candidates(user_id, role_with_team.team)
        and user_id not in await store.interviewer_ids_of(session, candidate_id=candidate_id)
        and user_id not in await store.takehomes.grader_ids_of(session, candidate_id=candidate_id)
    ):
        return None
    events = await store.recent_events(session, candidate_id=candidate_id, limit=history)
    changes = await store.changes.changes_of_candidate(
        session, candidate_id=candidate_id, limit=history
    )
    if not access.can_see_candidates(user_id, role_with_team.team):
        # The team's notes are the team's (bot.usecases.notes): an interviewer's card
        # leaves them out, so what the team thinks never leans on their feedback. So are
        # the notes in the stage history that are not moves: the candidate's deadline and
        # why (a competing offer), the offer's terms and expiry.
        changes = [c for c in changes if c.kind not in store.changes.NOTE_KINDS]
        # A colleague being chased for their scorecard is between them and the team:
        # the nudges of others stay out of an interviewer's history (their own stay in).
        changes = [
            c
            for c in changes
            if (c.kind != store.changes.NUDGE_KIND or f"<@{user_id}>" in c.summary)
            and c.kind != store.changes.SNOOZE_KIND  # the team's clock, the team's business
        ]
        events = [
            e for e in events if not (e.from_stage is not None and e.from_stage == e.to_stage)
        ]
        # And the why of each move and change (a rejection's reason, a cancellation's, a
        # colleague's "can't make it"): the interviewer sees what happened, not why,
        # as the DM that told them did. Their own words stay theirs. Copies: the rows
        # may belong to a session that writes.
        events = [StageEvent(**e.model_dump() | {"note": ""}) if e.note else e for e in events]
        changes = [
            Change(**c.model_dump() | {"reason": ""}) if c.reason and c.actor_id != user_id else c
            for c in changes
        ]
    return CandidateCard(candidate, role_with_team.role, role_with_team.team, events, changes)


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


@dataclass(frozen=True)
class CalledOff:
    """An interview still to come that the candidate's leaving the process cancelled:
    what its interviewers are told, and where their kits are."""

    interview_id: int
    stage_name: str
    starts_at: datetime
    kits: list[tuple[str, str | None, str | None]]  # (interviewer, kit channel, kit ts)


@dataclass(frozen=True)
class Released:
    """Feedback someone still owed when a move closed it (scorecards and take-home grades
    close once a candidate leaves decision): they are told it is no longer needed."""

    user_id: str
    what: str  # "scorecard for the Production incident interview", "grade of the take-home"
    kit: tuple[str, str] | None = None  # (channel, ts) of the interview kit it was owed on
    interview_id: int | None = None  # a scorecard's interview (None: a take-home's grade)


@dataclass(frozen=True)
class Moved:
    card: CandidateCard
    called_off: list[CalledOff] = field(default_factory=list)
    released: list[Released] = field(default_factory=list)
    # Feedback owed again: a move back into the process (offer taken back to decision, a
    # rejection undone) opens what leaving it closed, and its writers were told it was not
    # needed.
    reopened: list[Released] = field(default_factory=list)
    # Out of offer: whether it closed an offer awaiting their answer (hired: accepted;
    # withdrawn: declined), the news the role's channel hears as from the offer's buttons.
    from_offer: bool = False
    closed_offer: bool = False


async def move(
    db: Database,
    *,
    actor_id: str,
    candidate_id: int,
    seen_stage: Stage,
    target: Stage,
    reason: str,
    now: datetime,
) -> Moved:
    """Move a candidate the actor saw in `seen_stage`; raises NotAllowed, IllegalMove,
    StaleMove. A move out of the process (hired, rejected, withdrawn) calls off their
    interviews still to come."""
    async with db.transaction() as session:
        current = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=move_refusal
        )
        if current.stage == seen_stage:
            if len(reason.strip()) > MAX_NOTE:
                raise IllegalMove(f"keep the reason to {MAX_NOTE:,} characters at most.")
            was = current.stage
            planned = plan_move(was, target, reason=reason)
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
            closed_offer = was == Stage.OFFER and await store.close_open_offer(
                session,
                candidate_id=candidate_id,
                status=offer_closed_by(target),
                actor_id=actor_id,
                now=now,
            )
            if current.candidate.stage_entered_at < now:
                await _undo_new_window(session, current.candidate)
            elif decision_window_restarts(was, target):
                await _new_decision_window(session, current.candidate, planned, actor_id, now)
            called_off = (
                await call_off_ahead(session, current, actor_id=actor_id, now=now)
                if target.is_closed
                else []
            )
            released = (
                await owed_feedback(session, current, now=now)
                if was in SCHEDULABLE and target not in SCHEDULABLE
                else []
            )
            reopened = (
                await owed_feedback(session, current, now=now)
                if was not in SCHEDULABLE and target in SCHEDULABLE
                else []
            )
            await store.replan_clocks(session, candidate_id=candidate_id, now=now)
            await session.refresh(current.candidate)
            # Read as /hire status reads it: the same history, changes and notes included.
            card = await card_in(session, user_id=actor_id, candidate_id=candidate_id)
            assert card is not None
            return Moved(
                card,
                called_off,
                released,
                reopened,
                from_offer=was == Stage.OFFER,
                closed_offer=closed_offer,
            )
    # Raised outside the transaction: a rollback would expire the card's rows.
    raise StaleMove(current)


NEW_WINDOW = ": a new decision window"  # how its pause's reason ends


async def _new_decision_window(
    session: store.AsyncSession, candidate: Candidate, move: Move, actor_id: str, now: datetime
) -> None:
    """The team decides again, from now (clocks.decision_window_restarts). The window
    counts from the loop's last scorecard, maybe days ago, so it would breach at once; a
    pause on the decision clock (recorded with why) makes it end a whole window from
    now: the time since it opened, less the pauses it has had since (a snooze, an
    earlier new window), or they would count twice."""
    started = candidate.feedback_complete_at
    if started is None or started >= now or candidate.id is None:
        return  # no window yet, or it counts from entering decision: now
    pauses = await store.pauses.pauses_of_candidate(session, candidate_id=candidate.id)
    had, _ = pauses_since(pauses, since=started)
    owed = (now - started) - had.get("decision", timedelta())
    if owed <= timedelta():
        return  # it already ends a whole window from now, or later
    why = (
        f"offer taken back{NEW_WINDOW}"
        if move.from_stage == Stage.OFFER
        else f"moved to {move.to_stage.value} from {move.from_stage.value}{NEW_WINDOW}"
    )
    await store.add_pause(
        session,
        candidate_id=candidate.id,
        clock="decision",
        subject="",
        seconds=int(owed.total_seconds()),
        actor_id=actor_id,
        reason=why,
        now=now,
    )


async def _undo_new_window(session: store.AsyncSession, candidate: Candidate) -> None:
    """A move undone within the hour (its stage's entry time restored) takes back the new
    decision window the slip opened, as it takes back the slip: the window counts on as
    it did before."""
    assert candidate.id is not None
    moves = [
        e
        for e in await store.recent_events(session, candidate_id=candidate.id, limit=3)
        if e.from_stage != e.to_stage
    ]
    if len(moves) < 2:
        return
    await store.pauses.drop_pauses(
        session,
        candidate_id=candidate.id,
        clock="decision",
        reason_ends=NEW_WINDOW,
        since=moves[1].at,  # the move this one undoes; moves[0] is this one
    )


async def call_off_ahead(
    session: store.AsyncSession, card: CandidateCard, *, actor_id: str, now: datetime
) -> list[CalledOff]:
    """Cancel the interviews still to come of a candidate who just left the process, as
    Cancel interview would (no scorecard is due, the history says why), so nobody turns
    up for them. Those under way or over keep their scorecards due."""
    assert card.candidate.id is not None
    ahead: dict[int, tuple[Interview, list[Seat]]] = {}
    for interview, seat in await store.seats_of(session, candidate_id=card.candidate.id):
        if interview.status == InterviewStatus.SCHEDULED and interview.starts_at > now:
            ahead.setdefault(interview.id or 0, (interview, []))[1].append(seat)
    called_off = []
    for interview, seats in ahead.values():
        await interview_store.set_interview_status(
            session, interview=interview, status=InterviewStatus.CANCELLED
        )
        name = stage_name(
            booked_template(interview.template, card.role.template), interview.plan_stage
        )
        await store.changes.record_change(
            session,
            actor_id=actor_id,
            kind=InterviewChange.CANCELLED,
            summary=f"{name} cancelled",
            now=now,
            role_id=card.role.id,
            candidate_id=card.candidate.id,
            interview_id=interview.id,
            reason=f"{card.candidate.name} is {card.candidate.stage}",
        )
        kits = [(s.interviewer_id, s.kit_channel, s.kit_ts) for s in seats]
        called_off.append(CalledOff(interview.id or 0, name, interview.starts_at, kits))
    return called_off


async def owed_feedback(
    session: store.AsyncSession, card: CandidateCard, *, now: datetime
) -> list[Released]:
    """Who owes a scorecard (an interview held, or under way, with none in) or a grade (a
    received take-home not yet graded by them): as the candidate leaves decision, or
    comes back into the process."""
    candidate_id = card.candidate.id or 0
    owed = [
        Released(
            seat.interviewer_id,
            "scorecard for the "
            + stage_name(
                booked_template(interview.template, card.role.template), interview.plan_stage
            ),
            (seat.kit_channel, seat.kit_ts) if seat.kit_channel and seat.kit_ts else None,
            interview.id,
        )
        for interview, seat in await store.seats_owing(session, candidate_id=candidate_id)
        if interview.starts_at <= now
    ]
    takehome = await store.takehomes.latest_takehome(session, candidate_id=candidate_id)
    if takehome is not None and takehome.status == "received" and takehome.id is not None:
        graded = {
            g.grader_id for g in await store.takehomes.grades_of(session, takehome_id=takehome.id)
        }
        owed += [
            Released(grader, "grade of the take-home")
            for grader in await store.takehomes.graders_of(session, takehome_id=takehome.id)
            if grader not in graded
        ]
    return owed


def offer_closed_by(target: Stage) -> str:
    """What a move out of `offer` makes of the offer awaiting an answer: hired is its
    acceptance and withdrawn the candidate's no (as the offer's own buttons record them);
    rejected, or back to an earlier stage, is the offer taken back."""
    if target == Stage.HIRED:
        return "accepted"
    if target == Stage.WITHDRAWN:
        return "declined"
    return "rescinded"


# Editing a candidate, and moving them to another role ------------------------------------------

EDITORS_ONLY = "Only the role's recruiters and hiring manager can edit a candidate."
STALE_CANDIDATE = (
    "Someone changed this candidate while the form was open; nothing was saved. "
    "Close the form and open it again to see the change."
)
BOTH_TEAMS = (
    "You can move a candidate only to a role where you are a recruiter or the hiring manager too."
)


def closed_role_words(role: Role) -> str:
    return f"{role.title} is closed and takes no new candidates. Pick an open role."


@dataclass(frozen=True)
class CandidateEdit:
    """The edit form: a new role_id moves the candidate."""

    name: str
    role_id: int | None
    email: str | None
    links: str | None


@dataclass(frozen=True)
class EditForm:
    """What the edit form opens on: the card, the roles it may move to (the candidate's
    own first) and the mark of the candidate as shown (candidate_fingerprint)."""

    card: CandidateCard
    roles: list[Role]
    seen: str


@dataclass(frozen=True)
class CandidateEdited:
    card: CandidateCard
    changes: list[str]  # empty: saved as it was
    moved_from: Role | None  # the role they left, when moved
    renamed: bool = False

    @property
    def kits_stale(self) -> bool:
        """The interview kits name the candidate and the role: a new name or role makes
        them read wrong."""
        return self.renamed or self.moved_from is not None


def edit_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not edit (or move) this candidate, or None."""
    if not access.can_move_candidates(user_id, card.team):
        return EDITORS_ONLY
    if card.stage.is_closed:
        return f"{card.candidate.name} is {card.stage.value}, which is final; nothing changed."
    return None


def move_target_refusal(target: store.RoleWithTeam | None, user_id: str) -> str | None:
    """Why this person may not move a candidate into `target`, or None: they must be on its
    team too, and it must be open."""
    if target is None or not access.can_add_candidates(user_id, target.team):
        return BOTH_TEAMS
    if target.role.status == CLOSED_ROLE:
        return closed_role_words(target.role)
    return None


def candidate_fingerprint(candidate: Candidate) -> str:
    """A short mark of what the edit form shows: its submission is refused when the
    candidate no longer has it (someone else saved meanwhile)."""
    shown = [candidate.role_id, candidate.name, candidate.email, candidate.links]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]


async def edit_form(db: Database, *, user_id: str, candidate_id: int) -> EditForm:
    """The edit form's card and roles; NotAllowed when it should not open."""
    async with db.reader() as session:
        card = await allowed_card(
            session, user_id=user_id, candidate_id=candidate_id, refusal=edit_refusal
        )
        mine = await store.roles_for_user(session, user_id=user_id)
    others = [
        r.role
        for r in mine
        if r.role.id != card.role.id and move_target_refusal(r, user_id) is None
    ]
    return EditForm(card, [card.role, *others], candidate_fingerprint(card.candidate))


def _shown(value: str | None) -> str:
    return value if value else "none"


async def edit_candidate(
    db: Database,
    *,
    actor_id: str,
    candidate_id: int,
    seen: str,
    form: CandidateEdit,
    now: datetime,
) -> CandidateEdited:
    """Save the edit form in one transaction: name, email, links and, when another role is
    picked, the move (their scorecards, interviews and take-homes come along; the new
    role's clocks apply, so they re-plan); the change recorded. Raises NotAllowed, or
    FormErrors (bad values, a name clash, a role they may not move to, a stale form)."""
    async with db.transaction() as session:
        await store.lock_candidate(session, candidate_id=candidate_id)
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=edit_refusal
        )
        candidate = card.candidate
        if candidate_fingerprint(candidate) != seen:
            raise FormErrors({"name": STALE_CANDIDATE})
        # Links left as they were (an import's, say, typed before links were checked)
        # are kept, not refused: the edit may be about something else.
        same_links = (form.links or "").strip() == (candidate.links or "").strip()
        email, errors = check_new_candidate(
            NewCandidate(form.name, form.role_id, form.email, None if same_links else form.links)
        )
        if errors:
            raise FormErrors(errors)
        assert form.role_id is not None
        target = store.RoleWithTeam(card.role, card.team)
        moving = form.role_id != card.role.id
        if moving:
            await store.lock_roles(session, role_ids=[form.role_id])
            found = await store.role_with_team(session, role_id=form.role_id)
            why = move_target_refusal(found, actor_id)
            if why:
                raise FormErrors({"role": why})
            assert found is not None
            target = found
            # Their scorecards must read as written, whatever template the new role has.
            await candidate_store.pin_interview_templates(
                session, candidate_ids=[candidate_id], template=card.role.template
            )
        name = clean_name(form.name)
        new_email = email != candidate.email or moving
        if Stage(candidate.stage) not in CLOSED and (new_email or name != candidate.name):
            # An email kept as it was is not this edit's to refuse.
            kept = email if new_email else None
            if taken := await _taken(session, name, kept, target.role, other_than=candidate_id):
                raise FormErrors(taken)
        candidate_name = candidate.name  # as it was: update_candidate changes the row
        links = candidate.links if same_links else clean_links(form.links or "")[0]
        changes = []
        if name != candidate.name:
            changes.append(f"name: {candidate.name} → {name}")
        if email != candidate.email:
            changes.append(f"email: {_shown(candidate.email)} → {_shown(email)}")
        if links != candidate.links:
            changes.append("links changed")
        if moving:
            changes.append(f"role: {card.role.title} → {target.role.title}")
        try:
            await candidate_store.update_candidate(
                session,
                candidate=candidate,
                name=name,
                email=email,
                links=links,
                role_id=form.role_id,
            )
        except store.DuplicateCandidate as dup:  # one added in the moment since
            raise FormErrors({"name": _name_taken(dup.name, dup.stage, target.role)}) from None
        if changes:
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind="candidate_moved" if moving else "candidate_edited",
                summary="; ".join(changes),
                now=now,
                role_id=target.role.id,
                candidate_id=candidate_id,
            )
        if moving:
            await store.replan_clocks(session, candidate_id=candidate_id, now=now)
        updated = await card_in(session, user_id=actor_id, candidate_id=candidate_id)
        assert updated is not None
        return CandidateEdited(
            updated, changes, card.role if moving else None, renamed=name != candidate_name
        )
