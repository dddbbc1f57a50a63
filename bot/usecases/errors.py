"""What a use case raises when it will not do what was asked: the exception carries
the facts (fields and their messages, the card as it is now) for the listener to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.usecases.candidates import CandidateCard

# One answer for a candidate who does not exist and for one the person may not see, so
# that nobody learns a candidate exists by being refused.
NOT_FOUND = "I can't find that candidate among the roles you hire for."


class FormErrors(Exception):
    """Field name -> message, for a modal to show under each field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class FutureWords:
    """What a form says of a time picked for later: none picked, passed, too far ahead."""

    missing: str
    past: str
    too_far: str


def future_problem(
    at: datetime | None, *, now: datetime, within: timedelta, words: FutureWords
) -> str | None:
    """Why a time picked on a form is not a time after `now` and at most `within` ahead,
    or None: a take-home's due time, an offer's expiry, a candidate's deadline."""
    if at is None:
        return words.missing
    if at <= now:
        return words.past
    if at > now + within:
        return words.too_far
    return None


class NotAllowed(Exception):
    """The person may not do this; the message says why, without revealing candidates."""


class StaleMove(Exception):
    """Someone moved the candidate since the mover looked; the card shows where they are now."""

    def __init__(self, current: CandidateCard) -> None:
        super().__init__(current.candidate.stage)
        self.current = current
