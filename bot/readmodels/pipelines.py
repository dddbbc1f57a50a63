"""A role's pipeline, Slack-free: its open candidates with what needs looking at first,
counts per stage, and how long candidates stay in each."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import store
from bot.domain import clocks
from bot.domain.hiring_numbers import HiringNumbers, days, hiring_numbers
from bot.domain.names import name_key
from bot.domain.stages import OPEN_STAGES, Stage
from bot.readmodels.status import clock_facts
from bot.store.engine import Database
from bot.store.tables import Candidate, Role, StageEvent

DAY = timedelta(days=1)
NO_DEADLINE = datetime.max.replace(tzinfo=UTC)  # sorts after every real deadline


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
    numbers: HiringNumbers | None = None  # time to fill and the rest, when asked for

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
    *,
    offer_expired: bool = False,
) -> list[Flag]:
    """What a recruiter should look at first, for one candidate. `offer_expired`: their
    offer's window passed unanswered (its clock stops then, so `facts` no longer say)."""
    flags: list[Flag] = []
    if offer_expired:
        flags.append(Flag(":rotating_light: offer expired unanswered", 4))
    if facts.candidate_deadline is not None and facts.candidate_deadline <= now:
        # Past it, they are no longer "at risk": they may be lost. Ask, then move or clear it.
        flags.append(Flag(":rotating_light: their own deadline passed", 4))
    elif clocks.at_risk(facts, role_clocks, now) and facts.candidate_deadline is not None:
        hours = _hours(facts.candidate_deadline - now)
        flags.append(Flag(f":warning: at risk of losing: decides in {hours} h", 4))
    if overdue_scorecards:
        n = overdue_scorecards
        flags.append(Flag(f":red_circle: {n} scorecard{'s' if n > 1 else ''} overdue", 3))
    for deadline in clocks.deadlines(facts, role_clocks):
        left = deadline.at - now
        if left <= timedelta() and deadline.clock == "idle":
            # A reminder, not a breach (docs/clocks.md): no siren for it.
            idle = days((now - facts.stage_entered_at) / DAY)
            flags.append(Flag(f":zzz: {idle} in {facts.stage.value} without a move", 2))
        elif left <= timedelta():
            flags.append(Flag(f":rotating_light: {deadline.clock} deadline passed", 4))
        elif (
            deadline.clock == "loop"
            and deadline.moved_from is not None
            and (left <= max(DAY, clocks.LOOP_WARN_BEFORE))
        ):
            # Cut short by their own deadline: "day 2 of 7" would hide that it ends soon.
            flags.append(Flag(f":warning: loop ends in {_ends_in(left)} (their deadline)", 2))
        elif deadline.clock == "loop" and left <= clocks.LOOP_WARN_BEFORE:
            day = clocks.loop_day(facts, now) or 0
            if day > role_clocks.loop_days:
                # Snoozed past its days: "day 8 of 7" would read as a loop already over.
                flags.append(Flag(f":warning: loop ends in {_ends_in(left)} (snoozed)", 2))
            else:
                flags.append(Flag(f":warning: loop day {day} of {role_clocks.loop_days}", 2))
        elif deadline.clock in ("decision", "offer") and left <= DAY:
            what = "offer expires" if deadline.clock == "offer" else "decision due"
            flags.append(Flag(f":hourglass_flowing_sand: {what} in {_ends_in(left)}", 2))
    return flags


def _ends_in(left: timedelta) -> str:
    """`5 h` within a day (to the nearest hour, at least 1: 5 h 59 min is `6 h`, as the
    card's "5 hours 59 minutes" is nearer it), else whole days."""
    return f"{_hours(left)} h" if left <= DAY else days(left / DAY)


def _hours(left: timedelta) -> int:
    return max(1, int(left / timedelta(hours=1) + 0.5))


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


def numbers_of(
    role: Role,
    candidates: Sequence[Candidate],
    events: Sequence[StageEvent],
    offer_statuses: Sequence[str],
    now: datetime,
    first_scorecards: Mapping[int, datetime] | None = None,
    decline_reasons: Sequence[str | None] = (),
) -> HiringNumbers:
    """A role's hiring numbers from every candidate it ever had and their history."""
    return hiring_numbers(
        opened_at=role.created_at,
        closed_at=role.closed_at,
        loop_days=role.loop_days,
        template=role.template,
        title=role.title,
        candidates=candidates,
        events=events,
        offer_statuses=offer_statuses,
        now=now,
        first_scorecards=first_scorecards,
        decline_reasons=decline_reasons,
    )


async def read_numbers(
    session: AsyncSession, role: Role, now: datetime, events: Sequence[StageEvent] | None = None
) -> HiringNumbers:
    """Read what a role's hiring numbers need (its event log, unless given) and count."""
    assert role.id is not None
    everyone = await store.pipelines.all_candidates_of(session, role_id=role.id)
    if events is None:
        events = await store.pipelines.events_of_role(session, role_id=role.id)
    statuses = await store.pipelines.offer_statuses_of_role(session, role_id=role.id)
    firsts = await store.pipelines.first_scorecards_of_role(session, role_id=role.id)
    declines = await store.pipelines.decline_reasons_of_role(session, role_id=role.id)
    return numbers_of(role, everyone, events, statuses, now, firsts, declines)


async def pipelines_of(
    db: Database,
    *,
    roles: Sequence[Role],
    now: datetime,
    medians: bool = True,
    numbers: bool | None = None,
) -> list[RolePipeline]:
    """Each role's open candidates with their flags, counts and median days per stage,
    and (`numbers`, by default with the medians) its hiring numbers."""
    with_numbers = medians if numbers is None else numbers
    if not roles:  # an interviewer's Home tab: no session to open and close
        return []
    async with db.reader() as session:
        out = []
        for role in roles:
            assert role.id is not None
            candidates = await store.pipelines.open_candidates_of(session, role_id=role.id)
            ids = [c.id for c in candidates if c.id]
            pauses = await store.pauses.pauses_of(session, candidate_ids=ids)
            offers = await store.pipelines.open_offers_of(session, candidate_ids=ids)
            overdue = await store.pipelines.overdue_seat_counts(session, candidate_ids=ids, now=now)
            # The whole event log of a role is the costly read: only /hire pipeline shows
            # medians, and the hiring numbers only go to pipelines and hiring managers.
            events = (
                await store.pipelines.events_of_role(session, role_id=role.id)
                if medians or with_numbers
                else []
            )
            pipeline = RolePipeline(role)
            if with_numbers:
                pipeline.numbers = await read_numbers(session, role, now, events)
            for candidate in candidates:
                assert candidate.id is not None
                offer = offers.get(candidate.id)
                facts = clock_facts(candidate, offer, pauses.get(candidate.id, []))
                role_clocks = clocks.of_role(role)
                expired = offer is not None and offer.status == "expired"
                pipeline.rows.append(
                    PipelineRow(
                        candidate,
                        (now - candidate.stage_entered_at) / DAY,
                        flags_for(
                            facts,
                            role_clocks,
                            overdue.get(candidate.id, 0),
                            now,
                            offer_expired=expired,
                        ),
                        clocks.tightest(facts, role_clocks),
                    )
                )
                stage = Stage(candidate.stage)
                pipeline.counts[stage] = pipeline.counts.get(stage, 0) + 1
            pipeline.median_days = {
                stage: statistics.median(spans)
                for stage, spans in stage_durations(events if medians else [], now).items()
                if spans
            }
            out.append(pipeline)
    return out
