"""Statements run on the driver (bot/store/prepared.py) behave as through the session:
inside its transaction, after its pending changes, with SQLAlchemy's errors and types,
and rows made the session's objects when asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from bot import store
from bot.store.engine import Database
from bot.store.prepared import Prepared, attached, detached
from bot.store.tables import Role, Seat, table_of
from tests.cases import create_role_in, new_role
from tests.conftest import RECRUITER

_ROLE = table_of(Role)
_RETITLE = Prepared(
    update(_ROLE).where(_ROLE.c.id == bindparam("role_id")).values(title=bindparam("title"))
)
_TITLES = Prepared(select(_ROLE.c.title).order_by(_ROLE.c.id))
_COUNT = Prepared(select(func.count()).select_from(_ROLE))
_ROW = Prepared(select(_ROLE).where(_ROLE.c.id == bindparam("role_id")))
_NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


async def _titles(db: Database) -> list[str]:
    async with db.reader() as session:
        return [title for (title,) in await _TITLES.rows(session, {})]


@pytest.mark.both_databases
async def test_a_write_on_the_driver_commits_and_rolls_back_with_its_transaction(
    db: Database,
) -> None:
    async with db.transaction() as session:
        role = await create_role_in(session, _NOW, title="Data Engineer")
    assert role.id is not None

    # First in its transaction (PostgreSQL's BEGIN goes with the first statement).
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await _RETITLE.rows(session, {"role_id": role.id, "title": "Renamed"})
            raise RuntimeError("refused after the write")
    assert await _titles(db) == ["Data Engineer"]

    async with db.transaction() as session:
        await _RETITLE.rows(session, {"role_id": role.id, "title": "Renamed"})
    assert await _titles(db) == ["Renamed"]


@pytest.mark.both_databases
async def test_the_sessions_pending_changes_are_written_before_a_statement_reads(
    db: Database,
) -> None:
    async with db.transaction() as session:
        session.add(
            Role(
                title="Data Engineer",
                title_key="data engineer",
                hiring_manager_id="U0HM",
                channel_id="C0HIRING",
                created_by="U0ADMIN",
                created_at=_NOW,
            )
        )
        # Added and not flushed: an ORM query would see it, and so must this.
        assert await _COUNT.rows(session, {}) == [(1,)]


@pytest.mark.both_databases
async def test_a_driver_error_is_sqlalchemys_and_holds_no_parameters(db: Database) -> None:
    async with db.transaction() as session:
        role = await create_role_in(session, _NOW, title="Data Engineer")
    copy = Prepared(
        insert(_ROLE).values({c.name: bindparam(c.name) for c in _ROLE.c if c.name != "id"})
    )
    values = role.model_dump(exclude={"id"}) | {"title": "Secret Title"}
    with pytest.raises(IntegrityError) as raised:
        async with db.transaction() as session:
            await copy.many(session, [values])  # the same title_key: unique
    assert "Secret Title" not in str(raised.value)
    assert await _titles(db) == ["Data Engineer"]


@pytest.mark.both_databases
async def test_times_come_back_aware_utc_and_rows_become_the_sessions_objects(
    db: Database,
) -> None:
    async with db.transaction() as session:
        role = await create_role_in(session, _NOW, title="Data Engineer")
    assert role.id is not None
    keys = _ROW.keys(db.engine.dialect)

    async with db.transaction() as session:
        held = await session.get(Role, role.id)
        await _RETITLE.rows(session, {"role_id": role.id, "title": "Renamed"})
        [row] = await _ROW.rows(session, {"role_id": role.id})
        # The one the session held, with the row's values (as populate_existing).
        assert attached(session, Role, keys, row) is held
        assert held is not None and held.title == "Renamed"
        assert held.created_at == _NOW and held.created_at.tzinfo is not None

    async with db.transaction() as session:
        [row] = await _ROW.rows(session, {"role_id": role.id})
        fresh = attached(session, Role, keys, row)
        assert fresh in session and fresh not in session.dirty
        assert fresh.created_at.utcoffset() == timedelta(0)
        fresh.title = "Changed on the object"  # written at commit, as a loaded one is
    assert await _titles(db) == ["Changed on the object"]


@pytest.mark.both_databases
async def test_a_row_with_a_composite_key_is_the_one_the_session_holds(db: Database) -> None:
    """An interview seat's key is two columns: its object is found by both."""
    role = await new_role(db, _NOW)
    async with db.transaction() as session:
        candidate = await store.add_candidate(
            session,
            role_id=role.id or 0,
            name="Jane Doe",
            email=None,
            links=None,
            actor_id=RECRUITER,
            now=_NOW,
        )
        interview = await store.add_interview(
            session,
            candidate_id=candidate.id or 0,
            plan_stage="onsite",
            interviewer_ids=["U1", "U2"],
            starts_at=_NOW + timedelta(days=1),
            ends_at=_NOW + timedelta(days=1, hours=1),
            feedback_due_at=_NOW + timedelta(days=2),
            actor_id=RECRUITER,
            now=_NOW,
        )
    async with db.transaction() as session:
        held = await session.get(Seat, (interview.id, "U2"))
        pairs = await store.seats_of(session, candidate_id=candidate.id or 0)
        assert [seat.interviewer_id for _, seat in pairs] == ["U1", "U2"]
        assert pairs[1][1] is held
        assert pairs[0][0] is pairs[1][0]  # one interview, held once


