"""Events API: questions by mention or DM, and the Home tab drawn when opened (and which
tab of the app each person opened last, kept: bot/usecases/app_tabs.py).

Work happens after the ack (Slack wants events answered fast and retries slow ones),
and an event_id seen before is ignored, so a retry never answers twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.questions import read
from bot.readmodels.pipelines import pipelines
from bot.slack import notify
from bot.slack.blocks.help import help_text
from bot.slack.blocks.jsonify import as_json_list
from bot.slack.blocks.pipeline import pipeline_message
from bot.slack.deps import Deps, deps_of
from bot.usecases import app_tabs, receipts
from handlers import imports, templates
from handlers.render import status_answer

log = logging.getLogger(__name__)


async def _first_time(deps: Deps, body: dict[str, Any]) -> bool:
    return await receipts.first_delivery(
        deps.db, event_id=body.get("event_id"), now=deps.clock.now()
    )


async def home_opened(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    user, tab = event.get("user"), event.get("tab")
    if not isinstance(user, str) or not isinstance(tab, str) or tab not in app_tabs.TABS:
        return
    deps = deps_of(context)
    now = deps.clock.now()
    deps.background.run(
        app_tabs.opened(deps.db, user_id=user, tab=tab, stamp=_stamp(event), now=now),
        name="app-tab",
    )
    if tab == "home":  # the Messages tab has nothing of ours to draw
        deps.background.run(notify.publish_home(client, deps.db, user, now), name="home")


def _stamp(event: dict[str, Any]) -> datetime | None:
    """The event's own time (event_ts, seconds since the epoch), if it is one."""
    try:
        return datetime.fromtimestamp(float(event.get("event_ts", "")), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


async def _answer(
    deps: Deps,
    client: AsyncWebClient,
    *,
    user_id: str,
    channel: str,
    text: str,
    in_dm: bool,
) -> None:
    question = read(text)
    if question.counts:
        now = deps.clock.now()
        boards = await pipelines(deps.db, user_id=user_id, role_query="", now=now)
        answer, blocks = pipeline_message(boards, query="")
    elif question.name:
        answer, blocks = await status_answer(
            deps, user_id, question.name, own_work=question.own_work
        )
    else:
        answer, blocks = help_text(), []
    try:
        if in_dm:  # a DM is already private
            await client.chat_postMessage(
                channel=channel, text=answer, blocks=as_json_list(blocks) or None
            )
        else:  # in a channel, only the asker sees the answer
            await client.chat_postEphemeral(
                channel=channel, user=user_id, text=answer, blocks=as_json_list(blocks) or None
            )
    except SlackApiError as error:
        log.warning("could not answer a question: %s", notify.refusal(error))


async def _question(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    in_dm: bool,
) -> None:
    """Answer a question once per event_id, after the ack."""
    deps = deps_of(context)
    user_id, channel = event.get("user"), event.get("channel")
    if not isinstance(user_id, str) or not isinstance(channel, str):
        return
    if not await _first_time(deps, body):
        return  # Slack's retry of an event already answered
    text = str(event.get("text", ""))
    deps.background.run(
        _answer(deps, client, user_id=user_id, channel=channel, text=text, in_dm=in_dm),
        name="answer-dm" if in_dm else "answer-mention",
    )


async def mention(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await _question(event, body, client, context, in_dm=False)


async def direct_message(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    if event.get("bot_id") or event.get("channel_type") != "im":
        return
    if event.get("subtype") == "file_share":  # a scorecard template, or a CSV to import
        deps = deps_of(context)
        if await _first_time(deps, body):
            files = event.get("files")
            shared = files if isinstance(files, list) else []
            if any(templates.is_template(f) for f in shared):
                templates.file_shared(deps, client, event)
            rest = [f for f in shared if not templates.is_template(f)]
            if rest or not shared:
                imports.file_shared(deps, client, {**event, "files": rest or files})
        return
    # Edits, deletions and other subtypes are not questions.
    if event.get("subtype"):
        return
    await _question(event, body, client, context, in_dm=True)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)
    app.event("app_mention")(mention)
    app.event("message")(direct_message)
