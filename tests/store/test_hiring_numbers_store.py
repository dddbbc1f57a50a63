"""What the hiring numbers read: every candidate a role ever had and its offers' statuses,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import store
from bot.domain.hiring_numbers import Share
from bot.domain.stages import Stage
from bot.readmodels.pipelines import read_numbers
from bot.runtime.timesource import ManualClock
from bot.store.engine import Database
from bot.store.tables import Offer
from tests.cases import add, create_role, move
from tests.conftest import RECRUITER


@pytest.mark.both_databases
async def test_a_roles_numbers_count_closed_candidates_and_only_its_own_offers(
    db: Database, clock: ManualClock
) -> None:
    role = await create_role(db, clock)
    other = await create_role(db, clock, title="Data Engineer")
    jane = (await add(db, clock, role, "Jane Doe")).candidate
    john = (await add(db, clock, role, "John Roe")).candidate
    elsewhere = (await add(db, clock, other, "Ann Other")).candidate
    assert jane.id and john.id and elsewhere.id and role.id and other.id
    clock.advance(timedelta(days=3))
    await move(db, john.id, Stage.SOURCED, Stage.REJECTED, now=clock.now(), reason="no visa")
    async with db.transaction() as session:
        for candidate_id, status in (
            (jane.id, "declined"),
            (jane.id, "open"),
            (elsewhere.id, "accepted"),
        ):
            session.add(
                Offer(
                    candidate_id=candidate_id,
                    terms="L5",
                    extended_by=RECRUITER,
                    extended_at=clock.now(),
                    expires_at=clock.now() + timedelta(days=2),
                    status=status,
                )
            )

    async with db.reader() as session:
        everyone = await store.pipelines.all_candidates_of(session, role_id=role.id)
        statuses = await store.pipelines.offer_statuses_of_role(session, role_id=role.id)
        numbers = await read_numbers(session, role, clock.now())

    assert [c.name for c in everyone] == ["Jane Doe", "John Roe"]  # John is closed
    assert sorted(statuses) == ["declined", "open"]
    assert numbers.offers == Share(0, 1)
    assert numbers.conversion == {Stage.SOURCED: Share(0, 2)}
    assert numbers.time_to_fill == [] and numbers.open_days == 3.0
