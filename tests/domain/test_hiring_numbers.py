"""The numbers that matter, on a seeded history whose every figure is known."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.domain.hiring_numbers import (
    MLOPS_TIME_TO_FILL_DAYS,
    HiringNumbers,
    Share,
    days,
    fill_summary,
    fill_trend,
    hired_at,
    hiring_numbers,
    is_mlops,
    loops_inside_limit,
    offer_acceptance,
)
from bot.domain.stages import Stage
from bot.store.tables import Candidate, StageEvent

OPENED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = OPENED + timedelta(days=40)
# Two hires (Ana, Di); Ben declined his offer; one more offer expired, one is open.
OFFER_STATUSES = ["accepted", "declined", "accepted", "expired", "open"]


def day(n: float) -> datetime:
    return OPENED + timedelta(days=n)


@dataclass
class History:
    candidates: list[Candidate] = field(default_factory=list)
    events: list[StageEvent] = field(default_factory=list)

    def add(
        self,
        added: float,
        moves: list[tuple[float, str]],
        *,
        first: str = "sourced",
        feedback_complete: float | None = None,
    ) -> None:
        """A candidate added on day `added` into `first`, then moved on each (day, stage)."""
        candidate_id = len(self.candidates) + 1
        stage = moves[-1][1] if moves else first
        self.candidates.append(
            Candidate(
                id=candidate_id,
                role_id=1,
                name=f"Candidate {candidate_id}",
                name_key=f"candidate {candidate_id}",
                stage=stage,
                stage_entered_at=day(moves[-1][0] if moves else added),
                created_by="UREC",
                created_at=day(added),
                feedback_complete_at=day(feedback_complete) if feedback_complete else None,
            )
        )
        previous: str | None = None
        for at, to in [(added, first), *moves]:
            self.events.append(
                StageEvent(
                    candidate_id=candidate_id,
                    at=day(at),
                    actor_id="UREC",
                    from_stage=previous,
                    to_stage=to,
                )
            )
            previous = to


def seeded() -> History:
    h = History()
    # Ana: the whole path; all scorecards in on day 10, hired on day 14.
    h.add(
        0,
        [(2, "screening"), (5, "interviewing"), (11, "decision"), (12, "offer"), (14, "hired")],
        feedback_complete=10,
    )
    # Ben: skipped screening; an 11-day loop; declined the offer.
    h.add(3, [(4, "interviewing"), (15, "decision"), (16, "offer"), (18, "withdrawn")])
    # Cy: rejected at screening.
    h.add(10, [(12, "screening"), (13, "rejected")])
    # Di: imported straight into interviewing on day 20, hired on day 30.
    h.add(20, [(24, "decision"), (25, "offer"), (30, "hired")], first="interviewing")
    # Ed: still sourced.
    h.add(21, [])
    # Fay: still interviewing, with a deadline note that is no move.
    h.add(22, [(23, "screening"), (24, "interviewing"), (25, "interviewing")])
    return h


def numbers_of(h: History) -> HiringNumbers:
    return hiring_numbers(
        opened_at=OPENED,
        closed_at=None,
        loop_days=7,
        template="mlops",
        title="MLOps Engineer",
        candidates=h.candidates,
        events=h.events,
        offer_statuses=OFFER_STATUSES,
        now=NOW,
    )


def test_time_to_fill_and_time_to_hire_per_hire_and_their_medians() -> None:
    numbers = numbers_of(seeded())
    assert numbers.time_to_fill == [14.0, 30.0]  # role opened day 0; hires on days 14, 30
    assert numbers.median_time_to_fill == 22.0
    assert numbers.time_to_hire == [14.0, 10.0]  # Ana added day 0, Di day 20
    assert numbers.median_time_to_hire == 12.0
    assert fill_summary(numbers) == "time to fill 22 days (MLOps average: 89 days)"


def test_someone_imported_as_hired_is_no_hire_made_here() -> None:
    """Imported on day 35 as hired: neither a time to hire of 0 days nor a time to fill
    of 35; the role's figures stay those of the hires made in it."""
    history = seeded()
    history.add(35, [], first="hired")
    numbers = numbers_of(history)
    assert numbers.time_to_fill == [14.0, 30.0]
    assert numbers.time_to_hire == [14.0, 10.0]
    trend = fill_trend(OPENED, hired_at(history.events).values(), now=NOW)
    assert trend == fill_trend(OPENED, hired_at(seeded().events).values(), now=NOW)


def test_conversion_counts_skips_and_imports_as_reaching() -> None:
    numbers = numbers_of(seeded())
    assert numbers.conversion == {
        Stage.SOURCED: Share(5, 6),  # Ed is still sourced
        Stage.SCREENING: Share(4, 5),  # Ben skipped it, Di was imported past it; Cy out
        Stage.INTERVIEWING: Share(3, 4),  # Fay still interviewing
        Stage.DECISION: Share(3, 3),
        Stage.OFFER: Share(2, 3),  # Ben declined
    }
    assert str(numbers.conversion[Stage.OFFER]) == "67% (2 of 3)"


def test_offer_acceptance_counts_decided_offers_only() -> None:
    numbers = numbers_of(seeded())
    assert numbers.offers == Share(2, 4)  # the open offer is not decided yet
    assert str(numbers.offers) == "50% (2 of 4)"


def test_an_offer_taken_back_is_no_answer_of_the_candidate_s() -> None:
    statuses = ["accepted", "rescinded", "declined", "open", "expired"]
    assert offer_acceptance(statuses) == Share(1, 3)


