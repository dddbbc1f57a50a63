"""Reading a submitted modal: view.state.values[block_id][action_id], by element type;
and, for the role form, what Slack says of the channel picked in it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.numbers import small_int
from bot.domain.scorecards import evidence_field, rate_field
from bot.slack import notify
from bot.slack.blocks.roles import CLOCK_FIELDS
from bot.usecases.roles import NewRole


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _state(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    # Every level checked: a forged payload may put a list or a string anywhere.
    block = _dict(_dict(_dict(view).get("state")).get("values")).get(block_id)
    # Our inputs hold one element each; its action_id does not matter here.
    return _dict(next(iter(block.values()), {})) if isinstance(block, dict) and block else {}


def text(view: dict[str, Any], block_id: str) -> str:
    value = _state(view, block_id).get("value")
    return value if isinstance(value, str) else ""


def with_nul(view: dict[str, Any]) -> list[str]:
    """The inputs whose typed text holds a NUL byte, which PostgreSQL cannot store in text."""
    values = _dict(_dict(_dict(view).get("state")).get("values"))
    return [
        block_id
        for block_id, block in values.items()
        if any(
            isinstance(value := _dict(element).get("value"), str) and "\x00" in value
            for element in _dict(block).values()
        )
    ]


def option(view: dict[str, Any], block_id: str) -> str | None:
    selected = _state(view, block_id).get("selected_option") or {}
    value = selected.get("value") if isinstance(selected, dict) else None
    return value if isinstance(value, str) else None


def options(view: dict[str, Any], block_id: str) -> list[str]:
    """The values of the options ticked in a checkboxes or multi-select input."""
    selected = _state(view, block_id).get("selected_options") or []
    values = (
        [o.get("value") for o in selected if isinstance(o, dict)]
        if isinstance(selected, list)
        else []
    )
    return [v for v in values if isinstance(v, str)]


def user(view: dict[str, Any], block_id: str) -> str | None:
    value = _state(view, block_id).get("selected_user")
    return value if isinstance(value, str) and value else None


def users(view: dict[str, Any], block_id: str) -> list[str]:
    value = _state(view, block_id).get("selected_users") or []
    return [u for u in value if isinstance(u, str) and u] if isinstance(value, list) else []


def conversation(view: dict[str, Any], block_id: str) -> str | None:
    value = _state(view, block_id).get("selected_conversation")
    return value if isinstance(value, str) and value else None


def datetime_utc(view: dict[str, Any], block_id: str) -> datetime | None:
    """A datetimepicker's choice: Slack sends Unix seconds."""
    value = small_int(_state(view, block_id).get("selected_date_time"), high=2**40)
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def block_ids(view: dict[str, Any], *, prefix: str) -> list[str]:
    """The input blocks of the submitted view whose id starts with `prefix`, in order."""
    blocks = view.get("blocks")
    return [
        b["block_id"]
        for b in (blocks if isinstance(blocks, list) else [])
        if isinstance(b, dict)
        and b.get("type") == "input"
        and isinstance(b.get("block_id"), str)
        and b["block_id"].startswith(prefix)
    ]


def ratings(view: dict[str, Any]) -> tuple[dict[str, str | None], dict[str, str]]:
    """A scorecard's or a grade's ratings and evidence by key (competency or part), for the
    rating inputs the submitted view holds."""
    prefix = rate_field("")
    keys = [block_id.removeprefix(prefix) for block_id in block_ids(view, prefix=prefix)]
    return (
        {key: option(view, rate_field(key)) for key in keys},
        {key: text(view, evidence_field(key)) for key in keys},
    )


async def with_channel_checked(form: NewRole, client: AsyncWebClient) -> NewRole:
    """The role form with what Slack says of its channel: a public one is refused on it."""
    if not form.channel_id:
        return form
    return replace(form, channel_is_public=await notify.is_public_channel(client, form.channel_id))


def role(view: dict[str, Any]) -> NewRole:
    """The role form, as the create and the edit forms both send it."""
    return NewRole(
        title=text(view, "title"),
        hiring_manager_id=user(view, "hiring_manager"),
        recruiter_ids=users(view, "recruiters"),
        channel_id=conversation(view, "channel"),
        template=option(view, "template"),
        clocks={name: text(view, name) for name in CLOCK_FIELDS},
    )
