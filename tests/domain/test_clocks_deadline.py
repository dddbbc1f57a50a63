"""The candidate's own deadline: the limits it sets on every chain, worked back from it.

No database, no Slack: the clocks (docs/clocks.md) as pure functions of stored facts and `now`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.clocks import (
    Kind,
    at_risk,
    candidate_steps,
    deadlines,
    limits,
    loop_too_late,
    plan_candidate,
    scorecard_limit,
    seat_steps,
    tightest,
)
from bot.domain.stages import Stage
from tests.domain.clock_facts import CANDIDATE, DAY, DEFAULTS, ENDS, HOUR, T, facts, of_kind, seat

# She decides Friday 20 Nov 12:00: the offer may run to then, the decision must come a day
# before (Thursday 12:00), the loop end a day before that (Wednesday 12:00).
BY = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_an_offer_set_to_expire_at_her_deadline_is_at_risk_as_one_cut_back_to_it() -> None:
    """The alert said "At risk of losing Luis" while his card and the pipeline did not:
    an offer made to expire when he decides was not 'moved' by his deadline, so the card
    and the pipeline left it out. Both ends of it are held by the deadline alike."""
    at_it = facts(Stage.OFFER, T, offer_expires_at=BY, candidate_deadline=BY)
    cut = facts(Stage.OFFER, T, offer_expires_at=BY + DAY, candidate_deadline=BY)
    for offered in (at_it, cut):
        assert not at_risk(offered, DEFAULTS, BY - 2 * DAY)
        assert at_risk(offered, DEFAULTS, BY - 19 * HOUR)
    # Far from her deadline, its own expiry earlier: nothing holds it.
    early = facts(Stage.OFFER, T, offer_expires_at=BY - 3 * DAY, candidate_deadline=BY)
    assert not at_risk(early, DEFAULTS, BY - 3 * DAY - HOUR)


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
    # Its only step of its own: once, at the candidate's date, the team is asked.
    own = [s for s in candidate_steps(far, DEFAULTS, T) if s.kind != Kind.OWN_DEADLINE]
    assert own == candidate_steps(facts(), DEFAULTS, T)
    [passed] = of_kind(candidate_steps(far, DEFAULTS, T), Kind.OWN_DEADLINE)
    assert (passed.due_at, passed.breach) == (T + 30 * DAY, True)
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
    # The loop's chain (the candidate's own date, still ahead, has a chain of its own).
    [chain] = [
        p
        for p in plan_candidate(facts(candidate_deadline=BY), DEFAULTS, now)
        if p.send is not None and p.send.kind != Kind.OWN_DEADLINE
    ]
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
