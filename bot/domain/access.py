"""Who may see and do what. Plain functions of ids, so they are easy to test."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

# A Slack user id (U… or, in Enterprise Grid, W…); anything else is refused, not stored.
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
# Who the history names for what the app's own clocks did (an offer expiring): no person.
SYSTEM_ACTOR = "loopkeeper"


def is_user_id(text: str) -> bool:
    return _USER_ID.match(text) is not None


class Hat(StrEnum):
    """A place on a role's hiring team. Being an admin is not one: admins are the
    admin table's (is_admin) and see no candidates unless a team names them."""

    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring manager"


@dataclass(frozen=True)
class Team:
    """A role's hiring team: the people who may see and act on its candidates."""

    hiring_manager_id: str
    recruiter_ids: frozenset[str]

    @property
    def bookers(self) -> list[str]:
        """Who hears that an interview needs moving or restaffing: the recruiters, who
        book them, or the hiring manager of a role that has none."""
        return sorted(self.recruiter_ids) or [self.hiring_manager_id]

    @property
    def members(self) -> list[str]:
        """The hiring manager and the recruiters, each once: who decides, and who hears
        what the rest of the team did."""
        return sorted({self.hiring_manager_id, *self.recruiter_ids})

    def hats(self, user_id: str) -> set[Hat]:
        hats = set()
        if user_id == self.hiring_manager_id:
            hats.add(Hat.HIRING_MANAGER)
        if user_id in self.recruiter_ids:
            hats.add(Hat.RECRUITER)
        return hats


def is_admin(user_id: str, admins: Collection[str]) -> bool:
    return user_id in admins


def can_set_days_away(
    actor_id: str, person_id: str, *, admins: Collection[str], teams: Iterable[Team]
) -> bool:
    """Anyone sets their own days away. Someone else's: an admin, or anyone on a role's
    hiring team (recruiters and hiring managers book the interviews those days are for,
    and hear first when an interviewer is off)."""
    if actor_id == person_id or is_admin(actor_id, admins):
        return True
    return any(team.hats(actor_id) for team in teams)


def can_create_role(user_id: str, admins: Collection[str]) -> bool:
    return is_admin(user_id, admins)


def can_see_candidates(user_id: str, team: Team) -> bool:
    # Admins install and configure; they are not on a role's team unless named on it.
    return bool(team.hats(user_id))


def can_add_candidates(user_id: str, team: Team) -> bool:
    return bool(team.hats(user_id) & {Hat.RECRUITER, Hat.HIRING_MANAGER})


def can_move_candidates(user_id: str, team: Team) -> bool:
    # Recruiters move stages; the hiring manager makes the decision, so both may.
    return bool(team.hats(user_id) & {Hat.RECRUITER, Hat.HIRING_MANAGER})
