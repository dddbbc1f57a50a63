"""What a person asks to see across candidates, Slack-free: a candidate's clocks,
a role's pipeline, and what is waiting on whom."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot import store
from bot.domain import clocks
from bot.domain.access import Hat
from bot.domain.names import name_key
from bot.domain.stages import OPEN_STAGES, Stage
from bot.store.engine import Database
from bot.store.tables import Candidate, Offer, Role, Scorecard, StageEvent
from bot.usecases import candidates, feedback
from bot.usecases.candidates import CandidateCard

DAY = timedelta(days=1)
NO_DEADLINE = datetime.max.replace(tzinfo=UTC)  # sorts after every real deadline


@dataclass(frozen=True)
class ClockSummary:
    loop_day: int | None
    loop_days: int
    deadlines: list[clocks.Deadline]
    # The candidate's own deadline and why; and, under it, the latest a pending scorecard
    # may now be due, when that moved any of them earlier.
    candidate_deadline: datetime | None = None
    deadline_reason: str | None = None
    scorecards_by: datetime | None = None


def _facts(
    candidate: Candidate, offer: Offer | None, pauses: Sequence[clocks.Pause]
) -> clocks.CandidateFacts:
    return clocks.candidate_facts(
        Stage(candidate.stage),
        candidate.stage_entered_at,
        candidate.feedback_complete_at,
        offer.expires_at if offer is not None and offer.status == "open" else None,
        pauses,
        candidate_deadline=candidate.deadline_at,
    )


def clock_summary(
    candidate: Candidate,
    role: Role,
    offer: Offer | None,
    pauses: Sequence[clocks.Pause],
    *,
    now: datetime,
    loop: feedback.Loop | None = None,
) -> ClockSummary:
    """The candidate's running clocks (and, given the loop, whether the candidate's
    deadline moved its scorecards earlier)."""
    facts = _facts(candidate, offer, pauses)
    role_clocks = clocks.of_role(role)
    return ClockSummary(
        clocks.loop_day(facts, now),
        role.loop_days,
        clocks.deadlines(facts, role_clocks),
        candidate.deadline_at,
        candidate.deadline_reason,
        _scorecards_by(candidate, role_clocks, loop),
    )


def _scorecards_by(
    candidate: Candidate, role_clocks: clocks.Clocks, loop: feedback.Loop | None
) -> datetime | None:
    """The earliest moved due time of a pending scorecard, if the deadline moved any."""
    if loop is None or candidate.deadline_at is None:
        return None
    moved = []
    for item in loop.interviews:
        limit = clocks.scorecard_limit(candidate.deadline_at, role_clocks, item.interview.ends_at)
        moved += [
            limit
            for seat in item.seats
            if limit is not None and not seat.submitted and seat.feedback_due_at > limit
        ]
    return min(moved, default=None)


@dataclass(frozen=True)
class StatusDetail:
    """What a status card shows beyond the candidate's own row and events."""

    loop: feedback.Loop | None  # None: the viewer may not see the loop
    offer: Offer | None  # the open offer, if any
    clocks: ClockSummary | None  # None once the candidate is hired or closed


async def status_detail(
    db: Database, *, viewer_id: str, card: CandidateCard, now: datetime
) -> StatusDetail:
    async with db.reader() as session:
        return await _detail_in(session, viewer_id=viewer_id, card=card, now=now)


@dataclass(frozen=True)
class Status:
    card: CandidateCard
    detail: StatusDetail


@dataclass(frozen=True)
class Asked:
    """The answer to "where is <name>?": one candidate's status, or the names to pick from
    (none: nobody by that name among the candidates the asker may see)."""

    status: Status | None
    choices: list[tuple[Candidate, Role]]


# A status card is the question asked most: each of these reads it in one session, the
# candidate and role found by name staying in the session for the card's own reads.


async def ask_status(db: Database, *, viewer_id: str, query: str, now: datetime) -> Asked:
    async with db.reader() as session:
        matches = await candidates.find_in(session, user_id=viewer_id, query=query)
        if len(matches) != 1:
            return Asked(None, matches)
        status = await _status_in(
            session, viewer_id=viewer_id, candidate_id=matches[0][0].id or 0, now=now
        )
        return Asked(status, [])


async def status_of(
    db: Database, *, viewer_id: str, candidate_id: int, now: datetime
) -> Status | None:
    """None when the candidate does not exist or the viewer may not see them."""
    async with db.reader() as session:
        return await _status_in(session, viewer_id=viewer_id, candidate_id=candidate_id, now=now)


