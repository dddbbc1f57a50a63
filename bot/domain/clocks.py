"""The clocks (docs/clocks.md) as plain functions of stored facts and `now`.

Each clock is a chain of steps (warn, breach, repeated breach…). Planning a chain
at `now` gives the one step to send (the latest that is due: after downtime
nobody needs three messages about one thing), the earlier due steps to mark as
skipped, and when to look again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.stages import SCHEDULABLE, Stage
from bot.domain.zones import zone

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
NUDGE_AFTER_END = HOUR  # the first feedback nudge, after the interview ends
ESCALATE_AFTER_DUE = DAY  # a scorecard this late goes to the recruiter
LOOP_WARN_BEFORE = 2 * DAY  # day 5 of 7
DECISION_WARN_BEFORE = DAY
OFFER_WARNINGS = (DAY, 4 * HOUR)
WORK_START, WORK_END = time(9, 0), time(18, 0)
LAST_CALL = time(17, 0)  # a warning moved earlier lands an hour before the day ends


class Audience(StrEnum):
    TEAM = "team"  # recruiters and the hiring manager
    RECRUITERS = "recruiters"
    INTERVIEWER = "interviewer"


class Kind(StrEnum):
    LOOP_WARN = "loop_warn"
    LOOP_BREACH = "loop_breach"
    FEEDBACK_NUDGE = "feedback_nudge"
    FEEDBACK_DUE = "feedback_due"
    FEEDBACK_OVERDUE = "feedback_overdue"
    DECISION_WARN = "decision_warn"
    DECISION_BREACH = "decision_breach"
    OFFER_WARN = "offer_warn"
    OFFER_EXPIRED = "offer_expired"
    STAGE_IDLE = "stage_idle"
    TAKEHOME_OVERDUE = "takehome_overdue"
    INTERVIEW_REMINDER = "interview_reminder"
    PANEL_GAP = "panel_gap"  # an interviewer said they can't make it; nothing changed since
    # The candidate's own deadline (a competing offer) passed with them still open.
    OWN_DEADLINE = "own_deadline_passed"
    # Before any interview: the latest their loop can end for that deadline is near.
    OWN_DEADLINE_LOOP = "own_deadline_loop"


# Which clock each kind belongs to: a snooze of that clock moves all its steps.
CLOCK_OF: dict[Kind, str] = {
    Kind.LOOP_WARN: "loop",
    Kind.LOOP_BREACH: "loop",
    Kind.FEEDBACK_NUDGE: "feedback",
    Kind.FEEDBACK_DUE: "feedback",
    Kind.FEEDBACK_OVERDUE: "feedback",
    Kind.DECISION_WARN: "decision",
    Kind.DECISION_BREACH: "decision",
    Kind.OFFER_WARN: "offer",
    Kind.OFFER_EXPIRED: "offer",
    Kind.STAGE_IDLE: "idle",
    Kind.TAKEHOME_OVERDUE: "takehome",
    # Its own clock: planned apart from the seat's feedback chain, so a reminder never
    # supersedes a nudge, nor a nudge a reminder; nothing snoozes it.
    Kind.INTERVIEW_REMINDER: "reminder",
    Kind.PANEL_GAP: "reminder",
    # The candidate's date, not ours to snooze: moved or cleared on their card.
    Kind.OWN_DEADLINE: "own",
    Kind.OWN_DEADLINE_LOOP: "own",
}


# The stages in which each candidate clock runs (the decision clock opens in interviewing
# once every scorecard is in; a seat's feedback clock runs until the candidate leaves
# decision). A snooze from an old digest of a clock stopped since pauses nothing.
CLOCK_STAGES: dict[str, frozenset[Stage]] = {
    "idle": frozenset({Stage.SOURCED, Stage.SCREENING}),
    "loop": frozenset({Stage.INTERVIEWING}),
    "feedback": frozenset({Stage.INTERVIEWING, Stage.DECISION}),
    "decision": frozenset({Stage.INTERVIEWING, Stage.DECISION}),
}


@dataclass(frozen=True)
class Step:
    kind: Kind
    due_at: datetime
    deadline: datetime  # the clock's deadline this step is about
    audience: Audience
    breach: bool = False  # breaches go out at once, whatever the hour
    urgent: bool = False  # non-breaches that must not wait for working hours either
    repeat: int = 0  # day n of a repeated breach
    subject: str = ""  # the seat, for feedback steps
    # How long before due_at the step may be planned: a warning is recorded early so that
    # delivery, which knows the recipient's zone, can land it on the last working moment
    # before its time when that time falls at night or on a weekend.
    lead: timedelta = timedelta()

    @property
    def plan_at(self) -> datetime:
        return self.due_at - self.lead

    @property
    def clock(self) -> str:
        return CLOCK_OF[self.kind]

    def key(self, candidate_id: int) -> str:
        """Stable identity: the same step of the same deadline is the same alert."""
        return (
            f"c{candidate_id}:{self.kind.value}:{self.subject}:"
            f"{self.deadline:%Y%m%dT%H%M%S}:{self.repeat}"
        )


@dataclass(frozen=True)
class Plan:
    send: Step | None
    skipped: list[Step] = field(default_factory=list)
    next_at: datetime | None = None


# The idle alert waits for working hours, so the one held over a weekend goes on Monday
# at 09:00, and Monday's own (at the hour the candidate went idle) would follow hours
# later: a daily alert goes at most once in this long.
DAILY_GAP = timedelta(hours=20)


def too_soon(step: Step, last_sent: datetime | None, now: datetime) -> bool:
    """Whether a daily repeat of a held (non-breach) alert would repeat the last one sent
    within DAILY_GAP: it is left out, and the chain goes on the next day."""
    held = not (step.breach or step.urgent)
    return held and step.repeat > 0 and last_sent is not None and now - last_sent < DAILY_GAP


def plan(steps: Sequence[Step], now: datetime) -> Plan:
    """Of one chain's steps: the latest due one, the earlier due ones, the next one.
    A step with a lead counts as due from its plan_at (delivery holds it until its time)."""
    due = sorted((s for s in steps if s.plan_at <= now), key=lambda s: s.due_at)
    future = [s.plan_at for s in steps if s.plan_at > now]
    return Plan(due[-1] if due else None, due[:-1], min(future) if future else None)


# A warning whose time falls outside working hours goes at the last working moment
# before it: recorded this long ahead, which covers a night, a weekend and a company day
# off on either side of it (an Easter weekend: Thursday 17:00 to Tuesday 09:00 is 112
# hours). A longer break leaves it to wait for the first working moment after.
WARNING_LEAD = timedelta(days=5)


def _start_of_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _repeating(kind: Kind, deadline: datetime, now: datetime, audience: Audience) -> list[Step]:
    """A breach at the deadline and again every day after, up to the one after `now`."""
    days = max(0, int((now - deadline) / DAY)) + 1 if now >= deadline else 0
    return [
        Step(kind, deadline + n * DAY, deadline, audience, breach=True, repeat=n)
        for n in range(days + 1)
    ]


# Candidate clocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Clocks:
    """A role's clock settings (the defaults live in bot.store.tables.ClockSettings)."""

    loop_days: int
    feedback_hours: int
    decision_hours: int
    offer_hours: int
    idle_hours: int


