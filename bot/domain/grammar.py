"""The `/hire` grammar, Slack-free: what a person typed, turned into a request."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.stages import PATH, Stage, parse_stage

SUBCOMMANDS = (
    "help",
    "status",
    "add",
    "move",
    "schedule",
    "feedback",
    "offer",
    "pipeline",
    "role",
    "admin",
    "export",
    "edit",
    "erase",
    "export-person",
)
STAGE_NAMES = ", ".join(s.value for s in (*PATH, Stage.REJECTED, Stage.WITHDRAWN))

_MOVE = re.compile(r"^(?P<name>.+?)\s+to\s+(?P<stage>[^\s:]+)\s*(?::\s*(?P<reason>.*))?$", re.S)


class CommandError(Exception):
    """Input that cannot be understood; the message says what to type instead."""


@dataclass(frozen=True)
class Command:
    sub: str
    rest: str


@dataclass(frozen=True)
class MoveRequest:
    name: str
    stage: Stage | None
    reason: str


def parse(text: str) -> Command:
    words = text.strip().split(maxsplit=1)
    if not words:
        return Command("help", "")
    sub = words[0].lower()
    rest = words[1].strip() if len(words) > 1 else ""
    # "/hire Jane Doe" most likely means "where is Jane Doe?"
    if sub not in SUBCOMMANDS:
        return Command("status", text.strip())
    return Command(sub, rest)


def parse_move(rest: str) -> MoveRequest:
    if not rest:
        raise CommandError(
            "Tell me who to move, e.g. `/hire move Jane Doe` or `/hire move Jane Doe to screening`."
        )
    match = _MOVE.match(rest)
    if not match:
        return MoveRequest(rest, None, "")
    stage = parse_stage(match["stage"])
    if stage is None:
        raise CommandError(
            f"I don't know the stage “{match['stage']}”. Stages are: {STAGE_NAMES}. "
            "Example: `/hire move Jane Doe to rejected: took another offer`."
        )
    return MoveRequest(match["name"].strip(), stage, (match["reason"] or "").strip())
