"""Modal submissions: validate, store, then ack. Field errors keep the modal open."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import hiring
from bot.app import Deps, deps_of
from bot.blocks import candidates as cards
from bot.blocks import roles as role_blocks
from bot.blocks.common import as_dicts
from bot.models import Role
from bot.stages import IllegalMove, parse_stage
from handlers import forms

log = logging.getLogger(__name__)


async def _field_errors(ack: AsyncAck, errors: dict[str, str]) -> None:
    await ack(response_action="errors", errors=errors)


# Create role -----------------------------------------------------------------------


async def create_role(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    form = hiring.NewRole(
        title=forms.text(view, "title"),
        hiring_manager_id=forms.user(view, "hiring_manager"),
        recruiter_ids=forms.users(view, "recruiters"),
        channel_id=forms.conversation(view, "channel"),
        template=forms.option(view, "template"),
        clocks={name: forms.text(view, name) for name in role_blocks.CLOCK_FIELDS},
    )
    try:
        role = await hiring.create_role(
            deps.db,
            actor_id=user_id,
            admins=deps.settings.loopkeeper_admins,
            form=form,
            now=deps.clock.now(),
        )
    except hiring.FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    except hiring.NotAllowed as refusal:
        await _field_errors(ack, {"title": str(refusal)})
        return
    await ack()
    recruiters = frozenset(form.recruiter_ids)
    deps.background.run(
        _announce_role(client, role, recruiters, creator_id=user_id), name="announce-role"
    )


async def _announce_role(
    client: AsyncWebClient, role: Role, recruiters: frozenset[str], *, creator_id: str
) -> None:
    text, blocks = role_blocks.role_channel_welcome(role, recruiters)
    problem = None
    try:
        await client.chat_postMessage(channel=role.channel_id, text=text, blocks=as_dicts(blocks))
    except SlackApiError as error:
        problem = str(error.response.get("error", "unknown"))
        log.warning("cannot post in the hiring channel of role %s: %s", role.id, problem)
    text, blocks = role_blocks.role_created_message(role, recruiters, channel_problem=problem)
    await client.chat_postMessage(channel=creator_id, text=text, blocks=as_dicts(blocks))


# Add candidate ------------------------------------------------------------------------


async def add_candidate(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    form = hiring.NewCandidate(
        name=forms.text(view, "name"),
        role_id=forms.int_or_none(forms.option(view, "role")),
        email=forms.text(view, "email"),
        links=forms.text(view, "links"),
    )
    try:
        added = await hiring.add_candidate(
            deps.db, actor_id=user_id, form=form, now=deps.clock.now()
        )
    except hiring.FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    await ack()
    text, blocks = cards.candidate_added_message(added, deps.clock.now())
    deps.background.run(
        _dm(client, user_id, text, blocks=as_dicts(blocks)), name="confirm-candidate"
    )


async def _dm(client: AsyncWebClient, user_id: str, text: str, *, blocks: list[dict]) -> None:
    # Posting to a user id lands in the app's Messages tab with that person: private.
    await client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


# Move candidate -----------------------------------------------------------------------


async def move_candidate(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps: Deps = deps_of(context)
    user_id = body["user"]["id"]
    try:
        candidate_id, seen = cards.read_move_metadata(view.get("private_metadata", ""))
    except (ValueError, KeyError, TypeError):
        await _field_errors(ack, {"stage": "This form is out of date. Close it and start again."})
        return
    target = parse_stage(forms.option(view, "stage") or "")
    if target is None:
        await _field_errors(ack, {"stage": "Pick the stage to move the candidate to."})
        return
    reason = forms.text(view, "reason")
    try:
        moved = await hiring.move(
            deps.db,
            actor_id=user_id,
            candidate_id=candidate_id,
            seen_stage=seen,
            target=target,
            reason=reason,
            now=deps.clock.now(),
        )
    except hiring.NotAllowed as refusal:
        await _field_errors(ack, {"stage": str(refusal)})
        return
    except hiring.StaleMove as stale:
        await _field_errors(
            ack,
            {
                "stage": f"{stale.current.candidate.name} was moved to "
                f"{stale.current.candidate.stage} while this form was open. Close it and "
                "look again."
            },
        )
        return
    except IllegalMove as error:
        field = "reason" if cards.reason_needed(target) and not reason.strip() else "stage"
        message = str(error)
        await _field_errors(ack, {field: message[0].upper() + message[1:]})
        return
    await ack()
    text, blocks = cards.moved_message(moved, deps.clock.now())
    deps.background.run(_dm(client, user_id, text, blocks=as_dicts(blocks)), name="confirm-move")


def register(app: AsyncApp) -> None:
    app.view(role_blocks.CREATE_ROLE)(create_role)
    app.view(cards.ADD_CANDIDATE)(add_candidate)
    app.view(cards.MOVE_CANDIDATE)(move_candidate)