def of_role(settings: object) -> Clocks:
    """A role's clock settings (anything with bot.store.tables.ClockSettings' fields)."""
    return Clocks(*(getattr(settings, name) for name in Clocks.__dataclass_fields__))


@dataclass(frozen=True)
class CandidateFacts:
    stage: Stage
    stage_entered_at: datetime
    feedback_complete_at: datetime | None
    offer_expires_at: datetime | None  # of the open offer, if any
    paused: dict[str, timedelta]  # clock -> total pause recorded since it started
    # clock -> when it was last snoozed: steps already due then were dealt with.
    snoozed_at: dict[str, datetime] = field(default_factory=dict)
    # The candidate's own deadline (a competing offer): it compresses the clocks (limits).
    candidate_deadline: datetime | None = None


def candidate_steps(facts: CandidateFacts, clocks: Clocks, now: datetime) -> list[Step]:
    stage, entered = facts.stage, facts.stage_entered_at
    squeeze = _squeezer(facts, clocks)
    steps: list[Step] = []
    if stage in CLOCK_STAGES["loop"]:
        deadline = squeeze(
            "loop", entered + clocks.loop_days * DAY + facts.paused.get("loop", timedelta())
        )
        # Once every scorecard is in, the decision clock's own warning asks for the
        # decision, and sooner: "2 days left in the loop" after it (even after its
        # breach) would only contradict it. The loop's breach still comes.
        if facts.feedback_complete_at is None:
            steps.append(
                Step(
                    Kind.LOOP_WARN,
                    deadline - LOOP_WARN_BEFORE,
                    deadline,
                    Audience.TEAM,
                    lead=WARNING_LEAD,
                )
            )
        steps += _repeating(Kind.LOOP_BREACH, deadline, now, Audience.TEAM)
    decision_start = decision_started(facts)
    if decision_start is not None:
        deadline = squeeze(
            "decision",
            decision_start
            + clocks.decision_hours * HOUR
            + facts.paused.get("decision", timedelta()),
        )
        steps.append(
            Step(
                Kind.DECISION_WARN,
                deadline - DECISION_WARN_BEFORE,
                deadline,
                Audience.TEAM,
                lead=WARNING_LEAD,
            )
        )
        steps.append(Step(Kind.DECISION_BREACH, deadline, deadline, Audience.TEAM, breach=True))
    if stage == Stage.OFFER and facts.offer_expires_at is not None:
        expiry = squeeze("offer", facts.offer_expires_at)
        for n, before in enumerate(OFFER_WARNINGS):
            steps.append(
                Step(
                    Kind.OFFER_WARN,
                    expiry - before,
                    expiry,
                    Audience.RECRUITERS,
                    urgent=True,
                    repeat=n,
                )
            )
        # The hiring manager too: the offer is theirs to let lapse or extend, and whoever
        # made it heard nothing when it ran out (the warnings stay the recruiters').
        steps.append(Step(Kind.OFFER_EXPIRED, expiry, expiry, Audience.TEAM, breach=True))
    by = facts.candidate_deadline
    if by is not None and not stage.is_closed and stage != Stage.OFFER:
        # Once, at their date: ask whether they are still deciding. (In offer, the offer's
        # own expiry at that date says it.) Moved or cleared, its key changes with it.
        steps.append(Step(Kind.OWN_DEADLINE, by, by, Audience.TEAM, breach=True))
    if by is not None and stage in (Stage.SOURCED, Stage.SCREENING):
        # No clock of the loop runs yet, so none of them warns: a day before the loop's
        # limit (at_risk's moment), once, in working hours.
        loop_by = limits(by, clocks).loop
        steps.append(
            Step(
                Kind.OWN_DEADLINE_LOOP,
                loop_by - AT_RISK_WITHIN,
                loop_by,
                Audience.TEAM,
                lead=WARNING_LEAD,
            )
        )
    if stage in CLOCK_STAGES["idle"]:
        deadline = entered + clocks.idle_hours * HOUR + facts.paused.get("idle", timedelta())
        # Not a breach (docs/clocks.md): it waits for working hours, once a day. Its daily
        # repeats fall due at the start of their day (UTC), so delivery holds each for the
        # recruiter's morning: every idle candidate in one digest, not one DM an hour.
        steps += [
            Step(
                Kind.STAGE_IDLE,
                _start_of_day(s.due_at) if s.repeat else s.due_at,
                deadline,
                Audience.RECRUITERS,
                repeat=s.repeat,
            )
            # A day further: the next repeat, moved to its day's start, must still be ahead.
            for s in _repeating(Kind.STAGE_IDLE, deadline, now + DAY, Audience.RECRUITERS)
        ]
    return steps


