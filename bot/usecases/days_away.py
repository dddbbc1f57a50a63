"""Each person's own days away (vacation, leave): anyone adds, removes and lists their
own; recruiters, hiring managers and admins those of someone else too (who is told, and
the change is recorded). Alerts to them that wait for working hours skip those days, as
they skip company days off (docs/clocks.md, "Working hours and time zones"); breaches
go at once whatever the day. An interview booked on one warns that they are away
(bot.usecases.feedback.with_local_warnings)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from bot import store
from bot.domain.access import can_set_days_away
from bot.domain.days_off import first_day_ahead, runs
from bot.domain.safeguards import days_anywhere, local_days
from bot.domain.zones import zone
from bot.store import admins as admin_rows
from bot.store.engine import Database
from bot.store.interviews import PanelSeat, SeatRow
from bot.usecases.days_off import past_refusal
from bot.usecases.errors import NotAllowed
from bot.usecases.feedback import Assignment


@dataclass(frozen=True)
class Added:
    added: list[date]  # new days away
    already: list[date]  # days away before the command: left as they were


@dataclass(frozen=True)
class Removed:
    removed: list[date]
    absent: list[date]  # not days away, so nothing to remove


SOMEONE_ELSES = (
    "Only recruiters, hiring managers and Loopkeeper admins set someone else's days away. "
    "Your own: `/hire away add 2026-12-24`."
)


async def _refuse_unless_may(session: store.AsyncSession, actor_id: str, user_id: str) -> None:
    if actor_id == user_id:
        return  # no read at all for the usual case: one's own days
    admins = await admin_rows.admin_ids(session)
    teams = [r.team for r in await store.roles_for_user(session, user_id=actor_id)]
    if not can_set_days_away(actor_id, user_id, admins=admins, teams=teams):
        raise NotAllowed(SOMEONE_ELSES)


async def upcoming(db: Database, *, actor_id: str, user_id: str, now: datetime) -> list[date]:
    """`user_id`'s days away still ahead somewhere, soonest first. Raises NotAllowed when
    `actor_id` may not see them (someone else's, and not on a hiring team or an admin)."""
    async with db.reader() as session:
        await _refuse_unless_may(session, actor_id, user_id)
        return await store.days_away.days_away_from(
            session, user_id=user_id, first=first_day_ahead(now)
        )


async def add_days_away(
    db: Database, *, actor_id: str, user_id: str, days: Sequence[date], now: datetime
) -> Added:
    """Make `days` days away for `user_id`. Raises NotAllowed for a date in the past, and
    for someone who may not set `user_id`'s days."""
    past = past_refusal(
        days,
        now,
        what="days away",
        example=f"`/hire away add {now.astimezone(UTC).date().isoformat()}`",
    )
    if past:
        raise NotAllowed(past)
    async with db.transaction() as session:
        await _refuse_unless_may(session, actor_id, user_id)
        before = await store.days_away.days_away_among(session, user_id=user_id, days=days)
        known = set(before)
        added = await store.days_away.add_days_away(
            session, user_id=user_id, days=[d for d in days if d not in known], now=now
        )
        if added and actor_id != user_id:
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind="days_away_added",
                summary=f"marked <@{user_id}> away: {runs(added)}",
                now=now,
            )
        return Added(added, before)


async def remove_days_away(
    db: Database, *, actor_id: str, user_id: str, days: Sequence[date], now: datetime
) -> Removed:
    """`days` are working days again for `user_id` (weekends and company days off aside);
    those that were not days away are left alone. Raises NotAllowed as add_days_away."""
    async with db.transaction() as session:
        await _refuse_unless_may(session, actor_id, user_id)
        removed = await store.days_away.days_away_among(session, user_id=user_id, days=days)
        if removed:
            await store.days_away.remove_days_away(session, user_id=user_id, days=removed)
            if actor_id != user_id:
                await store.changes.record_change(
                    session,
                    actor_id=actor_id,
                    kind="days_away_removed",
                    summary=f"took back <@{user_id}>'s days away: {runs(removed)}",
                    now=now,
                )
        gone = set(removed)
        return Removed(removed, [d for d in days if d not in gone])


