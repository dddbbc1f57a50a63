"""An interview's life after it is booked, Slack-free."""

from __future__ import annotations

from enum import StrEnum


class InterviewStatus(StrEnum):
    """Only a scheduled interview's seats owe scorecards: a cancelled one, or one the
    candidate did not come to, keeps its history but no clock runs on it."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return {"scheduled": "scheduled", "cancelled": "cancelled", "no_show": "no-show"}[
            self.value
        ]


class InterviewChange(StrEnum):
    """The change record's kinds for interviews (Change.kind)."""

    BOOKED = "interview_booked"
    RESCHEDULED = "interview_rescheduled"
    PANEL = "interview_panel"
    CANCELLED = "interview_cancelled"
    NO_SHOW = "interview_no_show"
    CANT_MAKE_IT = "interview_cant_make_it"
