"""The clocks (docs/clocks.md) as pure functions of stored facts and `now`.

No database, no Slack.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.clocks import (
    Audience,
    CandidateFacts,
    Clocks,
    Kind,
    Pause,
    Plan,
    SeatFacts,
    Step,
    at_risk,
    candidate_facts,
    candidate_steps,
    deadlines,
    decision_started,
    limits,
    loop_too_late,
    pauses_since,
    plan,
    plan_candidate,
    plan_seat,
    scorecard_limit,
    seat_steps,
    tightest,
    working_moment,
)
from bot.domain.stages import Stage

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

# A Monday morning (as in conftest), so working-hours rules have room either side.
T = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
# The defaults (docs/clocks.md): loop 7 days, feedback 24 h, decision 48 h, offer 48 h, idle 48 h.
DEFAULTS = Clocks(loop_days=7, feedback_hours=24, decision_hours=48, offer_hours=48, idle_hours=48)
CANDIDATE = 42


def facts(
    stage: Stage = Stage.INTERVIEWING,
    entered: datetime = T,
    *,
    feedback_complete_at: datetime | None = None,
    offer_expires_at: datetime | None = None,
    paused: dict[str, timedelta] | None = None,
    snoozed_at: dict[str, datetime] | None = None,
    candidate_deadline: datetime | None = None,
) -> CandidateFacts:
    return CandidateFacts(
        stage,
        entered,
        feedback_complete_at,
        offer_expires_at,
        paused or {},
        snoozed_at or {},
        candidate_deadline,
    )


def of_kind(steps: list[Step], kind: Kind) -> list[Step]:
    return [s for s in steps if s.kind == kind]


def only_plan(plans: list[Plan]) -> Plan:
    assert len(plans) == 1, plans
    return plans[0]


def sent(plans: list[Plan]) -> list[Step]:
    return [p.send for p in plans if p.send is not None]


# Loop clock -------------------------------------------------------------------------------------


def test_loop_warns_two_days_before_the_deadline_to_the_team() -> None:
    [warn] = of_kind(candidate_steps(facts(), DEFAULTS, T), Kind.LOOP_WARN)
    assert warn.due_at == T + 5 * DAY
    assert warn.deadline == T + 7 * DAY
    assert warn.audience == Audience.TEAM
    assert not warn.breach


def test_loop_breaches_on_day_seven() -> None:
    breaches = of_kind(candidate_steps(facts(), DEFAULTS, T + 7 * DAY), Kind.LOOP_BREACH)
    first = breaches[0]
    assert first.due_at == T + 7 * DAY
    assert first.deadline == T + 7 * DAY
    assert first.breach
    assert first.repeat == 0
    assert first.audience == Audience.TEAM


def test_loop_breach_repeats_every_day_after_the_deadline() -> None:
    breaches = of_kind(candidate_steps(facts(), DEFAULTS, T + 9 * DAY + HOUR), Kind.LOOP_BREACH)
    assert [(s.repeat, s.due_at) for s in breaches] == [
        (0, T + 7 * DAY),
        (1, T + 8 * DAY),
        (2, T + 9 * DAY),
        (3, T + 10 * DAY),  # the next one, so the sweep knows when to look again
    ]
    assert all(s.breach and s.deadline == T + 7 * DAY for s in breaches)


def test_loop_plan_before_the_warning_sends_nothing_and_wakes_at_the_warning() -> None:
    chain = only_plan(plan_candidate(facts(), DEFAULTS, T + 4 * DAY))
    assert chain.send is None
    assert chain.skipped == []
    assert chain.next_at == T + 5 * DAY


def test_loop_plan_sends_the_warning_once_it_is_due() -> None:
    chain = only_plan(plan_candidate(facts(), DEFAULTS, T + 5 * DAY + HOUR))
    assert chain.send is not None and chain.send.kind == Kind.LOOP_WARN
    assert chain.skipped == []
    assert chain.next_at == T + 7 * DAY


def test_loop_plan_at_the_deadline_sends_the_breach_and_skips_the_due_warning() -> None:
    chain = only_plan(plan_candidate(facts(), DEFAULTS, T + 7 * DAY))
    assert chain.send is not None
    assert (chain.send.kind, chain.send.repeat) == (Kind.LOOP_BREACH, 0)
    assert [s.kind for s in chain.skipped] == [Kind.LOOP_WARN]
    assert chain.next_at == T + 8 * DAY


def test_after_three_days_of_downtime_only_the_day_three_repeat_is_sent() -> None:
    chain = only_plan(plan_candidate(facts(), DEFAULTS, T + 10 * DAY))
    assert chain.send is not None
    assert (chain.send.kind, chain.send.repeat) == (Kind.LOOP_BREACH, 3)
    assert [(s.kind, s.repeat) for s in chain.skipped] == [
        (Kind.LOOP_WARN, 0),
        (Kind.LOOP_BREACH, 0),
        (Kind.LOOP_BREACH, 1),
        (Kind.LOOP_BREACH, 2),
    ]
    assert chain.next_at == T + 11 * DAY


def test_plan_of_a_chain_returns_the_latest_due_step_whatever_the_order() -> None:
    late = Step(Kind.LOOP_BREACH, T + 2 * DAY, T + 2 * DAY, Audience.TEAM, breach=True)
    early = Step(Kind.LOOP_WARN, T, T + 2 * DAY, Audience.TEAM)
    future = Step(Kind.LOOP_BREACH, T + 3 * DAY, T + 2 * DAY, Audience.TEAM, repeat=1)
    assert plan([future, late, early], T + 2 * DAY + HOUR) == Plan(late, [early], T + 3 * DAY)


def test_step_keys_are_stable_across_sweeps() -> None:
    def keys_at(now: datetime) -> dict[tuple[Kind, int], str]:
        steps = candidate_steps(facts(), DEFAULTS, now)
        return {(s.kind, s.repeat): s.key(CANDIDATE) for s in steps}

    early, late = keys_at(T + 7 * DAY), keys_at(T + 10 * DAY + 5 * HOUR)
    assert early[(Kind.LOOP_WARN, 0)] == late[(Kind.LOOP_WARN, 0)]
    assert early[(Kind.LOOP_BREACH, 0)] == late[(Kind.LOOP_BREACH, 0)]
    assert early[(Kind.LOOP_BREACH, 1)] == late[(Kind.LOOP_BREACH, 1)]


def test_step_keys_differ_between_repeats() -> None:
    steps = candidate_steps(facts(), DEFAULTS, T + 10 * DAY)
    keys = [s.key(CANDIDATE) for s in of_kind(steps, Kind.LOOP_BREACH)]
    assert len(keys) == 5
    assert len(set(keys)) == len(keys)


def test_step_keys_differ_between_deadlines() -> None:
    now = T + 9 * DAY
    before = of_kind(candidate_steps(facts(), DEFAULTS, now), Kind.LOOP_BREACH)[0]
    moved = facts(paused={"loop": DAY})
    after = of_kind(candidate_steps(moved, DEFAULTS, now), Kind.LOOP_BREACH)[0]
    assert before.repeat == after.repeat == 0
    assert before.key(CANDIDATE) != after.key(CANDIDATE)


def test_step_keys_differ_between_candidates() -> None:
    [warn] = of_kind(candidate_steps(facts(), DEFAULTS, T), Kind.LOOP_WARN)
    assert warn.key(1) != warn.key(2)


# Per-role settings ------------------------------------------------------------------------------


def test_role_loop_days_move_the_loop_deadline() -> None:
    five_days = replace(DEFAULTS, loop_days=5)
    steps = candidate_steps(facts(), five_days, T + 5 * DAY)
    [warn] = of_kind(steps, Kind.LOOP_WARN)
    assert warn.due_at == T + 3 * DAY
    assert of_kind(steps, Kind.LOOP_BREACH)[0].due_at == T + 5 * DAY


def test_role_decision_hours_move_the_decision_deadline() -> None:
    one_day = replace(DEFAULTS, decision_hours=24)
    steps = candidate_steps(facts(Stage.DECISION), one_day, T)
    [breach] = of_kind(steps, Kind.DECISION_BREACH)
    assert breach.due_at == T + 24 * HOUR


def test_role_idle_hours_move_the_idle_deadline() -> None:
    three_days = replace(DEFAULTS, idle_hours=72)
    steps = candidate_steps(facts(Stage.SCREENING), three_days, T)
    assert of_kind(steps, Kind.STAGE_IDLE)[0].due_at == T + 72 * HOUR


# Decision clock ---------------------------------------------------------------------------------


def test_decision_starts_when_the_last_scorecard_is_in_while_interviewing() -> None:
    done = T + 3 * DAY
    assert decision_started(facts(Stage.INTERVIEWING, feedback_complete_at=done)) == done


def test_no_decision_clock_while_interviewing_with_feedback_outstanding() -> None:
    assert decision_started(facts(Stage.INTERVIEWING)) is None
    steps = candidate_steps(facts(Stage.INTERVIEWING), DEFAULTS, T + 30 * DAY)
    assert not of_kind(steps, Kind.DECISION_WARN) + of_kind(steps, Kind.DECISION_BREACH)


def test_decision_starts_on_entering_decision_without_feedback() -> None:
    assert decision_started(facts(Stage.DECISION, T + DAY)) == T + DAY


@pytest.mark.parametrize(
    ("feedback_complete_at", "entered", "expected"),
    [
        (T, T + DAY, T),  # the scorecards were in first
        (T + DAY, T, T),  # moved to decision before the last scorecard
    ],
    ids=["feedback-first", "entered-first"],
)
def test_decision_starts_at_whichever_came_first(
    feedback_complete_at: datetime, entered: datetime, expected: datetime
) -> None:
    f = facts(Stage.DECISION, entered, feedback_complete_at=feedback_complete_at)
    assert decision_started(f) == expected


def test_decision_warns_a_day_before_and_breaches_at_decision_hours() -> None:
    steps = candidate_steps(facts(Stage.DECISION), DEFAULTS, T)
    [warn] = of_kind(steps, Kind.DECISION_WARN)
    [breach] = of_kind(steps, Kind.DECISION_BREACH)
    assert (warn.due_at, warn.deadline, warn.breach) == (T + 24 * HOUR, T + 48 * HOUR, False)
    assert (breach.due_at, breach.deadline, breach.breach) == (T + 48 * HOUR, T + 48 * HOUR, True)
    assert warn.audience == breach.audience == Audience.TEAM


@pytest.mark.parametrize("stage", [Stage.SOURCED, Stage.SCREENING, Stage.OFFER])
def test_no_decision_clock_outside_interviewing_and_decision(stage: Stage) -> None:
    f = facts(stage, feedback_complete_at=T, offer_expires_at=T + 2 * DAY)
    assert decision_started(f) is None
    steps = candidate_steps(f, DEFAULTS, T + 30 * DAY)
    assert not [s for s in steps if s.clock == "decision"]


# Offer clock ------------------------------------------------------------------------------------


def test_offer_warns_a_day_and_four_hours_before_expiry_to_recruiters() -> None:
    expiry = T + 2 * DAY
    steps = candidate_steps(facts(Stage.OFFER, offer_expires_at=expiry), DEFAULTS, T)
    warnings = of_kind(steps, Kind.OFFER_WARN)
    assert [s.due_at for s in warnings] == [expiry - 24 * HOUR, expiry - 4 * HOUR]
    assert all(s.urgent and not s.breach for s in warnings)
    assert all(s.audience == Audience.RECRUITERS for s in warnings)
    assert len({s.key(CANDIDATE) for s in warnings}) == 2


def test_offer_expires_at_expiry_as_a_breach() -> None:
    expiry = T + 2 * DAY
    steps = candidate_steps(facts(Stage.OFFER, offer_expires_at=expiry), DEFAULTS, T)
    [expired] = of_kind(steps, Kind.OFFER_EXPIRED)
    assert expired.due_at == expiry
    assert expired.breach
    assert expired.audience == Audience.RECRUITERS


def test_offer_plan_three_hours_before_expiry_sends_the_four_hour_warning() -> None:
    expiry = T + 2 * DAY
    f = facts(Stage.OFFER, offer_expires_at=expiry)
    chain = only_plan(plan_candidate(f, DEFAULTS, expiry - 3 * HOUR))
    assert chain.send is not None
    assert (chain.send.kind, chain.send.due_at) == (Kind.OFFER_WARN, expiry - 4 * HOUR)
    assert [s.due_at for s in chain.skipped] == [expiry - 24 * HOUR]
    assert chain.next_at == expiry


def test_no_offer_steps_without_an_expiry() -> None:
    steps = candidate_steps(facts(Stage.OFFER), DEFAULTS, T + 30 * DAY)
    assert not [s for s in steps if s.clock == "offer"]


# Stage idle -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.SOURCED, Stage.SCREENING])
def test_stage_idle_after_idle_hours_goes_to_recruiters_and_is_not_a_breach(stage: Stage) -> None:
    chain = only_plan(plan_candidate(facts(stage), DEFAULTS, T + 48 * HOUR))
    assert chain.send is not None
    assert chain.send.kind == Kind.STAGE_IDLE
    assert chain.send.due_at == T + 48 * HOUR
    assert chain.send.audience == Audience.RECRUITERS
    assert not chain.send.breach


def test_stage_idle_waits_until_idle_hours() -> None:
    chain = only_plan(plan_candidate(facts(Stage.SOURCED), DEFAULTS, T + 47 * HOUR))
    assert chain.send is None
    assert chain.next_at == T + 48 * HOUR


def test_stage_idle_repeats_daily() -> None:
    chain = only_plan(plan_candidate(facts(Stage.SCREENING), DEFAULTS, T + 48 * HOUR + DAY + HOUR))
    assert chain.send is not None
    assert (chain.send.kind, chain.send.repeat) == (Kind.STAGE_IDLE, 1)
    assert chain.next_at == T + 48 * HOUR + 2 * DAY


@pytest.mark.parametrize("stage", [Stage.INTERVIEWING, Stage.DECISION, Stage.OFFER])
def test_no_stage_idle_in_stages_with_their_own_clock(stage: Stage) -> None:
    steps = candidate_steps(facts(stage, offer_expires_at=T + 2 * DAY), DEFAULTS, T + 30 * DAY)
    assert not of_kind(steps, Kind.STAGE_IDLE)


# Chains are planned apart -----------------------------------------------------------------------


def test_a_loop_breach_does_not_hide_a_decision_warning() -> None:
    # Loop deadline T+7d; the last scorecard came in at T+6d: the decision warning is due at T+7d.
    f = facts(Stage.INTERVIEWING, feedback_complete_at=T + 6 * DAY)
    plans = plan_candidate(f, DEFAULTS, T + 7 * DAY + HOUR)
    assert len(plans) == 2
    assert sorted(s.kind for s in sent(plans)) == [Kind.DECISION_WARN, Kind.LOOP_BREACH]
    assert all(not p.skipped or p.skipped[0].kind == Kind.LOOP_WARN for p in plans)


# Pauses and snoozes -----------------------------------------------------------------------------


def test_pauses_since_totals_seconds_per_clock() -> None:
    pauses = [
        Pause("loop", "", 3600, T + HOUR),
        Pause("loop", "", 7200, T + 2 * HOUR),
        Pause("decision", "", 60, T + 3 * HOUR),
    ]
    totals, _ = pauses_since(pauses, since=T)
    assert totals == {"loop": 3 * HOUR, "decision": timedelta(minutes=1)}


def test_pauses_since_ignores_pauses_before_the_clock_started() -> None:
    pauses = [Pause("loop", "", 3600, T - HOUR), Pause("loop", "", 60, T)]
    totals, last = pauses_since(pauses, since=T)
    assert totals == {"loop": timedelta(minutes=1)}
    assert last == {"loop": T}


def test_pauses_since_ignores_other_subjects() -> None:
    seat = "7:UINT0001"
    pauses = [
        Pause("feedback", seat, 3600, T + HOUR),
        Pause("feedback", "7:UINT0002", 7200, T + HOUR),
        Pause("loop", "", 600, T + HOUR),
    ]
    assert pauses_since(pauses, since=T, subject=seat)[0] == {"feedback": HOUR}
    assert pauses_since(pauses, since=T)[0] == {"loop": timedelta(minutes=10)}


def test_pauses_since_returns_the_last_pause_time_per_clock() -> None:
    pauses = [
        Pause("loop", "", 60, T + 3 * HOUR),
        Pause("loop", "", 60, T + 5 * HOUR),
        Pause("loop", "", 60, T + 4 * HOUR),
        Pause("idle", "", 60, T + HOUR),
    ]
    _, last = pauses_since(pauses, since=T)
    assert last == {"loop": T + 5 * HOUR, "idle": T + HOUR}


def test_a_loop_pause_of_a_day_moves_the_loop_deadline_by_a_day() -> None:
    steps = candidate_steps(facts(paused={"loop": DAY}), DEFAULTS, T)
    [warn] = of_kind(steps, Kind.LOOP_WARN)
    [breach] = of_kind(steps, Kind.LOOP_BREACH)
    assert warn.due_at == T + 6 * DAY
    assert breach.due_at == breach.deadline == T + 8 * DAY


def test_a_decision_pause_moves_only_the_decision_deadline() -> None:
    f = facts(Stage.INTERVIEWING, feedback_complete_at=T, paused={"decision": DAY})
    steps = candidate_steps(f, DEFAULTS, T)
    assert of_kind(steps, Kind.DECISION_BREACH)[0].due_at == T + 48 * HOUR + DAY
    assert of_kind(steps, Kind.LOOP_BREACH)[0].due_at == T + 7 * DAY


def test_an_idle_pause_moves_the_idle_deadline() -> None:
    steps = candidate_steps(facts(Stage.SOURCED, paused={"idle": DAY}), DEFAULTS, T)
    assert of_kind(steps, Kind.STAGE_IDLE)[0].due_at == T + 48 * HOUR + DAY


def test_a_snoozed_breach_is_not_re_warned_at_once() -> None:
    # The loop breached at T+7d; at T+7d+1h the recruiter snoozes it for a day. The moved
    # deadline (T+8d) makes a new warning due at T+6d, which the snooze already answered.
    pressed = T + 7 * DAY + HOUR
    f = facts(paused={"loop": DAY}, snoozed_at={"loop": pressed})
    chain = only_plan(plan_candidate(f, DEFAULTS, pressed + HOUR))
    assert chain.send is None
    assert chain.skipped == []
    assert chain.next_at == T + 8 * DAY


def test_a_snoozed_breach_comes_back_at_the_moved_deadline() -> None:
    pressed = T + 7 * DAY + HOUR
    f = facts(paused={"loop": DAY}, snoozed_at={"loop": pressed})
    chain = only_plan(plan_candidate(f, DEFAULTS, T + 8 * DAY))
    assert chain.send is not None
    assert (chain.send.kind, chain.send.repeat, chain.send.deadline) == (
        Kind.LOOP_BREACH,
        0,
        T + 8 * DAY,
    )


def test_a_snooze_of_one_clock_leaves_the_others_alone() -> None:
    snoozed = {"loop": T + 7 * DAY + HOUR}
    f = facts(Stage.INTERVIEWING, feedback_complete_at=T + 6 * DAY, snoozed_at=snoozed)
    plans = plan_candidate(f, DEFAULTS, T + 7 * DAY + 2 * HOUR)
    assert [s.kind for s in sent(plans)] == [Kind.DECISION_WARN]


# Feedback (seat) clock --------------------------------------------------------------------------

ENDS = T + 2 * HOUR
DUE = ENDS + 24 * HOUR


def seat(
    *,
    interviewer: str = "UINT0001",
    submitted: bool = False,
    stage: Stage = Stage.INTERVIEWING,
    paused: timedelta = timedelta(),
    snoozed_at: datetime | None = None,
) -> SeatFacts:
    return SeatFacts(7, interviewer, ENDS, DUE, submitted, stage, paused, snoozed_at)


def test_feedback_nudges_the_interviewer_an_hour_after_the_interview() -> None:
    [nudge] = of_kind(seat_steps(seat()), Kind.FEEDBACK_NUDGE)
    assert nudge.due_at == ENDS + HOUR
    assert nudge.audience == Audience.INTERVIEWER
    assert not nudge.breach


def test_feedback_nudges_the_interviewer_again_at_the_due_time() -> None:
    [due] = of_kind(seat_steps(seat()), Kind.FEEDBACK_DUE)
    assert due.due_at == due.deadline == DUE
    assert due.audience == Audience.INTERVIEWER
    assert not due.breach


def test_feedback_overdue_by_a_day_goes_to_recruiters_as_a_breach() -> None:
    [overdue] = of_kind(seat_steps(seat()), Kind.FEEDBACK_OVERDUE)
    assert overdue.due_at == DUE + 24 * HOUR
    assert overdue.deadline == DUE
    assert overdue.audience == Audience.RECRUITERS
    assert overdue.breach


def test_feedback_plan_before_the_first_nudge_waits_for_it() -> None:
    chain = plan_seat(seat(), ENDS + timedelta(minutes=30))
    assert chain.send is None
    assert chain.next_at == ENDS + HOUR


def test_feedback_plan_at_the_due_time_sends_the_second_nudge_and_skips_the_first() -> None:
    chain = plan_seat(seat(), DUE)
    assert chain.send is not None and chain.send.kind == Kind.FEEDBACK_DUE
    assert [s.kind for s in chain.skipped] == [Kind.FEEDBACK_NUDGE]
    assert chain.next_at == DUE + 24 * HOUR


def test_after_downtime_past_overdue_only_the_escalation_is_sent() -> None:
    chain = plan_seat(seat(), DUE + 3 * DAY)
    assert chain.send is not None and chain.send.kind == Kind.FEEDBACK_OVERDUE
    assert [s.kind for s in chain.skipped] == [Kind.FEEDBACK_NUDGE, Kind.FEEDBACK_DUE]
    assert chain.next_at is None


def test_no_feedback_steps_once_submitted() -> None:
    assert seat_steps(seat(submitted=True)) == []
    assert plan_seat(seat(submitted=True), DUE + 3 * DAY) == Plan(None, [], None)


@pytest.mark.parametrize("stage", [Stage.OFFER, Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN])
def test_no_feedback_steps_once_the_candidate_left_schedulable_stages(stage: Stage) -> None:
    assert seat_steps(seat(stage=stage)) == []
    assert plan_seat(seat(stage=stage), DUE + 3 * DAY) == Plan(None, [], None)


@pytest.mark.parametrize(
    "stage", [Stage.SOURCED, Stage.SCREENING, Stage.INTERVIEWING, Stage.DECISION]
)
def test_feedback_steps_run_while_the_candidate_is_schedulable(stage: Stage) -> None:
    assert [s.kind for s in seat_steps(seat(stage=stage))] == [
        Kind.FEEDBACK_NUDGE,
        Kind.FEEDBACK_DUE,
        Kind.FEEDBACK_OVERDUE,
    ]


def test_feedback_subject_is_the_seat_and_is_in_the_key() -> None:
    mine, theirs = seat(interviewer="UINT0001"), seat(interviewer="UINT0002")
    assert mine.subject == "7:UINT0001"
    steps = seat_steps(mine)
    assert all(s.subject == "7:UINT0001" for s in steps)
    assert all(":7:UINT0001:" in s.key(CANDIDATE) for s in steps)
    assert steps[0].key(CANDIDATE) != seat_steps(theirs)[0].key(CANDIDATE)


def test_a_feedback_pause_moves_the_due_time_and_the_escalation() -> None:
    steps = seat_steps(seat(paused=DAY))
    assert of_kind(steps, Kind.FEEDBACK_DUE)[0].due_at == DUE + DAY
    assert of_kind(steps, Kind.FEEDBACK_OVERDUE)[0].due_at == DUE + 2 * DAY


def test_a_feedback_snooze_drops_what_was_due_when_pressed() -> None:
    pressed = DUE + 24 * HOUR + HOUR  # escalated, then snoozed for a day
    chain = plan_seat(seat(paused=DAY, snoozed_at=pressed), pressed + HOUR)
    assert chain.send is None
    assert chain.skipped == []
    assert chain.next_at == DUE + 2 * DAY


# Working hours ----------------------------------------------------------------------------------

BERLIN = "Europe/Berlin"


def local(tz: str, *args: int) -> datetime:
    """A wall-clock moment where the person is, as the aware UTC instant the bot stores."""
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ((2026, 11, 16, 10, 0), (2026, 11, 16, 10, 0)),  # Monday 10:00: now
        ((2026, 11, 16, 20, 0), (2026, 11, 17, 9, 0)),  # Monday 20:00: Tuesday 09:00
        ((2026, 11, 20, 19, 0), (2026, 11, 23, 9, 0)),  # Friday 19:00: Monday 09:00
        ((2026, 11, 21, 12, 0), (2026, 11, 23, 9, 0)),  # Saturday: Monday 09:00
        ((2026, 11, 22, 23, 30), (2026, 11, 23, 9, 0)),  # Sunday night: Monday 09:00
        ((2026, 11, 17, 8, 30), (2026, 11, 17, 9, 0)),  # 08:30: 09:00 the same day
        ((2026, 11, 17, 18, 0), (2026, 11, 18, 9, 0)),  # 18:00 is after hours
    ],
    ids=["mon-10", "mon-20", "fri-19", "sat", "sun-night", "tue-0830", "tue-18"],
)
def test_working_moment_in_the_persons_zone(
    now: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    result = working_moment(local(BERLIN, *now), BERLIN)
    assert result == local(BERLIN, *expected)
    assert result.tzinfo == UTC


def test_working_moment_depends_on_where_the_person_is() -> None:
    now = datetime(2026, 11, 16, 17, 0, tzinfo=UTC)  # Monday 09:00 in LA, Tuesday 02:00 in Tokyo
    assert working_moment(now, "America/Los_Angeles") == now
    assert working_moment(now, "Asia/Tokyo") == datetime(2026, 11, 17, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected", "offset_hours"),
    [
        # Clocks go forward on Sunday 29 March 2026: CET (+1) on Friday, CEST (+2) on Monday.
        ((2026, 3, 27, 19, 0), datetime(2026, 3, 30, 7, 0, tzinfo=UTC), 2),
        # Clocks go back on Sunday 25 October 2026: CEST (+2) on Friday, CET (+1) on Monday.
        ((2026, 10, 23, 19, 0), datetime(2026, 10, 26, 8, 0, tzinfo=UTC), 1),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_working_moment_across_a_dst_change_lands_on_nine_local(
    now: tuple[int, ...], expected: datetime, offset_hours: int
) -> None:
    result = working_moment(local(BERLIN, *now), BERLIN)
    assert result == expected
    there = result.astimezone(ZoneInfo(BERLIN))
    assert (there.weekday(), there.hour, there.minute) == (0, 9, 0)
    assert there.utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize("tz", [None, "", "Mars/Olympus_Mons", "../etc/passwd"])
def test_working_moment_with_an_unknown_zone_falls_back_to_utc(tz: str | None) -> None:
    monday_evening = datetime(2026, 11, 16, 20, 0, tzinfo=UTC)
    assert working_moment(monday_evening, tz) == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    monday_morning = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
    assert working_moment(monday_morning, tz) == monday_morning


def test_a_decision_snooze_pressed_while_interviewing_survives_the_move_to_decision() -> None:
    complete = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    snooze = Pause("decision", "", 24 * 3600, complete + timedelta(hours=30))
    interviewing = candidate_facts(Stage.INTERVIEWING, T, complete, None, [snooze])
    decision = candidate_facts(
        Stage.DECISION, complete + timedelta(hours=40), complete, None, [snooze]
    )
    assert interviewing.paused["decision"] == decision.paused["decision"] == timedelta(hours=24)
    assert decision.snoozed_at["decision"] == snooze.at


# The candidate's own deadline -------------------------------------------------------------------

# She decides Friday 20 Nov 12:00: the offer may run to then, the decision must come a day
# before (Thursday 12:00), the loop end a day before that (Wednesday 12:00).
BY = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_limits_work_back_from_the_candidates_deadline() -> None:
    bounds = limits(BY, DEFAULTS)
    assert (bounds.offer, bounds.decision, bounds.loop) == (BY, BY - DAY, BY - 2 * DAY)
    short = replace(DEFAULTS, offer_hours=4, decision_hours=8)  # short windows need less
    assert limits(BY, short).loop == BY - 12 * HOUR


def test_a_deadline_before_the_loop_end_moves_the_loop_chain_earlier() -> None:
    squeezed = candidate_steps(facts(candidate_deadline=BY), DEFAULTS, T)
    [warn] = of_kind(squeezed, Kind.LOOP_WARN)
    assert (warn.deadline, warn.due_at) == (BY - 2 * DAY, BY - 4 * DAY)
    [loop] = deadlines(facts(candidate_deadline=BY), DEFAULTS)
    assert (loop.at, loop.moved_from) == (BY - 2 * DAY, T + 7 * DAY)
    # Its identity changes with it: a new deadline is a new alert, the old one is cancelled.
    [normal] = of_kind(candidate_steps(facts(), DEFAULTS, T), Kind.LOOP_WARN)
    assert warn.key(CANDIDATE) != normal.key(CANDIDATE)


def test_a_far_deadline_changes_nothing() -> None:
    far = facts(candidate_deadline=T + 30 * DAY)
    assert candidate_steps(far, DEFAULTS, T) == candidate_steps(facts(), DEFAULTS, T)
    assert [d.moved_from for d in deadlines(far, DEFAULTS)] == [None]


def test_decision_and_offer_are_squeezed_too() -> None:
    deciding = facts(Stage.DECISION, T + 3 * DAY, candidate_deadline=BY)  # Thursday 09:00
    [decision] = deadlines(deciding, DEFAULTS)
    assert (decision.at, decision.moved_from) == (BY - DAY, T + 5 * DAY)
    offered = facts(Stage.OFFER, T, offer_expires_at=BY + DAY, candidate_deadline=BY)
    expired = of_kind(candidate_steps(offered, DEFAULTS, T), Kind.OFFER_EXPIRED)
    assert [s.deadline for s in expired] == [BY]


def test_a_limit_already_past_breaches_at_once() -> None:
    now = BY - DAY  # Thursday noon: the loop should have ended on Wednesday
    [chain] = plan_candidate(facts(candidate_deadline=BY), DEFAULTS, now)
    assert chain.send is not None and chain.send.kind == Kind.LOOP_BREACH and chain.send.breach
    assert chain.send.deadline == BY - 2 * DAY


def test_the_idle_clock_is_not_squeezed() -> None:
    sourced = facts(Stage.SOURCED, candidate_deadline=T + DAY)
    assert deadlines(sourced, DEFAULTS)[0].moved_from is None


def test_scorecards_are_due_by_the_loop_limit_but_not_before_the_interview_ended() -> None:
    tight = scorecard_limit(T + 2 * DAY, DEFAULTS, ENDS)  # her loop must end at T itself
    assert tight == ENDS + HOUR  # not before anyone could write it up
    due = of_kind(seat_steps(replace(seat(), due_limit=tight)), Kind.FEEDBACK_DUE)
    assert [s.deadline for s in due] == [ENDS + HOUR]
    assert scorecard_limit(None, DEFAULTS, ENDS) is None
    assert scorecard_limit(BY, DEFAULTS, ENDS) == BY - 2 * DAY  # later than DUE: no change
    assert loop_too_late(T + 2 * DAY, DEFAULTS, ENDS) == T  # the scheduler is warned
    assert loop_too_late(BY, DEFAULTS, ENDS) is None


def test_at_risk_when_a_squeezed_deadline_is_a_day_away_and_hers_is_ahead() -> None:
    squeezed = facts(candidate_deadline=BY)  # loop limit Wednesday 12:00
    assert not at_risk(squeezed, DEFAULTS, BY - 4 * DAY)
    assert at_risk(squeezed, DEFAULTS, BY - 3 * DAY)
    assert at_risk(squeezed, DEFAULTS, BY - HOUR)  # passed, and she has not decided yet
    assert not at_risk(squeezed, DEFAULTS, BY)  # she has decided: nothing left to save
    assert not at_risk(facts(), DEFAULTS, T + 7 * DAY)
    assert at_risk(facts(Stage.SCREENING, candidate_deadline=BY), DEFAULTS, BY - 2 * DAY)
    assert tightest(squeezed, DEFAULTS) == BY - 2 * DAY
