"""The one error handler: log with the traceback, tell the person something went wrong."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("loopkeeper.errors")

SORRY = (
    "Sorry, something went wrong on my side and nothing was changed. "
    "Please try again in a minute; if it keeps happening, tell your Loopkeeper admin."
)


async def handle_error(
    error: Exception, body: dict[str, Any], context: AsyncBoltContext
) -> BoltResponse:
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    log.error("unhandled error in a %s listener", kind, exc_info=error)
    if isinstance(error, DBAPIError) and "deps" in context:
        context["deps"].metrics.database_errors.inc()
    if kind == "view_submission":
        # Keeps the modal open with the explanation instead of Slack's generic error.
        raw_view = body.get("view")
        view: dict[str, Any] = raw_view if isinstance(raw_view, dict) else {}
        raw_blocks = view.get("blocks")
        blocks: list[Any] = raw_blocks if isinstance(raw_blocks, list) else []
        first_input = next(
            (
                b.get("block_id")
                for b in blocks
                if isinstance(b, dict) and b.get("type") == "input" and b.get("block_id")
            ),
            None,
        )
        if first_input:
            payload = {"response_action": "errors", "errors": {first_input: SORRY}}
            return BoltResponse(
                status=200,
                body=json.dumps(payload),
                headers={"content-type": "application/json"},
            )
    if kind == "slash_command":
        return BoltResponse(status=200, body=SORRY)
    # A click or an event: the failure is logged above. A 200 stops Slack retrying
    # an event that would fail the same way, and shows no error to the person.
    return BoltResponse(status=200, body="")


def register(app: AsyncApp) -> None:
    app.error(handle_error)
