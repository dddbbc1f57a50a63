"""Pauses and snoozes: how they move each chain's deadlines, and only that chain's.

No database, no Slack: the clocks (docs/clocks.md) as pure functions of stored facts and `now`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.clocks import (
    Kind,
    Pause,
    candidate_facts,
    candidate_steps,
    pauses_since,
    plan_candidate,
)
from bot.domain.stages import Stage
from tests.domain.clock_facts import DAY, DEFAULTS, HOUR, T, facts, of_kind, only_plan, sent


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


def test_a_decision_snooze_pressed_while_interviewing_survives_the_move_to_decision() -> None:
    complete = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    snooze = Pause("decision", "", 24 * 3600, complete + timedelta(hours=30))
    interviewing = candidate_facts(Stage.INTERVIEWING, T, complete, None, [snooze])
    decision = candidate_facts(
        Stage.DECISION, complete + timedelta(hours=40), complete, None, [snooze]
    )
    assert interviewing.paused["decision"] == decision.paused["decision"] == timedelta(hours=24)
    assert decision.snoozed_at["decision"] == snooze.at
