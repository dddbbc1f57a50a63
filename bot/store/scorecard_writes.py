"""What storing a scorecard writes, under the candidate's lock, in one transaction.

`bot.usecases.feedback.submit` decides (is the candidate still open, which version is
this, does it complete the loop); this is what it asks of the store while it decides.
The store functions it calls take a session's transaction or one with no session
(`prepared.Writing`) alike: on a SQLite file, its writer connection, with no await that
reaches the event loop, so the writers' turn is held for SQLite's work and little more
(bot.store.sqlite_writes), and taken once for all the scorecards waiting
(bot.store.sqlite_batches); on PostgreSQL, asyncpg's (bot.store.postgresql_raw). Where
neither is to be had, a session's, as for every other change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TypeVar

from sqlalchemy import bindparam, select

from bot.store import interviews, replan
from bot.store.engine import Database
from bot.store.prepared import Prepared, Reading, Writing, dialect_of
from bot.store.tables import Candidate, Rating, Scorecard, table_of

T = TypeVar("T")

# A scorecard's ratings: competency -> (rating, evidence).
Ratings = dict[str, tuple[int, str]]


class ScorecardWrites:
    """The store functions a scorecard calls, on one transaction (`on`). Without a
    session, the candidate's lock on a SQLite file is the transaction's own BEGIN
    IMMEDIATE (interviews.lock_candidate)."""

    def __init__(self, on: Writing) -> None:
        self.on = on
        # Whether the loop's feedback is all in with the scorecard added, where adding it
        # counted that too (PostgreSQL); None: complete_feedback reads it.
        self._all_in: bool | None = None

    async def lock_candidate(self, candidate_id: int) -> Candidate | None:
        return await interviews.lock_candidate(self.on, candidate_id=candidate_id)

    async def ratings(self, scorecard_id: int) -> Ratings:
        rows = await _RATINGS.rows(self.on, {"scorecard_id": scorecard_id})
        return {competency: (rating, evidence) for competency, rating, evidence in rows}

    async def add_unless_newer(
        self, scorecard: Scorecard, ratings: Mapping[str, tuple[int, str]], now: datetime
    ) -> tuple[Scorecard | None, Scorecard | None]:
        """The version `scorecard` is, stored with its ratings and the candidate's clocks
        re-planned (the nudges stop), unless one as new or newer is in: (`scorecard`, or
        None if it was not stored; the interviewer's current version before it). One
        statement on PostgreSQL, with the count complete_feedback needs."""
        if dialect_of(self.on).name == "postgresql":
            done = await interviews.add_scorecard_at_once(self.on, scorecard, ratings, now)
            self._all_in = done.all_in
            return (scorecard if done.added else None), done.current
        current = await interviews.current_scorecard(
            self.on, interview_id=scorecard.interview_id, interviewer_id=scorecard.interviewer_id
        )
        if current is not None and current.version >= scorecard.version:
            return None, current
        await interviews.add_scorecard(self.on, scorecard, ratings)
        assert scorecard.candidate_id is not None
        await replan.replan_clocks(self.on, candidate_id=scorecard.candidate_id, now=now)
        return scorecard, current

    async def complete_feedback(self, candidate: Candidate, now: datetime) -> bool:
        return await interviews.complete_feedback(
            self.on, candidate=candidate, now=now, all_in=self._all_in
        )


_RATING_T = table_of(Rating)
_RATINGS = Prepared(
    select(_RATING_T.c.competency, _RATING_T.c.rating, _RATING_T.c.evidence).where(
        _RATING_T.c.scorecard_id == bindparam("scorecard_id")
    )
)


async def in_scorecard_writes(db: Database, work: Callable[[ScorecardWrites], Awaitable[T]]) -> T:
    """`work` in one transaction of a scorecard's writes, whose context was read before
    it (a SQLite file, whose writers take turns), committed when it returns and rolled
    back if it raises: on the loop with the other writes waiting where the store allows
    it (Database.raw_write), else through a session (on the loop too on SQLite)."""
    done = await db.raw_write(lambda raw: work(ScorecardWrites(raw)))
    if done is not None:
        return done.value
    async with db.transaction(on_loop=True) as session:
        return await work(ScorecardWrites(session))


@asynccontextmanager
async def scorecard_transaction(db: Database) -> AsyncIterator[tuple[Reading, ScorecardWrites]]:
    """One transaction that reads a scorecard's context and writes it (PostgreSQL, which
    locks the candidate's row alone): with no session where the store allows it, else
    through one."""
    async with db.raw_transaction() as raw:
        if raw is not None:
            yield raw, ScorecardWrites(raw)
            return
    async with db.transaction() as session:
        yield session, ScorecardWrites(session)
