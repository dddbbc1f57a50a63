"""The App Home tab: what is waiting on the person who opens it, by the hats they wear.
A person with several hats sees each section once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    HeaderBlock,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.scorecards import rating_label
from bot.domain.stages import OPEN_STAGES, Stage
from bot.readmodels.home import Home
from bot.readmodels.pipelines import PipelineRow, RolePipeline
from bot.slack.blocks.candidates import card_button
from bot.slack.blocks.common import clip, context, esc, fold, section, user, when
from bot.slack.blocks.days_away import BY_UTC, booked_away_block
from bot.slack.blocks.interviews import VIEW_SCORECARD, assignment_blocks
from bot.slack.blocks.pipeline import candidate_line, numbers_line
from bot.slack.blocks.roles import is_closed, role_title
from bot.slack.blocks.takehomes import to_grade_blocks
from bot.store.tables import Candidate, Role, Takehome
from bot.usecases.days_away import BookedAway
from bot.usecases.feedback import Assignment

MAX_ITEMS = 15  # per list: a Home tab holds 100 blocks across every section
MAX_AWAY = 5  # interviews on a day away, each with its card; `/hire away team` lists more
MAX_OPTIONS = 100  # Slack's limit on a select menu's options

# Listeners in handlers/edits.py: a role picked in one of the Home tab's role menus.
EDIT_ROLE_PICK = "home_role_edit"
CLOSE_ROLE_PICK = "home_role_close"
REOPEN_ROLE_PICK = "home_role_reopen"


def _with_status_button(row: PipelineRow) -> SectionBlock:
    return SectionBlock(
        text=clip(candidate_line(row), 3000),
        accessory=card_button(row.candidate.id, key=row.candidate.id, text="Open status"),
    )


def _counted(title: str, count: int, shown: Sequence[Block], *, empty: str) -> list[Block]:
    """A list on the Home tab: its title with how many there are, then the items shown,
    or `empty` when there are none."""
    return [section(f"*{title}* ({count})"), *(shown or [context(empty)])]


def interviewer_section(
    assignments: Sequence[Assignment], *, now: datetime, away: Collection[int] = ()
) -> list[Block]:
    """`away`: the interviews to come (ids) on one of the person's own days away."""
    # A scorecard opens once its interview has begun: one still to come is upcoming.
    pending = [a for a in assignments if a.pending and a.starts_at <= now]
    upcoming = sorted(
        (a for a in assignments if a.starts_at > now),
        key=lambda a: a.starts_at,
    )
    submitted = [a for a in assignments if not a.pending]
    lines = [
        f"• {when(a.starts_at)}: *{esc(a.candidate_name)}*, {esc(a.stage_name)} "
        f"({esc(a.role_title)})"
        + (" · :palm_tree: you are away that day" if a.interview_id in away else "")
        + (" · :warning: you said you can't make it" if a.cant_make_it else "")
        for a in upcoming[:MAX_ITEMS]
    ]
    if any(a.interview_id in away for a in upcoming[:MAX_ITEMS]):
        lines.append("Away that day? Say *I can't make it* on its kit: the recruiters are told.")
    blocks: list[Block] = [
        HeaderBlock(text="Your interviews"),
        *_counted(
            "Scorecards to submit",
            len(pending),
            assignment_blocks(pending, now)[:MAX_ITEMS],
            empty="No scorecard waiting on you. :tada:",
        ),
        *_counted(
            "Upcoming interviews",
            len(upcoming),
            [section(clip("\n".join(lines), 3000))] if lines else [],
            empty="No interviews scheduled for you.",
        ),
    ]
    if submitted:
        blocks.append(section(f"*Submitted, still editable* ({len(submitted)})"))
        blocks.extend(assignment_blocks(submitted, now)[:MAX_ITEMS])
    return blocks


def grading_section(to_grade: Sequence[tuple[Takehome, Candidate, Role]]) -> list[Block]:
    """Received take-homes waiting on this person's grade."""
    return [HeaderBlock(text="Take-homes to grade"), *to_grade_blocks(to_grade, MAX_ITEMS)]


def _counts(pipeline: RolePipeline) -> str:
    counts = " · ".join(
        f"{s.value} {pipeline.counts[s]:,}" for s in OPEN_STAGES if pipeline.counts.get(s)
    )
    return f"*{role_title(pipeline.role)}*: {sum(pipeline.counts.values()):,} open" + (
        f" · {counts}" if counts else ""
    )


def recruiter_section(
    pipelines: Sequence[RolePipeline],
    booked: Sequence[BookedAway] = (),
    *,
    zones_known: bool = True,
) -> list[Block]:
    urgent = sorted((row for p in pipelines for row in p.urgent), key=lambda r: r.order)
    blocks: list[Block] = [
        HeaderBlock(text="Recruiting"),
        *_counted(
            "Needs action now",
            len(urgent),
            [_with_status_button(row) for row in urgent[:MAX_ITEMS]],
            empty="No candidate is overdue or at risk. :tada:",
        ),
    ]
    blocks += booked_away_blocks(booked, zones_known=zones_known)
    blocks.append(
        section(
            fold(
                "*Pipelines*",
                [_counts(p) for p in pipelines],
                more="…and {n} more roles: `/hire pipeline` shows them all.",
            )
        )
    )
    blocks.append(context("`/hire pipeline` shows every candidate by stage."))
    return blocks