def candidate_facts(
    stage: Stage,
    stage_entered_at: datetime,
    feedback_complete_at: datetime | None,
    offer_expires_at: datetime | None,
    pauses: Iterable[Pause],
    *,
    candidate_deadline: datetime | None = None,
) -> CandidateFacts:
    """Facts with each clock's pauses counted from that clock's own start: the decision
    clock may start before the candidate enters decision, and keeps its pauses then."""
    pauses = list(pauses)
    paused, snoozed = pauses_since(pauses, since=stage_entered_at)
    facts = CandidateFacts(stage, stage_entered_at, feedback_complete_at, offer_expires_at, {}, {})
    start = decision_started(facts)
    if start is not None:
        decision_paused, decision_snoozed = pauses_since(pauses, since=start)
        paused.pop("decision", None)
        snoozed.pop("decision", None)
        if "decision" in decision_paused:
            paused["decision"] = decision_paused["decision"]
            snoozed["decision"] = decision_snoozed["decision"]
    return CandidateFacts(
        stage,
        stage_entered_at,
        feedback_complete_at,
        offer_expires_at,
        paused,
        snoozed,
        candidate_deadline,
    )


def decision_window_restarts(was: Stage, target: Stage) -> bool:
    """Whether entering `target` from `was` opens a new decision window. A window that
    opened while the candidate was elsewhere (before their offer, before going back to
    interviewing for one more interview, in screening) would be overdue at once; only
    the loop's own step from interviewing to decision keeps it."""
    return target in CLOCK_STAGES["decision"] and (was, target) != (
        Stage.INTERVIEWING,
        Stage.DECISION,
    )


