"""The App Home tab, Slack-free: what is waiting on a person, by the hats they wear."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot import store
from bot.domain.access import Hat
from bot.domain.days_off import first_day_ahead
from bot.domain.scorecards import booked_template, stage_name
from bot.domain.stages import Stage
from bot.readmodels.pipelines import PipelineRow, RolePipeline, pipelines_of
from bot.store.engine import Database
from bot.store.interviews import PanelSeat
from bot.store.tables import Candidate, Role, Scorecard, Takehome
from bot.usecases import days_away as days_away_uc
from bot.usecases import feedback


@dataclass(frozen=True)
class RecentScorecard:
    scorecard: Scorecard
    candidate: Candidate
    role: Role
    interview_name: str = ""  # which of the loop's interviews: one person may sit on two


@dataclass(frozen=True)
class Home:
    """Everything a person's Home tab shows, by the hats they wear."""

    assignments: list[feedback.Assignment]
    recruiting: list[RolePipeline]  # roles they recruit for
    managing: list[RolePipeline]  # roles they are the hiring manager of
    recent: list[RecentScorecard]
    # Interviews to come of the roles they recruit for whose interviewers have days away
    # ahead, and those days: which fall on one is told where each interviewer is, which
    # only Slack knows (bot.slack.notify.publish_home asks it).
    booked: list[PanelSeat] = field(default_factory=list)
    days_away: dict[str, frozenset[date]] = field(default_factory=dict)
    # Their own days away ahead, read when they have interviews to come: the tab marks
    # those interviews (days_away.on_my_days_away).
    my_days_away: frozenset[date] = frozenset()
    # Received take-homes they grade and have not graded yet.
    to_grade: list[tuple[Takehome, Candidate, Role]] = field(default_factory=list)

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
    # One session for what every tab shows: most people are interviewers only, and their
    # tab is drawn after each scorecard they send.
    async with db.reader(on_loop=True) as session:
        assignments = await feedback.assignments_in(session, user_id=user_id)
        to_grade = await store.takehomes.to_grade(session, grader_id=user_id)
        mine = await store.roles_for_user(session, user_id=user_id)
        my_days_away: frozenset[date] = frozenset()
        if any(a.starts_at > now for a in assignments):
            my_days_away = frozenset(
                await store.days_away.days_away_from(
                    session, user_id=user_id, first=first_day_ahead(now)
                )
            )
        recruiting = [r.role for r in mine if Hat.RECRUITER in r.team.hats(user_id)]
        # Whoever books the role's interviews: its recruiters, or its hiring manager when
        # it has none (Team.bookers), who also hear when one falls on a day away.
        booking = [r.role for r in mine if user_id in r.team.bookers]
        booked: list[PanelSeat] = []
        days_away: dict[str, frozenset[date]] = {}
        if booking:
            booked, days_away = await days_away_uc.booked_ahead(
                session, role_ids=[r.id for r in booking if r.id], now=now
            )
    managing = [r.role for r in mine if Hat.HIRING_MANAGER in r.team.hats(user_id)]
    recent: list[RecentScorecard] = []
    if managing:
        async with db.reader(on_loop=True) as session:
            rows = await store.pipelines.recent_scorecards(
                session, role_ids=[r.id for r in managing if r.id], limit=5
            )
        recent = [
            RecentScorecard(
                scorecard,
                candidate,
                role,
                stage_name(booked_template(i.template, role.template), i.plan_stage),
            )
            for scorecard, candidate, role, i in rows
        ]
    return Home(
        assignments,
        await pipelines_of(db, roles=recruiting, now=now, medians=False),
        # A hiring manager sees how their roles are doing: time to fill and the rest.
        await pipelines_of(db, roles=managing, now=now, medians=False, numbers=True),
        recent,
        booked,
        days_away,
        my_days_away,
        to_grade,
    )
