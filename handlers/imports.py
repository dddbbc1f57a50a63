"""A CSV shared in a DM with the app becomes candidates: a preview with an Import button
(and a role picker when the file names no role), then the import, once.

Slack keeps the file; the buttons carry its id and the role, and each step reads it
again with files.info and the bot token. Work happens after the ack.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.candidate_csv import MAX_BYTES, ImportFileError
from bot.slack import notify
from bot.slack.blocks import imports as blocks
from bot.slack.blocks.jsonify import as_json_list
from bot.slack.deps import Deps
from bot.slack.notify import UNREACHABLE, refusal
from bot.usecases import importer
from bot.usecases.errors import NotAllowed
from handlers.replies import Reply, on_click

log = logging.getLogger(__name__)

DOWNLOAD_SECONDS = 30
MAX_FILES = 3  # files shared in one message that get a preview each


class Refused(Exception):
    """The file cannot be imported; the message says why, for the person."""


# Excel saves "Unicode Text" (UTF-16, tab-separated) as .txt, and some exports are .tsv:
# the same rows as a CSV, read the same way (the delimiter is found from the heading).
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")


def _is_csv(file: dict[str, Any]) -> bool:
    name = str(file.get("name") or "")
    return (
        name.lower().endswith(TABLE_SUFFIXES)
        or file.get("filetype") in ("csv", "tsv")
        or file.get("mimetype") in ("text/csv", "text/tab-separated-values")
    )


async def fetch(client: AsyncWebClient, file_id: str) -> tuple[str, bytes]:
    """The file's name and bytes, read with the bot token; Refused when it is not a CSV,
    is too large, or Slack will not hand it over."""
    try:
        file = (await client.files_info(file=file_id))["file"]
    except SlackApiError as error:
        raise Refused(blocks.FETCH_FAILED.format(error=refusal(error))) from None
    except UNREACHABLE as error:
        raise Refused(blocks.FETCH_FAILED.format(error=error.__class__.__name__)) from None
    if not _is_csv(file):
        raise Refused(blocks.NOT_CSV)
    if int(file.get("size") or 0) > MAX_BYTES:
        raise Refused(blocks.TOO_BIG)
    url = file.get("url_private_download") or file.get("url_private")
    if not isinstance(url, str):
        raise Refused(blocks.FETCH_FAILED.format(error="no_download_url"))
    return str(file.get("name") or file_id), await download(client, url)


async def download(
    client: AsyncWebClient, url: str, *, max_bytes: int = MAX_BYTES, too_big: str = blocks.TOO_BIG
) -> bytes:
    """A shared file's bytes, read with the bot token, at most `max_bytes` of them;
    Refused (`too_big`, or why Slack would not) otherwise. Templates read files this way too."""
    headers = {"Authorization": f"Bearer {client.token}"}
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.get(url, headers=headers) as response,
        ):
            # Without a valid token Slack answers with its sign-in page, not an error.
            if response.status != 200 or response.content_type == "text/html":
                raise Refused(blocks.FETCH_FAILED.format(error=f"HTTP {response.status}"))
            data = await _read_at_most(response.content, max_bytes + 1)
    except UNREACHABLE as error:
        raise Refused(blocks.FETCH_FAILED.format(error=error.__class__.__name__)) from None
    if len(data) > max_bytes:
        raise Refused(too_big)
    return data


async def _read_at_most(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The body up to its end or `limit` bytes, whichever comes first. One `read(n)`
    answers with what has arrived so far (a network chunk, some 64 KB), not n bytes:
    a large file read that way was cut off mid-row and imported in part."""
    data = bytearray()
    while len(data) < limit:
        chunk = await stream.read(limit - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


async def _preview_text(
    deps: Deps, client: AsyncWebClient, *, user_id: str, file_id: str, role_id: int | None
) -> tuple[str, list[Block]]:
    """The preview (or the role picker, or why not) as a message's text and blocks."""
    try:
        filename, data = await fetch(client, file_id)
        previewed = await importer.preview(
            deps.db, importer=importer.Importer(user_id), data=data, role_id=role_id
        )
    except (Refused, NotAllowed, ImportFileError) as refusal:
        return str(refusal), []
    if isinstance(previewed, importer.NeedsRole):
        return blocks.role_picker_message(
            previewed.roles,
            filename=filename,
            file_id=file_id,
            total=previewed.total,
            partly=previewed.has_role_column,
        )
    return blocks.preview_message(previewed, filename=filename, file_id=file_id, role_id=role_id)


async def _post_preview(
    deps: Deps, client: AsyncWebClient, *, user_id: str, channel: str, file_id: str
) -> None:
    text, built = await _preview_text(deps, client, user_id=user_id, file_id=file_id, role_id=None)
    try:
        await client.chat_postMessage(
            channel=channel, text=text, blocks=as_json_list(built) or None
        )
    except SlackApiError as error:
        log.warning("could not post an import preview: %s", refusal(error))
    except UNREACHABLE as error:
        log.warning("could not post an import preview: %s", error.__class__.__name__)


def file_shared(deps: Deps, client: AsyncWebClient, event: dict[str, Any]) -> None:
    """A `message` event of subtype `file_share` in a DM with the app (events.py has
    checked it is the first delivery): a preview per CSV file, after the ack."""
    user_id, channel = event.get("user"), event.get("channel")
    files = event.get("files")
    if not isinstance(user_id, str) or not isinstance(channel, str) or not isinstance(files, list):
        return
    for file in files[:MAX_FILES]:
        file_id = file.get("id") if isinstance(file, dict) else None
        if isinstance(file_id, str) and file_id:
            deps.background.run(
                _post_preview(deps, client, user_id=user_id, channel=channel, file_id=file_id),
                name="import-preview",
            )


async def _pick(reply: Reply, value: object) -> None:
    parsed = blocks.parse_import_value(value)
    if parsed is None or parsed[1] is None:
        await reply.tell("That choice is out of date; share the file again.")
        return
    text, built = await _preview_text(
        reply.deps, reply.client, user_id=reply.user_id, file_id=parsed[0], role_id=parsed[1]
    )
    if built:  # the picker becomes the preview
        await reply.replace(text, built)
    else:  # why not, under the picker, which stays for another try
        await reply.tell(text)


@on_click
async def role_picked(reply: Reply, action: dict[str, Any]) -> None:
    value = (action.get("selected_option") or {}).get("value")
    reply.deps.background.run(_pick(reply, value), name="import-role")


async def _import(reply: Reply, value: object) -> None:
    parsed = blocks.parse_import_value(value)
    if parsed is None:
        await reply.tell("That button is out of date; share the file again.")
        return
    file_id, role_id = parsed
    deps = reply.deps
    try:
        filename, data = await fetch(reply.client, file_id)
        done = await importer.run(
            deps.db,
            importer=importer.Importer(reply.user_id),
            filename=filename,
            data=data,
            role_id=role_id,
            now=deps.clock.now(),
        )
    except (Refused, NotAllowed, ImportFileError) as refusal:
        await reply.tell(str(refusal))
        return
    except SQLAlchemyError as error:  # the transaction rolled back: nothing was imported
        log.exception("import of file %s failed", file_id)
        await reply.tell(importer.failed_message(error))
        return
    log.info("imported %d candidates from file %s", len(done.candidate_ids), file_id)
    if not done.candidate_ids and done.preview.present and not done.preview.closed_rows:
        # A second click (or one on an old copy of the preview) finds the people the
        # first brought in: the first's result stays where it is, not replaced by this.
        # Not when someone new was left out as their role is closed now: that answer says so.
        await reply.tell(blocks.imported_already(filename))
        return
    # The preview's message becomes the result, so its Import button is gone.
    await reply.replace(
        *blocks.result_message(done.preview, filename=filename, imported=len(done.candidate_ids))
    )
    for title, channel, count in done.roles:
        told = blocks.imported_news(reply.user_id, title, count, filename)
        await notify.dm(reply.client, channel, *told)


@on_click
async def import_clicked(reply: Reply, action: dict[str, Any]) -> None:
    reply.deps.background.run(_import(reply, action.get("value")), name="import")


def register(app: AsyncApp) -> None:
    app.action(blocks.IMPORT)(import_clicked)
    app.action(blocks.IMPORT_ROLE)(role_picked)
