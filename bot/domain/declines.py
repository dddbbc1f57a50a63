"""Why a candidate said no to an offer: one of a few reasons a recruiter picks, which the
hiring numbers can count ("three of five declines were compensation" is something a
team can act on), and the candidate's own words beside it, which only the team reads."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.limits import MAX_REASON, too_long

# Key (stored on the offer) -> what people read. The keys never change once stored;
# the words may.
REASONS: dict[str, str] = {
    "compensation": "Compensation",
    "other_offer": "Took another offer",
    "counteroffer": "Stayed with their employer",
    "role": "The role or its level",
    "location": "Location or remote work",
    "timing": "Timing or personal reasons",
    "other": "Another reason",
}

PICK_ONE = "Pick the reason closest to what they said."
DETAILS_FOR_OTHER = "Say in a few words why they declined: the reason is 'Another reason'."


@dataclass(frozen=True)
class Decline:
    reason: str  # a key of REASONS
    details: str  # the candidate's own words, as the recruiter wrote them; may be ""

    @property
    def said(self) -> str:
        """The reason as people read it, with the details: "Compensation: asked for 10% more"."""
        words = REASONS.get(self.reason, self.reason)
        return f"{words}: {self.details}" if self.details else words


def checked_decline(reason: str | None, details: str) -> tuple[Decline | None, dict[str, str]]:
    """The decline a form describes, or the errors under its fields (`reason`,
    `details`). 'Another reason' needs the details, or it says nothing."""
    errors: dict[str, str] = {}
    details = details.strip()
    if reason not in REASONS:
        errors["reason"] = PICK_ONE
    elif reason == "other" and not details:
        errors["details"] = DETAILS_FOR_OTHER
    if problem := too_long("details", details, MAX_REASON):
        errors["details"] = problem
    if errors:
        return None, errors
    assert reason is not None
    return Decline(reason, details), {}


def reason_counts(reasons: list[str | None]) -> list[tuple[str, int]]:
    """How many declines gave each reason, most first (ties in REASONS' order); declines
    recorded without one (before reasons were asked) are not counted."""
    counts = {key: reasons.count(key) for key in REASONS}
    ordered = sorted(REASONS, key=lambda key: -counts[key])
    return [(REASONS[key], counts[key]) for key in ordered if counts[key]]
