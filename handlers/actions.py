"""Buttons on status cards and choice lists."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import access, hiring
from bot.app import deps_of
from bot.blocks import candidates as cards
from bot.blocks.common import as_dicts
from bot.stages import IllegalMove, parse_stage

NOT_FOUND = "I can't find that candidate among the roles you hire for."


def _parts(action: dict) -> list[str]:
    """A button value is `candidate_id[:stage[:stage]]`; anything else reads as empty."""
    value = action.get("value")
    return value.split(":") if isinstance(value, str) else []


def _candidate_id(parts: list[str]) -> int:
    return int(parts[0]) if parts and parts[0].isdigit() else 0


async def open_status(
    ack: AsyncAck, action: dict, body: dict, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    candidate_id = _candidate_id(_parts(action))
    found = await hiring.card(deps.db, user_id=user_id, candidate_id=candidate_id)
    if found is None:
        await respond(text=NOT_FOUND, replace_original=False)
        return
    can_move = access.can_move_candidates(user_id, found.team)
    text, blocks = cards.status_message(found, now=deps.clock.now(), can_move=can_move)
    await respond(text=text, blocks=as_dicts(blocks), replace_original=True)


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
    candidate_id = _candidate_id(parts)
    preselect = parse_stage(parts[1]) if len(parts) > 1 and parts[1] else None
    found = await hiring.card(deps.db, user_id=user_id, candidate_id=candidate_id)
    if found is None:
        await respond(text=NOT_FOUND, replace_original=False)
        return
    if not access.can_move_candidates(user_id, found.team):
        await respond(
            text="Only the role's recruiters and hiring manager can move candidates.",
            replace_original=False,
        )
        return
    if found.stage.is_closed:
        await respond(
            text=f"{found.candidate.name} is {found.stage.value}, which is final.",
            replace_original=False,
        )
        return
    try:
        await client.views_open(
            trigger_id=body["trigger_id"], view=cards.move_modal(found, preselect=preselect)
        )
    except SlackApiError as error:
        await respond(
            text=f"Slack didn't let me open the form (it said `{error.response.get('error')}`). "
            "Please click again.",
            replace_original=False,
        )


async def advance(
    ack: AsyncAck, action: dict, body: dict, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    parts = _parts(action)
    seen = parse_stage(parts[1]) if len(parts) == 3 else None
    target = parse_stage(parts[2]) if len(parts) == 3 else None
    if seen is None or target is None or not _candidate_id(parts):
        await respond(
            text="That button is out of date; ask for the status again.", replace_original=False
        )
        return
    try:
        moved = await hiring.move(
            deps.db,
            actor_id=user_id,
            candidate_id=_candidate_id(parts),
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
        current = stale.current
        can_move = access.can_move_candidates(user_id, current.team)
        text, blocks = cards.stale_message(current, now=deps.clock.now(), can_move=can_move)
        await respond(text=text, blocks=as_dicts(blocks), replace_original=True)
        return
    except IllegalMove as error:
        await respond(text=f"I can't make that move: {error}", replace_original=False)
        return
    text, blocks = cards.moved_message(moved, deps.clock.now())
    await respond(text=text, blocks=as_dicts(blocks), replace_original=True)


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{cards.OPEN_STATUS}(_\d+)?$"))(open_status)
    app.action(re.compile(rf"^{cards.OPEN_MOVE}(_\w+)?$"))(open_move)
    app.action(cards.ADVANCE)(advance)
