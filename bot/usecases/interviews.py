"""An interview after it is booked, Slack-free: reschedule it, change its interviewers,
cancel it, mark it a no-show, and an interviewer saying they can't make it.

Each change happens under the candidate's lock, in one transaction, on the version of the
interview the form was opened on: a form opened before someone else's change is refused
on the field, and nothing is half-applied. Every change is recorded (store.changes) and
re-plans the candidate's clocks, so nudges follow the interview as it now is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot import store
from bot.domain import access, safeguards
from bot.domain.interviews import InterviewChange, InterviewStatus
from bot.domain.limits import MAX_REASON, required_text, too_long
from bot.domain.scorecards import (
    Competency,
    PlanStage,
    Template,
    competencies_for,
    plan_stage,
)
from bot.domain.stages import SCHEDULABLE
from bot.domain.zones import in_utc
from bot.store import interviews as seats_store
from bot.store.engine import Database
from bot.store.tables import Candidate, CantMakeItAlert, Change, Interview, Seat
from bot.usecases.candidates import CandidateCard, allowed_card, card_in
from bot.usecases.errors import NOT_FOUND, FormErrors, NotAllowed
from bot.usecases.feedback import (
    Loop,
    Scheduled,
    booking_warnings,
    length_in_minutes,
    loop_of,
    panel_problem,
    start_problem,
    template_of,
)
from bot.usecases.trials import form_key

CHANGERS_ONLY = "Only the role's recruiters and hiring manager change interviews."
NOT_ON_PANEL = "You are not on that interview's panel, so there is nothing to tell."


class Verb(StrEnum):
    """What the status card's interview menu offers."""

    RESCHEDULE = "reschedule"
    PANEL = "panel"
    CANCEL = "cancel"
    NO_SHOW = "no_show"


_WHAT_CHANGED: dict[str, str] = {
    InterviewChange.RESCHEDULED: "it was moved to another time",
    InterviewChange.PANEL: "its interviewers changed",
    InterviewChange.CANCELLED: "it was cancelled",
    InterviewChange.NO_SHOW: "it was marked a no-show",
}
# The changes that bump the interview's version (a "can't make it" only flags a seat).
_VERSIONED = frozenset(_WHAT_CHANGED)


def change_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not change this candidate's interviews, or None: asked when a
    form opens and again when it is submitted."""
    if not access.can_move_candidates(user_id, card.team):
        return CHANGERS_ONLY
    if card.stage not in SCHEDULABLE:
        return f"{card.candidate.name} is in {card.stage.value}: their interviews can't change now."
    return None


def verb_refusal(interview: Interview, verb: Verb, *, now: datetime) -> str | None:
    """Why the interview, as it is now, does not take this change, or None."""
    status = InterviewStatus(interview.status)
    if status == InterviewStatus.CANCELLED:
        return "That interview was cancelled, so there is nothing left to change. Nothing changed."
    if status == InterviewStatus.NO_SHOW and verb != Verb.RESCHEDULE:
        return (
            "The candidate did not come to that interview: reschedule it, or reject them. "
            "Nothing changed."
        )
    if verb == Verb.NO_SHOW and now < interview.starts_at:
        return "That interview hasn't started yet, so it can't be a no-show. Nothing changed."
    return None


@dataclass(frozen=True)
class KitRef:
    """Where an interviewer's kit DM is, when it is known."""

    interviewer_id: str
    channel: str | None
    ts: str | None