def decision_started(facts: CandidateFacts) -> datetime | None:
    """The decision window opens when the last scorecard is in, or on entering decision."""
    starts = []
    if facts.stage in CLOCK_STAGES["decision"] and facts.feedback_complete_at:
        starts.append(facts.feedback_complete_at)
    if facts.stage == Stage.DECISION:
        starts.append(facts.stage_entered_at)
    return min(starts) if starts else None


@dataclass(frozen=True)
class Deadline:
    clock: str
    what: str  # what must happen by then, for a person
    at: datetime
    # The clock's own deadline, when the candidate's deadline moved it earlier (to `at`).
    moved_from: datetime | None = None


def deadlines(facts: CandidateFacts, clocks: Clocks) -> list[Deadline]:
    """The deadline of every clock running for the candidate, soonest first."""
    out: list[Deadline] = []
    if facts.stage in CLOCK_STAGES["loop"]:
        at = facts.stage_entered_at + clocks.loop_days * DAY + facts.paused.get("loop", timedelta())
        # Once every scorecard is in, what is left of the loop is the move to decision:
        # said so, or it reads as a second deadline for the decision itself.
        what = (
            "book the next interview, or move them to decision (end of the loop; every "
            "scorecard is in)"
            if facts.feedback_complete_at is not None
            else "reach a decision (end of the loop)"
        )
        out.append(_squeezed(facts, clocks, "loop", what, at))
    start = decision_started(facts)
    if start is not None:
        at = start + clocks.decision_hours * HOUR + facts.paused.get("decision", timedelta())
        # Still interviewing with every scorecard in: booking the next interview stops this
        # window too, and "offer or reject" alone read as if it were not wanted.
        what = (
            "book the next interview, or offer or reject"
            if facts.stage == Stage.INTERVIEWING
            else "offer or reject"
        )
        out.append(_squeezed(facts, clocks, "decision", what, at))
    if facts.stage == Stage.OFFER and facts.offer_expires_at is not None:
        out.append(
            _squeezed(
                facts, clocks, "offer", "the candidate answers the offer", facts.offer_expires_at
            )
        )
    if facts.stage in CLOCK_STAGES["idle"]:
        at = (
            facts.stage_entered_at
            + clocks.idle_hours * HOUR
            + facts.paused.get("idle", timedelta())
        )
        out.append(Deadline("idle", f"move on from {facts.stage.value}", at))
    return sorted(out, key=lambda d: d.at)


