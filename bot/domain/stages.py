"""The stage machine: which moves are legal, and what a move says about itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Stage(StrEnum):
    SOURCED = "sourced"
    SCREENING = "screening"
    INTERVIEWING = "interviewing"
    DECISION = "decision"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_closed(self) -> bool:
        return self in CLOSED


# The forward path; `rejected` and `withdrawn` can be reached from any open stage.
PATH: tuple[Stage, ...] = (
    Stage.SOURCED,
    Stage.SCREENING,
    Stage.INTERVIEWING,
    Stage.DECISION,
    Stage.OFFER,
    Stage.HIRED,
)
CLOSED = frozenset({Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN})
OPEN_STAGES: tuple[Stage, ...] = tuple(s for s in PATH if s not in CLOSED)
EXITS = (Stage.REJECTED, Stage.WITHDRAWN)
NEEDS_REASON = frozenset(EXITS)
# Interviews can be added until an offer goes out; scorecards stay editable as long.
SCHEDULABLE = frozenset({Stage.SOURCED, Stage.SCREENING, Stage.INTERVIEWING, Stage.DECISION})


class IllegalMove(Exception):
    """A move the stage machine refuses; the message explains it to a person.

    `needs_reason`: the move itself is fine but wants a reason, so a form can point at
    its reason field and a command can show how to give one (never read from the text).
    """

    def __init__(self, why: str, *, needs_reason: bool = False) -> None:
        super().__init__(why)
        self.needs_reason = needs_reason


@dataclass(frozen=True)
class Move:
    """A legal move, with what the event log should say about it."""

    from_stage: Stage
    to_stage: Stage
    skipped: tuple[Stage, ...] = ()
    backwards: bool = False

    def describe(self) -> str:
        if self.skipped:
            names = ", ".join(s.value for s in self.skipped)
            return f"jumped from {self.from_stage.value} to {self.to_stage.value}, skipping {names}"
        if self.backwards:
            return f"moved back from {self.from_stage.value} to {self.to_stage.value}"
        return ""


def parse_stage(text: str) -> Stage | None:
    word = text.strip().lower()
    aliases = {"reject": Stage.REJECTED, "withdraw": Stage.WITHDRAWN, "hire": Stage.HIRED}
    if word in aliases:
        return aliases[word]
    try:
        return Stage(word)
    except ValueError:
        return None


def next_stage(current: Stage) -> Stage | None:
    if current.is_closed:
        return None
    return PATH[PATH.index(current) + 1]


def targets(current: Stage) -> list[Stage]:
    """Every stage a candidate in `current` may be moved to, in display order."""
    if current.is_closed:
        return []
    return [s for s in PATH if s != current and _check(current, s) is None] + list(EXITS)


def _check(current: Stage, target: Stage) -> str | None:
    if current.is_closed:
        return (
            f"the candidate is already {current.value}, which is final. "
            "If they are back in the running, add them again with `/hire add`."
        )
    if target == current:
        return f"the candidate is already in {current.value}."
    if target == Stage.HIRED and current != Stage.OFFER:
        return "only a candidate with an offer can be hired: move them to offer first."
    return None


def plan_move(current: Stage, target: Stage, *, reason: str = "") -> Move:
    """Check a move and describe it; raises IllegalMove with a person-readable why."""
    problem = _check(current, target)
    if problem:
        raise IllegalMove(problem)
    if target in NEEDS_REASON and not reason.strip():
        raise IllegalMove(
            f"moving a candidate to {target.value} needs a reason.", needs_reason=True
        )
    if target in EXITS:
        return Move(current, target)
    here, there = PATH.index(current), PATH.index(target)
    return Move(
        current,
        target,
        skipped=PATH[here + 1 : there] if there > here + 1 else (),
        backwards=there < here,
    )


# A move put right soon enough is a slip undone, not a new start.
UNDO_WINDOW = timedelta(hours=1)


def undone_entry(
    moves: Sequence[tuple[str | None, str, datetime]], move: Move, now: datetime
) -> datetime | None:
    """When `move` puts a candidate back in the stage a move of less than UNDO_WINDOW ago
    took them out of: when they had entered it. Their clocks run from then again, as if
    the slip never happened; moving back and forth must not wipe an overdue loop.
    `moves`: the candidate's stage moves (from, to, at), latest first, notes left out."""
    if len(moves) < 2:
        return None
    (last_from, last_to, last_at), (_, entered_to, entered_at) = moves[0], moves[1]
    undoes = last_from == move.to_stage.value and last_to == move.from_stage.value
    if undoes and entered_to == move.to_stage.value and now - last_at <= UNDO_WINDOW:
        return entered_at
    return None
