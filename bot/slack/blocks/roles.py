"""The create-role modal and what Loopkeeper says once a role exists."""

from __future__ import annotations

import re
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.limits import MAX_REASON
from bot.domain.scorecards import (
    DEFAULT_TEMPLATE,
    Template,
    is_known_template,
    split_key,
    template_named,
)
from bot.slack.blocks.closeout import OPEN_REJECT_REST
from bot.slack.blocks.common import (
    clip,
    context,
    esc,
    fold,
    form_modal,
    localized,
    section,
    user,
    users,
    when,
)
from bot.slack.blocks.edits import RoleMetadata
from bot.store.tables import ClockSettings, Role
from bot.usecases.roles import HISTORY_SHOWN, RoleHistory, RoleStatusChanged, Stranded, is_open

CREATE_ROLE = "role_create"
EDIT_ROLE = "role_edit"

# Field name -> (label, hint); the field name is also the input's block_id, so
# field errors from bot.usecases.hiring land under the right input.
CLOCK_FIELDS: dict[str, tuple[str, str]] = {
    "loop_days": ("Interview loop (days)", "From first booking to decision. Default 7."),
    "feedback_hours": ("Scorecard due (hours)", "After each interview ends. Default 24."),
    "decision_hours": ("Decision window (hours)", "Once the last scorecard is in. Default 48."),
    "offer_hours": ("Offer window (hours)", "For the candidate to answer. Default 48."),
    "idle_hours": ("Stage idle alert (hours)", "In sourced or screening. Default 48."),
    "reminder_minutes": (
        "Interview reminder (minutes)",
        "Each interviewer gets a DM this long before an interview. 0 sends none. Default 30.",
    ),
}


def _template_option(key: str, template: Template) -> Option:
    """A template as the role form offers it: by the key a role stores, an installed
    one's version after its title."""
    installed = split_key(key)
    suffix = f" (v{installed[1]})" if installed else ""
    return Option(value=key, text=clip(template.title, 75 - len(suffix)) + suffix)


def _template_choices(
    templates: dict[str, Template], current: str | None
) -> tuple[list[Option], Option]:
    """The template options and the one picked: the role's own when editing, kept even if
    it is not among the listed templates any more (the form can save it unchanged)."""
    choices = [_template_option(k, t) for k, t in templates.items()][:100]
    if current is None:
        return choices, _template_option(DEFAULT_TEMPLATE, templates[DEFAULT_TEMPLATE])
    picked = next((o for o in choices if o.value == current), None)
    if picked is None:
        # An older installed version the role keeps: by its title and version.
        known = split_key(current) is not None and is_known_template(current)
        text = template_named(current).title if known else current
        installed = split_key(current)
        suffix = f" (v{installed[1]}, current)" if known and installed else " (current)"
        picked = Option(value=current, text=clip(text, 75 - len(suffix)) + suffix)
        choices = [picked, *choices][:100]
    return choices, picked


