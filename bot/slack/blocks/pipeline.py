"""A role's pipeline: candidates by stage with flags, counts and median days."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, DividerBlock

from bot.domain.hiring_numbers import HiringNumbers, days, fill_summary
from bot.domain.stages import OPEN_STAGES, PATH, Stage
from bot.readmodels.pipelines import PipelineRow, RolePipeline
from bot.slack.blocks.common import clip, context, esc, section
from bot.slack.blocks.roles import role_buttons, role_title

MAX_ROLES = 5  # eight blocks a role, inside a message's 50
MAX_LINES = 25


def _days(value: float) -> str:
    return f"{value:.1f} d"


def numbers_line(numbers: HiringNumbers) -> str:
    """A role's hiring numbers in one line (the README says how each is counted)."""
    fill = fill_summary(numbers)
    parts = [fill[:1].upper() + fill[1:]]
    if numbers.median_time_to_hire is not None:
        parts.append(f"time to hire {days(numbers.median_time_to_hire)}")
    parts.append(f"offers accepted {numbers.offers}")
    if numbers.declines:
        parts.append("declines: " + ", ".join(f"{why.lower()} {n}" for why, n in numbers.declines))
    parts.append(f"loops inside {days(numbers.loop_days)} {numbers.loops}")
    steps = [
        f"{stage.value}→{PATH[PATH.index(stage) + 1].value} {share.percent}%"
        for stage, share in numbers.conversion.items()
    ]
    if steps:
        parts.append("conversion " + ", ".join(steps))
    return " · ".join(parts)


def candidate_line(row: PipelineRow) -> str:
    flags = " · ".join(f.text for f in sorted(row.flags, key=lambda f: -f.urgency))
    line = f"• *{esc(row.candidate.name)}*: {_days(row.days_in_stage)} in {row.candidate.stage}"
    return line + (f" · {flags}" if flags else "")


def role_blocks(pipeline: RolePipeline) -> list[Block]:
    counts = " · ".join(
        f"{stage.value} {pipeline.counts[stage]:,}"
        for stage in OPEN_STAGES
        if pipeline.counts.get(stage)
    )
    total = sum(pipeline.counts.values())
    blocks: list[Block] = [
        section(
            f"*{role_title(pipeline.role)}*: {total:,} open" + (f" · {counts}" if counts else "")
        ),
        # Whoever sees a pipeline is on its team.
        role_buttons(pipeline.role, anyone_left=total > 0),
    ]
    medians = " · ".join(
        f"{stage.value} {_days(pipeline.median_days[stage])}"
        for stage in PATH
        if stage in pipeline.median_days and stage != Stage.HIRED
    )
    # One context block for medians and numbers: a role stays inside its block budget.
    facts = [f"Median days in stage: {medians}"] if medians else []
    if pipeline.numbers is not None:
        facts.append(numbers_line(pipeline.numbers))
    if facts:
        blocks.append(context(clip("\n".join(facts), 3000)))
    urgent = pipeline.urgent
    if urgent:
        lines = "\n".join(candidate_line(r) for r in urgent[:MAX_LINES])
        blocks.append(section(clip(f"*Needs attention*\n{lines}", 3000)))
    for stage, rows in pipeline.by_stage().items():
        lines = "\n".join(candidate_line(r) for r in rows[:MAX_LINES])
        more = f"\n…and {len(rows) - MAX_LINES:,} more" if len(rows) > MAX_LINES else ""
        blocks.append(section(clip(f"*{stage.label}* ({len(rows):,})\n{lines}{more}", 3000)))
    return blocks


def pipeline_message(
    pipelines: Sequence[RolePipeline], *, query: str = ""
) -> tuple[str, list[Block]]:
    if not pipelines:
        text = (
            f"No role of yours matches “{esc(query)}”. Try `/hire pipeline` for all your roles."
            if query
            else "You are not a recruiter or hiring manager on any role yet."
        )
        return text, []
    shown = sorted(pipelines, key=lambda p: -max((r.urgency for r in p.rows), default=0))[
        :MAX_ROLES
    ]
    blocks: list[Block] = []
    for pipeline in shown:
        if blocks:
            blocks.append(DividerBlock())
        blocks.extend(role_blocks(pipeline))
    if len(pipelines) > len(shown):
        blocks.append(
            context(
                f"{len(pipelines) - len(shown)} more roles: name one, e.g. `/hire pipeline data`."
            )
        )
    total = sum(sum(p.counts.values()) for p in pipelines)
    roles = f"{len(pipelines)} role{'s' if len(pipelines) != 1 else ''}"
    text = f"Pipeline: {total:,} open candidates in {roles}."
    return text, blocks[:50]
