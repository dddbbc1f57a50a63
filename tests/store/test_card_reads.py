"""A status card's reads read ahead in one statement (bot/store/card_reads.py,
prepared.Bundle): on PostgreSQL one round trip gives every candidate's card exactly
what its statements one by one gave; on SQLite nothing is read ahead."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, select
from sqlmodel import SQLModel, col
from sqlmodel import select as orm_select

from bench.seed import MEASURED_HM, Seeder, interviewer
from bot.readmodels import status
from bot.store import prepared
from bot.store.engine import Database
from bot.store.prepared import Bundle, Prepared
from bot.store.tables import (
    Candidate,
    Change,
    ClockPause,
    Role,
    Takehome,
    TakehomeGrader,
    table_of,
)
from tests.cases import create_role_in

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)

pytestmark = pytest.mark.both_databases


@contextmanager
def _trips() -> Iterator[list[str]]:
    """Each statement a session sends to its driver from here on (prepared._driver is
    asked once per statement sent through a session)."""
    sent: list[str] = []
    driver = prepared._driver

    async def counted(session: Any) -> Any:
        sent.append("statement")
        return await driver(session)

    prepared._driver = counted
    try:
        yield sent
    finally:
        prepared._driver = driver


def _plain(value: Any) -> Any:
    """What a read gave, as plain data to compare: rows' column values, not objects."""
    if isinstance(value, SQLModel):
        return {k: _plain(v) for k, v in value.model_dump().items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


async def _seeded(db: Database) -> list[int]:
    """A store as the bench seeds it (interviews, panels, scorecards and ratings,
    offers, moves), plus on some candidates what it does not seed: a take-home with
    graders, clock pauses, changes. The hiring manager's open candidates' ids."""
    seeder = Seeder(db, now=NOW, roles=2, interviewers=12, pending_share=0.5)
    await seeder.add_roles()
    await seeder.add_measured()
    await seeder.add_candidates(40)
    await seeder.finish()
    async with db.transaction() as session:
        rows = (
            await session.exec(
                orm_select(Candidate.id)
                .join(Role, col(Role.id) == Candidate.role_id)
                .where(Role.hiring_manager_id == MEASURED_HM)
                .order_by(col(Candidate.id))
            )
        ).all()
        ids = [i for i in rows if i is not None]
        for n, candidate_id in enumerate(ids[:6]):
            takehome = Takehome(
                candidate_id=candidate_id,
                sent_by=MEASURED_HM,
                sent_at=NOW - timedelta(days=3),
                due_at=NOW + timedelta(days=n),
                note="Build a drift monitor" if n % 2 else "",
            )
            session.add(takehome)
            await session.flush()
            assert takehome.id is not None
            for grader in (interviewer(1), interviewer(2))[: 1 + n % 2]:
                session.add(TakehomeGrader(takehome_id=takehome.id, grader_id=grader))
            session.add(
                ClockPause(
                    candidate_id=candidate_id,
                    clock="loop",
                    seconds=3600 * (n + 1),
                    actor_id=MEASURED_HM,
                    at=NOW - timedelta(hours=n),
                )
            )
            for k in range(7):  # more than a card shows: its LIMIT decides which
                session.add(
                    Change(
                        at=NOW - timedelta(minutes=10 * k),
                        actor_id=MEASURED_HM,
                        candidate_id=candidate_id,
                        kind="deadline_set",
                        summary=f"Change {k} of {candidate_id}",
                        reason="A competing offer" if k % 3 == 0 else "",
                    )
                )
    return ids


async def _card(db: Database, viewer_id: str, candidate_id: int) -> tuple[Any, int]:
    """What a status card reads of the candidate, as plain data, and the statements sent."""
    with _trips() as sent:
        async with db.reader(on_loop=True) as session:
            stored = await status._stored_in(session, viewer_id, candidate_id, "1")
    return _plain(stored), len(sent)


async def test_every_card_reads_what_its_statements_read_one_by_one(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await _seeded(db)
    viewers = [MEASURED_HM, interviewer(1), interviewer(5), "U0NOBODY"]
    ahead = {(v, i): await _card(db, v, i) for v in viewers for i in ids}

    async def nothing_ahead(*_: Any, **__: Any) -> None:
        return None

    monkeypatch.setattr(status, "read_card_ahead", nothing_ahead)
    one_by_one = {(v, i): await _card(db, v, i) for v in viewers for i in ids}

    postgresql = db.engine.dialect.name == "postgresql"
    seen = 0
    for key, (read, trips) in ahead.items():
        alone, trips_alone = one_by_one[key]
        assert read == alone, key
        if read is None:
            continue
        seen += 1
        if postgresql:
            # The bundle, and the panel's days away when someone owes a scorecard (a
            # take-home's graders and grades are read after it, in statements of the ORM).
            assert trips <= 2 < trips_alone, (key, trips, trips_alone)
        else:
            assert trips == trips_alone
    assert seen > len(ids)  # the hiring manager's cards, and interviewers' of their own


_ROLE = table_of(Role)
_TITLES_AFTER = Prepared(
    select(_ROLE.c.title, _ROLE.c.created_at, _ROLE.c.closed_at)
    .where(_ROLE.c.id > bindparam("after"))
    .order_by(_ROLE.c.title.desc())
    .limit(bindparam("limit"))
)
_IDS = Prepared(select(_ROLE.c.id).where(_ROLE.c.id > bindparam("after")).order_by(_ROLE.c.id))
_NONE = Prepared(select(_ROLE.c.id).where(_ROLE.c.id < 0))
_BOTH = Bundle(_TITLES_AFTER, _IDS, _NONE)


async def test_a_bundle_keeps_each_statements_order_limit_types_and_values(
    db: Database,
) -> None:
    async with db.transaction() as session:
        for n, title in enumerate(["Data Engineer", "MLOps Engineer", "Analyst", "Zoologist"]):
            role = await create_role_in(session, NOW + timedelta(hours=n), title=title)
            role.closed_at = NOW if n == 1 else None
    params = {"after": 1, "limit": 2}
    async with db.reader() as session:
        titles = await _TITLES_AFTER.rows(session, params)
        ids = await _IDS.rows(session, params)
    assert [t for t, _, _ in titles] == ["Zoologist", "MLOps Engineer"]
    assert titles[1][1] == NOW + timedelta(hours=1) and titles[1][2] == NOW
    assert titles[0][2] is None

    with _trips() as sent:
        async with db.reader() as session:
            await _BOTH.read_ahead(session, params)
            assert await _TITLES_AFTER.rows(session, params) == titles
            assert await _IDS.rows(session, params) == ids
            assert await _NONE.rows(session, {}) == []
            ahead = len(sent)
            # Other values than those read ahead: their own statement, as always.
            assert await _IDS.rows(session, {"after": 3}) == [i for i in ids if i[0] > 3]
    assert ahead == (1 if db.engine.dialect.name == "postgresql" else 3)
    assert len(sent) == ahead + 1
