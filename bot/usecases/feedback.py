"""Interviews and scorecards, Slack-free: scheduling, the scorecard a person may open,
submitting it once, and who may see whose ratings."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from bot import store
from bot.domain import access, clocks, safeguards
from bot.domain.access import Team
from bot.domain.interviews import InterviewChange, InterviewStatus
from bot.domain.limits import MAX_EVIDENCE, MAX_SUMMARY
from bot.domain.numbers import small_int
from bot.domain.scorecards import (
    Competency,
    PlanStage,
    ScorecardForm,
    ScorecardInput,
    Template,
    booked_template,
    check_scorecard,
    competencies_for,
    plan_stage,
    template_named,
)
from bot.domain.stages import SCHEDULABLE, Stage, plan_move
from bot.domain.zones import in_utc
from bot.store.engine import Database
from bot.store.scorecard_writes import (
    ScorecardWrites,
    in_scorecard_writes,
    scorecard_transaction,
)
from bot.store.tables import (
    Candidate,
    Change,
    Interview,
    Rating,
    Role,
    Scorecard,
)
from bot.usecases import takehomes
from bot.usecases.candidates import CandidateCard, allowed_card
from bot.usecases.errors import NOT_FOUND, FormErrors, NotAllowed
from bot.usecases.trials import form_key

MAX_INTERVIEWERS = 6
# An interview may be recorded after the fact, but not long after.
MAX_PAST = timedelta(days=7)
MAX_AHEAD = timedelta(days=90)
# A scorecard may be written or edited until the candidate leaves `decision`.
EDITABLE = SCHEDULABLE
# Said to whoever holds no seat on the interview: someone else's kit forwarded to them, or
# an interviewer taken off the panel while their form was open.
NOT_YOURS = (
    "You are not on that interview's panel (or no longer are), so there is no scorecard "
    "of yours to open or send for it."
)


# What a person sees of a loop -----------------------------------------------------------


@dataclass(frozen=True)
class SeatView:
    interviewer_id: str
    feedback_due_at: datetime
    scorecard: Scorecard | None  # current version
    ratings: dict[str, Rating] = field(default_factory=dict)
    # False: a scorecard kept from someone since taken off the panel (it still counts).
    on_panel: bool = True
    cant_make_it_at: datetime | None = None  # the interviewer said they can't make it
    cant_make_it_reason: str = ""
    proposals: tuple[datetime, ...] = ()  # starts that work for them instead

    @property
    def submitted(self) -> bool:
        return self.scorecard is not None

    @property
    def edited(self) -> bool:
        return self.scorecard is not None and self.scorecard.version > 1


def template_of(interview: Interview, role: Role) -> Template:
    """The template the interview's scorecards are written against (booked_template)."""
    return booked_template(interview.template, role.template)


@dataclass(frozen=True)
class InterviewView:
    interview: Interview
    stage: PlanStage | None
    seats: list[SeatView]
    template: Template
    # Why it is not held any more (who cancelled it, or marked it a no-show, and why).
    status_change: Change | None = None

    @property
    def stage_name(self) -> str:
        return self.stage.name if self.stage else self.interview.plan_stage

    @property
    def held(self) -> bool:
        """Scheduled: not cancelled, not a no-show. Only then do its seats owe scorecards."""
        return self.interview.status == InterviewStatus.SCHEDULED


@dataclass(frozen=True)
class Loop:
    """A candidate's interviews as one viewer may see them."""

    candidate: Candidate
    role: Role
    team: Team
    template: Template
    interviews: list[InterviewView]
    show_ratings: bool  # the independence rule, decided for this viewer
    # The latest take-home, graded beside the interviews (its grades follow the same rule).
    takehome: takehomes.TakehomeView | None = None
    # Days away of the interviewers who still owe a scorecard, around their interviews:
    # read for status cards (bot.readmodels.status), which mark who is away; else empty.
    away: Mapping[str, frozenset[date]] = field(default_factory=dict)
    # The candidate's clock pauses, for the scorecards' snoozes: read for status cards
    # (bot.readmodels.status), which say when each is due; else empty.
    pauses: Sequence[clocks.Pause] = ()

    def due_of(self, item: InterviewView, seat: SeatView) -> datetime:
        """When the seat's scorecard is due, as the alerts count it: its snoozes added,
        and earlier under the candidate's own deadline."""
        return clocks.scorecard_due(
            seat.feedback_due_at,
            self.candidate.deadline_at,
            clocks.of_role(self.role),
            item.interview.ends_at,
            clocks.seat_paused(self.pauses, item.interview.id, seat.interviewer_id),
        )

    def grades_owed(self) -> list[str]:
        """The graders of the received take-home who have not graded it."""
        takehome = self.takehome
        if takehome is None or not takehome.received:
            return []
        return [g.grader_id for g in takehome.graders if not g.submitted]

    @property
    def seats(self) -> list[SeatView]:
        return [seat for interview in self.interviews for seat in interview.seats]

    @property
    def held_seats(self) -> list[SeatView]:
        """The seats that owe a scorecard: those of interviews not cancelled."""
        return [seat for interview in self.interviews if interview.held for seat in interview.seats]

    def owed_over(self, now: datetime) -> list[tuple[InterviewView, SeatView]]:
        """Scorecards still out for held interviews that are over: whom a nudge is for
        (nudge leaves out who said they can't make it)."""
        return [
            (item, seat)
            for item in self.interviews
            if item.held and item.interview.ends_at <= now
            for seat in item.seats
            if not seat.submitted
        ]

    @property
    def complete(self) -> bool:
        """Every scorecard of a held interview in, and every grade of a received take-home
        (store.every_seat_submitted says the same in SQL)."""
        return (
            bool(self.held_seats)
            and all(seat.submitted for seat in self.held_seats)
            and (self.takehome is None or self.takehome.complete)
        )

    @property
    def competencies(self) -> list[Competency]:
        """What the loop's scorecards rate, named as in the template version each interview
        was booked with, so a later version of the role's template renames nothing
        already written; the role's template while nothing is booked."""
        found: dict[str, Competency] = {}
        for interview in self.interviews:
            for competency in interview.template.competencies:
                found.setdefault(competency.key, competency)
        return list(found.values()) or list(self.template.competencies)

    def unassessed(self) -> list[Competency]:
        """Competencies nobody rated, in an interview or a take-home part: the debrief's
        blind spots."""
        rated = {key for seat in self.seats for key, r in seat.ratings.items() if r.rating > 0}
        if self.takehome is not None:
            rated |= self.takehome.rated_competencies()
        return [c for c in self.competencies if c.key not in rated]


