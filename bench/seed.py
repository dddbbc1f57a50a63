"""Bulk seeding of a Loopkeeper store, in the schema `bot.runtime.migrate.upgrade` made.

Rows go in through SQLAlchemy Core with the models' own tables and column types, so
timestamps are stored exactly as the app stores them, thousands of rows per statement
(seconds for 100,000 candidates, where the app's own paths would take an hour).

The store looks like a year or two of hiring: most candidates closed (rejected,
withdrawn, hired) with their stage history, interviews, scorecards and old alerts;
open ones spread over the stages, none of them due unless `add_due` says so.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, inspect, text
from sqlmodel import SQLModel

from bot.domain.names import name_key
from bot.domain.scorecards import competencies_for, template_named
from bot.domain.stages import PATH, Stage
from bot.store.engine import Database
from bot.store.tables import (
    Alert,
    AppTab,
    Candidate,
    Interview,
    Offer,
    Rating,
    Role,
    RoleRecruiter,
    Scorecard,
    Seat,
    StageEvent,
)

# fmt: off
FIRST_NAMES = (
    "Aarav", "Ada", "Adele", "Ahmed", "Aiko", "Alba", "Alex", "Amara", "Anders", "Ana",
    "Arjun", "Ayla", "Bea", "Bruno", "Camila", "Chen", "Chidi", "Dana", "Diego", "Elif",
    "Elena", "Emil", "Esra", "Farah", "Felix", "Freya", "Giulia", "Hana", "Hugo", "Ibrahim",
    "Ines", "Ivan", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leila", "Liam", "Lucia",
    "Malik", "Marta", "Mei", "Mateo", "Nadia", "Nikhil", "Noor", "Olga", "Omar", "Priya",
    "Rafael", "Rosa", "Sami", "Sofia", "Tariq", "Uma", "Vera", "Wei", "Yara", "Zoe",
)
# No "Doe": the measured candidate is the only Jane Doe the hiring manager can see.
LAST_NAMES = (
    "Abe", "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Bianchi", "Brown", "Castro",
    "Chen", "Costa", "Dias", "Dubois", "Eriksen", "Fischer", "Garcia", "Gomez", "Haddad",
    "Hansen", "Hoffmann", "Ivanova", "Jensen", "Kaplan", "Kim", "Kowalski", "Kumar", "Larsen",
    "Lopez", "Martin", "Meyer", "Moreau", "Mori", "Muller", "Nakamura", "Novak", "Okafor",
    "Olsen", "Park", "Patel", "Perez", "Petrov", "Quinn", "Rossi", "Sato", "Schmidt", "Silva",
    "Singh", "Smith", "Suzuki", "Tanaka", "Torres", "Van", "Wagner", "Walsh", "Weber", "Wong",
    "Yamada", "Yilmaz", "Zhang", "Zimmer",
)
# fmt: on
ROLE_TITLES = (
    "MLOps Engineer",
    "Senior MLOps Engineer",
    "Data Engineer",
    "ML Platform Engineer",
    "Site Reliability Engineer",
)
MEASURED_NAME = "Jane Doe"

# Share of each stage among seeded candidates (per mille): mostly closed, as in a store
# that has been in use for a while.
STAGE_MIX: tuple[tuple[Stage, int], ...] = (
    (Stage.REJECTED, 550),
    (Stage.WITHDRAWN, 80),
    (Stage.HIRED, 20),
    (Stage.SOURCED, 120),
    (Stage.SCREENING, 80),
    (Stage.INTERVIEWING, 100),
    (Stage.DECISION, 30),
    (Stage.OFFER, 20),
)
# Where rejected and withdrawn candidates left from.
EXIT_FROM: tuple[tuple[Stage, int], ...] = (
    (Stage.SOURCED, 40),
    (Stage.SCREENING, 30),
    (Stage.INTERVIEWING, 20),
    (Stage.DECISION, 10),
)


def _table(model: type[SQLModel]) -> Table:
    """The model's Table (SQLModel sets ``__table__`` on table models but does not type it)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


# Insertion order follows the foreign keys.
TABLES: tuple[Table, ...] = tuple(
    _table(model)
    for model in (
        Role,
        RoleRecruiter,
        Candidate,
        StageEvent,
        Interview,
        Seat,
        Scorecard,
        Rating,
        Offer,
        Alert,
        AppTab,
    )
)
CHUNK = 5_000  # candidates generated and inserted per round, to bound memory
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def hiring_manager(role: int) -> str:
    return f"UHM{role // 2 + 1:05d}"  # each hiring manager has two roles


MEASURED_HM = hiring_manager(0)


def recruiter(n: int) -> str:
    return f"UREC{n:04d}"


