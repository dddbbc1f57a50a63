"""SQLModel tables. Every schema change here needs an Alembic revision in migrations/."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import Column, Index, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.domain.limits import (
    MAX_DAY_OFF_NAME,
    MAX_EVIDENCE,
    MAX_NOTE,
    MAX_REASON,
    MAX_SUMMARY,
    MAX_TAKEHOME_NOTE,
    MAX_TEMPLATE_SOURCE,
    MAX_URL,
)
from bot.domain.stages import CLOSED
from bot.store.engine import UTCDateTime

# The per-role clock defaults (docs/clocks.md).
DEFAULT_LOOP_DAYS = 7
DEFAULT_FEEDBACK_HOURS = 24
DEFAULT_DECISION_HOURS = 48
DEFAULT_OFFER_HOURS = 48
DEFAULT_IDLE_HOURS = 48
DEFAULT_REMINDER_MINUTES = 30


_CLOSED_SQL = ", ".join(f"'{s.value}'" for s in sorted(CLOSED))
_OPEN_ONLY = text(f"stage NOT IN ({_CLOSED_SQL})")


def _utc(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class ClockSettings(SQLModel):
    loop_days: int = Field(default=DEFAULT_LOOP_DAYS, ge=1, le=60)
    feedback_hours: int = Field(default=DEFAULT_FEEDBACK_HOURS, ge=1, le=24 * 14)
    decision_hours: int = Field(default=DEFAULT_DECISION_HOURS, ge=1, le=24 * 30)
    offer_hours: int = Field(default=DEFAULT_OFFER_HOURS, ge=1, le=24 * 30)
    idle_hours: int = Field(default=DEFAULT_IDLE_HOURS, ge=1, le=24 * 30)
    # How long before an interview its interviewers get a reminder; 0 sends none.
    reminder_minutes: int = Field(default=DEFAULT_REMINDER_MINUTES, ge=0, le=24 * 60)


class Role(ClockSettings, table=True):
    __tablename__ = "role"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=150)
    title_key: str = Field(max_length=150, unique=True)
    hiring_manager_id: str = Field(max_length=32, index=True)
    channel_id: str = Field(max_length=32)
    # A shipped template's name ("mlops"), or an installed one's "name@vN": a role keeps
    # the version it was given until someone edits the role.
    template: str = Field(default="mlops", max_length=64)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc())
    # open, closed: a closed role takes no new candidates; its open ones go on.
    status: str = Field(default="open", max_length=16)
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    closed_by: str | None = Field(default=None, max_length=32)


class RoleRecruiter(SQLModel, table=True):
    __tablename__ = "role_recruiter"

    role_id: int = Field(foreign_key="role.id", primary_key=True, ondelete="CASCADE")
    user_id: str = Field(max_length=32, primary_key=True, index=True)


class Candidate(SQLModel, table=True):
    __tablename__ = "candidate"
    __table_args__ = (
        # One open candidate per name per role; closed ones may come back.
        Index(
            "uq_candidate_open_name",
            "role_id",
            "name_key",
            unique=True,
            sqlite_where=_OPEN_ONLY,
            postgresql_where=_OPEN_ONLY,
        ),
        Index("ix_candidate_role_stage", "role_id", "stage"),
    )

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="role.id", ondelete="RESTRICT")
    name: str = Field(max_length=150)
    name_key: str = Field(max_length=150)
    email: str | None = Field(default=None, max_length=254)
    links: str | None = Field(default=None, max_length=2000)
    stage: str = Field(max_length=16)
    stage_entered_at: datetime = Field(sa_column=_utc())
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc())
    # When the loop's last scorecard came in: the decision window starts here.
    feedback_complete_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # When the loop was first complete: kept when a later booking clears the above, so a
    # past loop's length (the hiring numbers) does not change after the fact.
    loop_completed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # When the sweep should next look at this candidate's clocks; NULL when none runs.
    # Set to "now" whenever a fact changes, so the sweep re-plans from stored facts.
    next_alert_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True, index=True))
    # The candidate's own deadline (a competing offer, a notice period): every running
    # clock is compressed to fit before it (docs/clocks.md, "The candidate's deadline").
    deadline_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    deadline_reason: str | None = Field(default=None, max_length=200)
    # Erased (GDPR): the personal data is gone, the anonymous record stays for the numbers.
    erased_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    erased_by: str | None = Field(default=None, max_length=32)
    # Erased at their request: digests of their email and of their name in the role
    # (bot.domain.names.erased_email_digest), never the text, so an old file imported later
    # leaves them out. Not set by the retention limit: someone who applies again may.
    erased_email_digest: str | None = Field(default=None, max_length=64, index=True)
    erased_name_digest: str | None = Field(default=None, max_length=64)
    # When the role's recruiters were told the retention limit will erase this candidate:
    # the notice goes once, and erasure waits a week after it.
    erasure_notice_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class StageEvent(SQLModel, table=True):
    """Append-only: every stage a candidate ever entered, who moved them, and why."""

    __tablename__ = "stage_event"
    __table_args__ = (Index("ix_stage_event_candidate_at", "candidate_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", ondelete="RESTRICT")
    at: datetime = Field(sa_column=_utc())
    actor_id: str = Field(max_length=32)
    from_stage: str | None = Field(default=None, max_length=16)
    to_stage: str = Field(max_length=16)
    note: str = Field(default="", max_length=MAX_NOTE)
    detail: str = Field(default="", max_length=500)


class Interview(SQLModel, table=True):
    """One interview of a candidate's loop: a plan stage at a time, with its interviewers."""

    __tablename__ = "interview"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", ondelete="RESTRICT", index=True)
    plan_stage: str = Field(max_length=32)
    starts_at: datetime = Field(sa_column=_utc())
    ends_at: datetime = Field(sa_column=_utc())
    scheduled_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc())
    # The schedule form's one-time key: the same form submitted twice books once.
    request_key: str | None = Field(default=None, max_length=32, unique=True)
    # scheduled, cancelled, no_show: only a scheduled interview's seats owe scorecards.
    status: str = Field(default="scheduled", max_length=16)
    # Bumped by every change (reschedule, panel, cancel): a form opened on an older
    # version is stale, so of two people changing one interview at once, one wins.
    version: int = Field(default=1, ge=1)
    # The template (name or "name@vN") its scorecards are written against, fixed when it
    # is booked so a later template version never changes them; NULL: the role's.
    template: str | None = Field(default=None, max_length=64)


