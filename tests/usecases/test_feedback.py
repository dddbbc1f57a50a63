"""Scorecard rules as plain functions, the largest template inside Slack's limits, and
the loop's completion under concurrency on both databases."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot import store
from bot.domain.access import Team
from bot.domain.scorecards import (
    MAX_COMPETENCIES,
    Competency,
    PlanStage,
    ScorecardForm,
    Template,
    check_scorecard,
    templates,
)
from bot.domain.stages import Stage
from bot.playground.standin import blocks_text, message_problems, view_problems
from bot.readmodels.home import Home
from bot.runtime.timesource import ManualClock
from bot.slack.blocks.home import home_view
from bot.slack.blocks.interviews import (
    kit_message,
    loop_revised_message,
    loop_summary_message,
    scorecard_modal,
    scorecard_read_modal,
)
from bot.store.engine import Database
from bot.store.postgresql_raw import asyncpg_dsn
from bot.store.scorecard_writes import ScorecardWrites, in_scorecard_writes
from bot.store.tables import Candidate, ClockSettings, Interview, Rating, Scorecard
from bot.usecases import feedback
from bot.usecases.errors import NotAllowed
from bot.usecases.feedback import Assignment, InterviewView, Loop, NewInterview, SeatView
from tests import cli_process
from tests.cases import jane, move
from tests.conftest import HM, RECRUITER
from tests.slack.test_blocks import card as candidate_card
from tests.slack.test_blocks import to_dicts

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def big_template() -> Template:
    competencies = [
        Competency(
            key=f"c{i:02d}",
            name=("Competency " + "x" * 75)[:75],
            description="d" * 300,
            strong="s" * 500,
            weak="w" * 500,
        )
        for i in range(MAX_COMPETENCIES)
    ]
    plan = [
        PlanStage(
            key="all",
            name="n" * 75,
            description="p" * 500,
            minutes=60,
            competencies=[c.key for c in competencies],
        )
    ]
    return Template(name="big", title="t" * 75, competencies=competencies, plan=plan)


def big_interview(*, ends_at: datetime) -> Interview:
    """An interview of big_template's one plan stage, starting at NOW."""
    return Interview(
        id=3,
        candidate_id=7,
        plan_stage="all",
        starts_at=NOW,
        ends_at=ends_at,
        scheduled_by=RECRUITER,
        created_at=NOW,
    )


def test_a_twelve_competency_template_fits_one_scorecard_modal() -> None:
    template = big_template()
    found = candidate_card()
    interview = big_interview(ends_at=NOW)
    current = Scorecard(
        id=9,
        interview_id=3,
        interviewer_id="UINT0001",
        candidate_id=7,
        version=4,
        recommendation=3,
        summary="y" * 3000,
        submitted_at=NOW,
    )
    ratings = {
        c.key: Rating(scorecard_id=9, competency=c.key, rating=2, evidence="e" * 2000)
        for c in template.competencies
    }
    ctx = feedback.ScorecardContext(
        interview, found.candidate, found.role, "n" * 75, template.competencies, current, ratings
    )

    view = scorecard_modal(ctx).to_dict()

    assert view_problems(view) == []
    assert len([b for b in view["blocks"] if b["type"] == "input"]) == 2 * MAX_COMPETENCIES + 2
    detail = feedback.ScorecardDetail(
        current, found.candidate, found.role, "n" * 75, template.competencies, ratings, 4
    )
    assert view_problems(scorecard_read_modal(detail).to_dict()) == []


