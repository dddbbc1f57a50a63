"""The answer to `/hire interviews`: a hiring team's interviews to come, soonest first,
each with its candidate's card, and what needs the team."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.days_off import label
from bot.readmodels.schedule import AHEAD, Ahead, InterviewAhead
from bot.slack.blocks.candidates import card_button
from bot.slack.blocks.common import clip, context, esc, plural, section, users, when
from bot.slack.blocks.days_away import BY_UTC

SHOWN = 15  # interviews with their button; a message holds 50 blocks
PAGE = "interviews_page"  # Earlier / Next: value "<first shown>:<role filter>"


def interviews_message(
    ahead: Ahead, interviews: list[InterviewAhead], *, zones_known: bool, start: int = 0
) -> tuple[str, list[Block]]:
    """`interviews`: ahead's seats as interviews (readmodels.schedule.by_interview);
    SHOWN of them from `start` (a page the list's buttons asked for)."""
    query = ahead.query
    if ahead.roles == 0:
        text = (
            f"No role of yours matches “{esc(query)}”. Try `/hire interviews` for all your roles."
        )
        return text, [section(text)]
    scope = f" of roles matching “{esc(query)}”" if query else ""
    days = AHEAD.days
    window = f"the next {days} days (to {label(ahead.until.date())})"
    if not interviews:
        text = f"No interviews{scope} in {window}."
        return text, [
            section(text),
            context("Book one from a candidate's card, or with `/hire schedule Jane Doe`."),
        ]
    needing = [i for i in interviews if i.cant_make_it or i.away]
    text = f"{plural(len(interviews), 'interview')}{scope} in {window}"
    if needing:
        text += f"; {plural(len(needing), 'interview')} with someone who can't make it or is away"
    text += "."
    # A page asked for may be past the end now (interviews were cancelled meanwhile).
    start = max(0, min(start, (len(interviews) - 1) // SHOWN * SHOWN))
    page = interviews[start : start + SHOWN]
    blocks: list[Block] = [section(f"*Interviews to come*{scope}: {window}")]
    blocks += [_interview(entry) for entry in page]
    how = "Open a card to reschedule an interview or change its interviewers."
    if len(interviews) > SHOWN:
        shown = f"{start + 1} to {start + len(page)}" if len(page) > 1 else str(start + 1)
        how = f"Showing {shown} of {len(interviews)}, soonest first. " + how
    if needing and not zones_known:
        how += " " + BY_UTC
    blocks.append(context(how))
    turns = _page_buttons(start, len(interviews), query)
    if turns:
        blocks.append(ActionsBlock(elements=turns))
    return text, blocks


def _page_buttons(start: int, total: int, query: str) -> list[ButtonElement]:
    buttons = []
    if start > 0:
        earlier = max(0, start - SHOWN)
        buttons.append(
            ButtonElement(text="Earlier", action_id=f"{PAGE}_earlier", value=f"{earlier}:{query}")
        )
    after = start + SHOWN
    if after < total:
        buttons.append(
            ButtonElement(
                text=f"Next {min(SHOWN, total - after)}",
                action_id=f"{PAGE}_next",
                value=f"{after}:{query}",
            )
        )
    return buttons


def _interview(entry: InterviewAhead) -> SectionBlock:
    lines = [
        f"*{when(entry.starts_at)}* · *{esc(entry.candidate_name)}*, "
        f"{esc(entry.stage_name)} ({esc(entry.role_title)})",
        users(entry.interviewers),
    ]
    if entry.cant_make_it:
        lines.append(f":warning: {users(entry.cant_make_it)} can't make it")
    if entry.away:
        lines.append(f":palm_tree: {users(entry.away)} away that day")
    return SectionBlock(
        text=MarkdownTextObject(text=clip("\n".join(lines), 3000)),
        # The card opens under the list, which stays for the next one.
        accessory=card_button(entry.candidate_id, key=entry.interview_id, beside=True),
    )