@pytest.mark.both_databases
async def test_a_reading_session_gives_detached_objects_it_does_not_track(
    db: Database,
) -> None:
    role = await new_role(db, _NOW)
    async with db.transaction() as session:
        candidate = await store.add_candidate(
            session,
            role_id=role.id or 0,
            name="Jane Doe",
            email=None,
            links=None,
            actor_id=RECRUITER,
            now=_NOW,
        )
    async with db.reader() as session:
        found = await store.candidate_with_role(session, candidate_id=candidate.id or 0)
        assert found is not None
        read, with_team = found
        assert read not in session and inspect(read).detached
        assert read.name == "Jane Doe" and read.created_at == _NOW
        assert with_team.role.id == role.id and with_team.team.recruiter_ids == {RECRUITER}
    # As one read through the ORM is once its session closed: usable, and addable.
    async with db.transaction() as session:
        session.add(read)
        read.name = "Jane Q. Doe"
    async with db.reader() as session:
        again = await store.get_candidate(session, candidate_id=candidate.id or 0)
        assert again is not None and again.name == "Jane Q. Doe"


def test_a_detached_row_is_what_make_transient_to_detached_makes() -> None:
    values: dict[str, Any] = {
        "id": 7,
        "title": "Data Engineer",
        "title_key": "data engineer",
        "hiring_manager_id": "U0HM",
        "channel_id": "C0HIRING",
        "created_by": "U0ADMIN",
        "created_at": _NOW,
    }
    full = {c.key: values.get(c.key, getattr(Role(**values), c.key)) for c in _ROLE.c}
    row = detached(Role, full)  # held: a state only weakly refers to its object
    quick = inspect(row)
    model = Role(**full)
    make_transient_to_detached(model)
    slow = inspect(model)
    assert quick.key == slow.key == identity_key(Role, 7)
    assert quick.detached and slow.detached
    assert (quick.committed_state, quick.expired_attributes, quick.modified) == (
        slow.committed_state,
        slow.expired_attributes,
        slow.modified,
    )
    assert quick.unloaded == slow.unloaded == set()
    # A row of some of the columns goes the ORM's way: the rest are marked unloaded.
    part = detached(Role, {"id": 8, "title": "Analyst"})
    some = inspect(part)
    assert some.key == identity_key(Role, 8) and "channel_id" in some.unloaded
