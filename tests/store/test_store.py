"""The data functions, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import store
from bot.domain.stages import Move, Stage, plan_move
from bot.runtime.timesource import ManualClock
from bot.store.engine import Database
from bot.store.tables import Candidate, Role, RoleRecruiter, StageEvent
from tests.cases import create_role_in, new_role
from tests.conftest import HM, OUTSIDER, RECRUITER, RECRUITER_2, count_rows

pytestmark = pytest.mark.both_databases

OTHER_HM = "UHM00002"
OTHER_RECRUITER = "UREC0009"


async def add_candidate_in(
    session: AsyncSession, role: Role, name: str, now: datetime
) -> Candidate:
    assert role.id is not None
    return await store.add_candidate(
        session,
        role_id=role.id,
        name=name,
        email=None,
        links=None,
        actor_id=RECRUITER,
        now=now,
    )


async def new_candidate(db: Database, role: Role, name: str, now: datetime) -> Candidate:
    async with db.transaction() as session:
        return await add_candidate_in(session, role, name, now)


async def move(
    db: Database, candidate: Candidate, target: Stage, now: datetime, reason: str = ""
) -> StageEvent:
    async with db.transaction() as session:
        fresh = await store.get_candidate(session, candidate_id=candidate.id or 0)
        assert fresh is not None
        return await store.move_candidate(
            session,
            candidate=fresh,
            move=plan_move(Stage(fresh.stage), target, reason=reason),
            actor_id=RECRUITER,
            note=reason,
            now=now,
        )


async def events_of(db: Database, candidate: Candidate) -> list[StageEvent]:
    async with db.reader() as session:
        return await store.recent_events(session, candidate_id=candidate.id or 0, limit=100)


# Roles -----------------------------------------------------------------------------------


async def test_create_role_stores_the_team(db: Database, clock: ManualClock) -> None:
    role = await new_role(db, clock.now(), recruiter_ids=(RECRUITER_2, RECRUITER, RECRUITER))
    async with db.reader() as session:
        role_with_team = await store.role_with_team(session, role_id=role.id or 0)
        recruiters = (await session.exec(select(RoleRecruiter))).all()
    assert role_with_team is not None
    assert role_with_team.role.title == "Senior MLOps Engineer"
    assert role_with_team.role.title_key == "senior mlops engineer"
    assert role_with_team.role.loop_days == 7
    assert role_with_team.team.hiring_manager_id == HM
    assert role_with_team.team.recruiter_ids == {RECRUITER, RECRUITER_2}
    assert len(recruiters) == 2


async def test_role_title_is_cleaned(db: Database, clock: ManualClock) -> None:
    role = await new_role(db, clock.now(), title="  Senior   MLOps Engineer ")
    assert role.title == "Senior MLOps Engineer"


async def test_roles_for_user_by_hat(db: Database, clock: ManualClock) -> None:
    first = await new_role(db, clock.now(), title="MLOps Engineer")
    second = await new_role(
        db,
        clock.advance(timedelta(hours=1)),
        title="Data Engineer",
        hiring_manager_id=OTHER_HM,
        recruiter_ids=(RECRUITER, RECRUITER_2),
    )
    async with db.reader() as session:
        as_hm = await store.roles_for_user(session, user_id=HM)
        as_recruiter = await store.roles_for_user(session, user_id=RECRUITER)
        as_second_recruiter = await store.roles_for_user(session, user_id=RECRUITER_2)
        as_outsider = await store.roles_for_user(session, user_id=OUTSIDER)
    assert [r.role.id for r in as_hm] == [first.id]
    # Newest first.
    assert [r.role.id for r in as_recruiter] == [second.id, first.id]
    assert [r.role.id for r in as_second_recruiter] == [second.id]
    assert as_second_recruiter[0].team.recruiter_ids == {RECRUITER, RECRUITER_2}
    assert as_outsider == []


@pytest.mark.parametrize("twin", ["senior mlops engineer", "Sénior  MLOPS Engineer"])
async def test_same_title_in_other_case_or_accents_is_a_duplicate(
    db: Database, clock: ManualClock, twin: str
) -> None:
    first = await new_role(db, clock.now())
    async with db.transaction() as session:
        with pytest.raises(store.DuplicateRole) as duplicate:
            await create_role_in(session, clock.now(), title=twin)
    # Plain values on the exception outlive the rolled-back transaction.
    assert duplicate.value.role_id == first.id


async def test_the_unique_title_holds_under_a_race(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    both_looked = asyncio.Barrier(2)
    looks = 0
    look = store.role_by_title

    async def look_then_wait(session: AsyncSession, *, title: str) -> Role | None:
        nonlocal looks
        looks += 1
        same_title = await look(session, title=title)
        if looks <= 2:
            await both_looked.wait()
        return same_title

    # Loopkeeper's own writers take turns on SQLite (bot.store.engine), so this race can only
    # come from outside them: the second writer opens its session on an engine of its
    # own, as another program on the same database would. The index must still hold.
    other = Database(db.url)

    @asynccontextmanager
    async def outside_transaction() -> AsyncIterator[AsyncSession]:
        async with AsyncSession(other.engine) as session, session.begin():
            yield session

    async def create_or_refuse(on: Database | None, title: str) -> str:
        async with on.transaction() if on else outside_transaction() as session:
            try:
                await create_role_in(session, clock.now(), title=title)
            except store.DuplicateRole:
                return "refused"
            return "created"

    monkeypatch.setattr(store.roles, "role_by_title", look_then_wait)
    try:
        results = await asyncio.wait_for(
            asyncio.gather(
                create_or_refuse(db, "MLOps Engineer"), create_or_refuse(None, "mlops engineer")
            ),
            timeout=30,
        )
    finally:
        await other.close()
    assert sorted(results) == ["created", "refused"]


async def test_a_missing_role_has_no_team(db: Database) -> None:
    async with db.reader() as session:
        assert await store.role_with_team(session, role_id=999) is None


# Candidates ------------------------------------------------------------------------------


async def test_add_candidate_starts_sourced_with_an_event(db: Database, clock: ManualClock) -> None:
    role = await new_role(db, clock.now())
    candidate = await new_candidate(db, role, "  José   Álvarez ", clock.now())
    assert candidate.name == "José Álvarez"
    assert candidate.name_key == "jose alvarez"
    assert candidate.stage == Stage.SOURCED
    assert candidate.stage_entered_at == clock.now()
    [event] = await events_of(db, candidate)
    assert event.from_stage is None
    assert event.to_stage == Stage.SOURCED
    assert event.actor_id == RECRUITER
    assert event.at == clock.now()
    assert event.note == "added"


@pytest.mark.parametrize("twin", ["Jane Doe", "jane doe", "JANE  DOE", "Jáne Doé"])
async def test_an_open_namesake_in_the_same_role_is_a_duplicate(
    db: Database, clock: ManualClock, twin: str
) -> None:
    role = await new_role(db, clock.now())
    first = await new_candidate(db, role, "Jane Doe", clock.now())
    async with db.transaction() as session:
        with pytest.raises(store.DuplicateCandidate) as duplicate:
            await add_candidate_in(session, role, twin, clock.now())
    assert duplicate.value.candidate_id == first.id
    assert await count_rows(db, Candidate) == 1
    assert await count_rows(db, StageEvent) == 1


async def test_a_namesake_in_another_role_is_allowed(db: Database, clock: ManualClock) -> None:
    mlops = await new_role(db, clock.now(), title="MLOps Engineer")
    data = await new_role(db, clock.now(), title="Data Engineer")
    await new_candidate(db, mlops, "Jane Doe", clock.now())
    await new_candidate(db, data, "Jane Doe", clock.now())
    assert await count_rows(db, Candidate) == 2


async def test_a_namesake_is_allowed_once_the_first_is_rejected(
    db: Database, clock: ManualClock
) -> None:
    role = await new_role(db, clock.now())
    first = await new_candidate(db, role, "Jane Doe", clock.now())
    await move(db, first, Stage.REJECTED, clock.now(), reason="not now")
    second = await new_candidate(db, role, "Jane Doe", clock.advance(timedelta(days=90)))
    assert second.id != first.id
    async with db.reader() as session:
        open_namesake = await store.open_candidate_named(
            session, role_id=role.id or 0, name="jane doe"
        )
    assert open_namesake is not None
    assert open_namesake.id == second.id


async def test_the_open_name_index_holds_under_a_race(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = await new_role(db, clock.now())
    # Both adders look for a namesake, find none, and only then insert: the check in
    # Python cannot stop the second, so the partial unique index must.
    both_looked = asyncio.Barrier(2)
    looks = 0
    look = store.open_candidate_named

    async def look_then_wait(session: AsyncSession, *, role_id: int, name: str) -> Candidate | None:
        nonlocal looks
        looks += 1
        namesake = await look(session, role_id=role_id, name=name)
        if looks <= 2:
            await both_looked.wait()
        return namesake

    other = Database(db.url)  # a writer from outside the app's turns, as in the title race

    @asynccontextmanager
    async def outside_transaction() -> AsyncIterator[AsyncSession]:
        async with AsyncSession(other.engine) as session, session.begin():
            yield session

    async def add_or_refuse(on: Database | None, name: str) -> tuple[str, int | None]:
        async with on.transaction() if on else outside_transaction() as session:
            try:
                return "added", (await add_candidate_in(session, role, name, clock.now())).id
            except store.DuplicateCandidate as duplicate:
                return "refused", duplicate.candidate_id

    monkeypatch.setattr(store.candidates, "open_candidate_named", look_then_wait)
    try:
        results = await asyncio.wait_for(
            asyncio.gather(add_or_refuse(db, "Jane Doe"), add_or_refuse(None, "jane doe")),
            timeout=30,
        )
    finally:
        await other.close()
    assert sorted(outcome for outcome, _ in results) == ["added", "refused"]
    # Two looks found nobody; the third came after the index refused the loser's insert.
    assert looks == 3
    # The refused adder is pointed at the one that won.
    assert results[0][1] == results[1][1]
    assert await count_rows(db, Candidate) == 1
    assert await count_rows(db, StageEvent) == 1


async def test_move_records_from_to_note_and_detail(db: Database, clock: ManualClock) -> None:
    role = await new_role(db, clock.now())
    candidate = await new_candidate(db, role, "Jane Doe", clock.now())
    later = clock.advance(timedelta(hours=5))
    event = await move(db, candidate, Stage.INTERVIEWING, later, reason="  strong screen ")
    assert (event.from_stage, event.to_stage) == (Stage.SOURCED, Stage.INTERVIEWING)
    assert event.note == "strong screen"
    assert event.detail == "jumped from sourced to interviewing, skipping screening"
    assert event.actor_id == RECRUITER
    assert event.at == later
    async with db.reader() as session:
        stored = await store.get_candidate(session, candidate_id=candidate.id or 0)
    assert stored is not None
    assert stored.stage == Stage.INTERVIEWING
    assert stored.stage_entered_at == later
    assert stored.created_at == clock.now() - timedelta(hours=5)


async def test_move_refreshes_the_candidate_it_was_given(db: Database, clock: ManualClock) -> None:
    role = await new_role(db, clock.now())
    candidate = await new_candidate(db, role, "Jane Doe", clock.now())
    async with db.transaction() as session:
        mine = await store.get_candidate(session, candidate_id=candidate.id or 0)
        assert mine is not None
        await store.move_candidate(
            session,
            candidate=mine,
            move=Move(Stage.SOURCED, Stage.SCREENING),
            actor_id=HM,
            note="",
            now=clock.advance(timedelta(hours=1)),
        )
        assert mine.stage == Stage.SCREENING
        assert mine.stage_entered_at == clock.now()


async def test_a_stale_move_raises_and_writes_no_event(db: Database, clock: ManualClock) -> None:
    role = await new_role(db, clock.now())
    candidate = await new_candidate(db, role, "Jane Doe", clock.now())
    await move(db, candidate, Stage.SCREENING, clock.advance(timedelta(hours=1)))
    with pytest.raises(store.StaleStage):
        async with db.transaction() as session:
            # The mover still believes the candidate is in sourced.
            await store.move_candidate(
                session,
                candidate=candidate,
                move=Move(Stage.SOURCED, Stage.REJECTED),
                actor_id=HM,
                note="no",
                now=clock.advance(timedelta(hours=1)),
            )
    events = await events_of(db, candidate)
    assert [e.to_stage for e in events] == [Stage.SCREENING, Stage.SOURCED]
    async with db.reader() as session:
        stored = await store.get_candidate(session, candidate_id=candidate.id or 0)
    assert stored is not None
    assert stored.stage == Stage.SCREENING


async def test_datetimes_come_back_aware_utc(db: Database) -> None:
    # 11:30 in UTC+02:00 is stored as, and read back as, 09:30 UTC.
    local = datetime(2026, 11, 16, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    role = await new_role(db, local)
    candidate = await new_candidate(db, role, "Jane Doe", local)
    async with db.reader() as session:
        stored_role = await session.get(Role, role.id)
        stored = await session.get(Candidate, candidate.id)
        [event] = await store.recent_events(session, candidate_id=candidate.id or 0)
    assert stored_role is not None
    assert stored is not None
    for value in (stored_role.created_at, stored.created_at, stored.stage_entered_at, event.at):
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
        assert value == datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
        assert (value.hour, value.minute) == (9, 30)


async def test_a_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        await new_role(db, datetime(2026, 11, 16, 9, 0))
    async with db.reader() as session:
        assert (await session.exec(select(Role))).all() == []


async def test_candidates_visible_to_returns_only_the_users_roles(
    db: Database, clock: ManualClock
) -> None:
    mlops = await new_role(db, clock.now(), title="MLOps Engineer")
    data = await new_role(
        db,
        clock.now(),
        title="Data Engineer",
        hiring_manager_id=OTHER_HM,
        recruiter_ids=(OTHER_RECRUITER,),
    )
    jane = await new_candidate(db, mlops, "Jane Doe", clock.now())
    jose = await new_candidate(db, mlops, "José Álvarez", clock.now())
    john = await new_candidate(db, data, "John Smith", clock.now())
    async with db.reader() as session:
        for_hm = await store.candidates_visible_to(session, user_id=HM)
        for_other = await store.candidates_visible_to(session, user_id=OTHER_RECRUITER)
        for_outsider = await store.candidates_visible_to(session, user_id=OUTSIDER)
    assert [(c.id, r.id) for c, r in for_hm] == [(jane.id, mlops.id), (jose.id, mlops.id)]
    assert [(c.id, r.id) for c, r in for_other] == [(john.id, data.id)]
    assert for_outsider == []


async def test_recent_events_newest_first_with_a_limit(db: Database, clock: ManualClock) -> None:
    role = await new_role(db, clock.now())
    candidate = await new_candidate(db, role, "Jane Doe", clock.now())
    for target in (Stage.SCREENING, Stage.INTERVIEWING, Stage.DECISION, Stage.OFFER):
        await move(db, candidate, target, clock.advance(timedelta(days=1)))
    async with db.reader() as session:
        latest = await store.recent_events(session, candidate_id=candidate.id or 0, limit=3)
        default = await store.recent_events(session, candidate_id=candidate.id or 0)
    assert [e.to_stage for e in latest] == [Stage.OFFER, Stage.DECISION, Stage.INTERVIEWING]
    assert len(default) == 5
    assert default[-1].to_stage == Stage.SOURCED


async def test_recent_events_of_one_instant_keep_their_order(
    db: Database, clock: ManualClock
) -> None:
    role = await new_role(db, clock.now())
    candidate = await new_candidate(db, role, "Jane Doe", clock.now())
    await move(db, candidate, Stage.SCREENING, clock.now())
    assert [e.to_stage for e in await events_of(db, candidate)] == [
        Stage.SCREENING,
        Stage.SOURCED,
    ]