def may_see_ratings(viewer_id: str, team: Team, submitted_by: Collection[str]) -> bool:
    """Independent feedback: an interviewer sees others' ratings only after their own."""
    return access.can_see_candidates(viewer_id, team) or viewer_id in submitted_by


async def _loop(
    session: store.AsyncSession,
    *,
    viewer_id: str,
    candidate: Candidate,
    role_with_team: store.RoleWithTeam | None = None,
) -> Loop | None:
    """`role_with_team`: the candidate's role and team, when the caller has read them already."""
    role_with_team = role_with_team or await store.role_with_team(
        session, role_id=candidate.role_id
    )
    assert candidate.id is not None and role_with_team is not None
    pairs = await store.seats_of(session, candidate_id=candidate.id)
    interviewers = {seat.interviewer_id for _, seat in pairs}
    if not (
        access.can_see_candidates(viewer_id, role_with_team.team)
        or viewer_id in interviewers
        or viewer_id in await store.takehomes.grader_ids_of(session, candidate_id=candidate.id)
    ):
        return None
    latest = store.latest_versions(await store.scorecards_of(session, candidate_id=candidate.id))
    ratings: dict[int, dict[str, Rating]] = {}
    current = {c.id for c in latest.values()}
    if current:
        for rating in await store.ratings_of_candidate(session, candidate_id=candidate.id):
            if rating.scorecard_id in current:
                ratings.setdefault(rating.scorecard_id, {})[rating.competency] = rating
    template = template_named(role_with_team.role.template)
    interviews: dict[int, InterviewView] = {}
    for interview, seat in pairs:
        assert interview.id is not None
        booked_with = template_of(interview, role_with_team.role)
        view = interviews.setdefault(
            interview.id,
            InterviewView(
                interview, plan_stage(booked_with, interview.plan_stage), [], booked_with
            ),
        )
        scorecard = latest.get((interview.id, seat.interviewer_id))
        view.seats.append(
            SeatView(
                seat.interviewer_id,
                seat.feedback_due_at,
                scorecard,
                ratings.get(scorecard.id or 0, {}) if scorecard else {},
                cant_make_it_at=seat.cant_make_it_at,
                cant_make_it_reason=seat.cant_make_it_reason,
                proposals=seat.proposals,
            )
        )
    await _off_panel(session, interviews, latest, ratings, role_with_team.role)
    await _status_changes(session, interviews, candidate_id=candidate.id)
    submitted_by = {interviewer for _, interviewer in latest}
    show = may_see_ratings(viewer_id, role_with_team.team, submitted_by)
    takehome = await takehomes.takehome_in(
        session,
        viewer_id=viewer_id,
        candidate=candidate,
        team=role_with_team.team,
        template=template,
    )
    return Loop(
        candidate,
        role_with_team.role,
        role_with_team.team,
        template,
        list(interviews.values()),
        show,
        takehome,
    )


async def _off_panel(
    session: store.AsyncSession,
    interviews: dict[int, InterviewView],
    latest: dict[tuple[int, str], Scorecard],
    ratings: dict[int, dict[str, Rating]],
    role: Role,
) -> None:
    """A scorecard whose writer was taken off the panel stays in the loop, marked so."""
    seated = {(i, seat.interviewer_id) for i, view in interviews.items() for seat in view.seats}
    for (interview_id, interviewer_id), scorecard in sorted(latest.items()):
        if (interview_id, interviewer_id) in seated:
            continue
        view = interviews.get(interview_id)
        if view is None:  # every seat of it gone: not possible today (a panel keeps one)
            interview = await store.get_interview(session, interview_id=interview_id)
            if interview is None:
                continue
            booked_with = template_of(interview, role)
            view = interviews[interview_id] = InterviewView(
                interview, plan_stage(booked_with, interview.plan_stage), [], booked_with
            )
        view.seats.append(
            SeatView(
                interviewer_id,
                scorecard.submitted_at,
                scorecard,
                ratings.get(scorecard.id or 0, {}),
                on_panel=False,
            )
        )


async def _status_changes(
    session: store.AsyncSession, interviews: dict[int, InterviewView], *, candidate_id: int
) -> None:
    """Who cancelled an interview, or marked it a no-show, and why: read only when one was."""
    if all(view.held for view in interviews.values()):
        return
    for change in await store.changes.changes_of_candidate(session, candidate_id=candidate_id):
        view = interviews.get(change.interview_id or 0)
        # Latest first: the latest such change says who and why.
        if view and not view.held and not view.status_change and change.kind in STATUS_KINDS:
            interviews[view.interview.id or 0] = replace(view, status_change=change)


