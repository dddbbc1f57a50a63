"""Buttons: on status cards, choice lists, interview kits, the Home tab and summaries."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import access, feedback, hiring, notify
from bot.app import Deps, deps_of
from bot.blocks import candidates as cards
from bot.blocks import interviews as interview_blocks
from bot.scorecards import template_named
from bot.stages import IllegalMove, parse_stage
from handlers.render import status_card

NOT_FOUND = "I can't find that candidate among the roles you hire for."


def _parts(action: dict) -> list[str]:
    """A button value is `id[:stage[:stage]]`; anything else reads as empty."""
    value = action.get("value")
    return value.split(":") if isinstance(value, str) else []


def _first_id(parts: list[str]) -> int:
    return int(parts[0]) if parts and parts[0].isdecimal() else 0


async def _tell(
    deps: Deps, client: AsyncWebClient, body: dict[str, Any], respond: AsyncRespond, text: str
) -> None:
    """A short private answer: in place when the click came from a message, else by DM
    (buttons on the Home tab or in a modal have no response_url)."""
    if body.get("response_url"):
        await respond(text=text, replace_original=False)
    else:
        deps.background.run(notify.dm(client, body["user"]["id"], text, []), name="tell")


async def _open(
    deps: Deps,
    client: AsyncWebClient,
    body: dict[str, Any],
    respond: AsyncRespond,
    view: View,
) -> None:
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        await _tell(
            deps,
            client,
            body,
            respond,
            f"Slack didn't let me open the form (it said `{error.response.get('error')}`). "
            "Please click again.",
        )


# Status and moves ---------------------------------------------------------------------------


async def open_status(
    ack: AsyncAck, action: dict, body: dict, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    found = await hiring.card(deps.db, user_id=user_id, candidate_id=_first_id(_parts(action)))
    if found is None:
        await respond(text=NOT_FOUND, replace_original=False)
        return
    text, blocks = await status_card(deps, user_id, found)
    await respond(text=text, blocks=blocks, replace_original=True)


async def open_move(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    parts = _parts(action)
    preselect = parse_stage(parts[1]) if len(parts) > 1 and parts[1] else None
    found = await hiring.card(deps.db, user_id=user_id, candidate_id=_first_id(parts))
    if found is None:
        await _tell(deps, client, body, respond, NOT_FOUND)
    elif not access.can_move_candidates(user_id, found.team):
        await _tell(
            deps,
            client,
            body,
            respond,
            "Only the role's recruiters and hiring manager can move candidates.",
        )
    elif found.stage.is_closed:
        await _tell(
            deps,
            client,
            body,
            respond,
            f"{found.candidate.name} is {found.stage.value}, which is final.",
        )
    else:
        await _open(deps, client, body, respond, cards.move_modal(found, preselect=preselect))


async def advance(
    ack: AsyncAck, action: dict, body: dict, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    parts = _parts(action)
    seen = parse_stage(parts[1]) if len(parts) == 3 else None
    target = parse_stage(parts[2]) if len(parts) == 3 else None
    if seen is None or target is None or not _first_id(parts):
        await respond(
            text="That button is out of date; ask for the status again.", replace_original=False
        )
        return
    try:
        moved = await hiring.move(
            deps.db,
            actor_id=user_id,
            candidate_id=_first_id(parts),
            seen_stage=seen,
            target=target,
            reason="",
            now=deps.clock.now(),
        )
    except hiring.NotAllowed as refusal:
        await respond(text=str(refusal), replace_original=False)
        return
    except hiring.StaleMove as stale:
        # A second click, or a teammate was faster: show where the candidate is now.
        note = cards.stale_note(stale.current)
        text, blocks = await status_card(deps, user_id, stale.current, note=note)
        await respond(text=text, blocks=blocks, replace_original=True)
        return
    except IllegalMove as error:
        await respond(text=f"I can't make that move: {error}", replace_original=False)
        return
    text, blocks = await status_card(deps, user_id, moved, note=cards.moved_note(moved))
    await respond(text=text, blocks=blocks, replace_original=True)


# Interviews and scorecards ------------------------------------------------------------------


async def open_schedule(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    found = await hiring.card(deps.db, user_id=user_id, candidate_id=_first_id(_parts(action)))
    if found is None:
        await _tell(deps, client, body, respond, NOT_FOUND)
        return
    refusal = interview_blocks.schedule_refusal(found, user_id)
    if refusal:
        await _tell(deps, client, body, respond, refusal)
        return
    view = interview_blocks.schedule_modal(found, template_named(found.role.template))
    await _open(deps, client, body, respond, view)


async def open_scorecard(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    try:
        ctx = await feedback.scorecard_context(
            deps.db, user_id=body["user"]["id"], interview_id=_first_id(_parts(action))
        )
    except hiring.NotAllowed as refusal:
        await _tell(deps, client, body, respond, str(refusal))
        return
    await _open(deps, client, body, respond, interview_blocks.scorecard_modal(ctx))


async def view_scorecard(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    detail = await feedback.scorecard_detail(
        deps.db, viewer_id=body["user"]["id"], scorecard_id=_first_id(_parts(action))
    )
    if detail is None:
        await _tell(
            deps,
            client,
            body,
            respond,
            "You can read others' scorecards once you have submitted your own.",
        )
        return
    await _open(deps, client, body, respond, interview_blocks.scorecard_read_modal(detail))


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{cards.OPEN_STATUS}(_\d+)?$"))(open_status)
    app.action(re.compile(rf"^{cards.OPEN_MOVE}(_\w+)?$"))(open_move)
    app.action(cards.ADVANCE)(advance)
    app.action(re.compile(rf"^{cards.OPEN_SCHEDULE}(_\d+)?$"))(open_schedule)
    app.action(re.compile(rf"^{interview_blocks.OPEN_SCORECARD}(_\d+)?$"))(open_scorecard)
    app.action(re.compile(rf"^{interview_blocks.VIEW_SCORECARD}(_\d+)?$"))(view_scorecard)
