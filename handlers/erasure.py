"""`/hire erase <name>` and `/hire export-person <name>` (admins), their Choose buttons
when several candidates match, and the erase confirmation's submission. Dispatched from
handlers/commands.py, which also registers these listeners."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.numbers import record_id
from bot.slack import notify
from bot.slack.blocks import candidates as cards
from bot.slack.blocks import erasure as blocks
from bot.slack.blocks.common import esc
from bot.slack.metadata import CandidateMetadata
from bot.slack.notify import UNREACHABLE, refusal
from bot.store.tables import Candidate
from bot.usecases import erasure
from bot.usecases.errors import FormErrors
from handlers import forms
from handlers.replies import CommandReply, Modal, Reply, on_click
from handlers.submissions import submission

log = logging.getLogger(__name__)

Asker = Reply | CommandReply


async def _one(
    reply: Asker, query: str, *, missing: str, action: str, command: str
) -> Candidate | None:
    """The one candidate an admin means, or None once the answer says why not."""
    if not query:
        await reply.tell(missing)
        return None
    found = await reply.unless_refused(
        erasure.find(reply.deps.db, user_id=reply.user_id, query=query)
    )
    if found is None:
        return None
    if len(found.rows) > 1 or found.guessed:  # nothing is erased on a guess
        text, choices = cards.choices_message(query, found, action=action)
        await reply.show(text, choices)
        return None
    if not found.rows:
        await reply.tell(blocks.nobody_called(query, command))
        return None
    return found.rows[0][0]


async def _open_erase(reply: Asker, candidate_id: int) -> None:
    preview = await reply.unless_refused(
        erasure.preview(reply.deps.db, user_id=reply.user_id, candidate_id=candidate_id)
    )
    if preview is not None:
        await reply.open(blocks.erase_confirm_modal(preview))


async def _export_person(reply: Asker, candidate_id: int) -> None:
    deps = reply.deps
    data = await reply.unless_refused(
        erasure.person_data(deps.db, user_id=reply.user_id, candidate_id=candidate_id)
    )
    if data is None:
        return
    name, number = str(data["candidate"]["name"]), int(data["candidate"]["id"])
    await reply.tell(
        f"Sending you everything held about {esc(name)} in our DM, as JSON."
        + blocks.other_records_note(data["other_records_maybe_same_person"])
    )
    filename = f"loopkeeper-candidate-{number}-{deps.clock.now():%Y-%m-%d}.json"
    deps.background.run(
        _send_file(
            reply.client,
            reply.user_id,
            erasure.person_json(data),
            blocks.export_person_comment(name, number),
            filename,
        ),
        name="export-person",
    )


async def _send_file(
    client: AsyncWebClient, user_id: str, data: bytes, comment: str, filename: str
) -> None:
    """The file in the person's DM with the app (an upload needs the DM's id, which a
    message there gives)."""
    try:
        posted = await client.chat_postMessage(channel=user_id, text=comment)
        await client.files_upload_v2(
            channel=posted["channel"], file=data, filename=filename, title=filename
        )
    except SlackApiError as error:
        log.warning("person export to %s failed: %s", user_id, refusal(error))
    except UNREACHABLE as error:
        log.warning("person export to %s failed: %s", user_id, error.__class__.__name__)


async def erase(reply: CommandReply, query: str) -> None:
    """`/hire erase <name>`: the confirmation modal, for an admin."""
    candidate = await _one(
        reply, query, missing=blocks.WHO_TO_ERASE, action=blocks.OPEN_ERASE, command="erase"
    )
    if candidate is not None:
        await _open_erase(reply, candidate.id or 0)


async def export_person(reply: CommandReply, query: str) -> None:
    """`/hire export-person <name>`: everything held about one candidate, as JSON."""
    candidate = await _one(
        reply,
        query,
        missing=blocks.WHO_TO_EXPORT,
        action=blocks.OPEN_EXPORT_PERSON,
        command="export-person",
    )
    if candidate is not None:
        await _export_person(reply, candidate.id or 0)


def _id_of(action: dict[str, Any]) -> int:
    return record_id(str(action.get("value", ""))) or 0


@on_click
async def open_erase(reply: Reply, action: dict[str, Any]) -> None:
    await _open_erase(reply, _id_of(action))


@on_click
async def open_export_person(reply: Reply, action: dict[str, Any]) -> None:
    await _export_person(reply, _id_of(action))


@submission("confirm")
async def erase_submitted(ack: AsyncAck, modal: Modal) -> None:
    deps = modal.deps
    problem = blocks.confirm_problem(forms.text(modal.view, "confirm"))
    if problem:
        raise FormErrors({"confirm": problem})
    metadata = CandidateMetadata.from_view(modal.view)
    done = await erasure.erase(
        deps.db, actor_id=modal.user_id, candidate_id=metadata.candidate_id, now=deps.clock.now()
    )
    await ack()
    # Ids only: a log line must not keep what was just erased.
    log.info("candidate #%d erased by %s", done.candidate_id, modal.user_id)
    modal.later(
        _after_erasure(modal, done),
        name="confirm-erase",
    )


async def _after_erasure(modal: Modal, done: erasure.Erased) -> None:
    await notify.dm(
        modal.client, modal.user_id, blocks.erased_message(done.name, done.role.title), []
    )
    text, kit = blocks.erased_kit(done.name)
    for channel, ts in done.kits:
        await notify.edit(modal.client, channel, ts, text, kit)
    deps = modal.deps
    await deps.homes.redraw(
        modal.client, deps.db, set(done.people), deps.clock.now, looked_at_only=False
    )


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{blocks.OPEN_ERASE}(_\d+)?$"))(open_erase)
    app.action(re.compile(rf"^{blocks.OPEN_EXPORT_PERSON}(_\d+)?$"))(open_export_person)
    app.view(blocks.ERASE_SUBMIT)(erase_submitted)