# The change kinds that take an interview out of the loop.
STATUS_KINDS = frozenset({InterviewChange.CANCELLED, InterviewChange.NO_SHOW})


async def loop_in(
    session: store.AsyncSession, *, viewer_id: str, candidate: Candidate, role: Role, team: Team
) -> Loop | None:
    """The loop of a candidate whose role and team the caller has read in this session."""
    return await _loop(
        session,
        viewer_id=viewer_id,
        candidate=candidate,
        role_with_team=store.RoleWithTeam(role, team),
    )


async def loop_of(db: Database, *, viewer_id: str, candidate_id: int) -> Loop | None:
    """The candidate's loop for this viewer, or None if they may not see the candidate."""
    async with db.reader() as session:
        candidate = await store.get_candidate(session, candidate_id=candidate_id)
        if candidate is None:
            return None
        return await _loop(session, viewer_id=viewer_id, candidate=candidate)


@dataclass(frozen=True)
class Nudged:
    """A reminder someone sent already, not sent again: to whom, by whom, when."""

    interviewer_id: str
    actor_id: str
    at: datetime


@dataclass(frozen=True)
class Nudge:
    """The seats of a candidate's loop whose scorecards are still out: whom to remind."""

    card: CandidateCard
    waiting: list[tuple[InterviewView, SeatView]]
    # None waiting, but an interview still to end owes scorecards: when the next one starts.
    next_interview: datetime | None = None
    # Reminded already, less than NUDGE_AGAIN_AFTER ago: not sent again (a double click,
    # or a teammate pressing their copy of the same digest).
    nudged: list[Nudged] = field(default_factory=list)
    # Owing a scorecard, but they said they can't make it: not nudged.
    absent: list[str] = field(default_factory=list)
    # Any interview booked and not called off: without one there is nothing to nudge
    # about, and no scorecard is "in" either (someone imported into interviewing).
    booked: bool = True
    # The loop read for it, with the candidate's pauses: when each scorecard is due.
    loop: Loop | None = None
    # Graders of the received take-home who have not graded it: reminded too (grading has
    # no clock of its own, so this is the one way to chase it).
    graders: list[str] = field(default_factory=list)

    @property
    def anyone(self) -> bool:
        """Someone is reminded by this nudge."""
        return bool(self.waiting or self.graders)


# How long after a nudge the same scorecard can be nudged for again: two presses
# (a double click, two recruiters on their copies of one digest) send one reminder.
NUDGE_AGAIN_AFTER = timedelta(hours=1)


def nudge_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Only the hiring team nudges; to anyone else, an interviewer too, the candidate is
    not there to nudge about."""
    return None if access.can_move_candidates(user_id, card.team) else NOT_FOUND


async def nudge(db: Database, *, actor_id: str, candidate_id: int, now: datetime) -> Nudge:
    """The interviewers to remind about their scorecards for this candidate: of the
    interviews over, those not in (none: every one is in, or none is over yet), but for
    those reminded less than NUDGE_AGAIN_AFTER ago (Nudge.nudged). Each reminder is
    recorded (the candidate's history says who nudged whom), under the candidate's lock,
    so presses at once send it once. Raises NotAllowed, also once scorecards are closed
    (a nudge from an old digest). The reminders themselves are the caller's."""
    async with db.transaction() as session:
        await store.lock_candidate(session, candidate_id=candidate_id)
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=nudge_refusal
        )
        if card.stage not in EDITABLE:
            raise NotAllowed(
                f"{card.candidate.name} is in {card.stage} now, so scorecards for them are "
                "closed: nobody was nudged."
            )
        loop = await loop_in(
            session,
            viewer_id=actor_id,
            candidate=card.candidate,
            role=card.role,
            team=card.team,
        )
        if loop is None:  # the hiring team sees every loop of its role: never, in fact
            raise NotAllowed(NOT_FOUND)
        # A snooze moved some seat's due time: the reminder says the moved one.
        pauses = await store.pauses.pauses_of_candidate(session, candidate_id=candidate_id)
        loop = replace(loop, pauses=pauses)
        over = loop.owed_over(now)
        ahead = [
            i.interview.starts_at
            for i in loop.interviews
            if i.held and i.interview.ends_at > now
            for seat in i.seats
            if not seat.submitted
        ]
        # Who said they can't make it was told no nudge would come: the panel is the
        # recruiters' to fix (change its interviewers, or a no-show), not theirs to write.
        absent = [seat.interviewer_id for _, seat in over if seat.cant_make_it_at is not None]
        over = [(i, seat) for i, seat in over if seat.cant_make_it_at is None]
        recent = await store.changes.nudges_since(
            session, candidate_id=candidate_id, since=now - NUDGE_AGAIN_AFTER
        )
        sent = {(c.interview_id, c.summary): c for c in reversed(recent)}  # the latest
        waiting, nudged = [], {}
        for item, seat in over:
            earlier = sent.get((item.interview.id, _nudge_summary(item, seat)))
            if earlier is None:
                waiting.append((item, seat))
            else:
                nudged[seat.interviewer_id] = Nudged(
                    seat.interviewer_id, earlier.actor_id, earlier.at
                )
        for item, seat in waiting:
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind=store.changes.NUDGE_KIND,
                summary=_nudge_summary(item, seat),
                now=now,
                candidate_id=candidate_id,
                interview_id=item.interview.id,
            )
        owe_grades = loop.grades_owed()
        graders = []
        for grader in owe_grades:
            summary = _grade_nudge_summary(grader)
            earlier = sent.get((None, summary))
            if earlier is not None:
                nudged[grader] = Nudged(grader, earlier.actor_id, earlier.at)
                continue
            graders.append(grader)
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind=store.changes.NUDGE_KIND,
                summary=summary,
                now=now,
                candidate_id=candidate_id,
            )
    next_one = min(ahead) if ahead and not over and not absent else None
    nudged_before = sorted(nudged.values(), key=lambda n: n.at)
    booked = any(i.held for i in loop.interviews) or bool(owe_grades)
    return Nudge(card, waiting, next_one, nudged_before, sorted(set(absent)), booked, loop, graders)


