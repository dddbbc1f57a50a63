"""Keyword-only data functions. They take a session and never commit: the caller's
transaction decides, so a handler's steps land together or not at all."""

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store import alerts
from bot.store.alerts import add_pause, open_offer, touch
from bot.store.candidates import (
    DuplicateCandidate,
    StaleStage,
    add_candidate,
    candidates_visible_to,
    get_candidate,
    interviews_for,
    move_candidate,
    open_candidate_named,
    recent_events,
)
from bot.store.interviews import (
    ScorecardConflict,
    add_interview,
    add_scorecard,
    current_scorecard,
    get_interview,
    get_scorecard,
    interviewer_ids_of,
    latest_versions,
    lock_candidate,
    ratings_of,
    scorecards_of,
    seats_for,
    seats_of,
    set_feedback_complete,
    submitted_interview_ids,
)
from bot.store.roles import (
    DuplicateRole,
    RoleWithTeam,
    create_role,
    on_team,
    role_by_title,
    role_with_team,
    roles_for_user,
)

__all__ = [
    "AsyncSession",
    "DuplicateCandidate",
    "DuplicateRole",
    "RoleWithTeam",
    "ScorecardConflict",
    "StaleStage",
    "add_candidate",
    "add_interview",
    "add_pause",
    "add_scorecard",
    "alerts",
    "candidates_visible_to",
    "create_role",
    "current_scorecard",
    "get_candidate",
    "get_interview",
    "get_scorecard",
    "interviewer_ids_of",
    "interviews_for",
    "latest_versions",
    "lock_candidate",
    "move_candidate",
    "on_team",
    "open_candidate_named",
    "open_offer",
    "ratings_of",
    "recent_events",
    "role_by_title",
    "role_with_team",
    "roles_for_user",
    "scorecards_of",
    "seats_for",
    "seats_of",
    "set_feedback_complete",
    "submitted_interview_ids",
    "touch",
]
