"""The weekly report message of a role's private channel."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import Block, HeaderBlock

from bot.domain.stages import OPEN_STAGES
from bot.readmodels.weekly import Weekly
from bot.slack.blocks.common import clip, context, esc, section, when
from bot.slack.blocks.pipeline import numbers_line


def _loops(pair: tuple[int, int]) -> str:
    inside, total = pair
    return f"{inside} of {total}" if total else "none"


def weekly_message(numbers: Weekly, *, due: datetime | None = None) -> tuple[str, list[Block]]:
    """The week's report. `due`: when it should have gone, for one posted late (the app was
    not running then): it says so, as its numbers are of that week and its counts of now."""
    role = numbers.role
    text = f"Weekly report for {esc(role.title)}, week to {numbers.week:%d %b %Y}"
    counts = " · ".join(f"{s.value} {numbers.counts.get(s, 0)}" for s in OPEN_STAGES)
    medians = " · ".join(
        f"{s.value} {numbers.median_days[s]:.1f} d" for s in OPEN_STAGES if s in numbers.median_days
    )
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Weekly: {role.title}", 150)),
        section(f"*Candidates per stage*\n{counts}"),
        section(
            f"*Loops completed inside {role.loop_days} days*\n"
            f"this week {_loops(numbers.loops_this_week)} · "
            f"last week {_loops(numbers.loops_last_week)}"
        ),
        section(f"*Median days per stage*\n{medians or 'not enough history yet'}"),
        *(
            [section(f"*Hiring numbers*\n{numbers_line(numbers.numbers)}")]
            if numbers.numbers is not None
            else []
        ),
        context(f"{esc(role.title)} · the chart follows. `/hire pipeline` has every candidate."),
    ]
    if due is not None:
        blocks.insert(
            1,
            context(
                f"Posted late: it was due {when(due)}, when Loopkeeper was not running. The "
                "week's figures are to then; the candidates per stage are as of now."
            ),
        )
    return text, blocks
