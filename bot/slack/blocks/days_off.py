"""The answers to `/hire holidays`: the company days off ahead, and what a change did."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import Block

from bot.domain.days_off import label, runs, span_label, spans
from bot.slack.blocks.common import context, esc, fold, section
from bot.store.tables import DayOff
from bot.usecases.days_off import Added, Removed

ADD_EXAMPLE = "`/hire holidays add 2026-12-25 Christmas Day`"
USAGE = (
    "`/hire holidays` lists the company days off. Admins add one with "
    f"{ADD_EXAMPLE} (the name is optional), or a range of up to 31 days with "
    "`/hire holidays add 2026-12-24..2026-12-26 Winter break`, and remove one with "
    "`/hire holidays remove 2026-12-25`."
)
WHAT_THEY_DO = (
    "Nudges, warnings and idle reminders skip these days, in each person's own time "
    "zone, as they skip weekends; alerts that something is already overdue still go "
    "at once."
)
NONE_SET = (
    "No company days off are set: alerts that wait for working hours skip weekends only. "
    f"An admin adds one with {ADD_EXAMPLE}."
)


def _span_line(span: list[DayOff]) -> str:
    when = span_label(span[0].day, span[-1].day)
    return f"• {when}: {esc(span[0].name)}" if span[0].name else f"• {when}"


def days_off_message(days_off: list[DayOff]) -> tuple[str, list[Block]]:
    if not days_off:
        return NONE_SET, [section(NONE_SET)]
    # Consecutive days under one name read as one line.
    found = spans(days_off, day=lambda d: d.day, same=lambda d: d.name)
    lines = [_span_line(span) for span in found]
    text = fold(f"Company days off ahead ({len(days_off)}):", lines, more="…and {n} more.")
    return text, [
        section(text),
        context(
            f"{WHAT_THEY_DO} Admins: {ADD_EXAMPLE} adds one; "
            "`/hire holidays remove 2026-12-25` removes one."
        ),
    ]


def _are(days: list[date] | set[date], one: str, many: str) -> str:
    return f"{runs(days)} {one if len(days) == 1 else many}"


def added(result: Added, name: str) -> str:
    already = [d.day for d in result.already]
    if not result.added:
        if len(result.already) == 1 and result.already[0].name:
            one = result.already[0]
            return f"{label(one.day)} is already a day off ({esc(one.name)}); nothing changed."
        return f"{_are(already, 'is already a day off', 'are already days off')}; nothing changed."
    named = f": {esc(name)}" if name else ""
    answer = _are(result.added, "is now a company day off", "are now company days off")
    answer += f"{named}."
    if already:
        kept = _are(already, "already was one and stays", "already were and stay")
        answer += f" {kept} as {'it was' if len(already) == 1 else 'they were'}."
    return answer


def removed(result: Removed) -> str:
    if not result.removed:
        return (
            _are(result.absent, "is not a day off", "are not days off")
            + ", so nothing changed. `/hire holidays` lists them."
        )
    gone = [d.day for d in result.removed]
    if len(result.removed) == 1 and result.removed[0].name:
        answer = f"{label(gone[0])} ({esc(result.removed[0].name)}) is no longer a day off."
    else:
        answer = _are(gone, "is no longer a day off", "are no longer days off") + "."
    if result.absent:
        answer += " " + _are(result.absent, "was not one", "were not days off") + "."
    return answer
