"""The `/hire` grammar, Slack-free: what a person typed, turned into a request."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from bot.domain.days_off import MAX_SPAN, days_from
from bot.domain.limits import MAX_DAY_OFF_NAME
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
    "holidays",
    "away",
    "interviews",
    "note",
    "notes",
    "history",
    "deadline",
)
STAGE_NAMES = ", ".join(s.value for s in (*PATH, Stage.REJECTED, Stage.WITHDRAWN))

_MOVE = re.compile(r"^(?P<name>.+?)\s+to\s+(?P<stage>[^\s:]+)\s*(?::\s*(?P<reason>.*))?$", re.S)
# `2026-12-25`, or a range `2026-12-24..2026-12-26` (spaces around the dots allowed),
# then an optional name. ASCII digits only: `\d` would take Arabic-Indic ones too.
_DAYS = re.compile(
    r"^(?P<first>[^\s.]+)(?:\s*\.\.\s*(?P<last>[^\s.]+))?(?:\s+(?P<name>.*))?$", re.S
)
_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


# Slack's markup in a command's text (the manifest asks for it: `should_escape`): a
# mention <@U123|jane>, a channel <#C123|hiring>, a link <https://x|x>, an email
# <mailto:a@b.co|a@b.co>, a special mention <!here>. What a person typed that looks like
# markup arrives as entities (&lt;), so real markup is always between real brackets.
_MARKUP = re.compile(r"<([^<>]*)>")


def typed(text: str) -> str:
    """A command's text as the person typed it, from Slack's escaped form: the entities
    of `&`, `<` and `>` decoded; a link, an email or a channel as its text. A mention of
    a person stays Slack's token, `<@U123>` (with its `|name` dropped), which names them
    exactly: `/hire admin add @jane` is read from it."""

    def plain(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return f"<{target}>"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):  # <!here>, <!subteam^S1|@team>: as Slack shows it
            return label or f"@{target[1:]}"
        return label or target.removeprefix("mailto:")

    return unescaped(_MARKUP.sub(plain, text))


def unescaped(text: str) -> str:
    """Text with Slack's three entities decoded: Slack sends what people type of `&`, `<`
    and `>` as `&amp;`, `&lt;` and `&gt;`, in commands and messages alike."""
    # &amp; last: "&amp;lt;" is what typing "&lt;" gives, and it must stay "&lt;".
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class CommandError(Exception):
    """Input that cannot be understood; the message says what to type instead."""


@dataclass(frozen=True)
class Command:
    sub: str
    rest: str


@dataclass(frozen=True)
class DaysRequest:
    """`/hire holidays add|remove`: one date or a range, and the name given to them."""

    first: date
    last: date
    name: str

    @property
    def days(self) -> list[date]:
        return days_from(self.first, self.last)


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


# What an interviewer types looking for their own work: `/hire feedback` lists it.
OWN_WORK = frozenset(
    {
        "mine",
        "my",
        "me",
        "todo",
        "tasks",
        "scorecard",
        "scorecards",
        "interview",
        "interviews",
        "grade",
        "grades",
        "grading",
        "kit",
        "kits",
        "cant",
        "can't",
        "assignments",
    }
)


def meant_command(text: str) -> str | None:
    """The subcommand a mistyped first word most likely meant (`stauts` → `status`;
    `mine`, `my interviews` → `feedback`), for an answer that found no candidate by the
    whole line; None when none is that close."""
    words = text.strip().split(maxsplit=1)
    if words and words[0].lower() in OWN_WORK:
        return "feedback"
    if not words or words[0].lower() in SUBCOMMANDS:
        return None
    close = difflib.get_close_matches(words[0].lower(), SUBCOMMANDS, n=1, cutoff=0.75)
    return close[0] if close else None


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
        typed = match["stage"]
        close = difflib.get_close_matches(typed.strip().lower(), [s.value for s in Stage], n=1)
        name = match["name"].strip()
        meant = (
            f" Did you mean `/hire move {name} to {close[0]}`?"
            if close
            else " Example: `/hire move Jane Doe to rejected: took another offer`."
        )
        raise CommandError(f"I don't know the stage “{typed}”. Stages are: {STAGE_NAMES}.{meant}")
    return MoveRequest(match["name"].strip(), stage, (match["reason"] or "").strip())


def _days_example(verb: str, command: str = "holidays") -> str:
    named = verb == "add" and command == "holidays"
    name = " Christmas Day" if named else ""
    span = " Winter break" if named else ""
    return (
        f"`/hire {command} {verb} 2026-12-25{name}`, or a range: "
        f"`/hire {command} {verb} 2026-12-24..2026-12-26{span}`"
    )


def _not_a_date(text: str, verb: str, command: str) -> CommandError:
    shown = text if len(text) <= 40 else text[:39] + "…"
    return CommandError(
        f"I can't read “{shown}” as a date: write it year-month-day. "
        f"Example: {_days_example(verb, command)}."
    )


def _iso_day(text: str, verb: str, command: str) -> date:
    if _ISO_DAY.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:  # 2026-02-30: the shape of a date, but no such day
            raise CommandError(
                f"There is no day {text} in the calendar: check its month and day. "
                f"Example: {_days_example(verb, command)}."
            ) from None
    raise _not_a_date(text, verb, command)


def parse_days(rest: str, *, verb: str, command: str = "holidays") -> DaysRequest:
    """The days of `/hire holidays add|remove` (`verb`): a date or a range of at most
    MAX_SPAN days, then, for add, an optional name (a remove ignores what follows).
    `/hire away add|remove` (`command="away"`) takes the dates alone: a day away has no
    name, so words after them are a date mistyped (`2026-12-24 to 2026-12-26`)."""
    text = rest.strip()
    if not text:
        raise CommandError(f"Which day? Example: {_days_example(verb, command)}.")
    match = _DAYS.match(text)
    if match is None:
        raise _not_a_date(text.split()[0], verb, command)
    first = _iso_day(match["first"], verb, command)
    last = _iso_day(match["last"], verb, command) if match["last"] else first
    if command != "holidays" and match["name"]:
        raise _not_a_date(" ".join(match["name"].split()), verb, command)
    if last < first:
        raise CommandError(
            f"{first.isoformat()}..{last.isoformat()} ends before it starts: put the "
            f"earlier date first. Example: {_days_example(verb, command)}."
        )
    span = (last - first).days + 1
    if span > MAX_SPAN:
        raise CommandError(
            f"That range is {span} days; one command takes at most {MAX_SPAN}, so give it in "
            f"parts. Example: `/hire {command} {verb} 2026-12-01..2026-12-31`."
        )
    name = " ".join((match["name"] or "").split()) if verb == "add" else ""
    if len(name) > MAX_DAY_OFF_NAME:
        raise CommandError(
            f"A day off's name can be at most {MAX_DAY_OFF_NAME} characters; "
            f"that one has {len(name)}."
        )
    return DaysRequest(first, last, name)