def loop_day(facts: CandidateFacts, now: datetime) -> int | None:
    """Day n of the interview loop (day 1 is the day it started), while it runs."""
    if facts.stage not in CLOCK_STAGES["loop"]:
        return None
    return int((now - facts.stage_entered_at) / DAY) + 1


def plan_candidate(facts: CandidateFacts, clocks: Clocks, now: datetime) -> list[Plan]:
    """One plan per running clock: chains are planned apart, so a loop breach never
    hides a decision warning."""
    by_clock: dict[str, list[Step]] = {}
    for step in candidate_steps(facts, clocks, now):
        snoozed = facts.snoozed_at.get(step.clock)
        if snoozed is not None and step.due_at <= snoozed:
            continue  # a snooze answers what was due when it was pressed
        by_clock.setdefault(step.clock, []).append(step)
    return [plan(steps, now) for steps in by_clock.values()]


# The candidate's own deadline -------------------------------------------------------------------
#
# A candidate with a competing offer answers someone else by a date D. Working back from D, each
# stage leaves the next the time it needs (docs/clocks.md, "The candidate's deadline"):
#   offer expiry   <= D
#   decision       <= D - min(offer window, 24 h)      the candidate needs time with our offer
#   loop end       <= decision limit - min(decision window, 24 h)   the team needs time to decide
#   scorecard due  <= loop limit, but never sooner than 1 h after its interview ends
# Each running clock's deadline becomes the earlier of its own and its limit. The 24 h caps
# keep a role's long windows (a 7-day offer) from pushing the limits weeks before D: a day
# is enough to decide, and enough for a candidate who has already set their own deadline.

OFFER_NEEDS = DAY  # at most: the candidate's time with our offer before their deadline
DECISION_NEEDS = DAY  # at most: the team's time to decide once the loop is over
AT_RISK_WITHIN = DAY  # a moved deadline this close (or passed) puts the candidate at risk


@dataclass(frozen=True)
class Limits:
    """The latest each clock may end so the candidate can still say yes by `by`."""

    by: datetime  # the candidate's deadline
    offer: datetime
    decision: datetime
    loop: datetime

    def of(self, clock: str) -> datetime | None:
        """The limit of a candidate clock; None for clocks it does not move (idle)."""
        return {"loop": self.loop, "decision": self.decision, "offer": self.offer}.get(clock)


def limits(by: datetime, clocks: Clocks) -> Limits:
    """Work back from the candidate's deadline (the rule above)."""
    decision = by - min(clocks.offer_hours * HOUR, OFFER_NEEDS)
    loop = decision - min(clocks.decision_hours * HOUR, DECISION_NEEDS)
    return Limits(by, by, decision, loop)


def scorecard_due(
    due_at: datetime,
    by: datetime | None,
    clocks: Clocks,
    ends_at: datetime,
    paused: timedelta = timedelta(),
) -> datetime:
    """When a scorecard is due: its seat's own time plus the snoozes it was given
    (`paused`, seat_paused), or earlier under the candidate's deadline `by`
    (scorecard_limit)."""
    return squeeze(due_at + paused, scorecard_limit(by, clocks, ends_at))


def seat_subject(interview_id: int | None, interviewer_id: str) -> str:
    """A seat's name among a candidate's pauses and alerts: `interview:interviewer`."""
    return f"{interview_id}:{interviewer_id}"


def seat_paused(
    pauses: Iterable[Pause], interview_id: int | None, interviewer_id: str
) -> timedelta:
    """The time a seat's scorecard clock was given (its snoozes): pauses are recorded
    against the seat (seat_subject), which no other clock shares."""
    subject = seat_subject(interview_id, interviewer_id)
    return sum(
        (
            timedelta(seconds=p.seconds)
            for p in pauses
            if p.subject == subject and p.clock == "feedback"
        ),
        timedelta(),
    )


