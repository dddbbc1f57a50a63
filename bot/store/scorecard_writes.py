"""What storing a scorecard writes, under the candidate's lock, two ways with one meaning.

`bot.usecases.feedback.submit` decides (is the candidate still open, which version is
this, does it complete the loop); this is what it asks of the store while it decides.
`InSession` asks through a session's transaction, as every other change does.
`OnTheLoop` runs the same `Prepared` statements on the driver's connection with no
session: on a SQLite file's writer connection, with no await that reaches the event
loop, so the writers' turn is held for SQLite's work and little more
(bot.store.sqlite_writes); on PostgreSQL, on asyncpg's (bot.store.postgresql_raw).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store import interviews, replan
from bot.store.engine import Database
from bot.store.postgresql_raw import RawStatements
from bot.store.prepared import Prepared, Reading
from bot.store.sqlite_writes import RawTransaction
from bot.store.tables import Candidate, Rating, Scorecard, table_of

# A scorecard's ratings: competency -> (rating, evidence).
Ratings = dict[str, tuple[int, str]]


class ScorecardWrites(Protocol):
    async def lock_candidate(self, candidate_id: int) -> Candidate | None: ...

    async def current_scorecard(
        self, *, interview_id: int, interviewer_id: str
    ) -> Scorecard | None: ...

    async def ratings(self, scorecard_id: int) -> Ratings: ...

    async def add_scorecard(
        self, scorecard: Scorecard, ratings: Mapping[str, tuple[int, str]]
    ) -> Scorecard: ...

    async def replan_clocks(self, candidate_id: int, now: datetime) -> None: ...

    async def complete_feedback(self, candidate: Candidate, now: datetime) -> bool: ...


class InSession:
    """Through the session's transaction (bot.store's functions)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_candidate(self, candidate_id: int) -> Candidate | None:
        return await interviews.lock_candidate(self.session, candidate_id=candidate_id)

    async def current_scorecard(
        self, *, interview_id: int, interviewer_id: str
    ) -> Scorecard | None:
        return await interviews.current_scorecard(
            self.session, interview_id=interview_id, interviewer_id=interviewer_id
        )

    async def ratings(self, scorecard_id: int) -> Ratings:
        found = await interviews.ratings_of(self.session, scorecard_ids=[scorecard_id])
        return {r.competency: (r.rating, r.evidence) for r in found}

    async def add_scorecard(
        self, scorecard: Scorecard, ratings: Mapping[str, tuple[int, str]]
    ) -> Scorecard:
        return await interviews.add_scorecard(self.session, scorecard, ratings)

    async def replan_clocks(self, candidate_id: int, now: datetime) -> None:
        await replan.replan_clocks(self.session, candidate_id=candidate_id, now=now)

    async def complete_feedback(self, candidate: Candidate, now: datetime) -> bool:
        return await interviews.complete_feedback(self.session, candidate=candidate, now=now)


class OnTheLoop:
    """The same store functions on a transaction with no session. On a SQLite file its
    statements never wait, so nothing here hands the event loop to another task, and
    its lock is the transaction's own BEGIN IMMEDIATE; on PostgreSQL they are asyncpg's."""

    def __init__(self, raw: RawTransaction | RawStatements) -> None:
        self.raw = raw

    async def lock_candidate(self, candidate_id: int) -> Candidate | None:
        return await interviews.lock_candidate(self.raw, candidate_id=candidate_id)

    async def current_scorecard(
        self, *, interview_id: int, interviewer_id: str
    ) -> Scorecard | None:
        return await interviews.current_scorecard(
            self.raw, interview_id=interview_id, interviewer_id=interviewer_id
        )

    async def ratings(self, scorecard_id: int) -> Ratings:
        rows = await self.raw.rows(_RATINGS, {"scorecard_id": scorecard_id})
        return {competency: (rating, evidence) for competency, rating, evidence in rows}

    async def add_scorecard(
        self, scorecard: Scorecard, ratings: Mapping[str, tuple[int, str]]
    ) -> Scorecard:
        return await interviews.add_scorecard(self.raw, scorecard, ratings)

    async def replan_clocks(self, candidate_id: int, now: datetime) -> None:
        await replan.replan_clocks(self.raw, candidate_id=candidate_id, now=now)

    async def complete_feedback(self, candidate: Candidate, now: datetime) -> bool:
        return await interviews.complete_feedback(self.raw, candidate=candidate, now=now)


_RATING_T = table_of(Rating)
_RATINGS = Prepared(
    select(_RATING_T.c.competency, _RATING_T.c.rating, _RATING_T.c.evidence).where(
        _RATING_T.c.scorecard_id == bindparam("scorecard_id")
    )
)


@asynccontextmanager
async def scorecard_writes(db: Database) -> AsyncIterator[ScorecardWrites]:
    """One transaction for a scorecard's writes, whose context was read before it (a
    SQLite file, whose writers take turns): on the loop where the store allows it
    (Database.raw_transaction), else through a session (on the loop too on SQLite)."""
    async with db.raw_transaction() as raw:
        if raw is not None:
            yield OnTheLoop(raw)
            return
    async with db.transaction(on_loop=True) as session:
        yield InSession(session)


@asynccontextmanager
async def scorecard_transaction(db: Database) -> AsyncIterator[tuple[Reading, ScorecardWrites]]:
    """One transaction that reads a scorecard's context and writes it (PostgreSQL, which
    locks the candidate's row alone): with no session where the store allows it, else
    through one."""
    async with db.raw_transaction() as raw:
        if isinstance(raw, RawStatements):
            yield raw, OnTheLoop(raw)
            return
    async with db.transaction() as session:
        yield session, InSession(session)
