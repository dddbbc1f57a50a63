"""`/hire interviews`: a hiring team's interviews to come, soonest first, with what
needs them (an interviewer who can't make it, or is away that day). Slack-free: which
interviews fall on a day away goes by each interviewer's zone, which the caller asks
Slack for (bot.usecases.days_away.may_be_booked_away)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import store
from bot.domain.days_off import first_day_ahead
from bot.domain.names import name_key
from bot.domain.scorecards import stage_name, template_named
from bot.store.engine import Database
from bot.store.interviews import AheadSeat
from bot.usecases.days_away import is_away
from bot.usecases.errors import NotAllowed

AHEAD = timedelta(days=14)
NO_TEAM = (
    "`/hire interviews` lists the interviews to come of your roles, for recruiters and "
    "hiring managers; you are on no role's hiring team. Your own interviews: "
    "`/hire feedback`, or your Home tab."
)


@dataclass(frozen=True)
class Ahead:
    """The seats of the interviews to come of a person's roles, and what to read them by."""

    seats: list[AheadSeat]  # soonest first, an interview's seats together
    days_away: dict[str, frozenset[date]]  # their interviewers' days away ahead
    until: datetime
    roles: int  # how many roles they are of
    query: str  # the role filter typed, if any


@dataclass(frozen=True)
class InterviewAhead:
    interview_id: int
    candidate_id: int
    candidate_name: str
    role_title: str
    stage_name: str  # the interview's name in its template's plan
    starts_at: datetime
    interviewers: tuple[str, ...]
    cant_make_it: tuple[str, ...]  # interviewers who said so
    away: tuple[str, ...]  # interviewers away that day, where they are


async def interviews_ahead(db: Database, *, user_id: str, role_query: str, now: datetime) -> Ahead:
    """The next two weeks' interviews of the roles `user_id` recruits for or manages
    (titles containing `role_query`, if given). NotAllowed for someone on no team."""
    async with db.reader() as session:
        roles = [r.role for r in await store.roles_for_user(session, user_id=user_id)]
        if not roles:
            raise NotAllowed(NO_TEAM)
        wanted = name_key(role_query)
        if wanted:
            roles = [r for r in roles if wanted in name_key(r.title)]
        until = now + AHEAD
        seats = await store.seats_ahead(
            session, role_ids=[r.id for r in roles if r.id], since=now, until=until
        )
        days_away = await store.days_away.days_away_of(
            session, user_ids=sorted({s.interviewer_id for s in seats}), first=first_day_ahead(now)
        )
    return Ahead(seats, days_away, until, len(roles), role_query.strip())


def by_interview(ahead: Ahead, zones: Mapping[str, str | None]) -> list[InterviewAhead]:
    """The seats as interviews, soonest first, each with who can't make it and who is
    away that day (by `zones`; someone missing from it: UTC)."""
    grouped: dict[int, list[AheadSeat]] = {}
    for seat in ahead.seats:
        grouped.setdefault(seat.interview_id, []).append(seat)
    out = []
    for seats in grouped.values():
        first = seats[0]
        out.append(
            InterviewAhead(
                first.interview_id,
                first.candidate_id,
                first.candidate_name,
                first.role_title,
                stage_name(template_named(first.template), first.plan_stage),
                first.starts_at,
                tuple(s.interviewer_id for s in seats),
                tuple(s.interviewer_id for s in seats if s.cant_make_it),
                tuple(
                    s.interviewer_id
                    for s in seats
                    if is_away(s, ahead.days_away, zones.get(s.interviewer_id))
                ),
            )
        )
    return out