def scorecard_limit(by: datetime | None, clocks: Clocks, ends_at: datetime) -> datetime | None:
    """The latest a scorecard of an interview ending at `ends_at` may be due: the loop's
    limit, but never before the first nudge, as nobody can write up an interview not yet
    held (such an interview gets the scheduling warning instead)."""
    if by is None:
        return None
    return max(limits(by, clocks).loop, ends_at + NUDGE_AFTER_END)


def squeeze(deadline: datetime, limit: datetime | None) -> datetime:
    """A clock's deadline under the candidate's deadline: the earlier of the two."""
    return deadline if limit is None else min(deadline, limit)


def _squeezer(facts: CandidateFacts, clocks: Clocks) -> Callable[[str, datetime], datetime]:
    if facts.candidate_deadline is None:
        return lambda _clock, deadline: deadline
    bounds = limits(facts.candidate_deadline, clocks)
    return lambda clock, deadline: squeeze(deadline, bounds.of(clock))


def _squeezed(
    facts: CandidateFacts, clocks: Clocks, clock: str, what: str, own: datetime
) -> Deadline:
    at = _squeezer(facts, clocks)(clock, own)
    return Deadline(clock, what, at, own if at < own else None)


def decision_deadline(
    clocks: Clocks,
    completed_at: datetime,
    *,
    stage: str,
    stage_entered_at: datetime,
    candidate_deadline: datetime | None,
) -> Deadline:
    """The decision's deadline for a candidate whose last scorecard came in at
    `completed_at`, as the decision clock has it (before any snooze): see deadlines().
    `moved_from` says when their own deadline made it sooner."""
    facts = CandidateFacts(
        Stage(stage),
        stage_entered_at,
        completed_at,
        None,
        {},
        candidate_deadline=candidate_deadline,
    )
    start = decision_started(facts) or completed_at
    return _squeezed(
        facts, clocks, "decision", "offer or reject", start + clocks.decision_hours * HOUR
    )


def loop_too_late(by: datetime | None, clocks: Clocks, ends_at: datetime) -> datetime | None:
    """The loop's limit when an interview ending at `ends_at` ends after it, else None:
    the scheduler is warned (not refused: the candidate may agree to wait)."""
    if by is None:
        return None
    limit = limits(by, clocks).loop
    return limit if ends_at > limit else None


def held(
    facts: CandidateFacts, clocks: Clocks, running: Sequence[Deadline] | None = None
) -> list[Deadline]:
    """The deadlines the candidate's own deadline holds, soonest first: moved earlier by
    it, or set at its limit in the first place (an offer made to expire when they
    decide), as the alerts count them (squeezed). Never the idle reminder: their date
    does not move it. `running`: deadlines(facts, clocks), when the caller has them."""
    if facts.candidate_deadline is None:
        return []
    limit = limits(facts.candidate_deadline, clocks)
    if running is None:
        running = deadlines(facts, clocks)
    return [d for d in running if d.moved_from is not None or d.at == limit.of(d.clock)]


def at_risk(
    facts: CandidateFacts,
    clocks: Clocks,
    now: datetime,
    holds: Sequence[Deadline] | None = None,
) -> bool:
    """At risk of losing the candidate: their deadline is still ahead, and a deadline it
    holds (`held`; `holds`, when the caller has them) is less than a day away or passed.
    Before any interview (sourced, screening) it is the loop's limit that counts: past
    it, the loop can no longer fit."""
    by = facts.candidate_deadline
    if by is None or by <= now:
        return False
    moved = [d.at for d in (held(facts, clocks) if holds is None else holds)]
    if facts.stage in (Stage.SOURCED, Stage.SCREENING):
        moved.append(limits(by, clocks).loop)
    return any(at - now <= AT_RISK_WITHIN for at in moved)


def tightest(facts: CandidateFacts, clocks: Clocks) -> datetime | None:
    """The soonest deadline of the candidate: a running clock's, or their own."""
    times = [d.at for d in deadlines(facts, clocks)]
    if facts.candidate_deadline is not None:
        times.append(facts.candidate_deadline)
    return min(times, default=None)


