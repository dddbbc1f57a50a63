"""The answers to `/hire admin`: the admin list and its usage."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.slack.blocks.common import context, section, user, when
from bot.store.admins import SEEDED_BY
from bot.store.tables import Admin

USAGE = (
    "Admin commands: `/hire admin` lists the admins; `/hire admin add @person` and "
    "`/hire admin remove @person` change them; `/hire admin deliveries` lists alerts and "
    "weekly reports Slack refused; `/hire holidays add` and `/hire holidays remove` set the "
    "company days off. Share a scorecard template (a `.toml` file) with me in a DM to "
    "install it."
)
NAME_ONE = "Name one person with @, e.g. `/hire admin {verb} @jane`."


def admins_message(admins: list[Admin]) -> tuple[str, list[Block]]:
    lines = [
        f"• {user(a.user_id)}, added {when(a.added_at)}"
        + ("" if a.added_by == SEEDED_BY else f" by {user(a.added_by)}")
        for a in admins
    ]
    text = f"Loopkeeper admins ({len(admins)}):\n" + "\n".join(lines)
    return text, [
        section(text),
        context("`/hire admin add @person` adds one; `/hire admin remove @person` removes one."),
    ]


def added(user_id: str, *, new: bool) -> str:
    if new:
        return f"{user(user_id)} is now a Loopkeeper admin."
    return f"{user(user_id)} is already an admin; nothing changed."


def removed(user_id: str, *, was_admin: bool) -> str:
    if was_admin:
        return f"{user(user_id)} is no longer a Loopkeeper admin."
    return f"{user(user_id)} is not an admin, so nothing changed. `/hire admin` lists the admins."


def you_were_added(actor_id: str) -> tuple[str, list[Block]]:
    """To the new admin: who made them one, and what it lets them do."""
    text = f"{user(actor_id)} made you a Loopkeeper admin."
    return text, [
        section(f":unlock: {text}"),
        context(
            "Admins create roles (`/hire role`), install scorecard templates (share a "
            "`.toml` file here), set company days off (`/hire holidays`), erase a "
            "candidate's data on request, and see what Slack refused "
            "(`/hire admin deliveries`). `/hire admin` lists the admins."
        ),
    ]


def you_were_removed(actor_id: str) -> tuple[str, list[Block]]:
    """To an admin no longer one: who did it, so it is no surprise when a command says no."""
    text = f"{user(actor_id)} removed you as a Loopkeeper admin."
    return text, [
        section(f":lock: {text}"),
        context(
            "Roles you recruit for or hire for are as they were; admin commands are not "
            "yours any more. Ask an admin if this was a mistake."
        ),
    ]