async def booked_on(
    db: Database, *, user_id: str, days: Collection[date], tz_name: str | None, now: datetime
) -> list[SeatRow]:
    """This person's interviews still to come that start on one of `days`, as dates go
    where they are (`tz_name`): someone who just said they will be away should hear that
    they are booked then."""
    async with db.reader() as session:
        seats = await store.seats_for(session, interviewer_id=user_id)
    return starting_on(seats, days, tz_name=tz_name, now=now)


def starting_on(
    seats: Sequence[SeatRow], days: Collection[date], *, tz_name: str | None, now: datetime
) -> list[SeatRow]:
    """Those of `seats` still to come that start on one of `days` where the person is."""
    tz = zone(tz_name)
    return [s for s in seats if s.starts_at > now and s.starts_at.astimezone(tz).date() in days]


async def who_books(
    db: Database, seats: Sequence[SeatRow], *, besides: Collection[str]
) -> dict[str, list[SeatRow]]:
    """Who should hear that these interviews fall on their interviewer's days away, with
    the ones each should hear of: each role's bookers, whom an interviewer's "I can't
    make it" tells too. `besides`: people who already know (whoever set the days, the
    interviewer)."""
    async with db.reader() as session:
        teams = {
            role_id: await store.role_with_team(session, role_id=role_id)
            for role_id in sorted({seat.role_id for seat in seats})
        }
    told: dict[str, list[SeatRow]] = {}
    for seat in seats:
        found = teams[seat.role_id]
        if found is None:  # the role is gone since: nobody to tell
            continue
        for person in found.team.bookers:
            if person not in besides:
                told.setdefault(person, []).append(seat)
    return told


# Your interviewers, for `/hire away team`: whoever sat on an interview of your roles'
# candidates this long ago or since, or is booked on one to come.
PANEL_LOOKBACK = timedelta(days=90)
# How far ahead the list of who is away looks; an interview booked on a day away is
# listed however far ahead it is.
PANEL_WEEKS = 4

NO_TEAM = (
    "`/hire away team` lists the days away of the interviewers on your roles' interviews, "
    "for recruiters and hiring managers; you are on no role's hiring team. Your own days: "
    "`/hire away`."
)


@dataclass(frozen=True)
class Panels:
    """The days away of a hiring team's interviewers, for `/hire away team`."""

    interviewers: frozenset[str]  # everyone counted as one of the team's interviewers
    away: dict[str, list[date]]  # interviewer -> their days away in the window, soonest first
    last_day: date  # of the window, which starts at the first day ahead
    booked: list[PanelSeat]  # seats to come, of open candidates, of interviewers away some day
    days_away: dict[str, frozenset[date]]  # those interviewers -> every day away ahead


@dataclass(frozen=True)
class BookedAway:
    """An interview to come with someone on it who is away that day."""

    seat: PanelSeat  # the interview (its first seat; interviewer_id is one of `who`)
    who: tuple[str, ...]  # its interviewers away then


async def panels_away(db: Database, *, actor_id: str, now: datetime) -> Panels:
    """Who among the interviewers of `actor_id`'s roles is away in the coming weeks, and
    the interviews to come they are booked on. Raises NotAllowed for someone on no
    hiring team: admins see candidates only on roles they are named on."""
    first = first_day_ahead(now)
    last = first + timedelta(days=7 * PANEL_WEEKS - 1)
    async with db.reader() as session:
        roles = await store.roles_for_user(session, user_id=actor_id)
        if not roles:
            raise NotAllowed(NO_TEAM)
        seats = await store.panel_seats(
            session, role_ids=[r.role.id or 0 for r in roles], since=now - PANEL_LOOKBACK
        )
        interviewers = frozenset(s.interviewer_id for s in seats)
        ahead = await store.days_away.days_away_of(
            session, user_ids=sorted(interviewers), first=first
        )
    away = {
        person: within
        for person, days in ahead.items()
        if (within := sorted(d for d in days if d <= last))
    }
    booked = [s for s in seats if s.open and s.starts_at > now and s.interviewer_id in ahead]
    return Panels(interviewers, away, last, booked, ahead)