def _nudge_summary(item: InterviewView, seat: SeatView) -> str:
    """A nudge as the history says it; with its interview, the record of whom it was for."""
    return f"reminded <@{seat.interviewer_id}> of their {item.stage_name} scorecard"


def _grade_nudge_summary(grader_id: str) -> str:
    return f"reminded <@{grader_id}> to grade the take-home"


# Scheduling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInterview:
    plan_stage: str | None
    interviewer_ids: list[str]
    starts_at: datetime | None
    minutes: str | None

    def key(self) -> str:
        """The same form, the same key: a booking warned about and then confirmed is the
        one the warnings were about, not one changed since."""
        return form_key(
            self.plan_stage or "",
            ",".join(sorted(set(self.interviewer_ids))),
            self.starts_at.isoformat() if self.starts_at else "",
            (self.minutes or "").strip(),
        )


@dataclass(frozen=True)
class Scheduled:
    interview: Interview
    candidate: Candidate
    role: Role
    stage: PlanStage
    competencies: list[Competency]
    interviewer_ids: list[str]
    feedback_due_at: datetime
    moved_from: Stage | None
    repeated: bool = False  # the same form arrived again: nothing new was booked
    # Booked all the same: the scheduler is told (bot.domain.safeguards).
    warnings: list[safeguards.Warning] = field(default_factory=list)
    # Interviewers who said they can't make it: their kit says no reminder will come.
    cant_make_it: frozenset[str] = frozenset()


def schedule_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not schedule an interview with this candidate, or None: asked
    when the form opens and again when it is submitted."""
    if not access.can_move_candidates(user_id, card.team):
        return "Only the role's recruiters and hiring manager schedule interviews."
    if card.stage not in SCHEDULABLE:
        return f"{card.candidate.name} is in {card.stage.value}: interviews are over for them."
    return None


def panel_problem(interviewer_ids: Collection[str]) -> str | None:
    """What is wrong with an interview's panel, or None (scheduling and re-staffing alike)."""
    if not interviewer_ids:
        return "Pick at least one interviewer."
    if len(set(interviewer_ids)) > MAX_INTERVIEWERS:
        return f"Pick at most {MAX_INTERVIEWERS} interviewers per interview."
    return None


def start_problem(starts: datetime | None, *, now: datetime, missing: str) -> str | None:
    """What is wrong with an interview's start, or None (`missing`: the words when none)."""
    if starts is None:
        return missing
    if starts < now - MAX_PAST:
        return "That is more than a week ago. Pick the interview's real start."
    if starts > now + MAX_AHEAD:
        return "That is more than 90 days ahead. Pick a date inside the loop."
    return None


def length_in_minutes(raw: str | None, *, default: int | None) -> tuple[int | None, str | None]:
    """The length typed (`default` when empty), or the problem with it."""
    text = (raw or "").strip()
    if not text:
        return default, None
    minutes = small_int(text, low=10, high=480)
    return minutes, None if minutes is not None else "Enter the length in minutes, from 10 to 480."


def check_interview(
    form: NewInterview, template: Template, *, now: datetime
) -> tuple[tuple[PlanStage, datetime, datetime] | None, dict[str, str]]:
    stage = plan_stage(template, form.plan_stage or "")
    minutes, length = length_in_minutes(form.minutes, default=stage.minutes if stage else None)
    problems = {
        "plan": None if stage else "Pick which interview of the plan this is.",
        "interviewers": panel_problem(form.interviewer_ids),
        "starts": start_problem(
            form.starts_at, now=now, missing="Pick the date and time the interview starts."
        ),
        "minutes": length,
    }
    errors = {name: problem for name, problem in problems.items() if problem}
    starts = form.starts_at
    if errors or stage is None or starts is None or minutes is None:
        return None, errors
    return (stage, starts, starts + timedelta(minutes=minutes)), {}