def booked_away_blocks(booked: Sequence[BookedAway], *, zones_known: bool) -> list[Block]:
    """The interviews to come that fall on a day away of someone on them, for whoever
    books them; nothing when there are none, as most weeks."""
    if not booked:
        return []
    blocks: list[Block] = [section(f"*Booked on a day away* ({len(booked)})")]
    blocks += [booked_away_block(entry) for entry in booked[:MAX_AWAY]]
    how = "Open the card to reschedule or change the interviewers."
    if len(booked) > MAX_AWAY:
        how = f"…and {len(booked) - MAX_AWAY} more, later. " + how
    blocks.append(context(how if zones_known else f"{how} {BY_UTC}"))
    return blocks


def manager_section(home: Home) -> list[Block]:
    waiting = home.decisions_due()
    blocks: list[Block] = [
        HeaderBlock(text="Hiring manager"),
        *_counted(
            "Waiting on you: decisions",
            len(waiting),
            [_with_status_button(row) for row in waiting[:MAX_ITEMS]],
            empty="No decision is waiting on you.",
        ),
    ]
    lines = []
    for pipeline in home.managing:
        lines.append(_counts(pipeline))
        if pipeline.numbers is not None:
            lines.append(numbers_line(pipeline.numbers))
        rows = sorted(pipeline.rows, key=lambda r: r.order)  # the tightest deadline first
        lines += [candidate_line(r) for r in rows[:MAX_ITEMS]]
    blocks.append(
        section(
            fold(
                "*Your candidates*",
                lines,
                more="…and {n} more lines: `/hire pipeline` shows every candidate.",
            )
        )
    )
    if home.recent:
        blocks.append(section("*Recent scorecards*"))
        for item in home.recent:
            scorecard = item.scorecard
            verdict = rating_label(scorecard.recommendation)
            edited = " (edited)" if scorecard.version > 1 else ""
            # A closed candidate says so: beside a namesake still open, the two differ.
            stage = item.candidate.stage
            closed = f", {stage}" if Stage(stage).is_closed else ""
            blocks.append(
                SectionBlock(
                    text=clip(
                        f"*{esc(item.candidate.name)}* ({esc(item.role.title)}{closed}): "
                        + (f"{esc(item.interview_name)}, " if item.interview_name else "")
                        + f"{user(scorecard.interviewer_id)}, *{verdict}*"
                        f"{edited}, {when(scorecard.submitted_at)}",
                        3000,
                    ),
                    accessory=ButtonElement(
                        text="View",
                        action_id=f"{VIEW_SCORECARD}_{scorecard.id}",
                        value=str(scorecard.id),
                    ),
                )
            )
    return blocks


def _role_menu(
    placeholder: str, action_id: str, roles: Sequence[Role], confirm: ConfirmObject | None = None
) -> StaticSelectElement:
    return StaticSelectElement(
        placeholder=placeholder,
        action_id=action_id,
        options=[Option(value=str(r.id), text=clip(r.title, 75)) for r in roles[:MAX_OPTIONS]],
        confirm=confirm,
    )


_CONFIRM_CLOSE = ConfirmObject(
    title="Close this role?",
    text="It takes no new candidates; those it has go on until you move them. Its "
    "channel is told, and you can reopen it.",
    confirm="Close role",
    deny="Keep it open",
    style="danger",
)


def role_tools(roles: Sequence[Role]) -> list[Block]:
    """Edit, close or reopen one of the person's roles from their tab: the same as
    `/hire role edit|close|reopen <title>`, who may do it decided when it is picked."""
    mine = list({r.id: r for r in roles}.values())  # a role they recruit for and manage
    open_roles = [r for r in mine if not is_closed(r)]
    closed = [r for r in mine if is_closed(r)]
    elements: list[StaticSelectElement] = []
    if open_roles:
        elements.append(_role_menu("Edit a role…", EDIT_ROLE_PICK, open_roles))
        elements.append(_role_menu("Close a role…", CLOSE_ROLE_PICK, open_roles, _CONFIRM_CLOSE))
    if closed:
        elements.append(_role_menu("Reopen a role…", REOPEN_ROLE_PICK, closed))
    return [ActionsBlock(block_id="role_tools", elements=elements)] if elements else []


def home_view(
    home: Home,
    *,
    now: datetime,
    booked_away: Sequence[BookedAway] = (),
    zones_known: bool = True,
    my_away: Collection[int] = (),
) -> View:
    """`booked_away`: the interviews to come of the roles they book for (recruit, or
    manage with no recruiter) that fall on a day away of someone on them
    (days_away.booked_away of home.booked, by the zones Slack gave, or UTC when it did
    not say in time: `zones_known` False). `my_away`:
    their own interviews to come on one of their days away (days_away.on_my_days_away)."""
    sections: list[list[Block]] = []
    if home.managing:
        sections.append(manager_section(home))
        if not home.recruiting:  # a hiring manager who books: roles with no recruiter
            sections[-1] += booked_away_blocks(booked_away, zones_known=zones_known)
    if home.recruiting:
        sections.append(recruiter_section(home.recruiting, booked_away, zones_known=zones_known))
    if sections:  # under the pipelines, once for a person who both recruits and manages
        sections[-1].extend(role_tools([p.role for p in (*home.managing, *home.recruiting)]))
    if home.assignments or not sections:
        sections.append(interviewer_section(home.assignments, now=now, away=my_away))
    if home.to_grade:
        sections.append(grading_section(home.to_grade))
    blocks: list[Block] = []
    for part in sections:
        if blocks:
            blocks.append(DividerBlock())
        blocks.extend(part)
    footer = context(
        "Type `/hire help` for every command, or ask me here: `where is Jane?`. "
        "`/hire feedback` lists your scorecards anywhere."
    )
    return View(type="home", blocks=[*blocks[:99], footer])