async def booked_ahead(
    session: store.AsyncSession, *, role_ids: Sequence[int], now: datetime
) -> tuple[list[PanelSeat], dict[str, frozenset[date]]]:
    """The seats of interviews to come, of open candidates of `role_ids`, whose
    interviewer has days away ahead, and those days (for a recruiter's Home tab)."""
    seats = await store.panel_seats(session, role_ids=role_ids, since=now)
    seats = [s for s in seats if s.open and s.starts_at > now]
    ahead = await store.days_away.days_away_of(
        session, user_ids=sorted({s.interviewer_id for s in seats}), first=first_day_ahead(now)
    )
    return [s for s in seats if s.interviewer_id in ahead], ahead


class Seated(Protocol):
    """A seat on an interview, as the days-away rules read it."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def interviewer_id(self) -> str: ...


def is_away(seat: Seated, days_away: Mapping[str, frozenset[date]], tz_name: str | None) -> bool:
    """Whether the interview falls on a day away of its interviewer, by the date where
    they are (`tz_name`; None: UTC)."""
    days = days_away.get(seat.interviewer_id, frozenset())
    return bool(days and local_days(seat.starts_at, seat.ends_at, tz_name) & days)


async def away_now(
    db: Database, *, user_ids: Sequence[str], zones: Mapping[str, str | None], now: datetime
) -> set[str]:
    """Who of `user_ids` is on a day away now, by the date where they are (`zones`;
    someone missing from it: UTC)."""
    near = days_anywhere(now, now)  # the date it is somewhere on Earth
    async with db.reader() as session:
        days = await store.days_away.days_away_of(
            session, user_ids=user_ids, first=min(near), last=max(near)
        )
    return {
        user_id
        for user_id in user_ids
        if local_days(now, now, zones.get(user_id)) & days.get(user_id, frozenset())
    }


def may_be_booked_away(
    booked: Sequence[Seated], days_away: Mapping[str, frozenset[date]]
) -> list[str]:
    """The interviewers whose time zone says whether an interview of theirs falls on a
    day away: those with one on a date it touches somewhere on Earth."""
    near: set[str] = set()
    for seat in booked:
        days = days_away.get(seat.interviewer_id, frozenset())
        if days and days_anywhere(seat.starts_at, seat.ends_at) & days:
            near.add(seat.interviewer_id)
    return sorted(near)


def booked_away(
    booked: Sequence[PanelSeat],
    days_away: Mapping[str, frozenset[date]],
    zones: Mapping[str, str | None],
) -> list[BookedAway]:
    """The interviews to come (`booked`) that fall on a day away of one of their
    interviewers (`days_away`), by the date where that interviewer is (`zones`; someone
    missing from it: UTC)."""
    found: dict[int, BookedAway] = {}
    for seat in booked:
        if not is_away(seat, days_away, zones.get(seat.interviewer_id)):
            continue
        known = found.get(seat.interview_id)
        who = (*known.who, seat.interviewer_id) if known else (seat.interviewer_id,)
        found[seat.interview_id] = BookedAway(known.seat if known else seat, who)
    return list(found.values())  # the seats' order: soonest first


def on_my_days_away(
    assignments: Sequence[Assignment],
    days: Collection[date],
    *,
    tz_name: str | None,
    now: datetime,
) -> set[int]:
    """The interviews to come (their ids) that start on one of `days`, a person's own days
    away, by the date where they are (`tz_name`; None: UTC)."""
    return {
        a.interview_id
        for a in assignments
        if a.starts_at > now and local_days(a.starts_at, a.starts_at, tz_name) & set(days)
    }


def may_be_on_my_days_away(
    assignments: Sequence[Assignment], days: Collection[date], *, now: datetime
) -> bool:
    """Whether an interview to come starts on a date near one of `days` somewhere on
    Earth: only then is the person's time zone worth asking Slack for."""
    return any(
        a.starts_at > now and days_anywhere(a.starts_at, a.starts_at) & set(days)
        for a in assignments
    )