async def schedule(
    db: Database,
    *,
    actor_id: str,
    candidate_id: int,
    form: NewInterview,
    now: datetime,
    request_key: str = "",
    dry_run: bool = False,
) -> Scheduled:
    """Add one interview; the first one moves the candidate to `interviewing`.
    A form submitted again (same request_key) books nothing more. `dry_run`: what the
    booking would be and what it would warn about, with nothing stored
    (the scheduler sees the warnings on the form before booking)."""
    async with db.transaction(dry_run=dry_run) as session:
        await store.lock_candidate(session, candidate_id=candidate_id)  # one booking at a time
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=schedule_refusal
        )
        candidate, role, current = card.candidate, card.role, card.stage
        template = template_named(role.template)
        checked, errors = check_interview(form, template, now=now)
        if errors or checked is None:
            raise FormErrors(errors)
        stage, starts, ends = checked
        due = ends + timedelta(hours=role.feedback_hours)
        interview = await store.interview_by_request(session, request_key=request_key[:32])
        repeated = interview is not None
        moved_from = None
        if interview is None:
            assert candidate.id is not None
            interview = await store.add_interview(
                session,
                candidate_id=candidate.id,
                plan_stage=stage.key,
                interviewer_ids=form.interviewer_ids,
                starts_at=starts,
                ends_at=ends,
                feedback_due_at=due,
                actor_id=actor_id,
                now=now,
                request_key=request_key[:32] or None,
                template=role.template,
            )
            if current != Stage.INTERVIEWING:
                move = plan_move(current, Stage.INTERVIEWING)
                await store.move_candidate(
                    session,
                    candidate=candidate,
                    move=move,
                    actor_id=actor_id,
                    note=f"{stage.name} scheduled",
                    now=now,
                )
                moved_from = current
            panel = ", ".join(f"<@{p}>" for p in sorted(set(form.interviewer_ids)))
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind=InterviewChange.BOOKED,
                summary=f"{stage.name} booked for {in_utc(starts)} with {panel}",
                now=now,
                role_id=role.id,
                candidate_id=candidate.id,
                interview_id=interview.id,
            )
            # A new interview reopens the loop: the decision window waits for its scorecard.
            await store.set_feedback_complete(session, candidate=candidate, at=None)
            await store.replan_clocks(session, candidate_id=candidate.id, now=now)
            await session.refresh(candidate)
        interviewer_ids = sorted(set(form.interviewer_ids))
        scheduled = Scheduled(
            interview,
            candidate,
            role,
            stage,
            competencies_for(template, stage.key),
            interviewer_ids,
            due,
            moved_from,
            repeated=repeated,
            warnings=await booking_warnings(
                session,
                candidate=candidate,
                role=role,
                template=template,
                interview=interview,
                interviewer_ids=interviewer_ids,
                now=now,
            ),
        )
        return scheduled


async def loop_end(
    session: store.AsyncSession, candidate: Candidate, role: Role
) -> datetime | None:
    """When the candidate's loop ends by the role's loop_days (and its pauses); None
    outside interviewing. One the candidate's own deadline moved earlier has its own
    warning (Too late for their deadline), which names the reason: this is the loop's."""
    assert candidate.id is not None
    pauses = await store.pauses.pauses_of_candidate(session, candidate_id=candidate.id)
    facts = clocks.candidate_facts(
        Stage(candidate.stage),
        candidate.stage_entered_at,
        candidate.feedback_complete_at,
        None,
        pauses,
        candidate_deadline=candidate.deadline_at,
    )
    return next(
        (
            d.moved_from or d.at
            for d in clocks.deadlines(facts, clocks.of_role(role))
            if d.clock == "loop"
        ),
        None,
    )


async def stranded_interviews(
    session: store.AsyncSession, candidates: Collection[Candidate], role: Role, now: datetime
) -> list[tuple[Candidate, InterviewView, datetime]]:
    """Interviews still to come that end after their candidate's loop now ends (a role's
    loop made shorter): each with its candidate and the loop's end."""
    found: list[tuple[Candidate, InterviewView, datetime]] = []
    seen: set[int | None] = set()  # seats_of gives an interview once per seat
    for candidate in candidates:
        if Stage(candidate.stage) != Stage.INTERVIEWING or candidate.id is None:
            continue
        ends = await loop_end(session, candidate, role)
        if ends is None:
            continue
        for interview, _ in await store.seats_of(session, candidate_id=candidate.id):
            late = interview.ends_at > ends and interview.starts_at > now
            if late and interview.status == InterviewStatus.SCHEDULED and interview.id not in seen:
                seen.add(interview.id)
                template = template_of(interview, role)
                view = InterviewView(
                    interview, plan_stage(template, interview.plan_stage), [], template
                )
                found.append((candidate, view, ends))
    return found


async def booking_warnings(
    session: store.AsyncSession,
    *,
    candidate: Candidate,
    role: Role,
    template: Template,
    interview: Interview,
    interviewer_ids: list[str],
    now: datetime,
) -> list[safeguards.Warning]:
    """What the scheduler should know about the interview just booked. Read after the
    booking, so the loop is the one it runs in: a candidate it moved to interviewing
    started their loop now, and an interview past `loop_days` from now is late too."""
    assert candidate.id is not None and interview.id is not None
    warnings: list[safeguards.Warning] = []
    if (past := safeguards.in_the_past(interview.starts_at, now)) is not None:
        warnings.append(past)
    loop_ends = await loop_end(session, candidate, role)
    overrun = safeguards.loop_overrun(loop_ends, interview.ends_at, now)
    if overrun is not None:
        warnings.append(overrun)
    seats = await store.interviews.seats_of_interview(session, interview_id=interview.id)
    due = max((seat.feedback_due_at for seat in seats), default=None)
    if due is not None and (
        late := safeguards.scorecards_after_loop(loop_ends, interview.ends_at, due)
    ):
        warnings.append(late)
    others = await store.interviews.held_stages_of(
        session, candidate_id=candidate.id, other_than=interview.id
    )
    exceeded = safeguards.plan_overrun(
        [s.key for s in template.plan],
        [stage for stage, _ in others],
        interview.plan_stage,
        over=[stage for stage, ends_at in others if ends_at <= now],
    )
    if exceeded is not None:
        warnings.append(exceeded)
    booked = await store.interviews.booked_between(
        session,
        interviewer_ids=interviewer_ids,
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        other_than=interview.id,
    )
    warnings += safeguards.clashes(
        interview.starts_at,
        interview.ends_at,
        interviewer_ids,
        [safeguards.Booked(who, other.starts_at, other.ends_at) for who, other in booked],
    )
    return warnings


