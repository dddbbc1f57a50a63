"""Events API: the Home tab is drawn fresh whenever someone opens it."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import notify
from bot.app import deps_of


async def home_opened(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    if event.get("tab") != "home":
        return  # the Messages tab has nothing to draw
    deps = deps_of(context)
    # Publishing after the ack: Slack wants events answered fast, and retries slow ones.
    deps.background.run(
        notify.publish_home(client, deps.db, event["user"], deps.clock.now()), name="home"
    )


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)