# Feedback clock ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatFacts:
    interview_id: int
    interviewer_id: str
    ends_at: datetime
    feedback_due_at: datetime
    submitted: bool
    candidate_stage: Stage
    paused: timedelta = timedelta()
    snoozed_at: datetime | None = None
    due_limit: datetime | None = None  # scorecard_limit, under a candidate's deadline
    held: bool = True  # False once the interview is cancelled or a no-show: nothing is due
    starts_at: datetime | None = None  # for the reminder before the interview
    reminder_minutes: int = 0  # the role's setting; 0 sends no reminder
    # When the interviewer said they can't make this time: no reminder, no nudges to them
    # (the recruiters were told, and see the scorecard overdue if nothing changes).
    cant_make_it_at: datetime | None = None

    @property
    def cant_make_it(self) -> bool:
        return self.cant_make_it_at is not None

    @property
    def subject(self) -> str:
        return seat_subject(self.interview_id, self.interviewer_id)


def seat_steps(facts: SeatFacts) -> list[Step]:
    if facts.submitted or not facts.held or facts.candidate_stage not in SCHEDULABLE:
        return []
    due = squeeze(facts.feedback_due_at + facts.paused, facts.due_limit)
    subject = facts.subject
    if facts.snoozed_at is not None:
        # A recruiter snoozed the overdue alert: the day they gave was its grace, so the
        # alert comes back at the moved due time, as the snooze's answer says. The
        # interviewer was nudged before; another "due now" would only read as a new date.
        return [
            Step(
                Kind.FEEDBACK_OVERDUE,
                due,
                due,
                Audience.RECRUITERS,
                breach=True,
                subject=subject,
            )
        ]
    steps = [
        Step(
            Kind.FEEDBACK_NUDGE,
            facts.ends_at + NUDGE_AFTER_END,
            due,
            Audience.INTERVIEWER,
            subject=subject,
        ),
        Step(Kind.FEEDBACK_DUE, due, due, Audience.INTERVIEWER, subject=subject),
        Step(
            Kind.FEEDBACK_OVERDUE,
            due + ESCALATE_AFTER_DUE,
            due,
            Audience.RECRUITERS,
            breach=True,
            subject=subject,
        ),
    ]
    if facts.cant_make_it:
        return [s for s in steps if s.audience != Audience.INTERVIEWER]
    return steps


def plan_seat(facts: SeatFacts, now: datetime) -> Plan:
    snoozed = facts.snoozed_at
    return plan([s for s in seat_steps(facts) if snoozed is None or s.due_at > snoozed], now)


# The reminder before an interview ---------------------------------------------------------------


PANEL_GAP_BEFORE = DAY  # the recruiters' warning of a seat nobody filled, before the start


def reminder_step(facts: SeatFacts) -> Step | None:
    """The interviewer's reminder, `reminder_minutes` before the interview starts. Its
    deadline is the start, so the alert's key changes when the interview is moved and
    the new time gets its own reminder. Urgent: it goes at that time whatever the hour.

    An interviewer who said they can't make it gets none: instead, if the interview is
    still booked with them a day before it starts, the recruiters are warned (their
    first DM may have gone unread), once; unless they said it within that last day, when
    the recruiters' DM has just gone."""
    if (
        facts.starts_at is None
        or facts.submitted
        or not facts.held
        or facts.candidate_stage not in SCHEDULABLE
    ):
        return None
    if facts.cant_make_it_at is not None:
        warn_at = facts.starts_at - PANEL_GAP_BEFORE
        if facts.cant_make_it_at >= warn_at:
            return None  # said within the last day: their DM, just sent, is the warning
        # A warning, not a breach: it keeps to working hours, landing on the last working
        # moment before its time when that falls on a weekend (as the loop's warning does).
        return Step(
            Kind.PANEL_GAP,
            warn_at,
            facts.starts_at,
            Audience.RECRUITERS,
            subject=facts.subject,
            lead=WARNING_LEAD,
        )
    if facts.reminder_minutes <= 0:
        return None
    return Step(
        Kind.INTERVIEW_REMINDER,
        facts.starts_at - timedelta(minutes=facts.reminder_minutes),
        facts.starts_at,
        Audience.INTERVIEWER,
        urgent=True,
        subject=facts.subject,
    )