class Seat(SQLModel, table=True):
    """An interviewer's place on an interview, and when their scorecard is due."""

    __tablename__ = "interview_seat"

    interview_id: int = Field(foreign_key="interview.id", primary_key=True, ondelete="CASCADE")
    interviewer_id: str = Field(max_length=32, primary_key=True, index=True)
    feedback_due_at: datetime = Field(sa_column=_utc(index=True))
    # When the sweep should next look at this seat's feedback clock; NULL once resolved.
    next_alert_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True, index=True))
    # The interviewer said they can't make it: flagged until the seat is re-staffed or
    # the interview moves.
    cant_make_it_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    cant_make_it_reason: str = Field(default="", max_length=MAX_REASON)
    # Starts that work for them, if they proposed any (up to three, in the order given):
    # the Reschedule form opens on the first.
    proposed_start_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    proposed_start_at_2: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    proposed_start_at_3: datetime | None = Field(default=None, sa_column=_utc(nullable=True))

    @property
    def proposals(self) -> tuple[datetime, ...]:
        """The starts they proposed, in the order they gave them."""
        given = (self.proposed_start_at, self.proposed_start_at_2, self.proposed_start_at_3)
        return tuple(at for at in given if at is not None)

    # Where the interviewer's kit DM is, so a reschedule edits it instead of adding one.
    kit_channel: str | None = Field(default=None, max_length=32)
    kit_ts: str | None = Field(default=None, max_length=32)


class CantMakeItAlert(SQLModel, table=True):
    """Where an "I can't make it" alert went (one DM per recruiter), so the change that
    settles it (a new panel, a new time, a cancellation) edits each to say so instead of
    leaving its buttons asking for a fix already made."""

    __tablename__ = "cant_make_it_alert"

    channel: str = Field(max_length=32, primary_key=True)
    ts: str = Field(max_length=32, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True, ondelete="CASCADE")
    interviewer_id: str = Field(max_length=32)


