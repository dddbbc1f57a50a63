"""What a modal shows when its submission is not done: the one mapping from what a use case
refuses to `ack(response_action="errors")`, for every view_submission listener.

Field errors keep the modal open with the message under the field, so the person fixes
the form instead of retyping it. A listener raises; the decorator answers:

- FormErrors: each message under its own field;
- NotAllowed: the refusal under the listener's `field`;
- OutOfDate (private_metadata we did not write): "This form is out of date…" there;
- StaleMove (someone moved the candidate while the form was open): where they are now;
- typed text holding a NUL byte (PostgreSQL cannot store it): refused on its field
  before the listener runs.

Anything else goes on to the app's error handler (handlers/errors.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import notify
from bot.slack.blocks.common import MENTIONED, has_utc_time, in_zone
from bot.slack.deps import deps_of
from bot.slack.metadata import OutOfDate
from bot.usecases.errors import FormErrors, NotAllowed, StaleMove
from handlers import forms
from handlers.replies import Modal, named_after

START_AGAIN = "This form is out of date. Close it and start again."
# Scorecards and grades: their button stays on the kit or the DM, so the person reopens it.
OPEN_AGAIN = "This form is out of date. Close it and open it again."
NUL = "This holds a hidden NUL character that can't be saved. Retype the text and try again."

# What a submission listener is written as, and what Bolt calls (it passes arguments by
# name: every submission listener takes these five).
Submitted = Callable[[AsyncAck, Modal], Awaitable[None]]
Submission = Callable[
    [AsyncAck, dict[str, Any], dict[str, Any], AsyncWebClient, AsyncBoltContext],
    Awaitable[None],
]


def submission(
    field: str | None = None, *, out_of_date: str = START_AGAIN
) -> Callable[[Submitted], Submission]:
    """The Bolt listener of a modal's submission: the listener gets the Modal, and its
    refusals are answered on the modal. `field`: the input under which a refusal, a stale
    form or a stale move shows (the form's main input); a listener without one expects
    none of them, so they reach the error handler like any other failure.

    The listener acks only once it is done; whatever it raises comes before that ack."""

    def decorate(listener: Submitted) -> Submission:
        async def answered(
            ack: AsyncAck,
            body: dict[str, Any],
            view: dict[str, Any],
            client: AsyncWebClient,
            context: AsyncBoltContext,
        ) -> None:
            if nul := forms.with_nul(view):  # before any listener stores it
                await ack(response_action="errors", errors=dict.fromkeys(nul, NUL))
                return
            user_id = body["user"]["id"]
            try:
                await listener(ack, Modal(deps_of(context), client, user_id, view))
            except FormErrors as invalid:
                errors = await _plain(invalid.errors, client, user_id)
                await ack(response_action="errors", errors=errors)
            except (NotAllowed, OutOfDate, StaleMove) as refusal:
                if field is None:
                    raise
                errors = {field: _message(refusal, out_of_date)}
                await ack(response_action="errors", errors=await _plain(errors, client, user_id))

        return named_after(answered, listener)

    return decorate


async def _plain(errors: dict[str, str], client: AsyncWebClient, user_id: str) -> dict[str, str]:
    """Slack shows a field's error as plain text: the backticks that set a command apart
    in a message would show as they are, and a date token would too, so a time in it is
    written in the reader's own zone when Slack says it in time (else it stays in UTC).
    A person named in it (bot.domain.mentions) can't be a mention there: their name, as
    Slack says it in time, else "a teammate"."""
    plain = {name: text.replace("`", "") for name, text in errors.items()}
    if named := {u for text in plain.values() for u in MENTIONED.findall(text)}:
        names = await _names_in_time(client, named)
        plain = {
            name: MENTIONED.sub(lambda m: names.get(m[1], "a teammate"), text)
            for name, text in plain.items()
        }
    if not any(map(has_utc_time, plain.values())):
        return plain
    zones = await notify.time_zones_in_time(client, [user_id])
    tz = (zones or {}).get(user_id)
    return {name: in_zone(text, tz) for name, text in plain.items()}


async def _names_in_time(client: AsyncWebClient, user_ids: set[str]) -> dict[str, str]:
    try:
        async with asyncio.timeout(notify.ZONES_WAIT_SECONDS):
            return await notify.full_names(client, user_ids)
    except TimeoutError:
        return {}


def _message(refusal: NotAllowed | OutOfDate | StaleMove, out_of_date: str) -> str:
    if isinstance(refusal, OutOfDate):
        return out_of_date  # the details are for logs, not for the person
    if isinstance(refusal, StaleMove):
        candidate = refusal.current.candidate
        return (
            f"{candidate.name} was moved to {candidate.stage} while this form was open. "
            "Close it and look again."
        )
    return str(refusal)
