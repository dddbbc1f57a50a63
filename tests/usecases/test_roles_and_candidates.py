"""The hiring requests people make (bot.usecases.roles and .candidates): the checks and
refusals above the data functions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.domain.stages import IllegalMove, Stage
from bot.runtime.timesource import ManualClock
from bot.store.engine import Database
from bot.store.tables import Candidate, Role, StageEvent
from bot.usecases import candidates, roles
from bot.usecases.errors import FormErrors, NotAllowed, StaleMove
from tests.cases import add, create_role, jane, move, role_form
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER, count_rows

pytestmark = pytest.mark.both_databases


async def test_hiring_create_role_with_clocks(db: Database, clock: ManualClock) -> None:
    role = await create_role(db, clock, clocks={"loop_days": " 5 ", "offer_hours": ""})
    assert role.loop_days == 5
    assert role.offer_hours == 48


async def test_only_admins_create_roles(db: Database, clock: ManualClock) -> None:
    with pytest.raises(NotAllowed, match="/hire admin add @you"):
        await roles.create_role(
            db, actor_id=RECRUITER, admins={ADMIN}, form=role_form(), now=clock.now()
        )
    async with db.reader() as session:
        assert (await session.exec(select(Role))).all() == []


async def test_create_role_form_errors_name_each_field(db: Database, clock: ManualClock) -> None:
    with pytest.raises(FormErrors) as errors:
        await create_role(
            db,
            clock,
            title="  ",
            hiring_manager_id=None,
            recruiter_ids=[],
            channel_id=None,
            template="nope",
        )
    assert set(errors.value.errors) == {
        "title",
        "hiring_manager",
        "recruiters",
        "channel",
        "template",
    }


@pytest.mark.parametrize("raw", ["0", "abc", "-1", "61", "7.5", "1e3"])
async def test_bad_clock_numbers_are_form_errors(
    db: Database, clock: ManualClock, raw: str
) -> None:
    with pytest.raises(FormErrors) as errors:
        await create_role(db, clock, clocks={"loop_days": raw})
    assert errors.value.errors == {"loop_days": "Enter a whole number from 1 to 60."}


async def test_a_superscript_digit_is_a_form_error(db: Database, clock: ManualClock) -> None:
    with pytest.raises(FormErrors):
        await create_role(db, clock, clocks={"loop_days": "²"})


async def test_a_duplicate_title_is_a_form_error(db: Database, clock: ManualClock) -> None:
    await create_role(db, clock)
    with pytest.raises(FormErrors) as errors:
        await create_role(db, clock, title="SENIOR mlops engineer")
    assert "Senior MLOps Engineer exists already" in errors.value.errors["title"]


async def test_hiring_add_candidate_returns_the_card(db: Database, clock: ManualClock) -> None:
    role = await create_role(db, clock)
    card = await add(db, clock, role, "Jane Doe", email=" Jane.Doe@Example.COM ")
    assert card.stage == Stage.SOURCED
    assert card.candidate.email == "Jane.Doe@example.com"
    assert card.role.id == role.id
    assert [e.to_stage for e in card.events] == [Stage.SOURCED]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "jane@"}, "email"),
        ({"role_id": None}, "role"),
        ({"links": "y" * 2001}, "links"),
    ],
)
async def test_add_candidate_form_errors(
    db: Database, clock: ManualClock, changes: dict[str, Any], field: str
) -> None:
    role = await create_role(db, clock)
    with pytest.raises(FormErrors) as errors:
        await add(db, clock, role, **{"name": "Jane Doe", **changes})
    assert list(errors.value.errors) == [field]
    assert await count_rows(db, Candidate) == 0


async def test_add_candidate_to_someone_elses_role_is_refused(
    db: Database, clock: ManualClock
) -> None:
    role = await create_role(db, clock)
    with pytest.raises(FormErrors) as errors:
        await add(db, clock, role, "Jane Doe", actor=OUTSIDER)
    assert "roles you recruit for" in errors.value.errors["role"]
    assert await count_rows(db, Candidate) == 0


async def test_a_name_without_letters_is_a_form_error(db: Database, clock: ManualClock) -> None:
    role = await create_role(db, clock)
    with pytest.raises(FormErrors) as errors:
        await add(db, clock, role, "???")
    assert list(errors.value.errors) == ["name"]


async def test_a_duplicate_candidate_is_a_form_error(db: Database, clock: ManualClock) -> None:
    role = await create_role(db, clock)
    await add(db, clock, role, "Jane Doe")
    with pytest.raises(FormErrors) as errors:
        await add(db, clock, role, "jane doe")
    assert "Jane Doe is already an open candidate" in errors.value.errors["name"]


async def test_hiring_move_by_the_hiring_manager(db: Database, clock: ManualClock) -> None:
    _, card = await jane(db, clock)
    moved = await move(
        db,
        card.candidate.id or 0,
        Stage.SOURCED,
        Stage.SCREENING,
        now=clock.advance(timedelta(hours=2)),
        actor=HM,
    )
    assert moved.stage == Stage.SCREENING
    assert moved.events[0].actor_id == HM


async def test_a_move_by_an_outsider_is_refused_and_changes_nothing(
    db: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    with pytest.raises(NotAllowed, match="can't find that candidate"):
        await move(
            db,
            card.candidate.id or 0,
            Stage.SOURCED,
            Stage.REJECTED,
            now=clock.advance(timedelta(hours=1)),
            actor=OUTSIDER,
            reason="nope",
        )
    after = await candidates.card(db, user_id=RECRUITER, candidate_id=card.candidate.id or 0)
    assert after is not None
    assert after.stage == Stage.SOURCED
    assert after.candidate.stage_entered_at == card.candidate.stage_entered_at
    assert len(after.events) == 1


async def test_an_outsider_sees_the_same_as_for_no_candidate(
    db: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    assert await candidates.card(db, user_id=OUTSIDER, candidate_id=card.candidate.id or 0) is None
    assert await candidates.card(db, user_id=RECRUITER, candidate_id=999) is None
    assert (await candidates.find(db, user_id=OUTSIDER, query="Jane Doe")).rows == []


async def test_a_move_from_a_stage_no_longer_current_is_stale(
    db: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    candidate_id = card.candidate.id or 0
    await move(db, candidate_id, Stage.SOURCED, Stage.SCREENING, now=clock.now())
    with pytest.raises(StaleMove) as stale:
        await move(
            db,
            candidate_id,
            Stage.SOURCED,
            Stage.REJECTED,
            now=clock.now(),
            actor=HM,
            reason="too junior",
        )
    assert stale.value.current.stage == Stage.SCREENING


async def test_an_illegal_move_changes_nothing(db: Database, clock: ManualClock) -> None:
    _, card = await jane(db, clock)
    with pytest.raises(IllegalMove, match="offer first"):
        await move(db, card.candidate.id or 0, Stage.SOURCED, Stage.HIRED, now=clock.now())
    assert await count_rows(db, StageEvent) == 1


async def test_a_reason_too_long_to_store_is_refused(db: Database, clock: ManualClock) -> None:
    _, card = await jane(db, clock)
    with pytest.raises(IllegalMove, match="3,000 characters at most"):
        await move(
            db,
            card.candidate.id or 0,
            Stage.SOURCED,
            Stage.REJECTED,
            now=clock.now(),
            reason="x" * 3001,
        )
    assert await count_rows(db, StageEvent) == 1


async def test_roles_user_can_add_to(db: Database, clock: ManualClock) -> None:
    role = await create_role(db, clock)
    assert [r.id for r in await roles.roles_user_can_add_to(db, user_id=HM)] == [role.id]
    assert [r.id for r in await roles.roles_user_can_add_to(db, user_id=RECRUITER)] == [role.id]
    assert await roles.roles_user_can_add_to(db, user_id=OUTSIDER) == []


async def test_find_ranks_matches_among_visible_candidates(
    db: Database, clock: ManualClock
) -> None:
    role = await create_role(db, clock)
    jane = await add(db, clock, role, "Jane Doe")
    await add(db, clock, role, "Janet Smith")
    matches = (await candidates.find(db, user_id=HM, query="jane")).rows
    assert [c.id for c, _ in matches] == [jane.candidate.id]