class Scorecard(SQLModel, table=True):
    """One version of an interviewer's scorecard; an edit adds a version, never overwrites."""

    __tablename__ = "scorecard"
    __table_args__ = (
        UniqueConstraint("interview_id", "interviewer_id", "version", name="uq_scorecard_version"),
        Index("ix_scorecard_candidate", "candidate_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", ondelete="RESTRICT")
    interviewer_id: str = Field(max_length=32)
    candidate_id: int = Field(foreign_key="candidate.id", ondelete="RESTRICT")
    version: int = Field(ge=1)
    recommendation: int = Field(ge=1, le=4)
    summary: str = Field(max_length=MAX_SUMMARY)
    submitted_at: datetime = Field(sa_column=_utc())


class Rating(SQLModel, table=True):
    """A competency's rating on one scorecard version: 1-4, or 0 for not assessed."""

    __tablename__ = "scorecard_rating"

    scorecard_id: int = Field(foreign_key="scorecard.id", primary_key=True, ondelete="CASCADE")
    competency: str = Field(max_length=32, primary_key=True)
    rating: int = Field(ge=0, le=4)
    evidence: str = Field(default="", max_length=MAX_EVIDENCE)


class Takehome(SQLModel, table=True):
    """A take-home assignment sent to a candidate: its window, and whether it came back."""

    __tablename__ = "takehome"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", ondelete="RESTRICT", index=True)
    sent_by: str = Field(max_length=32)
    sent_at: datetime = Field(sa_column=_utc())
    due_at: datetime = Field(sa_column=_utc())  # the candidate's submission deadline
    note: str = Field(default="", max_length=MAX_TAKEHOME_NOTE)
    status: str = Field(default="sent", max_length=16)  # sent, received, not_received
    submission_url: str | None = Field(default=None, max_length=MAX_URL)
    recorded_by: str | None = Field(default=None, max_length=32)
    recorded_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # When the sweep should next look at this take-home's window; NULL once answered.
    next_alert_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True, index=True))


class TakehomeGrader(SQLModel, table=True):
    """A person picked to grade a take-home."""

    __tablename__ = "takehome_grader"

    takehome_id: int = Field(foreign_key="takehome.id", primary_key=True, ondelete="CASCADE")
    grader_id: str = Field(max_length=32, primary_key=True, index=True)


class TakehomeGrade(SQLModel, table=True):
    """A grader's grade of a take-home: one per grader (a double submit stores once). An
    edit replaces it in place and counts in `version` (1: as first submitted)."""

    __tablename__ = "takehome_grade"
    __table_args__ = (UniqueConstraint("takehome_id", "grader_id", name="uq_takehome_grade"),)

    id: int | None = Field(default=None, primary_key=True)
    takehome_id: int = Field(foreign_key="takehome.id", ondelete="RESTRICT")
    grader_id: str = Field(max_length=32)
    summary: str = Field(max_length=MAX_SUMMARY)
    submitted_at: datetime = Field(sa_column=_utc())
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class TakehomeRating(SQLModel, table=True):
    """One part's rating in a grade: 1-4, or 0 for not assessed."""

    __tablename__ = "takehome_rating"

    grade_id: int = Field(foreign_key="takehome_grade.id", primary_key=True, ondelete="CASCADE")
    part: str = Field(max_length=32, primary_key=True)
    rating: int = Field(ge=0, le=4)
    evidence: str = Field(default="", max_length=MAX_EVIDENCE)


class Offer(SQLModel, table=True):
    """An offer extended to a candidate, and its window."""

    __tablename__ = "offer"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", ondelete="RESTRICT", index=True)
    terms: str = Field(max_length=MAX_NOTE)
    extended_by: str = Field(max_length=32)
    extended_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    # open, accepted, declined, expired; rescinded: taken back (rejected, or moved back)
    status: str = Field(default="open", max_length=16)
    decided_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    decided_by: str | None = Field(default=None, max_length=32)
    # Declined: why (a key of bot.domain.declines.REASONS; None for a decline recorded
    # before reasons were asked) and the candidate's words, which erasure removes.
    decline_reason: str | None = Field(default=None, max_length=32)
    decline_details: str | None = Field(default=None, max_length=MAX_REASON)


class ClockPause(SQLModel, table=True):
    """A recorded pause: a snooze or a candidate's request to wait. It moves a deadline."""

    __tablename__ = "clock_pause"
    __table_args__ = (Index("ix_clock_pause_candidate", "candidate_id", "clock"),)

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", ondelete="RESTRICT")
    clock: str = Field(max_length=16)  # loop, feedback, decision, offer, idle
    subject: str = Field(default="", max_length=64)  # e.g. a seat, "interview:user"
    seconds: int = Field(ge=1)
    actor_id: str = Field(max_length=32)
    at: datetime = Field(sa_column=_utc())
    reason: str = Field(default="", max_length=500)


class Alert(SQLModel, table=True):
    """One alert to one person: recorded before it is sent, marked when Slack accepts it.

    `key` is the alert's stable identity (candidate, kind, subject, deadline, repeat,
    recipient); its unique index is what makes every alert go out once.
    """

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_ready", "status", "deliver_after"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    candidate_id: int = Field(foreign_key="candidate.id", ondelete="RESTRICT", index=True)
    interview_id: int | None = Field(default=None)
    kind: str = Field(max_length=32)
    subject: str = Field(default="", max_length=64)
    recipient_id: str = Field(max_length=32)
    deadline: datetime = Field(sa_column=_utc())
    due_at: datetime = Field(sa_column=_utc())
    breach: bool = False
    # pending -> sent | failed; skipped (a later step of its chain went instead);
    # cancelled (the facts changed before it went out).
    status: str = Field(default="pending", max_length=16)
    deliver_after: datetime = Field(sa_column=_utc())
    attempts: int = 0
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    claim: str = Field(default="", max_length=32)  # which sweep holds it
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    error: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_column=_utc())