def interviewer(n: int) -> str:
    return f"UINT{n:04d}"


@dataclass(frozen=True)
class PendingSeat:
    """A seat whose scorecard is not in yet: one fresh scorecard submission."""

    interview_id: int
    interviewer_id: str
    candidate_id: int
    plan_stage: str


@dataclass(frozen=True)
class Due:
    """What `add_due` made due, so a benchmark can make it due again."""

    candidate_ids: list[int]
    interview_ids: list[int]
    at: datetime  # their next_alert_at


@dataclass
class _Rows:
    by_table: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: Table, **row: Any) -> None:
        self.by_table[table.name].append(row)


class Seeder:
    """Adds roles, then candidates in rounds; ids are chosen here so rows can refer to
    each other without reading back, and `finish` realigns PostgreSQL's sequences."""

    def __init__(
        self,
        db: Database,
        *,
        now: datetime,
        roles: int,
        interviewers: int,
        pending_share: float,
        seed: int = 6,
    ) -> None:
        self.db = db
        self.now = now
        self.roles = roles
        self.recruiters = max(4, roles // 3 + 1)
        self.interviewers = interviewers
        self.pending_share = pending_share
        self.rng = random.Random(seed)
        self.template = template_named("mlops")
        self.pending: list[PendingSeat] = []
        self.candidates = 0
        self._ids: dict[str, int] = defaultdict(int)
        self._per_role: dict[int, int] = defaultdict(int)
        self._round_robin = 0

    # Public ----------------------------------------------------------------------------------

    async def add_roles(self) -> None:
        rows = _Rows()
        for r in range(self.roles):
            title = f"{ROLE_TITLES[r % len(ROLE_TITLES)]} {r // len(ROLE_TITLES) + 1}"
            rows.add(
                _table(Role),
                id=r + 1,
                title=title,
                title_key=name_key(title),
                hiring_manager_id=hiring_manager(r),
                channel_id=f"GHIRE{r:05d}",
                template="mlops",
                created_by="UADMIN01",
                created_at=self.now - 800 * DAY,
                loop_days=7,
                feedback_hours=24,
                decision_hours=48,
                offer_hours=48,
                idle_hours=48,
            )
            for n in self.recruiters_of(r):
                rows.add(_table(RoleRecruiter), role_id=r + 1, user_id=n)
        # Interviewers send their scorecards from the kit's DM, in the app's Messages tab,
        # which Slack tells the app they opened (bot/usecases/app_tabs.py).
        for k in range(self.interviewers):
            rows.add(_table(AppTab), user_id=interviewer(k), tab="messages", opened_at=self.now)
        await self._insert(rows)

    def recruiters_of(self, role: int) -> tuple[str, str]:
        return recruiter(role % self.recruiters), recruiter((role + 1) % self.recruiters)

    async def add_candidates(self, count: int) -> None:
        """`count` candidates spread evenly over the roles, none of them due."""
        for start in range(0, count, CHUNK):
            rows = _Rows()
            for _ in range(min(CHUNK, count - start)):
                role = self._round_robin % self.roles
                self._round_robin += 1
                self._candidate(rows, role=role, stage=self._pick(STAGE_MIX))
            await self._insert(rows)

    async def add_measured(self) -> int:
        """Jane Doe: the measured hiring manager's candidate, mid-loop, three interviews."""
        rows = _Rows()
        candidate_id = self._candidate(
            rows, role=0, stage=Stage.INTERVIEWING, name=MEASURED_NAME, pending_ok=False
        )
        await self._insert(rows)
        return candidate_id

    async def add_due(self, *, candidates: int, seats: int, late: timedelta) -> Due:
        """Candidates (and seats) whose clocks are due at `now`, `late` past their deadline,
        in the first ten roles so the number of messages does not depend on the store."""
        rows = _Rows()
        due_at = self.now - timedelta(minutes=1)
        candidate_ids: list[int] = []
        interview_ids: list[int] = []
        kinds = (Stage.INTERVIEWING, Stage.SOURCED, Stage.DECISION)
        for n in range(candidates):
            stage = kinds[n % len(kinds)]
            lateness = {
                Stage.INTERVIEWING: 7 * DAY,  # loop breach
                Stage.SOURCED: 48 * HOUR,  # stage idle
                Stage.DECISION: 48 * HOUR,  # decision breach
            }[stage] + late
            cid = self._candidate(
                rows,
                role=n % 10,
                stage=stage,
                name=f"Late {FIRST_NAMES[n % len(FIRST_NAMES)]} {n}",
                entered=self.now - lateness,
                next_alert_at=due_at,
                interviews=False,
            )
            candidate_ids.append(cid)
            if stage == Stage.INTERVIEWING and len(interview_ids) < seats:
                # One interview whose scorecard is a day overdue: the recruiters hear of it.
                ends = self.now - 2 * DAY - late
                iid = self._interview(rows, cid, "incident", ends - 45 * timedelta(minutes=1))
                interview_ids.append(iid)
                rows.add(
                    _table(Seat),
                    interview_id=iid,
                    interviewer_id=interviewer(n % self.interviewers),
                    feedback_due_at=ends + 24 * HOUR,
                    next_alert_at=due_at,
                )
        await self._insert(rows)
        return Due(candidate_ids, interview_ids, due_at)

    async def finish(self) -> None:
        """PostgreSQL: move each id sequence past the ids given here, then gather the
        planner's statistics as autovacuum would on a store in use. SQLite: nothing (the
        app never runs ANALYZE there, so neither does the benchmark)."""
        if self.db.engine.dialect.name != "postgresql":
            return
        async with self.db.engine.begin() as connection:
            for table in TABLES:
                if "id" in table.c and table.name != "role_recruiter":
                    await connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
        async with self.db.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("ANALYZE"))

    # One candidate -----------------------------------------------------------------------------

    def _candidate(
        self,
        rows: _Rows,
        *,
        role: int,
        stage: Stage,
        name: str | None = None,
        entered: datetime | None = None,
        next_alert_at: datetime | None = None,
        interviews: bool = True,
        pending_ok: bool = True,
    ) -> int:
        cid = self._next("candidate")
        self.candidates += 1
        position = self._per_role[role]
        self._per_role[role] += 1
        name = name or _name(position)
        closed = stage.is_closed
        created = self.now - self._days(40, 700) if closed else self.now - self._days(2, 40)
        reached = self._pick(EXIT_FROM) if stage in (Stage.REJECTED, Stage.WITHDRAWN) else stage
        path = list(PATH[: PATH.index(reached) + 1]) if reached in PATH else [Stage.SOURCED]
        if stage not in path:
            path.append(stage)
        entered = entered or self._entered(stage, created)
        # Stage history: added in sourced, then one move per stage, spread up to `entered`.
        step = (entered - created) / max(1, len(path) - 1)
        times = [created + step * i for i in range(len(path))]
        for i, to_stage in enumerate(path):
            rows.add(
                _table(StageEvent),
                candidate_id=cid,
                at=times[i],
                actor_id=self.recruiters_of(role)[0],
                from_stage=path[i - 1].value if i else None,
                to_stage=to_stage.value,
                note="added" if i == 0 else ("not a fit" if to_stage.is_closed else ""),
                detail="",
            )
        complete_at = None
        if interviews and Stage.INTERVIEWING in path:
            start = times[path.index(Stage.INTERVIEWING)]
            running = pending_ok and stage == Stage.INTERVIEWING
            complete_at = self._loop(rows, cid, start, running=running)
        if stage in (Stage.OFFER, Stage.HIRED):
            rows.add(
                _table(Offer),
                candidate_id=cid,
                terms="Base, equity and start date as discussed.",
                extended_by=self.recruiters_of(role)[0],
                extended_at=entered if stage == Stage.OFFER else entered - DAY,
                expires_at=(entered if stage == Stage.OFFER else entered - DAY) + 48 * HOUR,
                status="open" if stage == Stage.OFFER else "accepted",
                decided_at=None if stage == Stage.OFFER else entered,
                decided_by=None if stage == Stage.OFFER else self.recruiters_of(role)[0],
            )
        if self.rng.random() < 0.5:  # an old alert, long sent
            self._sent_alert(rows, cid, role, created + DAY)
        rows.add(
            _table(Candidate),
            id=cid,
            role_id=role + 1,
            name=name,
            name_key=name_key(name),
            email=f"candidate{cid}@example.com",
            links=None,
            stage=stage.value,
            stage_entered_at=entered,
            created_by=self.recruiters_of(role)[0],
            created_at=created,
            feedback_complete_at=(
                complete_at if stage in (Stage.DECISION, Stage.OFFER, Stage.HIRED) else None
            ),
            # Open candidates are looked at again later; closed ones never.
            next_alert_at=next_alert_at or (None if closed else self.now + self._hours(1, 48)),
        )
        return cid

    def _entered(self, stage: Stage, created: datetime) -> datetime:
        """When the candidate entered its stage: recent enough that no clock is due."""
        if stage in (Stage.SOURCED, Stage.SCREENING):
            return max(created, self.now - self._hours(1, 40))
        if stage == Stage.INTERVIEWING:
            return max(created, self.now - self._hours(24, 5 * 24))
        if stage in (Stage.DECISION, Stage.OFFER):
            return max(created, self.now - self._hours(2, 20))
        return min(self.now - DAY, created + self._days(1, 30))

    def _loop(self, rows: _Rows, cid: int, start: datetime, *, running: bool) -> datetime:
        """Three interviews from `start`, one or two interviewers each; returns when the
        last scorecard came in. Seats of a running loop may still wait for theirs."""
        if not running:  # a finished loop lies wholly in the past
            start = min(start, self.now - 3 * DAY)
        last = start
        for day, stage in enumerate(self.template.plan):
            starts = start + (day + 0.2) * DAY
            iid = self._interview(rows, cid, stage.key, starts)
            ends = starts + stage.minutes * timedelta(minutes=1)
            people = self.rng.sample(range(self.interviewers), 2 if self.rng.random() < 0.5 else 1)
            for n in people:
                # An interview still to come has no scorecard yet.
                waiting = running and (starts > self.now or self.rng.random() < self.pending_share)
                rows.add(
                    _table(Seat),
                    interview_id=iid,
                    interviewer_id=interviewer(n),
                    feedback_due_at=ends + 24 * HOUR,
                    next_alert_at=self.now + self._hours(1, 24) if waiting else None,
                )
                if waiting and starts <= self.now:
                    # Begun: its scorecard may be sent (one still to come is refused).
                    self.pending.append(PendingSeat(iid, interviewer(n), cid, stage.key))
                elif not waiting:
                    submitted = ends + self._hours(1, 20)
                    self._scorecard(rows, iid, interviewer(n), cid, stage.key, submitted)
                    last = max(last, submitted)
        return last

    def _interview(self, rows: _Rows, cid: int, plan_stage: str, starts: datetime) -> int:
        iid = self._next("interview")
        minutes = next(s.minutes for s in self.template.plan if s.key == plan_stage)
        rows.add(
            _table(Interview),
            id=iid,
            candidate_id=cid,
            plan_stage=plan_stage,
            starts_at=starts,
            ends_at=starts + minutes * timedelta(minutes=1),
            scheduled_by="UREC0000",
            created_at=starts - DAY,
        )
        return iid

    def _scorecard(
        self, rows: _Rows, iid: int, who: str, cid: int, plan_stage: str, at: datetime
    ) -> None:
        sid = self._next("scorecard")
        rows.add(
            _table(Scorecard),
            id=sid,
            interview_id=iid,
            interviewer_id=who,
            candidate_id=cid,
            version=1,
            recommendation=self.rng.randint(1, 4),
            summary="Walked through a real incident: detection, rollback, and what changed.",
            submitted_at=at,
        )
        for competency in competencies_for(self.template, plan_stage):
            rows.add(
                _table(Rating),
                scorecard_id=sid,
                competency=competency.key,
                rating=self.rng.randint(0, 4),
                evidence="Named the metric and the threshold.",
            )

    def _sent_alert(self, rows: _Rows, cid: int, role: int, at: datetime) -> None:
        rows.add(
            _table(Alert),
            key=f"seed{cid}:stage_idle::{at:%Y%m%dT%H%M%S}:0:{self.recruiters_of(role)[0]}",
            candidate_id=cid,
            interview_id=None,
            kind="stage_idle",
            subject="",
            recipient_id=self.recruiters_of(role)[0],
            deadline=at,
            due_at=at,
            breach=False,
            status="sent",
            deliver_after=at,
            attempts=0,
            claimed_until=None,
            claim="",
            sent_at=at,
            error="",
            created_at=at,
        )

    # Helpers -------------------------------------------------------------------------------------

    def _next(self, table: str) -> int:
        self._ids[table] += 1
        return self._ids[table]

    def _pick(self, weighted: tuple[tuple[Stage, int], ...]) -> Stage:
        stages, weights = zip(*weighted, strict=True)
        return self.rng.choices(stages, weights)[0]

    def _days(self, low: float, high: float) -> timedelta:
        return self.rng.uniform(low, high) * DAY

    def _hours(self, low: float, high: float) -> timedelta:
        return self.rng.uniform(low, high) * HOUR

    async def _insert(self, rows: _Rows) -> None:
        async with self.db.engine.begin() as connection:
            for table in TABLES:
                batch = rows.by_table.get(table.name)
                if batch:
                    await connection.execute(insert(table), batch)


def _name(position: int) -> str:
    """A distinct name for each position within a role (open names must be unique there)."""
    first = FIRST_NAMES[position % len(FIRST_NAMES)]
    last = LAST_NAMES[(position // len(FIRST_NAMES)) % len(LAST_NAMES)]
    rounds = position // (len(FIRST_NAMES) * len(LAST_NAMES))
    return f"{first} {chr(ord('A') + rounds % 26)}. {last}" if rounds else f"{first} {last}"
