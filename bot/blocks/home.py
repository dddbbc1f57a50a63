"""The App Home tab: what is waiting on the person who opens it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock
from slack_sdk.models.views import View

from bot.blocks.common import clip, context, esc, section, when
from bot.blocks.interviews import assignment_blocks
from bot.feedback import Assignment

MAX_ITEMS = 40  # a Home tab holds 100 blocks; two lists of 40 leave room for headings


def home_view(assignments: Sequence[Assignment], *, now: datetime) -> View:
    pending = [a for a in assignments if a.pending]
    upcoming = sorted(
        (a for a in assignments if a.interview.starts_at > now),
        key=lambda a: a.interview.starts_at,
    )
    submitted = [a for a in assignments if not a.pending]
    blocks: list[Block] = [HeaderBlock(text="Your interviews")]

    blocks.append(section(f"*Scorecards to submit* ({len(pending)})"))
    if pending:
        blocks.extend(assignment_blocks(pending, now)[:MAX_ITEMS])
    else:
        blocks.append(context("Nothing waiting on you. :tada:"))

    blocks.append(DividerBlock())
    blocks.append(section(f"*Upcoming interviews* ({len(upcoming)})"))
    if upcoming:
        lines = [
            f"• {when(a.interview.starts_at)}: *{esc(a.candidate.name)}*, {esc(a.stage_name)} "
            f"({esc(a.role.title)})"
            for a in upcoming[:MAX_ITEMS]
        ]
        blocks.append(section(clip("\n".join(lines), 3000)))
    else:
        blocks.append(context("No interviews scheduled for you."))

    if submitted:
        blocks.append(DividerBlock())
        blocks.append(section(f"*Submitted, still editable* ({len(submitted)})"))
        room = 100 - len(blocks) - 1
        blocks.extend(assignment_blocks(submitted, now)[: max(0, room)])
    blocks.append(
        context(
            "Type `/hire help` for every command. `/hire feedback` lists your scorecards anywhere."
        )
    )
    return View(type="home", blocks=blocks[:100])
