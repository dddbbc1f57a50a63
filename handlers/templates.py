"""A scorecard template (a `.toml` file) shared in a DM with the app: each problem with
its line, or a preview with an Install button; the click installs it as the next
version, once.

Slack keeps the file; the button carries its id, a digest of the text previewed and the
version promised, and the click reads the file again (files.info, the bot token) and
checks it again. Work happens after the ack, as for a CSV (handlers/imports.py).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.limits import MAX_TEMPLATE_SOURCE
from bot.domain.scorecards import TemplateProblems
from bot.slack.blocks import templates as blocks
from bot.slack.blocks.jsonify import as_json_list
from bot.slack.deps import Deps
from bot.slack.notify import UNREACHABLE, refusal
from bot.usecases import admin as admin_cases
from bot.usecases import templates
from bot.usecases.errors import NotAllowed
from handlers.imports import Refused, download
from handlers.replies import Reply, on_click

log = logging.getLogger(__name__)

TOO_BIG = blocks.TOO_BIG.format(kb=MAX_TEMPLATE_SOURCE // 1000)


def is_template(file: object) -> bool:
    """A file shared as a scorecard template: a `.toml` by name or by Slack's file type."""
    if not isinstance(file, dict):
        return False
    name = str(file.get("name") or "")
    return name.lower().endswith(".toml") or file.get("filetype") == "toml"


async def fetch(client: AsyncWebClient, file_id: str) -> tuple[str, bytes]:
    """The file's name and bytes, read with the bot token; Refused when Slack will not
    hand it over or it is too large for a template."""
    try:
        file = (await client.files_info(file=file_id))["file"]
    except SlackApiError as error:
        raise Refused(blocks.FETCH_FAILED.format(error=refusal(error))) from None
    except UNREACHABLE as error:
        raise Refused(blocks.FETCH_FAILED.format(error=error.__class__.__name__)) from None
    if int(file.get("size") or 0) > MAX_TEMPLATE_SOURCE:
        raise Refused(TOO_BIG)
    url = file.get("url_private_download") or file.get("url_private")
    if not isinstance(url, str):
        raise Refused(blocks.FETCH_FAILED.format(error="no_download_url"))
    data = await download(client, url, max_bytes=MAX_TEMPLATE_SOURCE, too_big=TOO_BIG)
    return str(file.get("name") or file_id), data


async def _preview(
    deps: Deps, client: AsyncWebClient, *, user_id: str, file_id: str
) -> tuple[str, list[Block]]:
    """The preview, the problems, or why not, as a message's text and blocks."""
    # Asked before the download, so a file from someone who may not install is not read;
    # the use case asks again.
    why_not = admin_cases.admin_refusal(user_id, await admin_cases.admin_ids(deps.db))
    if why_not:
        return templates.ADMINS_ONLY, []
    filename = file_id
    try:
        filename, data = await fetch(client, file_id)
        checked = await templates.preview(deps.db, user_id=user_id, source_name=filename, data=data)
    except (Refused, NotAllowed) as refused:
        return str(refused), []
    except TemplateProblems as problems:
        return blocks.problems_message(filename, problems.problems)
    return blocks.preview_message(checked, filename=filename, file_id=file_id)


async def _post_preview(
    deps: Deps, client: AsyncWebClient, *, user_id: str, channel: str, file_id: str
) -> None:
    text, built = await _preview(deps, client, user_id=user_id, file_id=file_id)
    try:
        await client.chat_postMessage(
            channel=channel, text=text, blocks=as_json_list(built) or None
        )
    except SlackApiError as error:
        log.warning("could not post a template preview: %s", refusal(error))
    except UNREACHABLE as error:
        log.warning("could not post a template preview: %s", error.__class__.__name__)


def file_shared(deps: Deps, client: AsyncWebClient, event: dict[str, Any]) -> None:
    """The template files of a `file_share` message in a DM with the app (events.py has
    checked it is the first delivery and picked them out): an answer for each, after the
    ack."""
    user_id, channel = event.get("user"), event.get("channel")
    files = event.get("files")
    if not isinstance(user_id, str) or not isinstance(channel, str) or not isinstance(files, list):
        return
    for file in [f for f in files if is_template(f)][: blocks.MAX_FILES]:
        file_id = file.get("id")
        if isinstance(file_id, str) and file_id:
            deps.background.run(
                _post_preview(deps, client, user_id=user_id, channel=channel, file_id=file_id),
                name="template-preview",
            )


async def _install(reply: Reply, value: object) -> None:
    parsed = blocks.parse_install_value(value)
    if parsed is None:
        await reply.tell(blocks.STALE)
        return
    file_id, digest, version = parsed
    deps = reply.deps
    filename = file_id
    try:
        filename, data = await fetch(reply.client, file_id)
        done = await templates.install(
            deps.db,
            user_id=reply.user_id,
            source_name=filename,
            data=data,
            now=deps.clock.now(),
            digest=digest,
            expected_version=version,
        )
    except (Refused, NotAllowed) as refused:
        await reply.tell(str(refused))
        return
    except TemplateProblems as problems:  # a release with stricter checks since the preview
        await reply.tell(blocks.problems_message(filename, problems.problems)[0])
        return
    text, built = blocks.installed_message(done)
    if done.new:
        log.info("installed scorecard template %s from file %s", done.key, file_id)
        await reply.replace(text, built)  # the preview's Install button is spent
    else:  # a second click, or a retry: the first one's answer stays
        await reply.tell(text)


@on_click
async def install_clicked(reply: Reply, action: dict[str, Any]) -> None:
    reply.deps.background.run(_install(reply, action.get("value")), name="template-install")


def register(app: AsyncApp) -> None:
    app.action(blocks.INSTALL)(install_clicked)