def test_the_kit_and_summary_of_the_largest_loop_fit_a_message() -> None:
    template = big_template()
    found = candidate_card()
    interview = big_interview(ends_at=NOW + timedelta(hours=1))
    done = feedback.Scheduled(
        interview,
        found.candidate,
        found.role,
        template.plan[0],
        template.competencies,
        [f"UINT{i:04d}" for i in range(6)],
        NOW + timedelta(days=1),
        None,
    )
    text, blocks = kit_message(done, tz_name="America/Los_Angeles")
    assert text and message_problems(to_dicts(blocks)) == []

    def seats(interview_id: int) -> list[SeatView]:
        return [
            SeatView(
                f"UINT{i:04d}",
                NOW,
                Scorecard(
                    id=interview_id * 10 + i,
                    interview_id=interview_id,
                    interviewer_id=f"UINT{i:04d}",
                    candidate_id=7,
                    version=2,
                    recommendation=4,
                    summary="s",
                    submitted_at=NOW,
                ),
                {
                    c.key: Rating(scorecard_id=interview_id * 10 + i, competency=c.key, rating=3)
                    for c in template.competencies
                },
            )
            for i in range(6)
        ]

    interviews = [
        InterviewView(interview.model_copy(update={"id": n}), template.plan[0], seats(n), template)
        for n in (1, 2, 3)
    ]
    # And two that were not held: a no-show, and one cancelled after its scorecards came.
    for n, status, scored in ((4, "no_show", []), (5, "cancelled", seats(5))):
        gone = interview.model_copy(update={"id": n, "status": status})
        interviews.append(InterviewView(gone, template.plan[0], scored, template))
    loop = Loop(found.candidate, found.role, found.team, template, interviews, True)
    names = {f"UINT{i:04d}": "Maximiliana" for i in range(6)}
    text, blocks = loop_summary_message(loop, names, decide_by=NOW, now=NOW - timedelta(hours=1))
    assert text and message_problems(to_dicts(blocks)) == []
    shown = blocks_text(to_dicts(blocks))
    assert "the candidate did not come;" in shown
    assert "): cancelled, its scorecards above as written." in shown
    first = interviews[0].seats[0].scorecard
    assert first is not None
    text, blocks = loop_revised_message(
        loop,
        names,
        editor_id="UINT0000",
        was=first.model_copy(update={"recommendation": 2}),
        now=first,
    )
    assert message_problems(to_dicts(blocks)) == []
    assert "recommendation *No* → *Strong yes*" in blocks_text(to_dicts(blocks))


def test_a_full_home_tab_stays_inside_one_hundred_blocks() -> None:
    found = candidate_card()
    assignments = [
        Assignment(
            i,
            NOW + timedelta(hours=i),
            found.candidate.name,
            found.role.title,
            "n" * 75,
            NOW,
            i % 2,
        )
        for i in range(1, 150)
    ]
    view = home_view(Home(assignments, [], [], []), now=NOW).to_dict()
    assert view_problems(view) == []


# Plain rules ---------------------------------------------------------------------------

MLOPS = templates()["mlops"]
INCIDENT = [c for c in MLOPS.competencies if c.key in {"incidents", "monitoring", "rollback"}]


def form(**changes: object) -> ScorecardForm:
    values: dict[str, Any] = {
        "ratings": {"incidents": "4", "monitoring": "3", "rollback": "0"},
        "evidence": {},
        "recommendation": "3",
        "summary": "Solid.",
    }
    values.update(changes)
    return ScorecardForm(**values)


def check(f: ScorecardForm) -> dict[str, str]:
    return check_scorecard(INCIDENT, f, max_summary=3000, max_evidence=2000)[1]


def test_a_complete_scorecard_passes() -> None:
    checked, errors = check_scorecard(INCIDENT, form(), max_summary=3000, max_evidence=2000)
    assert errors == {}
    assert checked is not None and checked.ratings["rollback"] == (0, "")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recommendation": None}, "recommendation"),
        ({"recommendation": "0"}, "recommendation"),  # "not assessed" is no recommendation
        ({"recommendation": "9"}, "recommendation"),
        ({"summary": "  \n "}, "summary"),
        ({"summary": "x" * 3001}, "summary"),
        ({"ratings": {"incidents": "4", "monitoring": "3"}}, "rate_rollback"),
        ({"ratings": {"incidents": "5", "monitoring": "3", "rollback": "1"}}, "rate_incidents"),
        ({"ratings": {"incidents": "0", "monitoring": "0", "rollback": "0"}}, "rate_monitoring"),
        ({"evidence": {"rollback": "e" * 2001}}, "evidence_rollback"),
    ],
)
def test_each_bad_scorecard_names_its_field(changes: dict, field: str) -> None:
    assert field in check(form(**changes))


def test_independent_feedback_rule() -> None:
    team = Team(HM, frozenset({RECRUITER}))
    assert feedback.may_see_ratings(HM, team, submitted_by=[])
    assert feedback.may_see_ratings(RECRUITER, team, submitted_by=[])
    assert not feedback.may_see_ratings("UINT0001", team, submitted_by=["UINT0002"])
    assert feedback.may_see_ratings("UINT0001", team, submitted_by=["UINT0001", "UINT0002"])