async def _status_in(
    session: store.AsyncSession, *, viewer_id: str, candidate_id: int, now: datetime
) -> Status | None:
    card = await candidates.card_in(session, user_id=viewer_id, candidate_id=candidate_id)
    if card is None:
        return None
    return Status(card, await _detail_in(session, viewer_id=viewer_id, card=card, now=now))


async def _detail_in(
    session: store.AsyncSession, *, viewer_id: str, card: CandidateCard, now: datetime
) -> StatusDetail:
    candidate = card.candidate
    assert candidate.id is not None
    loop = await feedback.loop_in(
        session, viewer_id=viewer_id, candidate=candidate, role=card.role, team=card.team
    )
    offer = await store.open_offer(session, candidate_id=candidate.id)
    if card.stage.is_closed:
        return StatusDetail(loop, offer, None)
    pauses = await store.alerts.pauses_of(session, candidate_ids=[candidate.id])
    summary = clock_summary(
        candidate, card.role, offer, pauses.get(candidate.id, []), now=now, loop=loop
    )
    return StatusDetail(loop, offer, summary)


# Pipeline ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    text: str
    urgency: int  # higher is more urgent


@dataclass(frozen=True)
class PipelineRow:
    candidate: Candidate
    days_in_stage: float
    flags: list[Flag]
    tightest: datetime | None = None  # the soonest deadline (clocks.tightest)

    @property
    def urgency(self) -> int:
        return max((f.urgency for f in self.flags), default=0)

    @property
    def order(self) -> tuple[int, datetime, float]:
        """Most urgent first; then the tightest deadline; then the longest wait."""
        return (-self.urgency, self.tightest or NO_DEADLINE, -self.days_in_stage)


@dataclass
class RolePipeline:
    role: Role
    rows: list[PipelineRow] = field(default_factory=list)
    counts: dict[Stage, int] = field(default_factory=dict)
    median_days: dict[Stage, float] = field(default_factory=dict)

    def by_stage(self) -> dict[Stage, list[PipelineRow]]:
        grouped: dict[Stage, list[PipelineRow]] = {s: [] for s in OPEN_STAGES}
        for row in self.rows:
            grouped[Stage(row.candidate.stage)].append(row)
        return {s: sorted(r, key=lambda x: x.order) for s, r in grouped.items() if r}

    @property
    def urgent(self) -> list[PipelineRow]:
        return sorted((r for r in self.rows if r.urgency >= 2), key=lambda r: r.order)