def plan_reminder(facts: SeatFacts, now: datetime) -> Plan:
    """The reminder is a chain of one step, planned apart from the feedback chain.

    Only before the interview starts: one planned later (the bot was down, or the
    interview was booked after it started) is never sent, as it would only be noise.
    An interview booked less than `reminder_minutes` ahead gets its reminder at once,
    on the next sweep, since it still comes before the start."""
    step = reminder_step(facts)
    if step is None or now >= step.deadline:
        return Plan(None)
    if step.plan_at <= now:
        return Plan(step)
    return Plan(None, next_at=step.plan_at)


# Take-home clock --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TakehomeFacts:
    takehome_id: int
    due_at: datetime  # the candidate's submission deadline
    answered: bool  # recorded as received or not received
    candidate_stage: Stage

    @property
    def subject(self) -> str:
        return f"takehome:{self.takehome_id}"


def takehome_steps(facts: TakehomeFacts) -> list[Step]:
    """One step: at the deadline, if nobody recorded an answer, the recruiters are told
    once (no daily repeat: they decide whether to chase or close it)."""
    if facts.answered or facts.candidate_stage not in SCHEDULABLE:
        return []
    return [
        Step(
            Kind.TAKEHOME_OVERDUE,
            facts.due_at,
            facts.due_at,
            Audience.RECRUITERS,
            breach=True,
            subject=facts.subject,
        )
    ]


def plan_takehome(facts: TakehomeFacts, now: datetime) -> Plan:
    return plan(takehome_steps(facts), now)


# Working hours ----------------------------------------------------------------------------------


def working_day(day: date, days_off: Collection[date] = ()) -> bool:
    """Monday to Friday, unless it is a company day off: a date in the person's calendar."""
    return day.weekday() < 5 and day not in days_off


def working_moment(
    now: datetime, tz_name: str | None, *, days_off: Collection[date] = ()
) -> datetime:
    """`now` if it is 09:00 to 18:00 on a working day where the person is, else the next
    such start. A day off is the date where the person is: Christmas starts earlier in
    Tokyo than in Berlin."""
    tz = zone(tz_name)
    local = now.astimezone(tz)
    if working_day(local.date(), days_off) and WORK_START <= local.time() < WORK_END:
        return now
    day = local.date() if local.time() < WORK_START else local.date() + DAY
    while not working_day(day, days_off):
        day += DAY
    start = datetime.combine(day, WORK_START, tzinfo=tz)
    return start.astimezone(now.tzinfo)


def last_working_moment(
    before: datetime, tz_name: str | None, *, days_off: Collection[date] = ()
) -> datetime:
    """`before` if it is in working hours where the person is; else the end of their
    last working day before it (an hour before closing, so the team can still act)."""
    tz = zone(tz_name)
    local = before.astimezone(tz)
    if working_day(local.date(), days_off) and WORK_START <= local.time() < WORK_END:
        return before
    day = local.date() if local.time() >= WORK_END else local.date() - DAY
    while not working_day(day, days_off):
        day -= DAY
    moment = datetime.combine(day, LAST_CALL, tzinfo=tz)
    return moment.astimezone(before.tzinfo)


@dataclass(frozen=True)
class Pause:
    clock: str
    subject: str
    seconds: int
    at: datetime


def pauses_since(
    pauses: Iterable[Pause], *, since: datetime, subject: str = ""
) -> tuple[dict[str, timedelta], dict[str, datetime]]:
    """Total pause and last snooze per clock, counting pauses of the clock's current run."""
    totals: dict[str, timedelta] = {}
    last: dict[str, datetime] = {}
    for pause in pauses:
        if pause.subject != subject or pause.at < since:
            continue
        totals[pause.clock] = totals.get(pause.clock, timedelta()) + timedelta(
            seconds=pause.seconds
        )
        last[pause.clock] = max(pause.at, last.get(pause.clock, pause.at))
    return totals, last
