"""The status card, Slack-free: where one candidate stands, their loop, their offer,
and their running clocks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property, partial
from typing import TypeVar

from bot import store
from bot.domain import clocks
from bot.domain.names import name_key
from bot.domain.safeguards import days_anywhere
from bot.domain.stages import Stage
from bot.store.card_reads import read_card_ahead
from bot.store.engine import Database
from bot.store.tables import Candidate, Offer, Role
from bot.usecases import candidates, feedback
from bot.usecases.candidates import CandidateCard, Found


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
    # When the loop must end for that deadline, and the interviews still to come that are
    # booked past it: (which, when it starts), for the card to say to move them.
    loop_by: datetime | None = None
    booked_too_late: tuple[tuple[str, datetime], ...] = ()
    # clocks.at_risk: the pipeline, the Home tab and digests flag it; the card says so too,
    # naming the step their deadline holds soonest (clocks.held).
    at_risk: bool = False
    held: tuple[clocks.Deadline, ...] = ()


def clock_facts(
    candidate: Candidate, offer: Offer | None, pauses: Sequence[clocks.Pause]
) -> clocks.CandidateFacts:
    """What the clocks of a stored candidate run on; an expired offer no longer runs one."""
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
    facts = clock_facts(candidate, offer, pauses)
    role_clocks = clocks.of_role(role)
    loop_by = (
        clocks.limits(candidate.deadline_at, role_clocks).loop
        if candidate.deadline_at is not None
        else None
    )
    # In offer the loop is over: an interview still to come no longer holds it up.
    looping = Stage(candidate.stage) != Stage.OFFER and not Stage(candidate.stage).is_closed
    too_late = _booked_too_late(loop, loop_by, now) if looping else []
    running = clocks.deadlines(facts, role_clocks)
    holds = clocks.held(facts, role_clocks, running)
    return ClockSummary(
        clocks.loop_day(facts, now),
        role.loop_days,
        running,
        candidate.deadline_at,
        candidate.deadline_reason,
        _scorecards_by(candidate, role_clocks, loop, too_late),
        loop_by,
        tuple((item.stage_name, item.interview.starts_at) for item in too_late),
        clocks.at_risk(facts, role_clocks, now, holds),
        tuple(holds),
    )


def _booked_too_late(
    loop: feedback.Loop | None, loop_by: datetime | None, now: datetime
) -> list[feedback.InterviewView]:
    """Interviews still to come whose scorecards could not be in before the loop must end
    for the candidate's deadline: booked before it was set, or moved since."""
    if loop is None or loop_by is None:
        return []
    return [
        item
        for item in loop.interviews
        if item.held
        and item.interview.starts_at > now
        # The scheduling warning's own rule (clocks.loop_too_late): a time the reschedule
        # form takes without a word is not flagged here either.
        and item.interview.ends_at > loop_by
    ]


def _scorecards_by(
    candidate: Candidate,
    role_clocks: clocks.Clocks,
    loop: feedback.Loop | None,
    too_late: Sequence[feedback.InterviewView],
) -> datetime | None:
    """The earliest moved due time of a pending scorecard, if the deadline moved any (of
    interviews that can end in time: the others are said to be moved instead)."""
    if loop is None or candidate.deadline_at is None:
        return None
    moved = []
    late = {id(item) for item in too_late}
    for item in (i for i in loop.interviews if i.held and id(i) not in late):
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
        stored = await _detail_in(session, viewer_id=viewer_id, card=card)
    return stored.detail(now)


@dataclass(frozen=True)
class Status:
    card: CandidateCard
    # Its detail, or how to work it out: a kept card drawn this minute already is sent
    # again without its clocks being worked out anew (handlers/render.py: shown_status),
    # which was a twentieth of such a click.
    worked_out: StatusDetail | Callable[[], StatusDetail]
    # The store version, viewer and candidate it was read at (None: not a kept read).
    # Two statuses with the same `read` hold the same rows; only their clocks differ.
    read: Hashable | None = None

    @cached_property
    def detail(self) -> StatusDetail:
        worked_out = self.worked_out
        return worked_out if isinstance(worked_out, StatusDetail) else worked_out()


@dataclass(frozen=True)
class Asked:
    """The answer to "where is <name>?": one candidate's status, or the names to pick from
    (none: nobody by that name among the candidates the asker may see)."""

    status: Status | None
    choices: Found
    # The one candidate found is a guess at a typo: the card says whose it is.
    guessed: bool = False


