"""The sweep's side of Slack: posting a message, telling Slack's refusals that will
pass from those that will not, and each person's time zone, asked once in a while."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.blocks.jsonify import as_json_list
from bot.slack.notify import UNREACHABLE, profile, refusal

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
            await self.client.chat_postMessage(
                channel=channel, text=text_, blocks=as_json_list(blocks)
            )
        except SlackApiError as error:
            response = error.response
            if isinstance(response, AsyncSlackResponse) and response.status_code == 429:
                retry_after = _seconds(response.headers.get("Retry-After"))
                return ("ratelimited", max(retry_after, 1))
            # A body that is not JSON (a proxy's HTML page) comes as the raw HTTP response:
            # this message fails alone and is retried with back-off, like a 5xx.
            return ("error", refusal(error))
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


def _seconds(retry_after: object) -> int:
    """Retry-After in whole seconds; 30 when it is missing or not a number."""
    try:
        return int(str(retry_after))
    except ValueError:
        return 30
