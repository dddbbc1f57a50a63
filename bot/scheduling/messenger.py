"""The sweep's side of Slack: posting a message, telling Slack's refusals that will
pass from those that will not, and each person's time zone, asked once in a while."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.notify import UNREACHABLE, profile

# Slack's answers that will not change if we ask again.
PERMANENT = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "not_authed",
        "invalid_auth",
        "token_revoked",
        "missing_scope",
    }
)


class Messenger:
    def __init__(self, client: AsyncWebClient, *, tz_cache_seconds: float) -> None:
        self.client = client
        self._tz: dict[str, tuple[datetime, str | None]] = {}
        self._tz_ttl = timedelta(seconds=tz_cache_seconds)

    async def post(self, channel: str, text_: str, blocks: list[Block]) -> tuple[str, Any] | None:
        """None when Slack took it; ("ratelimited", seconds) or ("error", reason) otherwise."""
        try:
            await self.client.chat_postMessage(channel=channel, text=text_, blocks=blocks)
        except SlackApiError as error:
            if error.response.status_code == 429:
                retry_after = int(error.response.headers.get("Retry-After", "30") or 30)
                return ("ratelimited", max(retry_after, 1))
            return (
                "error",
                str(error.response.get("error") or f"http {error.response.status_code}"),
            )
        except UNREACHABLE as error:  # refused, reset or timed out: retried with back-off
            return ("error", f"{error.__class__.__name__}: {error}")
        return None

    async def tz_of(self, user_id: str, now: datetime) -> str | None:
        """The person's zone name from their Slack profile; people rarely move, so an
        answer stands for the cache's lifetime rather than one profile call per alert."""
        cached = self._tz.get(user_id)
        if cached and now - cached[0] < self._tz_ttl:
            return cached[1]
        tz = (await profile(self.client, user_id)).get("tz")
        tz = tz if isinstance(tz, str) else None
        self._tz[user_id] = (now, tz)
        return tz