def test_interview_lengths_default_to_the_plan() -> None:
    new = NewInterview("incident", ["UINT0001"], NOW, "")
    checked, errors = feedback.check_interview(new, MLOPS, now=NOW)
    assert errors == {} and checked is not None
    assert checked[2] - checked[1] == timedelta(minutes=45)


def test_templates_check_command(tmp_path: Path) -> None:
    # Its own process, forked from one with the libraries imported (tests/cli_process.py).
    ok = cli_process.run(
        ("templates", "check", str(ROOT / "bot/domain/templates/mlops.toml")),
        env=dict(os.environ),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ok.returncode == 0 and "is valid: 6 competencies" in ok.stdout
    assert "take-home: 4 h, 72 h window, parts Training pipeline, Serving, Monitoring" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\ntitle = "Bad"\n[[competencies]]\nkey = "a"\n')
    refused = cli_process.run(
        ("templates", "check", str(bad)),
        env=dict(os.environ),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert refused.returncode == 1  # as `templates install` says problems
    assert "bad.toml" in refused.stderr and "Traceback" not in refused.stderr


# Concurrency on both databases ---------------------------------------------------------


async def jane_scheduled(
    db: Database, clock: ManualClock, interviewers: list[str], starts_at: datetime
) -> tuple[int, feedback.Scheduled]:
    """Jane Doe in a new MLOps role, with the incident interview booked."""
    _, added = await jane(db, clock, title="MLOps")
    candidate_id = added.candidate.id or 0
    done = await feedback.schedule(
        db,
        actor_id=RECRUITER,
        candidate_id=candidate_id,
        now=clock.now(),
        form=NewInterview("incident", interviewers, starts_at, None),
    )
    return candidate_id, done


async def first_scorecard(
    db: Database,
    clock: ManualClock,
    done: feedback.Scheduled,
    user: str,
    *,
    read_loop: bool = True,
) -> feedback.Submitted:
    """The interviewer's first scorecard for the booked interview (form())."""
    return await feedback.submit(
        db,
        user_id=user,
        interview_id=done.interview.id or 0,
        base_version=0,
        form=form(),
        now=clock.now(),
        read_loop=read_loop,
    )


@pytest.mark.both_databases
async def test_two_last_scorecards_at_once_complete_the_loop_exactly_once(db_url: str) -> None:
    clock = ManualClock(NOW)
    db = Database(db_url)
    try:
        candidate_id, done = await jane_scheduled(
            db, clock, ["UINT0001", "UINT0002"], NOW + timedelta(hours=1)
        )
        clock.set(NOW + timedelta(hours=2))  # once it is over

        results = await asyncio.gather(
            first_scorecard(db, clock, done, "UINT0001"),
            first_scorecard(db, clock, done, "UINT0002"),
        )

        assert [r.completed is not None for r in results].count(True) == 1
        loop = await feedback.loop_of(db, viewer_id=HM, candidate_id=candidate_id)
        assert loop is not None and loop.complete
        assert loop.candidate.feedback_complete_at == clock.now()
    finally:
        await db.close()


@pytest.mark.both_databases
async def test_a_scorecard_stores_its_ratings_replans_and_only_the_last_completes(
    db: Database,
) -> None:
    """What a scorecard writes, alike on both databases (PostgreSQL writes it as one
    statement, bot.store.interviews.add_scorecard_at_once): the version and its ratings,
    every clock of the candidate due for the next sweep to plan, and the loop's feedback
    complete with the last seat's scorecard, not before."""
    clock = ManualClock(NOW)
    candidate_id, done = await jane_scheduled(
        db, clock, ["UINT0001", "UINT0002"], NOW + timedelta(hours=1)
    )

    async def written() -> tuple[Candidate, list[Any], list[tuple[str, int, str]]]:
        async with db.reader() as session:
            candidate = await session.get(Candidate, candidate_id)
            seats = await store.seats_of(session, candidate_id=candidate_id)
            ratings = await store.ratings_of_candidate(session, candidate_id=candidate_id)
        assert candidate is not None
        return candidate, seats, sorted((r.competency, r.rating, r.evidence) for r in ratings)

    clock.set(NOW + timedelta(hours=2))
    first = await feedback.submit(
        db,
        user_id="UINT0001",
        interview_id=done.interview.id or 0,
        base_version=0,
        form=form(evidence={"incidents": "Led the rollback."}),
        now=clock.now(),
    )
    candidate, seats, ratings = await written()
    assert not first.completes and candidate.feedback_complete_at is None
    assert ratings == [
        ("incidents", 4, "Led the rollback."),
        ("monitoring", 3, ""),
        ("rollback", 0, ""),
    ]
    assert candidate.next_alert_at == clock.now()
    assert [seat.next_alert_at for _, seat in seats] == [clock.now(), clock.now()]

    clock.set(NOW + timedelta(hours=3))
    last = await first_scorecard(db, clock, done, "UINT0002")
    candidate, seats, ratings = await written()
    assert last.completes and candidate.feedback_complete_at == clock.now()
    assert len(ratings) == 6 and candidate.next_alert_at == clock.now()


@pytest.mark.both_databases
async def test_a_double_submit_at_the_same_moment_stores_one_version(db_url: str) -> None:
    clock = ManualClock(NOW)
    db = Database(db_url)
    try:
        candidate_id, done = await jane_scheduled(db, clock, ["UINT0001"], NOW)

        results = await asyncio.gather(
            first_scorecard(db, clock, done, "UINT0001"),
            first_scorecard(db, clock, done, "UINT0001"),
        )

        assert sorted(r.repeated for r in results) == [False, True]
        loop = await feedback.loop_of(db, viewer_id=HM, candidate_id=candidate_id)
        assert loop is not None
        assert [s.scorecard.version for s in loop.seats if s.scorecard] == [1]
    finally:
        await db.close()


def test_clock_settings_defaults_are_the_domain_ones() -> None:
    assert ClockSettings().model_dump() == {
        "loop_days": 7,
        "feedback_hours": 24,
        "decision_hours": 48,
        "offer_hours": 48,
        "idle_hours": 48,
        "reminder_minutes": 30,
    }


@pytest.mark.takes_a_second_connection  # the rejection, from inside the scorecard's read
async def test_a_candidate_closed_while_the_scorecard_was_checked_gets_no_scorecard(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On SQLite the form is checked before the write lock is taken (a bad form never
    # holds the other writers up); a rejection landing in between must still be
    # honoured. PostgreSQL reads the context with the candidate's lock: the next test.
    clock = ManualClock(NOW)
    db = Database(db_url)
    try:
        candidate_id, done = await jane_scheduled(db, clock, ["UINT0001"], NOW)
        read_context = feedback._context

        async def read_then_reject(*args: Any, **kwargs: Any) -> feedback.ScorecardContext:
            context = await read_context(*args, **kwargs)
            await move(
                db,
                candidate_id,
                Stage.INTERVIEWING,
                Stage.REJECTED,
                now=clock.now(),
                reason="withdrew from the process",
            )
            return context

        monkeypatch.setattr(feedback, "_context", read_then_reject)
        with pytest.raises(NotAllowed, match="Scorecards for Jane Doe are closed"):
            await first_scorecard(db, clock, done, "UINT0001")
        loop = await feedback.loop_of(db, viewer_id=HM, candidate_id=candidate_id)
        assert loop is not None and not any(seat.scorecard for seat in loop.seats)
    finally:
        await db.close()


@pytest.mark.both_databases
async def test_a_candidate_closed_while_the_scorecard_waited_for_its_lock_gets_no_scorecard(
    db_url: str,
) -> None:
    """PostgreSQL reads a scorecard's context with the candidate's row lock, in one
    statement: a rejection that held the row meanwhile is what the scorecard then reads."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite takes the write lock after the read: the test before")
    clock = ManualClock(NOW)
    db = Database(db_url)
    rejecting = await asyncpg.connect(asyncpg_dsn(db.engine.url))
    try:
        candidate_id, done = await jane_scheduled(db, clock, ["UINT0001"], NOW)
        transaction = rejecting.transaction()
        await transaction.start()
        await rejecting.execute(
            "UPDATE candidate SET stage = 'rejected' WHERE id = $1", candidate_id
        )
        writing = asyncio.create_task(first_scorecard(db, clock, done, "UINT0001"))
        # Until the scorecard waits for the rejection's lock (pg_locks is live, where
        # pg_stat_activity is a snapshot held for the transaction).
        while not await rejecting.fetchval(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND $1 = ANY(pg_blocking_pids(pid))",
            rejecting.get_server_pid(),
        ):
            assert not writing.done(), writing
            await asyncio.sleep(0)  # the scorecard's statement, on its way to the lock
        await transaction.commit()
        with pytest.raises(NotAllowed, match="Scorecards for Jane Doe are closed"):
            await writing
        loop = await feedback.loop_of(db, viewer_id=HM, candidate_id=candidate_id)
        assert loop is not None and not any(seat.scorecard for seat in loop.seats)
    finally:
        await rejecting.close()
        await db.close()


@pytest.mark.both_databases
async def test_a_version_stored_twice_is_a_conflict_and_stores_nothing(db: Database) -> None:
    """The last line of defence under the version check: the store's unique version."""
    clock = ManualClock(NOW)
    candidate_id, done = await jane_scheduled(db, clock, ["UINT0001"], NOW)
    await first_scorecard(db, clock, done, "UINT0001")
    with pytest.raises(store.ScorecardConflict):
        async with db.transaction() as session:
            await store.add_scorecard(session, _second_version_1(done, candidate_id, clock), {})
    async with db.reader() as session:
        current = await store.current_scorecard(
            session, interview_id=done.interview.id or 0, interviewer_id="UINT0001"
        )
    assert current is not None and current.version == 1
    assert current.summary != "A second version 1"


@pytest.mark.both_databases
async def test_a_version_stored_twice_through_a_scorecards_writes_stores_nothing(
    db: Database,
) -> None:
    """Where a scorecard is written (bot.store.scorecard_writes: on PostgreSQL one
    statement), a version that is in already is neither written again nor re-plans the
    candidate's clocks; the version that is in comes back."""
    clock = ManualClock(NOW)
    candidate_id, done = await jane_scheduled(db, clock, ["UINT0001"], NOW)
    await first_scorecard(db, clock, done, "UINT0001")
    later = clock.now() + timedelta(days=9)

    async def add(writes: ScorecardWrites) -> tuple[Scorecard | None, Scorecard | None]:
        return await writes.add_unless_newer(
            _second_version_1(done, candidate_id, clock), {"incidents": (1, "")}, later
        )

    added, was = await in_scorecard_writes(db, add)
    assert added is None and was is not None and was.version == 1
    async with db.reader() as session:
        current = await store.current_scorecard(
            session, interview_id=done.interview.id or 0, interviewer_id="UINT0001"
        )
        candidate = await session.get(Candidate, candidate_id)
        ratings = await store.ratings_of_candidate(session, candidate_id=candidate_id)
    assert current is not None and current.version == 1 and current.id == was.id
    assert current.summary != "A second version 1"
    assert len(ratings) == 3  # the first version's
    assert candidate is not None and candidate.next_alert_at != later


def _second_version_1(done: Any, candidate_id: int, clock: ManualClock) -> Scorecard:
    return Scorecard(
        interview_id=done.interview.id or 0,
        interviewer_id="UINT0001",
        candidate_id=candidate_id,
        version=1,
        recommendation=1,
        summary="A second version 1",
        submitted_at=clock.now(),
    )


@pytest.mark.both_databases
async def test_a_scorecard_for_an_interview_still_to_come_is_refused(db_url: str) -> None:
    """Sent early (a kit of the wrong candidate clicked, often), it would count toward the
    loop's feedback and could complete it for an interview nobody has held."""
    clock = ManualClock(NOW)
    db = Database(db_url)
    try:
        candidate_id, done = await jane_scheduled(db, clock, ["UINT0001"], NOW + timedelta(hours=1))
        with pytest.raises(NotAllowed, match="its scorecard opens once it has begun"):
            await first_scorecard(db, clock, done, "UINT0001")
        loop = await feedback.loop_of(db, viewer_id=HM, candidate_id=candidate_id)
        assert loop is not None and [s.scorecard for s in loop.seats] == [None]
        clock.set(NOW + timedelta(hours=1))  # from its start, it is taken
        assert (await first_scorecard(db, clock, done, "UINT0001")).completed is not None
    finally:
        await db.close()