async def with_local_warnings(
    db: Database, scheduled: Scheduled, zones: Mapping[str, str | None]
) -> Scheduled:
    """The booking with the warnings that depend on where each interviewer is (`zones`:
    each one's time zone, which only Slack knows, so the caller asks it after the
    booking): each company day off it falls on where they are, each day it falls on that
    one of them set as their own day away (working hours skip those days: the
    interviewer may be away, and their nudges wait until the day is over), and, for the
    others, when it is outside their working hours (an interview already held is not)."""
    interview = scheduled.interview
    starts_at, ends_at = interview.starts_at, interview.ends_at
    dates = set().union(*(safeguards.local_days(starts_at, ends_at, tz) for tz in zones.values()))
    if not dates:
        return scheduled
    async with db.reader() as session:
        found = await store.days_off.days_off_among(session, days=sorted(dates))
        away = await store.days_away.days_away_of(
            session, user_ids=list(zones), first=min(dates), last=max(dates)
        )
    named = {day_off.day: day_off.name for day_off in found}
    days_off = safeguards.on_days_off(starts_at, ends_at, zones, named)
    days_away = safeguards.on_days_away(starts_at, ends_at, zones, away, named.keys())
    said = {who for w in days_off for who in w.interviewer_ids}
    said |= {who for w in days_away for who in w.interviewer_ids}
    held = any(isinstance(w, safeguards.InThePast) for w in scheduled.warnings)
    late = [] if held else safeguards.outside_hours(starts_at, ends_at, zones)
    hours = [w for w in late if w.interviewer_id not in said]
    if not days_off and not days_away and not hours:
        return scheduled
    return replace(scheduled, warnings=[*scheduled.warnings, *days_off, *days_away, *hours])


# Scorecards -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorecardContext:
    """Everything the scorecard modal needs for one interviewer and interview."""

    interview: Interview
    candidate: Candidate
    role: Role
    stage_name: str
    competencies: list[Competency]
    current: Scorecard | None
    ratings: dict[str, Rating]


async def _context(
    reading: store.Reading,
    *,
    user_id: str,
    interview_id: int,
    now: datetime,
    sent: _SentForm | None = None,
    lock: bool = False,
) -> ScorecardContext:
    """The interview's context, without the interviewer's current version and its
    ratings: a submission reads those under the candidate's lock, and a form being
    opened reads them after (scorecard_context). `sent`: a submission's form, which may
    be taken after the candidate left decision (_writable). `lock`: the candidate's
    row locked by the same read (store.seat_of; PostgreSQL)."""
    seat = await store.seat_of(
        reading, interview_id=interview_id, interviewer_id=user_id, lock=lock
    )
    if seat is None:
        raise NotAllowed(NOT_YOURS)
    interview, candidate, role_with_team = seat
    _writable(candidate, sent)
    if interview.status != InterviewStatus.SCHEDULED:
        label = InterviewStatus(interview.status).label
        raise NotAllowed(
            f"That interview with {candidate.name} was marked {label}, so no scorecard is due."
        )
    if interview.starts_at > now:
        # Written before it happened, it would count toward the loop's feedback (and can
        # complete it) for an interview nobody has held; a clicked kit of the wrong
        # candidate, often. Moved earlier in fact? The recruiter reschedules it.
        raise NotAllowed(
            f"Your interview with {candidate.name} starts {in_utc(interview.starts_at)}: "
            "its scorecard opens once it has begun. If it took place earlier, ask a "
            "recruiter to reschedule it to when it happened."
        )
    template = template_of(interview, role_with_team.role)
    stage = plan_stage(template, interview.plan_stage)
    return ScorecardContext(
        interview,
        candidate,
        role_with_team.role,
        stage.name if stage else interview.plan_stage,
        competencies_for(template, interview.plan_stage),
        current=None,
        ratings={},
    )


def _closed(candidate: Candidate) -> str:
    # Said to an interviewer: where the candidate went stays with the hiring team.
    return f"Scorecards for {candidate.name} are closed: the hiring team has moved on."


@dataclass(frozen=True)
class _SentForm:
    """A submitted scorecard form: when it was opened (None: not known), and the version
    it edits (0: a first scorecard)."""

    opened_at: datetime | None
    base_version: int


def _writable(candidate: Candidate, sent: _SentForm | None) -> None:
    """NotAllowed unless scorecards for the candidate are open (EDITABLE), or `sent` is a
    form opened before the move that closed them: rejected while the interviewer wrote
    up an interview that was held (or corrected a slip in the one they sent), the words
    were lost, and with them the record of why. A form opened after stays closed, as
    does an erased candidate's record."""
    if Stage(candidate.stage) in EDITABLE:
        return
    if (
        sent is not None
        and sent.opened_at is not None
        and candidate.erased_at is None
        and sent.opened_at <= candidate.stage_entered_at
    ):
        return
    raise NotAllowed(_closed(candidate))


async def scorecard_context(
    db: Database, *, user_id: str, interview_id: int, now: datetime
) -> ScorecardContext:
    """Raises NotAllowed unless the user holds a seat on the interview that has begun, and
    may still write."""
    async with db.reader(on_loop=True) as session:
        context = await _context(session, user_id=user_id, interview_id=interview_id, now=now)
        version = await store.current_scorecard(
            session, interview_id=interview_id, interviewer_id=user_id
        )
        ratings = (
            {r.competency: r for r in await store.ratings_of(session, scorecard_ids=[version.id])}
            if version and version.id
            else {}
        )
    return replace(context, current=version, ratings=ratings)


UNCHANGED = (
    "This reads the same as the scorecard you submitted: change a rating or its "
    "evidence, the recommendation or the summary, or close the form."
)


