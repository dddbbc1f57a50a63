"""The create-role modal and what Loopkeeper says once a role exists."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
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

from bot.domain.scorecards import DEFAULT_TEMPLATE, Template
from bot.slack.blocks.common import clip, context, esc, form_modal, section, user, users
from bot.store.tables import ClockSettings, Role

CREATE_ROLE = "role_create"

# Field name -> (label, hint); the field name is also the input's block_id, so
# field errors from bot.usecases.hiring land under the right input.
CLOCK_FIELDS: dict[str, tuple[str, str]] = {
    "loop_days": ("Interview loop (days)", "From first interview to decision. Default 7."),
    "feedback_hours": ("Scorecard due (hours)", "After each interview ends. Default 24."),
    "decision_hours": ("Decision window (hours)", "Once the last scorecard is in. Default 48."),
    "offer_hours": ("Offer window (hours)", "For the candidate to answer. Default 48."),
    "idle_hours": ("Stage idle alert (hours)", "In sourced or screening. Default 48."),
    "reminder_minutes": (
        "Interview reminder (minutes)",
        "Each interviewer gets a DM this long before an interview. 0 sends none. Default 30.",
    ),
}


def _template_option(template: Template) -> Option:
    return Option(value=template.name, text=clip(template.title, 75))


def create_role_modal(*, creator_id: str, templates: dict[str, Template]) -> View:
    choices = [_template_option(t) for t in templates.values()][:100]
    default = _template_option(templates[DEFAULT_TEMPLATE])
    defaults = ClockSettings()
    blocks: list[Block] = [
        InputBlock(
            block_id="title",
            label="Role title",
            element=PlainTextInputElement(
                action_id="value", placeholder="e.g. Senior MLOps Engineer", max_length=150
            ),
        ),
        InputBlock(
            block_id="hiring_manager",
            label="Hiring manager",
            hint="Makes the decision and sees every scorecard of this role.",
            element=UserSelectElement(action_id="value", placeholder="Pick a person"),
        ),
        InputBlock(
            block_id="recruiters",
            label="Recruiters",
            hint="They add candidates, move stages and get the stall alerts.",
            element=UserMultiSelectElement(
                action_id="value", placeholder="Pick people", initial_users=[creator_id]
            ),
        ),
        InputBlock(
            block_id="channel",
            label="Private hiring channel",
            hint="Candidate news goes only here. Invite @Loopkeeper to it.",
            element=ConversationSelectElement(
                action_id="value",
                placeholder="Pick a private channel",
                filter=ConversationFilter(include=["private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id="template",
            label="Scorecard template",
            element=StaticSelectElement(action_id="value", options=choices, initial_option=default),
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
    return form_modal(CREATE_ROLE, "Create a role", "Create role", blocks)


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