@dataclass(frozen=True)
class InterviewContext:
    """An interview as the hiring team sees it, for a change form."""

    card: CandidateCard
    interview: Interview
    seats: list[Seat]
    stage: PlanStage | None
    last_change: Change | None

    @property
    def stage_name(self) -> str:
        return self.stage.name if self.stage else self.interview.plan_stage

    @property
    def minutes(self) -> int:
        return int((self.interview.ends_at - self.interview.starts_at).total_seconds() // 60)

    @property
    def interviewer_ids(self) -> list[str]:
        return [seat.interviewer_id for seat in self.seats]


Proposed = tuple[datetime, tuple[datetime, ...], str]  # said when, the times, by whom


def proposed_times(seats: Sequence[Seat]) -> list[Proposed]:
    """Each interviewer who can't make it and proposed a time, the latest to say so last."""
    return sorted(
        (seat.cant_make_it_at, seat.proposals, seat.interviewer_id)
        for seat in seats
        if seat.cant_make_it_at is not None and seat.proposals
    )


@dataclass(frozen=True)
class Changed:
    """An interview after a change: the card for the person who changed it, and what the
    interviewers must be told."""

    context: InterviewContext  # as it is now
    competencies: list[Competency]
    kits: list[KitRef]  # the panel's kits, now
    added: list[str] = field(default_factory=list)
    removed: list[KitRef] = field(default_factory=list)
    completed: Loop | None = None  # the loop's last piece of feedback is in now
    moved_from: datetime | None = None
    # What the person who moved it should know of the new time (bot.domain.safeguards).
    warnings: list[safeguards.Warning] = field(default_factory=list)
    # The panel's interviewers whose scorecard for it is in (a cancel keeps it on record).
    scored: frozenset[str] = frozenset()
    # Before a move, who had said they can't make it and the times they proposed (which
    # the move clears): a form sent back with warnings still shows them.
    proposed: list[Proposed] = field(default_factory=list)

    @property
    def card(self) -> CandidateCard:
        return self.context.card

    @property
    def interview(self) -> Interview:
        return self.context.interview

    def kit(self, interviewer_ids: list[str]) -> Scheduled:
        """What an interviewer's kit shows of this interview, as it is now: the due time
        their seat holds (set at booking, the role's window then), not the role's now."""
        context = self.context
        assert context.stage is not None
        booked_due = context.interview.ends_at + timedelta(hours=context.card.role.feedback_hours)
        due = next(
            (s.feedback_due_at for s in context.seats if s.interviewer_id in interviewer_ids),
            booked_due,
        )
        return Scheduled(
            context.interview,
            context.card.candidate,
            context.card.role,
            context.stage,
            self.competencies,
            interviewer_ids,
            due,
            None,
            warnings=self.warnings,
            cant_make_it=frozenset(
                s.interviewer_id for s in context.seats if s.cant_make_it_at is not None
            ),
        )


async def _last_change(session: store.AsyncSession, interview: Interview) -> Change | None:
    """The interview's latest change of those that move its version."""
    changes = await store.changes.changes_of_candidate(session, candidate_id=interview.candidate_id)
    return next(
        (c for c in changes if c.interview_id == interview.id and c.kind in _VERSIONED), None
    )


async def _context_in(
    session: store.AsyncSession,
    *,
    actor_id: str,
    interview: Interview,
    refusal: Callable[[CandidateCard, str], str | None] = change_refusal,
) -> InterviewContext:
    card = await allowed_card(
        session, user_id=actor_id, candidate_id=interview.candidate_id, refusal=refusal
    )
    assert interview.id is not None
    seats = await seats_store.seats_of_interview(session, interview_id=interview.id)
    stage = plan_stage(template_of(interview, card.role), interview.plan_stage)
    return InterviewContext(card, interview, seats, stage, await _last_change(session, interview))


async def change_context(
    db: Database,
    *,
    actor_id: str,
    interview_id: int,
    verb: Verb,
    now: datetime,
    card_version: int | None = None,
) -> InterviewContext:
    """The interview a change form opens on; NotAllowed when it should not open (the same
    refusals the submission meets). `card_version`: the version the card the person
    clicked on showed, for a form that confirms what the card showed (a no-show): a card
    drawn before another change opens nothing."""
    async with db.reader() as session:
        interview = await store.get_interview(session, interview_id=interview_id)
        if interview is None:
            raise NotAllowed(NOT_FOUND)
        context = await _context_in(session, actor_id=actor_id, interview=interview)
        why = verb_refusal(context.interview, verb, now=now) or await _scored_refusal(
            session, context.interview, verb
        )
    if why:
        raise NotAllowed(why)
    if card_version is not None and card_version != context.interview.version:
        raise NotAllowed(
            "Someone changed this interview since this card was drawn: "
            f"{what_changed(context.last_change)}. Nothing changed; look at the card again."
        )
    return context


def what_changed(last: Change | None) -> str:
    return _WHAT_CHANGED.get(last.kind, "it changed") if last else "it changed"


async def _locked(
    session: store.AsyncSession,
    *,
    actor_id: str,
    interview_id: int,
    base_version: int,
    verb: Verb,
    now: datetime,
    field_name: str,
) -> tuple[Candidate, InterviewContext]:
    """Under the candidate's lock: the interview as it is, if this person may still make
    this change on the version they saw; else NotAllowed, or FormErrors on `field_name`
    when the form was opened on an older version."""
    found = await store.get_interview(session, interview_id=interview_id)
    if found is None:
        raise NotAllowed(NOT_FOUND)
    candidate = await store.lock_candidate(session, candidate_id=found.candidate_id)
    assert candidate is not None
    await session.refresh(found)  # as it is under the lock, not as first read
    context = await _context_in(session, actor_id=actor_id, interview=found)
    if found.version != base_version:
        what = what_changed(context.last_change)
        raise FormErrors(
            {
                field_name: f"Someone changed this interview since you opened this form: "
                f"{what}. Close it and open it again."
            }
        )
    why = verb_refusal(found, verb, now=now) or await _scored_refusal(session, found, verb)
    if why:
        raise NotAllowed(why)
    return candidate, context


# Moved to a time still to come, its scorecards would be feedback on an interview that
# has not happened: the loop stayed complete and the decision window ran on.
HELD_ALREADY = (
    "A scorecard for this interview is in, so it was held and can't move to a time still "
    "to come. To interview them again, schedule another interview; to correct when it was "
    "held, pick that time (in the past). Nothing changed."
)


async def _scored(session: store.AsyncSession, interview: Interview) -> bool:
    scores = await store.scorecards_of(session, candidate_id=interview.candidate_id)
    return any(s.interview_id == interview.id for s in scores)


async def _scored_refusal(
    session: store.AsyncSession, interview: Interview, verb: Verb
) -> str | None:
    """A no-show has no feedback: an interview someone wrote a scorecard for is refused
    one (they may have written it before it began), rather than counting that scorecard
    beside "no-show"."""
    if verb != Verb.NO_SHOW or not await _scored(session, interview):
        return None
    return (
        "A scorecard for this interview is in, so it can't be marked a no-show. If the "
        "candidate did not come, cancel the interview instead, and ask its interviewers "
        "what their scorecard was about. Nothing changed."
    )


async def _after(
    session: store.AsyncSession,
    *,
    actor_id: str,
    context: InterviewContext,
) -> InterviewContext:
    """The context again, as the change left it, for the answer."""
    card = await card_in(session, user_id=actor_id, candidate_id=context.interview.candidate_id)
    assert card is not None and context.interview.id is not None
    await session.refresh(context.interview)
    seats = await seats_store.seats_of_interview(session, interview_id=context.interview.id)
    return InterviewContext(
        card,
        context.interview,
        seats,
        context.stage,
        await _last_change(session, context.interview),
    )


def _kits(seats: list[Seat]) -> list[KitRef]:
    return [KitRef(s.interviewer_id, s.kit_channel, s.kit_ts) for s in seats]


async def as_now(session: store.AsyncSession, *, actor_id: str, interview_id: int) -> Changed:
    """An interview as it is now, after a change to its candidate rather than to it (their
    deadline), so that its kits can be drawn again."""
    interview = await store.get_interview(session, interview_id=interview_id)
    assert interview is not None
    # The change was to the candidate, allowed by its own rule: nothing more to refuse
    # here (a candidate in offer has interviews nobody may change, yet a deadline).
    context = await _context_in(
        session, actor_id=actor_id, interview=interview, refusal=lambda _card, _user: None
    )
    template = template_of(interview, context.card.role)
    return Changed(context, competencies_for(template, interview.plan_stage), _kits(context.seats))


async def kit_now(db: Database, *, actor_id: str, interview_id: int) -> Changed:
    """The interview as it is now, for its kits to be drawn again (someone said they
    can't make it)."""
    async with db.reader() as session:
        return await as_now(session, actor_id=actor_id, interview_id=interview_id)


async def owed_kits(
    db: Database, *, actor_id: str, candidate_id: int
) -> list[tuple[Changed, list[str]]]:
    """The candidate's interviews with a scorecard still owed, as they are now, and who
    owes it: their kits are drawn again when the candidate's name or role changed."""
    async with db.reader() as session:
        owing: dict[int, list[str]] = {}
        for interview, seat in await store.seats_owing(session, candidate_id=candidate_id):
            owing.setdefault(interview.id or 0, []).append(seat.interviewer_id)
        return [
            (await as_now(session, actor_id=actor_id, interview_id=interview_id), people)
            for interview_id, people in owing.items()
        ]


# Reschedule -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewTime:
    starts_at: datetime | None
    minutes: str | None

    def key(self) -> str:
        """See bot.usecases.trials.form_key."""
        return form_key(
            self.starts_at.isoformat() if self.starts_at else "", (self.minutes or "").strip()
        )


def panel_key(interviewer_ids: list[str]) -> str:
    """See bot.usecases.trials.form_key."""
    return form_key(",".join(sorted(set(interviewer_ids))))


def check_time(
    form: NewTime, *, now: datetime, current_minutes: int
) -> tuple[tuple[datetime, datetime] | None, dict[str, str]]:
    minutes, length = length_in_minutes(form.minutes, default=current_minutes)
    problems = {
        "starts": start_problem(
            form.starts_at, now=now, missing="Pick the date and time the interview starts now."
        ),
        "minutes": length,
    }
    errors = {name: problem for name, problem in problems.items() if problem}
    starts = form.starts_at
    if errors or starts is None or minutes is None:
        return None, errors
    return (starts, starts + timedelta(minutes=minutes)), {}


async def reschedule(
    db: Database,
    *,
    actor_id: str,
    interview_id: int,
    base_version: int,
    form: NewTime,
    now: datetime,
    dry_run: bool = False,
) -> Changed:
    """A new start and length; the seats are due from the new end, and the clocks re-plan
    from it (the sweep sends nothing about the old time). `dry_run`: the change and its
    warnings, with nothing stored."""
    async with db.transaction(dry_run=dry_run) as session:
        candidate, context = await _locked(
            session,
            actor_id=actor_id,
            interview_id=interview_id,
            base_version=base_version,
            verb=Verb.RESCHEDULE,
            now=now,
            field_name="starts",
        )
        proposed = proposed_times(context.seats)  # before the move clears them
        interview, role = context.interview, context.card.role
        checked, errors = check_time(form, now=now, current_minutes=context.minutes)
        if errors or checked is None:
            raise FormErrors(errors)
        starts, ends = checked
        held = interview.status == InterviewStatus.SCHEDULED
        if held and (starts, ends) == (interview.starts_at, interview.ends_at):
            raise FormErrors({"starts": "That is the time it has now. Pick a new start."})
        if starts > now and await _scored(session, interview):
            raise FormErrors({"starts": HELD_ALREADY})
        old = interview.starts_at
        await seats_store.move_interview(
            session,
            interview=interview,
            starts_at=starts,
            ends_at=ends,
            feedback_due_at=ends + _booked_window(context),
        )
        assert candidate.id is not None
        # A no-show rescheduled owes its scorecards again: the decision waits for them.
        if candidate.feedback_complete_at is not None and not await store.every_seat_submitted(
            session, candidate_id=candidate.id
        ):
            await store.set_feedback_complete(session, candidate=candidate, at=None)
        await store.replan_clocks(session, candidate_id=candidate.id, now=now)
        summary = f"{context.stage_name} moved from {in_utc(old)} to {in_utc(starts)}"
        if not held:
            summary = f"{context.stage_name} rescheduled after a no-show: now {in_utc(starts)}"
        await store.changes.record_change(
            session,
            actor_id=actor_id,
            kind=InterviewChange.RESCHEDULED,
            summary=summary,
            now=now,
            role_id=role.id,
            candidate_id=candidate.id,
            interview_id=interview.id,
        )
        after = await _after(session, actor_id=actor_id, context=context)
        template = template_of(interview, role)
        # The warnings about a time, as a new booking gets them; which plan interview it
        # is did not change, so the plan's warnings would say nothing new.
        warnings = await _as_booked(
            session,
            candidate,
            context,
            template,
            interviewer_ids=[seat.interviewer_id for seat in after.seats],
            keep=lambda warning: not isinstance(warning, safeguards.PlanOverrun),
            now=now,
        )
        changed = Changed(
            after,
            competencies_for(template, interview.plan_stage),
            _kits(after.seats),
            moved_from=old,
            warnings=warnings,
            proposed=proposed,
        )
        return changed


async def _as_booked(
    session: store.AsyncSession,
    candidate: Candidate,
    context: InterviewContext,
    template: Template,
    *,
    interviewer_ids: list[str],
    keep: Callable[[safeguards.Warning], bool],
    now: datetime,
) -> list[safeguards.Warning]:
    """The warnings a new booking of `interviewer_ids` at the interview's time would get
    (feedback.booking_warnings), those of them that `keep` says a change should repeat."""
    found = await booking_warnings(
        session,
        candidate=candidate,
        role=context.card.role,
        template=template,
        interview=context.interview,
        interviewer_ids=interviewer_ids,
        now=now,
    )
    return [warning for warning in found if keep(warning)]


def _booked_window(context: InterviewContext) -> timedelta:
    """How long after its end the interview's scorecards are due: the window of the role
    when it was booked, which its seats hold (a role's new window is for interviews
    booked from then on, as the role form says), or the role's now if it has none."""
    interview = context.interview
    return next(
        (seat.feedback_due_at - interview.ends_at for seat in context.seats),
        timedelta(hours=context.card.role.feedback_hours),
    )


# Change interviewers ---------------------------------------------------------------------


def check_panel(interviewer_ids: list[str]) -> tuple[list[str], dict[str, str]]:
    people = sorted(set(interviewer_ids))
    problem = panel_problem(people)
    if problem:
        return [], {"interviewers": problem}
    if not all(access.is_user_id(p) for p in people):
        return [], {"interviewers": "Pick people from your workspace."}
    return people, {}


async def change_panel(
    db: Database,
    *,
    actor_id: str,
    interview_id: int,
    base_version: int,
    interviewer_ids: list[str],
    now: datetime,
    dry_run: bool = False,
) -> Changed:
    """Add and remove interviewers. A removed seat goes quietly (its clocks with it); a
    scorecard its holder submitted stays in the loop, marked as from off the panel.
    `dry_run`: the change and its warnings, with nothing stored."""
    people, errors = check_panel(interviewer_ids)
    if errors:
        raise FormErrors(errors)
    async with db.transaction(dry_run=dry_run) as session:
        candidate, context = await _locked(
            session,
            actor_id=actor_id,
            interview_id=interview_id,
            base_version=base_version,
            verb=Verb.PANEL,
            now=now,
            field_name="interviewers",
        )
        interview, role = context.interview, context.card.role
        current = {seat.interviewer_id for seat in context.seats}
        added = [p for p in people if p not in current]
        removed = [s for s in context.seats if s.interviewer_id not in people]
        if not added and not removed:
            raise FormErrors(
                {"interviewers": "That is the panel it has now. Add or remove someone."}
            )
        removed_kits = _kits(removed)
        await seats_store.change_seats(
            session,
            interview=interview,
            add=added,
            remove=[r.interviewer_id for r in removed],
            feedback_due_at=interview.ends_at + _booked_window(context),
        )
        assert candidate.id is not None
        if added and candidate.feedback_complete_at is not None:
            # A new interviewer owes a scorecard: the decision waits for it.
            await store.set_feedback_complete(session, candidate=candidate, at=None)
        await store.replan_clocks(session, candidate_id=candidate.id, now=now)
        completes = await store.complete_feedback(session, candidate=candidate, now=now)
        parts = []
        if added:
            parts.append("added " + ", ".join(f"<@{p}>" for p in added))
        if removed:
            parts.append("removed " + ", ".join(f"<@{r.interviewer_id}>" for r in removed))
        await store.changes.record_change(
            session,
            actor_id=actor_id,
            kind=InterviewChange.PANEL,
            summary=f"{context.stage_name} interviewers: {'; '.join(parts)}",
            now=now,
            role_id=role.id,
            candidate_id=candidate.id,
            interview_id=interview.id,
        )
        after = await _after(session, actor_id=actor_id, context=context)
        template = template_of(interview, role)
        # A newcomer's other interview at this time, as a new booking would say it; the
        # time did not change, so neither did the loop's or the plan's warnings.
        warnings = (
            await _as_booked(
                session,
                candidate,
                context,
                template,
                interviewer_ids=added,
                keep=lambda warning: isinstance(warning, safeguards.Clash),
                now=now,
            )
            if added
            else []
        )
        if removed and interview.starts_at <= now:
            scored = {
                c.interviewer_id
                for c in await store.scorecards_of(session, candidate_id=candidate.id)
                if c.interview_id == interview.id
            }
            unscored = tuple(r.interviewer_id for r in removed if r.interviewer_id not in scored)
            if unscored:
                warnings.append(safeguards.UnderWay(interview.starts_at, unscored))
    return Changed(
        after,
        competencies_for(template, interview.plan_stage),
        _kits(after.seats),
        added=added,
        removed=removed_kits,
        warnings=warnings,
        # Nothing was completed by a dry run: it stored nothing.
        completed=None
        if dry_run
        else await _summary(db, candidate, role.hiring_manager_id, completes),
    )


async def _summary(
    db: Database, candidate: Candidate, hiring_manager_id: str, completes: bool
) -> Loop | None:
    """The loop for its summary when this change completed it, as the hiring manager sees
    it (every rating); read after the commit, like a last scorecard's."""
    if not completes:
        return None
    return await loop_of(db, viewer_id=hiring_manager_id, candidate_id=candidate.id or 0)


# Cancel and no-show -------------------------------------------------------------------------


def check_reason(reason: str) -> tuple[str, dict[str, str]]:
    return required_text(
        reason,
        field="reason",
        limit=MAX_REASON,
        missing="Say why in a few words, e.g. candidate withdrew from this slot.",
    )


async def _take_out(
    db: Database,
    *,
    actor_id: str,
    interview_id: int,
    base_version: int,
    status: InterviewStatus,
    reason: str,
    now: datetime,
    field_name: str,
) -> Changed:
    """The interview leaves the loop: nothing is due on it, its clocks stop, and if every
    scorecard still owed is in, feedback completes now, once."""
    verb = Verb.CANCEL if status == InterviewStatus.CANCELLED else Verb.NO_SHOW
    async with db.transaction() as session:
        candidate, context = await _locked(
            session,
            actor_id=actor_id,
            interview_id=interview_id,
            base_version=base_version,
            verb=verb,
            now=now,
            field_name=field_name,
        )
        interview, role = context.interview, context.card.role
        await seats_store.set_interview_status(session, interview=interview, status=status)
        assert candidate.id is not None
        await store.replan_clocks(session, candidate_id=candidate.id, now=now)
        completes = await store.complete_feedback(session, candidate=candidate, now=now)
        cancelled = status == InterviewStatus.CANCELLED
        await store.changes.record_change(
            session,
            actor_id=actor_id,
            kind=InterviewChange.CANCELLED if cancelled else InterviewChange.NO_SHOW,
            summary=f"{context.stage_name} {'cancelled' if cancelled else 'marked a no-show'}",
            now=now,
            role_id=role.id,
            candidate_id=candidate.id,
            interview_id=interview.id,
            reason=reason,
        )
        after = await _after(session, actor_id=actor_id, context=context)
        scores = await store.scorecards_of(session, candidate_id=candidate.id)
    return Changed(
        after,
        competencies_for(template_of(interview, role), interview.plan_stage),
        _kits(after.seats),
        completed=await _summary(db, candidate, role.hiring_manager_id, completes),
        scored=frozenset(s.interviewer_id for s in scores if s.interview_id == interview.id),
    )


async def cancel(
    db: Database,
    *,
    actor_id: str,
    interview_id: int,
    base_version: int,
    reason: str,
    now: datetime,
) -> Changed:
    text, errors = check_reason(reason)
    if errors:
        raise FormErrors(errors)
    return await _take_out(
        db,
        actor_id=actor_id,
        interview_id=interview_id,
        base_version=base_version,
        status=InterviewStatus.CANCELLED,
        reason=text,
        now=now,
        field_name="reason",
    )


async def no_show(
    db: Database,
    *,
    actor_id: str,
    interview_id: int,
    base_version: int,
    note: str = "",
    now: datetime,
) -> Changed:
    """Confirmed in a form opened on the version the card showed (`base_version`); a
    change made since is a field error on `note`, and nothing is applied. The note (what
    happened) is optional."""
    text = note.strip()
    if problem := too_long("note", text, MAX_REASON):
        raise FormErrors({"note": problem})
    return await _take_out(
        db,
        actor_id=actor_id,
        interview_id=interview_id,
        base_version=base_version,
        status=InterviewStatus.NO_SHOW,
        reason=text,
        now=now,
        field_name="note",
    )


# An interviewer can't make it ------------------------------------------------------------------


@dataclass(frozen=True)
class CantMakeIt:
    interview: Interview
    candidate: Candidate
    stage_name: str
    tell: list[str]  # the recruiters (or the hiring manager, when there are none)
    reason: str
    first: bool  # False: said before, nobody is told again
    proposed: tuple[datetime, ...] = ()  # starts that work for them, if they gave any


async def _own_seat(
    session: store.AsyncSession, *, user_id: str, interview_id: int
) -> tuple[Interview, Seat]:
    interview = await store.get_interview(session, interview_id=interview_id)
    seat = (
        await seats_store.get_seat(session, interview_id=interview_id, interviewer_id=user_id)
        if interview
        else None
    )
    if interview is None or seat is None:
        raise NotAllowed(NOT_ON_PANEL)
    return interview, seat


def _seat_refusal(interview: Interview, candidate: Candidate, now: datetime) -> str | None:
    if interview.status != InterviewStatus.SCHEDULED:
        label = InterviewStatus(interview.status).label
        return f"That interview with {candidate.name} was marked {label}: nothing to do."
    if candidate.stage not in {s.value for s in SCHEDULABLE}:
        return f"{candidate.name} is in {candidate.stage}: that interview is over."
    if interview.starts_at <= now:
        # The recruiters would be sent to re-staff an interview already held (or scored).
        when = "has begun already" if interview.ends_at > now else "is over"
        return (
            f"Your interview with {candidate.name} {when}, so it is too late to say you "
            "can't make it. If it did not go ahead, tell the recruiters: they can "
            "reschedule it or mark it a no-show."
        )
    return None


async def cant_make_it_context(
    db: Database, *, user_id: str, interview_id: int, now: datetime
) -> tuple[Interview, Candidate]:
    """The seat an "I can't make it" form opens on, and whose interview it is; NotAllowed
    unless it is the person's own, on an interview still held, and not said already."""
    async with db.reader() as session:
        interview, seat = await _own_seat(session, user_id=user_id, interview_id=interview_id)
        candidate = await store.get_candidate(session, candidate_id=interview.candidate_id)
        assert candidate is not None
    why = _seat_refusal(interview, candidate, now)
    if why:
        raise NotAllowed(why)
    if seat.cant_make_it_at is not None:
        raise NotAllowed(
            "You already told the recruiters you can't make it; they will change the panel "
            "or the time."
        )
    return interview, candidate


async def cant_make_it(
    db: Database,
    *,
    user_id: str,
    interview_id: int,
    reason: str,
    now: datetime,
    proposed: Mapping[str, datetime | None] | None = None,
) -> CantMakeIt:
    """Flag the person's seat and say whom to tell; said twice, nobody is told again.
    `proposed`: the form's field -> a start that works for them (up to three, in the
    form's order), which the Reschedule form then opens on, the first."""
    text = reason.strip()
    given = {block_id: at for block_id, at in (proposed or {}).items() if at is not None}
    errors: dict[str, str] = {}
    if problem := too_long("reason", text, MAX_REASON):
        errors["reason"] = problem
    if given:  # every field's problem at once: the interview's own time too
        async with db.reader() as session:
            booked, _ = await _own_seat(session, user_id=user_id, interview_id=interview_id)
        errors |= _proposal_errors(given, now=now, booked=booked.starts_at)
    if errors:
        raise FormErrors(errors)
    async with db.transaction() as session:
        interview, _ = await _own_seat(session, user_id=user_id, interview_id=interview_id)
        candidate = await store.lock_candidate(session, candidate_id=interview.candidate_id)
        assert candidate is not None and candidate.id is not None
        session.expire_all()  # read again under the lock: a panel change may have landed
        interview, seat = await _own_seat(session, user_id=user_id, interview_id=interview_id)
        await session.refresh(candidate)
        why = _seat_refusal(interview, candidate, now)
        if why:
            raise NotAllowed(why)
        with_role = await store.candidate_with_role(session, candidate_id=candidate.id)
        assert with_role is not None
        role, team = with_role[1].role, with_role[1].team
        stage = plan_stage(template_of(interview, role), interview.plan_stage)
        stage_name = stage.name if stage else interview.plan_stage
        tell = team.bookers
        if seat.cant_make_it_at is not None:
            return CantMakeIt(
                interview,
                candidate,
                stage_name,
                tell,
                seat.cant_make_it_reason,
                first=False,
                proposed=seat.proposals,
            )
        # Read again under the lock: the interview may have moved since.
        if moved := _proposal_errors(given, now=now, booked=interview.starts_at):
            raise FormErrors(moved)
        times = tuple(given.values())
        await seats_store.flag_cant_make_it(session, seat=seat, at=now, reason=text, proposed=times)
        # The seat's reminder becomes the recruiters' warning a day ahead (clocks.PANEL_GAP),
        # and its nudges stop: planned again from now, not when the interview was booked.
        await store.replan_clocks(session, candidate_id=candidate.id, now=now)
        # The history is plain text: the times in UTC, as every stored summary has it.
        could_do = "; could do " + " or ".join(in_utc(at) for at in times) if times else ""
        await store.changes.record_change(
            session,
            actor_id=user_id,
            kind=InterviewChange.CANT_MAKE_IT,
            summary=f"<@{user_id}> can't make {stage_name}{could_do}",
            now=now,
            role_id=role.id,
            candidate_id=candidate.id,
            interview_id=interview.id,
            reason=text,
        )
    return CantMakeIt(interview, candidate, stage_name, tell, text, first=True, proposed=times)


async def cant_make_it_alerted(
    db: Database, *, interview_id: int, interviewer_id: str, sent: list[tuple[str, str]]
) -> list[CantMakeItAlert]:
    """Remember where the recruiters' alerts landed (channel, ts each); those a change
    settled while they were being sent come back at once, to be edited."""
    async with db.transaction() as session:
        for channel, ts in sent:
            await seats_store.record_cant_make_it_alert(
                session,
                interview_id=interview_id,
                interviewer_id=interviewer_id,
                channel=channel,
                ts=ts,
            )
        return await seats_store.settle_cant_make_it_alerts(session, interview_id=interview_id)


async def settled_alerts(db: Database, *, interview_id: int) -> list[CantMakeItAlert]:
    """The "can't make it" alerts a change of the interview settled, each returned once."""
    async with db.transaction() as session:
        return await seats_store.settle_cant_make_it_alerts(session, interview_id=interview_id)


def _proposal_errors(
    given: Mapping[str, datetime], *, now: datetime, booked: datetime | None = None
) -> dict[str, str]:
    """Each proposed start's problem on its own field: it must be still ahead, not the
    interview's own time (`booked`), and not one given above it."""
    errors: dict[str, str] = {}
    seen: set[datetime] = set()
    for block_id, at in given.items():
        if at <= now:
            errors[block_id] = "That time has passed. Pick a later one, or leave it empty."
        elif at == booked:
            errors[block_id] = "That is the interview's time now. Pick another, or leave it empty."
        elif at in seen:
            errors[block_id] = "You proposed that time already. Pick another, or leave it empty."
        seen.add(at)
    return errors


# The kits ------------------------------------------------------------------------------------


async def kit_sent(
    db: Database, *, interview_id: int, interviewer_id: str, channel: str, ts: str
) -> None:
    """Remember where an interviewer's kit DM is, so a later change edits it in place."""
    async with db.transaction() as session:
        await seats_store.set_kit_message(
            session,
            interview_id=interview_id,
            interviewer_id=interviewer_id,
            channel=channel,
            ts=ts,
        )