@dataclass(frozen=True)
class Submitted:
    context: ScorecardContext
    scorecard: Scorecard
    repeated: bool  # the same version arrived again: nothing new was stored
    completes: bool = False  # it completed the loop's feedback (the loop's last scorecard)
    completed: Loop | None = None  # that loop, once read (with_loop)
    # An edit made after the loop's summary went out, and the loop as it reads now: the
    # hiring manager and recruiters were deciding on the version before (`was`).
    revised: Loop | None = None
    was: Scorecard | None = None
    # What else the edit changed, in words: "Rollback strategy 4 → 2", "the summary".
    revision: tuple[str, ...] = ()
    # Taken though the candidate left decision while it was written (_writable).
    late: bool = False


async def submit(
    db: Database,
    *,
    user_id: str,
    interview_id: int,
    base_version: int,
    form: ScorecardForm,
    now: datetime,
    opened_at: datetime | None = None,
    read_loop: bool = True,
) -> Submitted:
    """Store a new version on top of `base_version`, exactly once. `opened_at`: when its
    form was opened, for a first scorecard whose candidate left decision meanwhile
    (_writable). `read_loop=False`: the loop a summary or a revision tells is left for
    `with_loop` to read, after the answer.

    What the lock must make true (the candidate still open to scorecards, the version,
    the loop's completion) is read under it. On SQLite, whose writers take turns, the
    form is first checked against what was read before taking the write lock, so a bad
    form never holds other writers up. PostgreSQL locks the candidate's row only: the
    context is read in the same transaction, which saves a connection, its ping and a
    session for every scorecard.
    """
    sent = _SentForm(opened_at, base_version)
    if db.writers_take_turns:
        async with db.point_reader() as reading:
            context = await _context(
                reading, user_id=user_id, interview_id=interview_id, now=now, sent=sent
            )
        checked = _checked(context, form)

        async def save(writes: ScorecardWrites) -> tuple[_Saved, tuple[str, ...]]:
            saved = await _save(writes, context, checked, user_id=user_id, sent=sent, now=now)
            return saved, await _revision(writes, context, saved[3], checked)

        (scorecard, repeated, completes, was), revision = await in_scorecard_writes(db, save)
    else:
        async with scorecard_transaction(db) as (reading, writes):
            context = await _context(
                reading, user_id=user_id, interview_id=interview_id, now=now, sent=sent, lock=True
            )
            checked = _checked(context, form)
            scorecard, repeated, completes, was = await _save(
                writes, context, checked, user_id=user_id, sent=sent, now=now, locked=True
            )
            revision = await _revision(writes, context, was, checked)
    saved = Submitted(
        context,
        scorecard,
        repeated=repeated,
        completes=completes,
        was=was,
        revision=revision,
        late=Stage(context.candidate.stage) not in EDITABLE,
    )
    return await with_loop(db, saved) if read_loop else saved


async def with_loop(db: Database, saved: Submitted) -> Submitted:
    """`saved` with the loop its summary (it completed the loop's feedback) or its
    revision (an edit after the summary) tells the team, read now. The loop's reads are
    the most of a scorecard's: a submission leaves them until after its answer."""
    if not (saved.completes or saved.was is not None):
        return saved
    loop = await loop_of(
        db,
        viewer_id=saved.context.role.hiring_manager_id,
        candidate_id=saved.scorecard.candidate_id,
    )
    return replace(
        saved,
        completed=loop if saved.completes else None,
        revised=loop if saved.was is not None else None,
    )


async def _revision(
    writes: ScorecardWrites,
    context: ScorecardContext,
    was: Scorecard | None,
    checked: ScorecardInput,
) -> tuple[str, ...]:
    """Besides the recommendation, what an edit after the summary changed: each rating
    (— for not assessed), evidence, the summary. Only for such an edit (`was`)."""
    if was is None or was.id is None:
        return ()
    before = await writes.ratings(was.id)
    words = []
    for competency in context.competencies:
        old_rating, old_evidence = before.get(competency.key, (0, ""))
        new_rating, new_evidence = checked.ratings.get(competency.key, (0, ""))
        if old_rating != new_rating:
            words.append(f"{competency.name} {old_rating or '—'} → {new_rating or '—'}")
        elif old_evidence != new_evidence:
            words.append(f"evidence on {competency.name}")
    if was.summary != checked.summary:
        words.append("the summary")
    return tuple(words)


def _checked(context: ScorecardContext, form: ScorecardForm) -> ScorecardInput:
    checked, errors = check_scorecard(
        context.competencies, form, max_summary=MAX_SUMMARY, max_evidence=MAX_EVIDENCE
    )
    if errors or checked is None:
        raise FormErrors(errors)
    return checked


# What _save stored: the scorecard, whether it repeated the current version, whether it
# completed the loop's feedback, and the version it replaced after the loop's summary.
_Saved = tuple[Scorecard, bool, bool, Scorecard | None]