@dataclass(frozen=True)
class _Stored:
    """What a status card reads from the store: its clocks are worked out at each
    answer, since they run on the time."""

    card: CandidateCard
    loop: feedback.Loop | None
    offer: Offer | None
    pauses: list[clocks.Pause]
    read: Hashable | None = None  # see Status.read

    def detail(self, now: datetime) -> StatusDetail:
        if self.card.stage.is_closed:
            return StatusDetail(self.loop, self.offer, None)
        summary = clock_summary(
            self.card.candidate, self.card.role, self.offer, self.pauses, now=now, loop=self.loop
        )
        return StatusDetail(self.loop, self.offer, summary)

    def status(self, now: datetime) -> Status:
        return Status(self.card, partial(self.detail, now), self.read)


# A status card is the question asked most, and its ten statements cost more than all
# the rest of an answer: each read is kept (db.reads) until the store's version moves
# (bot.store.version), which any write, by any process, does. A hit costs one statement.

T = TypeVar("T")


async def _kept(
    db: Database, key: Hashable, read: Callable[[store.AsyncSession, str], Awaitable[T]]
) -> T:
    """`read(session, version)`, or what it gave at the store's version now. None (no
    such candidate for this viewer) is not kept: the cache could not tell it from a miss."""
    version = await db.version()
    found: T | None = db.reads.get(key, version)
    if found is None:
        async with db.reader(on_loop=True) as session:
            found = await read(session, version)
        if found is not None:
            db.reads.put(key, version, found)
    return found


async def ask_status(db: Database, *, viewer_id: str, query: str, now: datetime) -> Asked:
    async def read(session: store.AsyncSession, version: str) -> tuple[_Stored | None, Found]:
        found = await candidates.find_in(session, user_id=viewer_id, query=query)
        if len(found.rows) != 1:
            return None, found
        candidate_id = found.rows[0][0].id or 0
        return await _stored_in(session, viewer_id, candidate_id, version), found

    stored, found = await _kept(db, ("ask", viewer_id, name_key(query)), read)
    if stored is None:
        return Asked(None, found)
    return Asked(stored.status(now), Found([]), guessed=found.guessed)


async def status_of(
    db: Database, *, viewer_id: str, candidate_id: int, now: datetime
) -> Status | None:
    """None when the candidate does not exist or the viewer may not see them."""

    async def read(session: store.AsyncSession, version: str) -> _Stored | None:
        return await _stored_in(session, viewer_id, candidate_id, version)

    stored = await _kept(db, ("status", viewer_id, candidate_id), read)
    return stored.status(now) if stored else None


async def _stored_in(
    session: store.AsyncSession, viewer_id: str, candidate_id: int, version: str
) -> _Stored | None:
    await read_card_ahead(session, candidate_id=candidate_id, history=candidates.HISTORY_CHANGES)
    card = await candidates.card_in(session, user_id=viewer_id, candidate_id=candidate_id)
    if card is None:
        return None
    stored = await _detail_in(session, viewer_id=viewer_id, card=card)
    return replace(stored, read=(version, viewer_id, candidate_id))


async def _detail_in(
    session: store.AsyncSession, *, viewer_id: str, card: CandidateCard
) -> _Stored:
    candidate = card.candidate
    assert candidate.id is not None
    loop = await feedback.loop_in(
        session, viewer_id=viewer_id, candidate=candidate, role=card.role, team=card.team
    )
    offer = await store.open_offer(session, candidate_id=candidate.id)
    if card.stage.is_closed:
        return _Stored(card, loop, offer, [])
    pauses = await store.pauses.pauses_of_candidate(session, candidate_id=candidate.id)
    if loop is not None:
        loop = replace(await _with_days_away(session, loop), pauses=pauses)
    return _Stored(card, loop, offer, pauses)


async def _with_days_away(session: store.AsyncSession, loop: feedback.Loop) -> feedback.Loop:
    """The loop with the days away its pending interviewers have around their interviews
    (by any time zone's date: where each of them is takes a question to Slack, which a
    card does not wait for). No statement when nobody owes a scorecard."""
    pending = [
        (item.interview, seat.interviewer_id)
        for item in loop.interviews
        if item.held
        for seat in item.seats
        if not seat.submitted and seat.on_panel
    ]
    if not pending:
        return loop
    days = [day for i, _ in pending for day in days_anywhere(i.starts_at, i.ends_at)]
    panel = await store.days_away.days_away_of_panel(
        session, candidate_id=loop.candidate.id or 0, first=min(days), last=max(days)
    )
    owing = {person for _, person in pending}
    away = {person: days for person, days in panel.items() if person in owing}
    return replace(loop, away=away) if away else loop
