"""The candidate's chains: loop, decision, offer and stage idle, as the role sets them.

No database, no Slack: the clocks (docs/clocks.md) as pure functions of stored facts and `now`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from bot.domain.clocks import (
    WARNING_LEAD,
    Audience,
    Kind,
    Plan,
    Step,
    candidate_steps,
    decision_started,
    plan,
    plan_candidate,
)
from bot.domain.stages import Stage
from tests.domain.clock_facts import (
    CANDIDATE,
    DAY,
    DEFAULTS,
    HOUR,
    T,
    facts,
    of_kind,
    only_plan,
    sent,
)

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


def test_loop_plan_before_the_warning_sends_nothing_and_wakes_its_lead_before() -> None:
    # The warning is recorded WARNING_LEAD ahead: delivery then holds it until its time,
    # or the last working moment before it when its time is at night, on a weekend or on
    # a day off. A ten-day loop, so that the warning's lead starts after the loop does.
    loop = replace(DEFAULTS, loop_days=10)
    warning_at = T + 8 * DAY
    chain = only_plan(plan_candidate(facts(), loop, T + DAY))
    assert chain.send is None
    assert chain.skipped == []
    assert chain.next_at == warning_at - WARNING_LEAD
    early = only_plan(plan_candidate(facts(), loop, warning_at - WARNING_LEAD))
    assert early.send is not None and early.send.kind == Kind.LOOP_WARN
    assert early.send.due_at == warning_at  # its time is unchanged


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
    assert expired.audience == Audience.TEAM  # the hiring manager hears it ran out too


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


def test_stage_idle_repeats_daily_at_the_start_of_its_day() -> None:
    """Each daily repeat falls due at the start of its day (UTC), so delivery holds them
    all for the recruiter's morning: one digest, not one DM an hour as candidates went
    idle at different times of day."""
    chain = only_plan(plan_candidate(facts(Stage.SCREENING), DEFAULTS, T + 48 * HOUR + DAY + HOUR))
    assert chain.send is not None
    assert (chain.send.kind, chain.send.repeat) == (Kind.STAGE_IDLE, 1)
    midnight = (T + 48 * HOUR + DAY).replace(hour=0, minute=0)
    assert chain.send.due_at == midnight
    assert chain.next_at == midnight + DAY


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