async def _save(
    writes: ScorecardWrites,
    context: ScorecardContext,
    checked: ScorecardInput,
    *,
    user_id: str,
    sent: _SentForm,
    now: datetime,
    locked: bool = False,
) -> _Saved:
    """The new version under the candidate's lock: (the scorecard, whether it was a repeat
    of the current version, whether it completed the loop's feedback, and the version it
    replaced if the loop's feedback was complete already: the team has read that one).
    `locked`: the context's candidate was read with the lock, in this transaction."""
    interview_id = context.interview.id or 0
    candidate = (
        context.candidate if locked else await writes.lock_candidate(context.candidate.id or 0)
    )
    assert candidate is not None and candidate.id is not None
    _writable(candidate, sent)
    base_version = sent.base_version
    try:
        scorecard, current = await writes.add_unless_newer(
            Scorecard(
                interview_id=interview_id,
                interviewer_id=user_id,
                candidate_id=candidate.id,
                version=base_version + 1,
                recommendation=checked.recommendation,
                summary=checked.summary,
                submitted_at=now,
            ),
            checked.ratings,
            now,  # the candidate's clocks re-planned: nudges stop
        )
    except store.ScorecardConflict:
        raise FormErrors(
            {"summary": "This scorecard was just saved from another window. Open it again."}
        ) from None
    if (
        current is not None
        and current.version == base_version > 0
        and await _same(writes, current, checked)
    ):
        # An edit that changes nothing would be a version nobody can tell apart. Raised,
        # it rolls back the transaction, and the version written in it.
        raise FormErrors({"summary": UNCHANGED})
    if scorecard is None:  # a version as new as this one is in
        assert current is not None
        if current.version == base_version + 1 and await _same(writes, current, checked):
            return current, True, False, None
        raise FormErrors(
            {
                "summary": "This scorecard changed since you opened it (it is now version "
                f"{current.version}). Close this form and open it again to edit the latest."
            }
        )
    if Stage(candidate.stage) not in EDITABLE:
        # Late: the team decided already, so no summary; an edit is told as a revision
        # of the version they decided on.
        return scorecard, False, False, current
    # A received take-home's grades are part of the loop's feedback too.
    was_complete = candidate.feedback_complete_at is not None
    completes = await writes.complete_feedback(candidate, now)
    return scorecard, False, completes, current if was_complete else None


async def _same(writes: ScorecardWrites, scorecard: Scorecard, checked: ScorecardInput) -> bool:
    assert scorecard.id is not None
    ratings = await writes.ratings(scorecard.id)
    return (scorecard.recommendation, scorecard.summary, ratings) == (
        checked.recommendation,
        checked.summary,
        checked.ratings,
    )


@dataclass(frozen=True)
class ScorecardDetail:
    scorecard: Scorecard
    candidate: Candidate
    role: Role
    stage_name: str
    competencies: list[Competency]
    ratings: dict[str, Rating]
    versions: int


async def scorecard_detail(
    db: Database, *, viewer_id: str, scorecard_id: int
) -> ScorecardDetail | None:
    """A submitted scorecard (its current version), if the viewer may read it."""
    async with db.reader() as session:
        scorecard = await store.get_scorecard(session, scorecard_id=scorecard_id)
        candidate = (
            await store.get_candidate(session, candidate_id=scorecard.candidate_id)
            if scorecard
            else None
        )
        if scorecard is None or candidate is None:
            return None
        loop = await _loop(session, viewer_id=viewer_id, candidate=candidate)
        if loop is None or not (loop.show_ratings or scorecard.interviewer_id == viewer_id):
            return None
        for interview in loop.interviews:
            for seat in interview.seats:
                if (
                    seat.scorecard is not None
                    and interview.interview.id == scorecard.interview_id
                    and seat.interviewer_id == scorecard.interviewer_id
                ):
                    return ScorecardDetail(
                        seat.scorecard,
                        candidate,
                        loop.role,
                        interview.stage_name,
                        competencies_for(interview.template, interview.interview.plan_stage),
                        seat.ratings,
                        seat.scorecard.version,
                    )
        return None


async def read_scorecard(db: Database, *, viewer_id: str, scorecard_id: int) -> ScorecardDetail:
    """The scorecard for its read-only modal; NotAllowed when the viewer may not read it.
    One answer for every reason (no such scorecard, not theirs to see, their own not in
    yet), so a refusal reveals nothing about the loop."""
    detail = await scorecard_detail(db, viewer_id=viewer_id, scorecard_id=scorecard_id)
    if detail is None:
        raise NotAllowed(
            "You can't read that scorecard: an interviewer reads the others' once their own "
            "is in, and the role's hiring team reads them all."
        )
    return detail


# An interviewer's own work ---------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    interview_id: int
    starts_at: datetime
    candidate_name: str
    role_title: str
    stage_name: str
    feedback_due_at: datetime
    version: int  # 0 when not yet submitted
    cant_make_it: bool = False  # they told the recruiters; nobody has fixed it yet

    @property
    def pending(self) -> bool:
        return self.version == 0


async def assignments_for(db: Database, *, user_id: str) -> list[Assignment]:
    """The user's interviews of open candidates, with whether their scorecard is in."""
    async with db.reader() as session:
        return await assignments_in(session, user_id=user_id)


async def assignments_in(session: store.AsyncSession, *, user_id: str) -> list[Assignment]:
    """assignments_for, in a session the caller reads more in."""
    rows = await store.seats_for(session, interviewer_id=user_id)
    owing = [row.candidate_id for row in rows if row.version == 0]
    pauses = await store.pauses.pauses_of(session, candidate_ids=sorted(set(owing)))
    out = []
    for row in rows:
        if Stage(row.candidate_stage) not in EDITABLE:
            continue  # in offer: their scorecards are closed, so nothing to write or edit
        stage = plan_stage(template_named(row.template or row.role_template), row.plan_stage)
        # Due when the card and the alerts say: a recruiter's snoozes added, earlier under
        # the candidate's deadline.
        due = clocks.scorecard_due(
            row.feedback_due_at,
            row.candidate_deadline,
            clocks.of_role(row),
            row.ends_at,
            clocks.seat_paused(pauses.get(row.candidate_id, ()), row.interview_id, user_id),
        )
        out.append(
            Assignment(
                row.interview_id,
                row.starts_at,
                row.candidate_name,
                row.role_title,
                stage.name if stage else row.plan_stage,
                due,
                row.version,
                row.cant_make_it_at is not None,
            )
        )
    return out
