"""What the clock tests (test_clocks_*.py) share: times, the defaults, and the stored facts
of a candidate and of an interview seat, as the clocks (docs/clocks.md) read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.clocks import CandidateFacts, Clocks, Kind, Plan, SeatFacts, Step
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


# An interview seat, for the feedback chain ------------------------------------------------------

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