def create_role_modal(
    *,
    creator_id: str,
    templates: dict[str, Template],
    editing: Role | None = None,
    recruiter_ids: frozenset[str] = frozenset(),
    seen: str = "",
) -> View:
    """The role form: empty to create a role, or filled in with `editing` (its recruiters
    and the mark `seen` of the role as shown, so a stale edit is refused)."""
    choices, picked = _template_choices(templates, editing.template if editing else None)
    defaults: ClockSettings = editing or ClockSettings()
    blocks: list[Block] = []
    if editing is not None:
        blocks.append(context(CLOCK_CHANGES))
    blocks += [
        InputBlock(
            block_id="title",
            label="Role title",
            element=PlainTextInputElement(
                action_id="value",
                placeholder="e.g. Senior MLOps Engineer",
                max_length=150,
                initial_value=editing.title if editing else None,
            ),
        ),
        InputBlock(
            block_id="hiring_manager",
            label="Hiring manager",
            hint="Makes the decision and sees every scorecard of this role.",
            element=UserSelectElement(
                action_id="value",
                placeholder="Pick a person",
                initial_user=editing.hiring_manager_id if editing else None,
            ),
        ),
        InputBlock(
            block_id="recruiters",
            label="Recruiters",
            hint=(
                "They add candidates, move stages and get the stall alerts."
                if editing
                # Filled in with the admin creating it: they may not be one of them.
                else "They add candidates, move stages and get the stall alerts. You are "
                "filled in: take yourself out if you won't recruit for it."
            ),
            element=UserMultiSelectElement(
                action_id="value",
                placeholder="Pick people",
                initial_users=sorted(recruiter_ids) if editing else [creator_id],
            ),
        ),
        InputBlock(
            block_id="channel",
            label="Private hiring channel",
            hint="Candidate news goes only here. Invite @Loopkeeper to it.",
            element=ConversationSelectElement(
                action_id="value",
                placeholder="Pick a private channel",
                initial_conversation=editing.channel_id if editing else None,
                filter=ConversationFilter(include=["private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id="template",
            label="Scorecard template",
            hint="Interviews booked before a change keep the template they were booked with."
            if editing
            else None,
            element=StaticSelectElement(action_id="value", options=choices, initial_option=picked),
        ),
    ]
    for name, (label, hint) in CLOCK_FIELDS.items():
        spec = ClockSettings.model_fields[name]
        bounds = {m.__class__.__name__: m for m in spec.metadata}
        blocks.append(
            InputBlock(
                block_id=name,
                label=label,
                hint=hint,
                optional=True,
                element=NumberInputElement(
                    action_id="value",
                    is_decimal_allowed=False,
                    initial_value=str(getattr(defaults, name)),
                    min_value=str(bounds["Ge"].ge),
                    max_value=str(bounds["Le"].le),
                ),
            )
        )
    if editing is None:
        return form_modal(CREATE_ROLE, "Create a role", "Create role", blocks)
    blocks.append(
        InputBlock(
            block_id="reason",
            label="Why",
            hint="Kept in the role's history, and told to its channel with the change.",
            optional=True,
            element=PlainTextInputElement(action_id="value", max_length=MAX_REASON),
        )
    )
    metadata = RoleMetadata(editing.id or 0, seen).encode()
    return form_modal(EDIT_ROLE, "Edit role", "Save", blocks, metadata=metadata)


def _summary(role: Role, recruiter_ids: frozenset[str]) -> str:
    return (
        f"*{esc(role.title)}*\nHiring manager: {user(role.hiring_manager_id)} · "
        f"Recruiters: {users(recruiter_ids)}\n"
        f"Loop {role.loop_days} days · scorecards due {role.feedback_hours} h after each "
        f"interview · decision window {role.decision_hours} h · offer window "
        f"{role.offer_hours} h · idle alert after {role.idle_hours} h"
    )


def role_created_message(
    role: Role, recruiter_ids: frozenset[str], *, channel_problem: str | None = None
) -> tuple[str, list[Block]]:
    text = f"Role created: {esc(role.title)}"
    blocks: list[Block] = [
        section(f":white_check_mark: Role created.\n{_summary(role, recruiter_ids)}"),
        context(
            f"Its hiring channel is <#{role.channel_id}>. "
            "Add candidates with `/hire add &lt;name&gt;`."
        ),
    ]
    if channel_problem:
        blocks.append(
            section(
                f":warning: I can't post in <#{role.channel_id}> yet (Slack said "
                f"`{channel_problem}`). Invite me there with `/invite @Loopkeeper` so the "
                "team gets its updates."
            )
        )
    return text, blocks


def role_channel_welcome(role: Role, recruiter_ids: frozenset[str]) -> tuple[str, list[Block]]:
    text = f"Loopkeeper now keeps the hiring loop for {esc(role.title)} in this channel."
    blocks: list[Block] = [
        section(
            f":wave: Loopkeeper will keep the hiring loop for this role here.\n"
            f"{_summary(role, recruiter_ids)}"
        ),
        context("Candidate news for this role is posted only in this private channel."),
    ]
    return text, blocks


def team_joined_message(role: Role, actor_id: str, *, manager: bool) -> tuple[str, list[Block]]:
    """To someone a role's creation or edit put on its hiring team: what it means for
    them, and where its news is."""
    hat = "hiring manager" if manager else "a recruiter"
    text = f"You are now {hat} for {esc(role.title)}."
    return text, [
        section(
            f":wave: <@{actor_id}> made you {hat} for *{esc(role.title)}*. Its candidates "
            "are yours to see and move (`/hire pipeline`, your Home tab), and its alerts and "
            f"digests come to you. Its news is posted in <#{role.channel_id}>: if you are "
            "not in that private channel, ask to be invited."
        )
    ]


def team_left_message(role: Role, actor_id: str) -> tuple[str, list[Block]]:
    """To someone a role's edit took off its hiring team."""
    text = f"You are no longer on the hiring team of {esc(role.title)}."
    return text, [
        section(
            f"<@{actor_id}> took you off the hiring team of *{esc(role.title)}*: its alerts "
            "and digests stop, and its candidates leave your Home tab and `/hire pipeline`."
        )
    ]


# Editing, closing and reopening a role -------------------------------------------------------

OPEN_EDIT_ROLE = "role_edit_open"
CLOSE_ROLE = "role_close"
ROLE_HISTORY = "role_history"
REOPEN_ROLE = "role_reopen"
MAX_LISTED = 30  # open candidates named in the close answer; the pipeline has the rest


def is_closed(role: Role) -> bool:
    return not is_open(role)


def role_title(role: Role) -> str:
    """The role's title for mrkdwn, marked when it is closed."""
    return esc(role.title) + (" (closed)" if is_closed(role) else "")


def role_buttons(role: Role, *, anyone_left: bool = True) -> ActionsBlock:
    """Edit the role, and close it (or reopen it, once closed); once closed, Reject the
    rest while `anyone_left` (open candidates)."""
    value = str(role.id)
    toggle = (
        ButtonElement(text="Reopen role", action_id=REOPEN_ROLE, value=value)
        if is_closed(role)
        else ButtonElement(
            text="Close role",
            action_id=CLOSE_ROLE,
            value=value,
            confirm=ConfirmObject(
                title="Close this role?",
                text=f"{esc(clip(role.title, 150))} takes no new candidates once closed. "
                "Its open candidates go on until you move them.",
                confirm="Close role",
                deny="Cancel",
            ),
        )
    )
    history = ButtonElement(text="History", action_id=ROLE_HISTORY, value=value)
    # Once closed, whoever is left can be let go in one step.
    rest = ButtonElement(text="Reject the rest…", action_id=OPEN_REJECT_REST, value=value)
    elements = (
        [toggle, *([rest] if anyone_left else []), history]
        if is_closed(role)
        else [
            ButtonElement(text="Edit role", action_id=OPEN_EDIT_ROLE, value=value),
            toggle,
            history,
        ]
    )
    return ActionsBlock(block_id=f"role_{role.id}", elements=elements)


# A seat's scorecard due time is set when its interview is booked, and its kit gives it.
CLOCK_CHANGES = (
    "Clock changes apply to running clocks from now on; a new scorecard window applies to "
    "interviews booked from now on (those booked already keep the due time their kits give)."
)


def role_edited_message(
    role: Role,
    recruiter_ids: frozenset[str],
    changes: list[str],
    *,
    editor_id: str,
    reason: str = "",
    stranded: Sequence[Stranded] = (),
) -> tuple[str, list[Block]]:
    if not changes:
        text = f"Nothing to change: {esc(role.title)} is as the form showed."
        return text, [section(text)]
    # The changes name people as Slack mentions; everything else in them is escaped.
    shown = "\n".join(f"• {_mentions_kept(c)}" for c in changes)
    text = f"Role updated: {esc(role.title)}"
    return text, [
        section(clip(f":pencil2: Role updated by {user(editor_id)}.\n{shown}", 3000)),
        *([section(clip(f"> {esc(reason)}", 3000))] if reason else []),
        *_stranded_blocks(role, stranded),
        section(_summary(role, recruiter_ids)),
        context(CLOCK_CHANGES),
    ]


def _stranded_blocks(role: Role, stranded: Sequence[Stranded]) -> list[Block]:
    """Interviews booked already that now end after their candidate's shorter loop."""
    if not stranded:
        return []
    lines = [
        f"• {esc(s.candidate_name)}: {esc(s.stage_name)} ends {when(s.ends_at)}, after "
        f"their loop now ends {when(s.loop_ends_at)}"
        for s in stranded[:MAX_LISTED]
    ]
    if len(stranded) > MAX_LISTED:
        lines.append(f"…and {len(stranded) - MAX_LISTED} more")
    return [
        section(
            clip(
                f":warning: *With a {role.loop_days}-day loop, these interviews come too "
                "late:*\n" + "\n".join(lines) + "\nReschedule them earlier from the "
                "candidate's card, or the team is alerted when each loop runs out.",
                3000,
            )
        )
    ]


_MENTION = re.compile(r"(<[@#][A-Z0-9]+>)")


def _mentions_kept(text: str) -> str:
    """`text` escaped, except the `<@U…>` and `<#C…>` mentions it holds."""
    return localized("".join(p if _MENTION.fullmatch(p) else esc(p) for p in _MENTION.split(text)))


def role_closed_message(done: RoleStatusChanged) -> tuple[str, list[Block]]:
    """For the person who closed it: what that means, and who is still in the pipeline."""
    role, still = done.role, done.open_candidates
    text = f"Closed {esc(role.title)}: it takes no new candidates."
    if still:
        lines = "\n".join(f"• {esc(c.name)} ({c.stage})" for c in still[:MAX_LISTED])
        more = f"\n…and {len(still) - MAX_LISTED:,} more" if len(still) > MAX_LISTED else ""
        detail = (
            (
                "Its open candidate goes on until you move them"
                if len(still) == 1
                else f"Its {len(still):,} open candidates go on until you move them"
            )
            + " (hire, reject, or edit one to move them to another role); "
            f"*Reject the rest…* lets them all go at once:\n"
            f"{lines}{more}"
        )
    else:
        detail = "It has no open candidates."
    return text, [
        section(f":lock: Closed *{esc(role.title)}*. It takes no new candidates."),
        section(clip(detail, 3000)),
        role_buttons(role, anyone_left=bool(still)),
    ]


def role_status_post(done: RoleStatusChanged, *, actor_id: str) -> tuple[str, list[Block]]:
    """For the role's channel: the team hears it was closed or reopened, and by whom."""
    role, still = done.role, done.open_candidates
    if is_open(role):
        text = f"{esc(role.title)} was reopened: it takes new candidates again."
        line = f":unlock: {user(actor_id)} reopened *{esc(role.title)}*."
        return text, [section(f"{line} Add candidates with `/hire add`.")]
    text = f"{esc(role.title)} was closed: it takes no new candidates."
    count = len(still)
    going_on = (
        ("Its open candidate goes" if count == 1 else f"Its {count:,} open candidates go")
        + " on until they are moved (hired, rejected, or moved to another role); their "
        "clocks keep running."
        if still
        else "It has no open candidates."
    )
    return text, [
        section(f":lock: {user(actor_id)} closed *{esc(role.title)}*. It takes no new candidates."),
        context(going_on),
    ]


def role_reopened_message(done: RoleStatusChanged) -> tuple[str, list[Block]]:
    role = done.role
    text = f"Reopened {esc(role.title)}: add candidates with `/hire add`."
    return text, [section(f":unlock: {text}"), role_buttons(role)]


def role_history_message(history: RoleHistory) -> tuple[str, list[Block]]:
    """The role's latest changes, latest first, as whole lines that fit one section."""
    role = history.role
    text = f"Changes to {esc(role.title)}"
    created = f"Created by {user(role.created_by)}, {when(role.created_at)}."
    if not history.changes:
        return text, [
            section(f"*{esc(role.title)}*: no change since it was created."),
            context(created),
        ]
    lines = [
        f"• {when(c.at)}, {user(c.actor_id)}: {_mentions_kept(c.summary)}"
        + (f" ({esc(clip(c.reason, 300))})" if c.reason else "")
        for c in history.changes
    ]
    shown = fold(
        f"*Changes to {esc(role.title)}*, latest first:",
        lines,
        more="…and {n} earlier changes, kept but not shown here.",
    )
    # Only the latest HISTORY_SHOWN are read: as many as that means there may be more.
    older = (
        " Older changes are kept but not shown here."
        if len(history.changes) == HISTORY_SHOWN
        else ""
    )
    return text, [section(shown), context(created + older)]