class EventReceipt(SQLModel, table=True):
    """An Events API event_id already handled: Slack's retries of it are ignored."""

    __tablename__ = "event_receipt"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(sa_column=_utc(index=True))


class WeeklyReport(SQLModel, table=True):
    """One role's weekly report for one week: recorded so it goes out once."""

    __tablename__ = "weekly_report"
    __table_args__ = (UniqueConstraint("role_id", "week", name="uq_weekly_report_week"),)

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="role.id", ondelete="CASCADE")
    week: str = Field(max_length=10)  # the Monday it covers up to, ISO date
    status: str = Field(default="pending", max_length=16)  # pending, sent, failed
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    error: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_column=_utc())


class Change(SQLModel, table=True):
    """Append-only: one change to a role, a candidate or an interview (who, when, what, why),
    for the candidate's history and the role's. Stage moves stay in stage_event. The one
    row ever changed is a note its author takes back (store.changes.take_back_note)."""

    __tablename__ = "change_record"
    __table_args__ = (
        Index("ix_change_candidate_at", "candidate_id", "at"),
        Index("ix_change_role_at", "role_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc())
    actor_id: str = Field(max_length=32)
    role_id: int | None = Field(default=None, foreign_key="role.id", ondelete="RESTRICT")
    candidate_id: int | None = Field(default=None, foreign_key="candidate.id", ondelete="RESTRICT")
    interview_id: int | None = Field(default=None, foreign_key="interview.id", ondelete="RESTRICT")
    kind: str = Field(max_length=32)  # e.g. interview_rescheduled, role_edited
    summary: str = Field(max_length=1000)  # what changed, in words
    reason: str = Field(default="", max_length=MAX_NOTE)


class Admin(SQLModel, table=True):
    """A Loopkeeper admin: seeded from LOOPKEEPER_ADMINS on first start, then kept here."""

    __tablename__ = "admin"

    user_id: str = Field(primary_key=True, max_length=32)
    added_by: str = Field(max_length=32)
    added_at: datetime = Field(sa_column=_utc())


class DayOff(SQLModel, table=True):
    """A company day off (a public holiday), set by an admin: alerts that wait for working
    hours skip the date in each recipient's own calendar, as they skip weekends."""

    __tablename__ = "day_off"

    day: date = Field(primary_key=True)
    name: str = Field(default="", max_length=MAX_DAY_OFF_NAME)
    added_by: str = Field(max_length=32)
    added_at: datetime = Field(sa_column=_utc())


class DayAway(SQLModel, table=True):
    """A day one person is away (vacation, leave), set by themselves: alerts to them that
    wait for working hours skip the date in their own calendar, as they skip a company
    day off, and an interview booked with them on it warns that they are away."""

    __tablename__ = "day_away"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_day_away_user_day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32)
    day: date
    added_at: datetime = Field(sa_column=_utc())


class AppTab(SQLModel, table=True):
    """Which tab of the app a person opened last (Slack's app_home_opened says, for the
    Home tab and for the Messages tab alike), and when. A Home tab is redrawn after a
    person's own change only while it may be in front of them: one left for the Messages
    tab is drawn fresh when it is opened again."""

    __tablename__ = "app_tab"

    user_id: str = Field(primary_key=True, max_length=32)
    tab: str = Field(max_length=16)
    opened_at: datetime = Field(sa_column=_utc())


class TemplateVersion(SQLModel, table=True):
    """A scorecard template an admin installed: its TOML, kept whole. Versions are never
    edited, so a scorecard written against one reads the same forever."""

    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_template_version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=48)
    version: int = Field(ge=1)
    source: str = Field(max_length=MAX_TEMPLATE_SOURCE)
    installed_by: str = Field(max_length=32)
    installed_at: datetime = Field(sa_column=_utc())


class DataVersion(SQLModel, table=True):
    """One row whose `n` triggers on every other table raise on each write, so a kept
    read can tell, in one statement, that nothing under it changed (bot.store.version)."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    n: int = Field(default=0)


def table_of(model: type[SQLModel]) -> Table:
    """A model's table, for a Core statement that should not go through the ORM: one
    that only writes columns nothing in its transaction reads again."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]  # set by table=True