def flags_for(
    facts: clocks.CandidateFacts,
    role_clocks: clocks.Clocks,
    overdue_scorecards: int,
    now: datetime,
) -> list[Flag]:
    """What a recruiter should look at first, for one candidate."""
    flags: list[Flag] = []
    if clocks.at_risk(facts, role_clocks, now) and facts.candidate_deadline is not None:
        hours = max(1, int((facts.candidate_deadline - now).total_seconds() // 3600))
        flags.append(Flag(f":warning: at risk of losing: decides in {hours} h", 4))
    if overdue_scorecards:
        n = overdue_scorecards
        flags.append(Flag(f":red_circle: {n} scorecard{'s' if n > 1 else ''} overdue", 3))
    for deadline in clocks.deadlines(facts, role_clocks):
        left = deadline.at - now
        if left <= timedelta():
            flags.append(Flag(f":rotating_light: {deadline.clock} deadline passed", 4))
        elif deadline.clock == "loop" and left <= clocks.LOOP_WARN_BEFORE:
            day = clocks.loop_day(facts, now)
            flags.append(Flag(f":warning: loop day {day} of {role_clocks.loop_days}", 2))
        elif deadline.clock in ("decision", "offer") and left <= DAY:
            hours = max(1, int(left.total_seconds() // 3600))
            flags.append(Flag(f":hourglass_flowing_sand: {deadline.clock} due in {hours} h", 2))
    return flags


def is_note(event: StageEvent) -> bool:
    """An event that records something about the candidate without a move (the offer
    expired, the candidate's deadline was set): it neither starts nor ends a stint."""
    return event.from_stage is not None and event.from_stage == event.to_stage


def stage_durations(events: Sequence[StageEvent], now: datetime) -> dict[Stage, list[float]]:
    """Days spent in each stage, per stint, from the event log (the current stint to now)."""
    by_candidate: dict[int, list[StageEvent]] = defaultdict(list)
    for event in events:
        by_candidate[event.candidate_id].append(event)
    spans: dict[Stage, list[float]] = defaultdict(list)
    for history in by_candidate.values():
        history = [e for e in history if not is_note(e)]  # notes are not moves
        history.sort(key=lambda e: (e.at, e.id or 0))
        for current, following in zip(history, [*history[1:], None], strict=True):
            stage = Stage(current.to_stage)
            if stage.is_closed or (
                following is not None and following.to_stage == current.to_stage
            ):
                continue
            end = following.at if following is not None else now
            spans[stage].append((end - current.at) / DAY)
    return spans


async def pipelines(
    db: Database, *, user_id: str, role_query: str, now: datetime
) -> list[RolePipeline]:
    """The pipelines of the user's roles (those matching `role_query`, if given)."""
    async with db.reader() as session:
        roles = [r.role for r in await store.roles_for_user(session, user_id=user_id)]
    wanted = name_key(role_query)
    if wanted:
        roles = [r for r in roles if wanted in name_key(r.title)]
    return await pipelines_of(db, roles=roles, now=now)


async def pipelines_of(
    db: Database, *, roles: Sequence[Role], now: datetime, medians: bool = True
) -> list[RolePipeline]:
    """Each role's open candidates with their flags, counts and median days per stage."""
    async with db.reader() as session:
        out = []
        for role in roles:
            assert role.id is not None
            candidates = await store.pipelines.open_candidates_of(session, role_id=role.id)
            ids = [c.id for c in candidates if c.id]
            pauses = await store.alerts.pauses_of(session, candidate_ids=ids)
            offers = await store.pipelines.open_offers_of(session, candidate_ids=ids)
            overdue = await store.pipelines.overdue_seat_counts(session, candidate_ids=ids, now=now)
            # The whole event log of a role is the costly read: only /hire pipeline shows medians.
            events = (
                await store.pipelines.events_of_role(session, role_id=role.id) if medians else []
            )
            pipeline = RolePipeline(role)
            for candidate in candidates:
                assert candidate.id is not None
                facts = _facts(candidate, offers.get(candidate.id), pauses.get(candidate.id, []))
                role_clocks = clocks.of_role(role)
                pipeline.rows.append(
                    PipelineRow(
                        candidate,
                        (now - candidate.stage_entered_at) / DAY,
                        flags_for(facts, role_clocks, overdue.get(candidate.id, 0), now),
                        clocks.tightest(facts, role_clocks),
                    )
                )
                stage = Stage(candidate.stage)
                pipeline.counts[stage] = pipeline.counts.get(stage, 0) + 1
            pipeline.median_days = {
                stage: statistics.median(spans)
                for stage, spans in stage_durations(events, now).items()
                if spans
            }
            out.append(pipeline)
    return out


# App Home ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentScorecard:
    scorecard: Scorecard
    candidate: Candidate
    role: Role


@dataclass(frozen=True)
class Home:
    """Everything a person's Home tab shows, by the hats they wear."""

    assignments: list[feedback.Assignment]
    recruiting: list[RolePipeline]  # roles they recruit for
    managing: list[RolePipeline]  # roles they are the hiring manager of
    recent: list[RecentScorecard]

    def decisions_due(self) -> list[PipelineRow]:
        """Candidates waiting on the hiring manager: in decision, or with all feedback in."""
        rows = [
            row
            for pipeline in self.managing
            for row in pipeline.rows
            if row.candidate.stage == Stage.DECISION.value
            or (
                row.candidate.stage == Stage.INTERVIEWING.value
                and row.candidate.feedback_complete_at
            )
        ]
        return sorted(rows, key=lambda r: r.order)


async def home(db: Database, *, user_id: str, now: datetime) -> Home:
    assignments = await feedback.assignments_for(db, user_id=user_id)
    async with db.reader() as session:
        mine = await store.roles_for_user(session, user_id=user_id)
    recruiting = [r.role for r in mine if Hat.RECRUITER in r.team.hats(user_id)]
    managing = [r.role for r in mine if Hat.HIRING_MANAGER in r.team.hats(user_id)]
    recent: list[RecentScorecard] = []
    if managing:
        async with db.reader() as session:
            rows = await store.pipelines.recent_scorecards(
                session, role_ids=[r.id for r in managing if r.id], limit=5
            )
        recent = [RecentScorecard(card, candidate, role) for card, candidate, role in rows]
    return Home(
        assignments,
        await pipelines_of(db, roles=recruiting, now=now, medians=False),
        await pipelines_of(db, roles=managing, now=now, medians=False),
        recent,
    )
