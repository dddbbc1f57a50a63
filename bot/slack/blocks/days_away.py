"""The answers to `/hire away`: a person's own days away ahead, and what a change did."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import Block, ButtonElement, MarkdownTextObject, SectionBlock

from bot.domain.days_off import MAX_SPAN, runs, span_label, spans
from bot.slack.blocks.common import context, esc, fold, section, when
from bot.slack.blocks.interview_changes import CANT_MAKE_IT
from bot.store.interviews import SeatRow

ADD_EXAMPLE = "`/hire away add 2026-12-24`"
RANGE_EXAMPLE = "`/hire away add 2026-12-24..2027-01-02`"
USAGE = (
    "`/hire away` lists your own days away (vacation, leave). Add one with "
    f"{ADD_EXAMPLE}, or a range of up to {MAX_SPAN} days with {RANGE_EXAMPLE}, and "
    "remove one with `/hire away remove 2026-12-24`."
)
WHAT_THEY_DO = (
    "Your nudges and reminders skip these days, in your own time zone, and wait until "
    "you are back; alerts that something is already overdue still go at once. Whoever "
    "books an interview with you on one of them is warned that you are away."
)
NONE_SET = f"You have no days away set. Add one with {ADD_EXAMPLE}, or a range: {RANGE_EXAMPLE}."


def days_away_message(days: list[date]) -> tuple[str, list[Block]]:
    if not days:
        return NONE_SET, [section(NONE_SET), context(WHAT_THEY_DO)]
    # Consecutive days read as one line: a fortnight's leave is one span.
    found = spans(days, day=lambda d: d, same=lambda _: None)
    lines = [f"• {span_label(span[0], span[-1])}" for span in found]
    text = fold(f"Your days away ahead ({len(days)}):", lines, more="…and {n} more.")
    return text, [
        section(text),
        context(
            f"{WHAT_THEY_DO} {ADD_EXAMPLE} adds one; `/hire away remove 2026-12-24` removes one."
        ),
    ]


def _are(days: list[date], one: str, many: str) -> str:
    return f"{runs(days)} {one if len(days) == 1 else many}"


def added(added: list[date], already: list[date]) -> str:
    if not added:
        return (
            _are(already, "is already one of your days away", "are already your days away")
            + "; nothing changed."
        )
    answer = _are(added, "is now a day away for you", "are now days away for you") + "."
    if already:
        answer += " " + _are(already, "already was one", "already were") + "."
    return answer


def removed(removed: list[date], absent: list[date]) -> str:
    if not removed:
        return (
            _are(absent, "is not one of your days away", "are not among your days away")
            + ", so nothing changed. `/hire away` lists them."
        )
    answer = _are(removed, "is no longer a day away", "are no longer days away") + "."
    if absent:
        answer += " " + _are(absent, "was not one", "were not days away") + "."
    return answer


# Interviews listed with their button in one DM; past these, the Home tab lists them all.
BOOKED_SHOWN = 10


def booked_while_away(seats: list[SeatRow]) -> tuple[str, list[Block]]:
    """After days away are added: the person's interviews on them, each with the kit's
    "I can't make it", which tells the recruiters."""
    names = ", ".join(sorted({seat.candidate_name for seat in seats}))
    interviews = "an interview" if len(seats) == 1 else f"{len(seats)} interviews"
    text = f"You are booked for {interviews} on your days away ({names})."
    blocks: list[Block] = [section(f":palm_tree: {esc(text)}")]
    for seat in seats[:BOOKED_SHOWN]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{esc(seat.candidate_name)}* · {esc(seat.role_title)}\n"
                    f"{when(seat.starts_at)}"
                ),
                accessory=ButtonElement(
                    text="I can't make it", action_id=CANT_MAKE_IT, value=str(seat.interview_id)
                ),
            )
        )
    more = len(seats) - BOOKED_SHOWN
    if more > 0:
        blocks.append(context(f"…and {more} more: your Home tab lists them all."))
    blocks.append(
        context(
            "They stay booked until the recruiters hear otherwise: if you can't make one, "
            "say so with its button, and they can find someone else or move it."
        )
    )
    return esc(text), blocks