def test_loops_inside_the_limit() -> None:
    numbers = numbers_of(seeded())
    # Ana 5 days (scorecards in before she left), Ben 11, Di 4; Fay's loop still runs.
    assert numbers.loops == Share(2, 3)


def test_a_loop_of_exactly_the_limit_is_inside_and_a_rejection_ends_one() -> None:
    h = History()
    h.add(0, [(1, "interviewing"), (8, "decision")])  # exactly 7 days
    h.add(0, [(1, "interviewing"), (9, "rejected")])  # 8 days, then out
    h.add(0, [(1, "interviewing")], feedback_complete=3)  # scorecards in, not moved yet
    assert loops_inside_limit(h.candidates, h.events, loop_days=7) == Share(2, 3)


def test_a_loop_let_go_before_any_scorecard_is_not_a_loop() -> None:
    h = History()
    h.add(0, [(1, "interviewing"), (2, "rejected")])  # no interview: not counted
    h.add(0, [(1, "interviewing"), (3, "rejected")])  # interviewed on day 2: counted
    h.add(0, [(1, "interviewing"), (4, "rejected")])  # first scorecard only after: not
    h.add(0, [(1, "interviewing"), (9, "decision")])  # decided without scorecards: counted
    ids = [c.id or 0 for c in h.candidates]
    firsts = {ids[1]: day(2), ids[2]: day(5)}
    assert loops_inside_limit(h.candidates, h.events, loop_days=7) == Share(3, 4)
    shown = loops_inside_limit(h.candidates, h.events, loop_days=7, first_scorecards=firsts)
    assert shown == Share(1, 2)


def test_a_role_without_hires_is_not_filled_yet() -> None:
    h = History()
    h.add(1, [(2, "screening")])
    numbers = hiring_numbers(
        opened_at=OPENED,
        closed_at=None,
        loop_days=7,
        template="backend@v2",
        title="Data Engineer",
        candidates=h.candidates,
        events=h.events,
        offer_statuses=[],
        now=day(12.5),
    )
    assert numbers.median_time_to_fill is None and numbers.time_to_hire == []
    assert numbers.offers == Share(0, 0) and str(numbers.offers) == "none yet"
    assert not numbers.mlops and numbers.benchmark_days is None
    assert fill_summary(numbers) == "not filled yet: open 12 days"


def test_a_closed_role_stops_counting_its_open_days() -> None:
    numbers = hiring_numbers(
        opened_at=OPENED,
        closed_at=day(20),
        loop_days=7,
        template="data",
        title="Data Engineer",
        candidates=[],
        events=[],
        offer_statuses=[],
        now=NOW,
    )
    assert numbers.open_days == 20.0
    assert numbers.conversion == {} and numbers.loops == Share(0, 0)


def test_events_after_now_are_not_counted() -> None:
    h = seeded()
    numbers = hiring_numbers(
        opened_at=OPENED,
        closed_at=None,
        loop_days=7,
        template="mlops",
        title="MLOps Engineer",
        candidates=h.candidates,
        events=h.events,
        offer_statuses=[],
        now=day(20),
    )
    assert numbers.time_to_fill == [14.0]  # Di was hired on day 30
    # Ed and Fay were not added yet; Di was imported on day 20 and is interviewing.
    assert numbers.conversion[Stage.SOURCED] == Share(4, 4)  # Cy reached screening on day 12
    assert numbers.conversion[Stage.OFFER] == Share(1, 2)
    assert numbers.loops == Share(1, 2)  # Ana inside, Ben outside; Di's loop runs


def test_mlops_roles_by_template_or_title() -> None:
    assert is_mlops(template="mlops", title="Platform Engineer")
    assert is_mlops(template="mlops@v3", title="Platform Engineer")
    assert is_mlops(template="ml-ops-platform@v1", title="Platform Engineer")
    assert is_mlops(template="backend", title="Senior MLOps Engineer")
    assert not is_mlops(template="backend@v2", title="Data Engineer")
    # The MLOps template is every new role's default: a title of another discipline on it
    # is not held to the MLOps market ("Data Scientist … MLOps average: 89 days").
    assert not is_mlops(template="mlops", title="Data Scientist")
    assert not is_mlops(template="mlops", title="Data Platform Engineer II")
    assert not is_mlops(template="mlops", title="Senior Data Engineer")
    assert not is_mlops(template="mlops@v3", title="Senior Backend Engineer")
    assert is_mlops(template="mlops", title="ML Ops Lead, Data Platform")
    assert MLOPS_TIME_TO_FILL_DAYS == 89


def test_fill_trend_over_twelve_weeks() -> None:
    hires = hired_at(seeded().events)
    assert sorted(hires.values()) == [day(14), day(30)]
    points = fill_trend(OPENED, hires.values(), now=NOW)
    assert len(points) == 12
    assert [p.week_end for p in points] == [day(40 - 7 * k) for k in range(11, -1, -1)]
    # Weeks ending on days -37..-2: the role did not exist; 5 and 12: open, no hire;
    # 19 and 26: Ana's 14 days; 33 and 40: the median of 14 and 30.
    assert [p.days for p in points] == [None] * 6 + [5.0, 12.0, 14.0, 14.0, 22.0, 22.0]
    assert [p.filled for p in points] == [False] * 8 + [True] * 4


def test_days_read_as_people_say_them() -> None:
    assert (days(1.2), days(41.4), days(0)) == ("1 day", "41 days", "0 days")


def test_a_closed_unfilled_roles_trend_stops_climbing() -> None:
    points = fill_trend(OPENED, [], now=day(21), closed_at=day(10), weeks=3)
    assert [(p.days, p.filled) for p in points] == [(7.0, False), (10.0, False), (10.0, False)]
