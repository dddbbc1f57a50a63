"""How a listener answers the person who asked: one reply object per request, made once,
so each answer is one short call (`await reply.tell(text)`).

Reply, for a click: a click on a message (a card, a digest, an import preview) has a
response_url, and the answer goes there, privately. A click on the Home tab or in a modal
has none: the answer comes by DM instead, after the ack.

CommandReply, for `/hire`: the ack is the answer, and only the asker sees it.

Modal, for a submitted form: Slack closes it at the ack, so the answers come by DM, after.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import notify
from bot.slack.blocks import interviews as interview_blocks
from bot.slack.blocks.common import note_markup, typed_back
from bot.slack.blocks.jsonify import as_json, as_json_list
from bot.slack.deps import Deps, deps_of
from bot.slack.metadata import typed_in, with_typed_in
from bot.usecases import feedback
from bot.usecases.candidates import CandidateCard
from bot.usecases.errors import NotAllowed
from bot.usecases.feedback import Scheduled
from handlers.errors import SORRY, handle_error
from handlers.render import refresh_home, status_card

log = logging.getLogger(__name__)

T = TypeVar("T")
Zones = dict[str, str | None]  # each interviewer's time zone, as Slack says it
L = TypeVar("L", bound=Callable[..., Awaitable[None]])
Blocks = Sequence[Block]


def named_after(listener: L, handler: Callable[..., Awaitable[None]]) -> L:
    """The Bolt listener made of `handler`, under its name and docstring (for logs). Not
    functools.wraps: Bolt reads a listener's argument names through __wrapped__, and
    they must be the listener's own."""
    listener.__name__ = handler.__name__
    listener.__qualname__ = handler.__qualname__
    listener.__doc__ = handler.__doc__
    listener.__module__ = handler.__module__
    return listener


async def open_view(client: AsyncWebClient, trigger_id: str, view: View) -> str | None:
    """Open a modal: None when it opened, else what went wrong (Slack's error code, or the
    kind of network failure) for the person to be told, so they can try again."""
    try:
        await client.views_open(trigger_id=trigger_id, view=as_json(view))
    except SlackApiError as error:
        problem = notify.refusal(error)  # an HTML page in place of Slack's JSON too
        # The person is told; the operator sees it too (a code, no candidate data).
        log.warning("views.open refused: %s (form %s)", problem, view.callback_id)
        return problem
    except notify.UNREACHABLE as error:
        log.warning("views.open failed: %s (form %s)", error.__class__.__name__, view.callback_id)
        # Slack said nothing: the time ran out, or it could not be reached.
        return "no answer in time" if isinstance(error, TimeoutError) else "unreachable"
    return None


@dataclass(frozen=True)
class Reply:
    """Where the answers to one click go, and what they need to get there."""

    deps: Deps
    client: AsyncWebClient
    body: dict[str, Any]

    @classmethod
    def to(cls, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> Reply:
        return cls(deps_of(context), client, body)

    @property
    def user_id(self) -> str:
        return str(self.body["user"]["id"])

    @property
    def _in_place(self) -> bool:
        return bool(self.body.get("response_url"))

    async def tell(self, text: str) -> None:
        """A short private answer, under the clicked message (which stays as it was)."""
        if self._in_place:
            await self._respond(text=text, replace_original=False)
        else:
            self._dm(text, [], name="tell")

    async def show(self, text: str, blocks: Blocks, *, beside: bool = False) -> None:
        """A card where the click came from: replacing an ephemeral list or card, or as a
        new private message under a digest or any other message that stays (and under
        an ephemeral list too when `beside`)."""
        if not self._in_place:
            self._dm(text, blocks, name="card")
            return
        container = self.body.get("container")
        ephemeral = isinstance(container, dict) and bool(container.get("is_ephemeral"))
        await self._respond(text=text, blocks=blocks, replace_original=ephemeral and not beside)

    async def replace(self, text: str, blocks: Blocks) -> None:
        """The clicked message becomes this one (its buttons are spent)."""
        if self._in_place:
            await self._respond(text=text, blocks=list(blocks) or None, replace_original=True)
        else:
            self._dm(text, blocks, name="card-changed")

    async def show_card(self, card: CandidateCard, note: str) -> None:
        """The candidate's card as this person may see it, under a note, via show()."""
        text, blocks = await status_card(self.deps, self.user_id, card, note=note)
        await self.show(text, blocks)

    async def changed(self, card: CandidateCard, note: str, *, below: Blocks = ()) -> None:
        """After a button changed a candidate: the clicker's Home tab redrawn, and the
        card with what happened in place of the clicked message (`below` it: what the
        change asks next)."""
        refresh_home(self.deps, self.client, self.user_id)
        text, blocks = await status_card(self.deps, self.user_id, card, note=note)
        await self.replace(text, [*blocks, *below])

    async def open(self, view: View) -> None:
        """Open a form; if Slack will not, say so (the trigger lives three seconds)."""
        problem = await open_view(self.client, str(self.body["trigger_id"]), view)
        if problem:
            await self.tell(
                f"Slack didn't let me open the form (it said `{problem}`). Please click again."
            )

    async def unless_refused(self, work: Awaitable[T]) -> T | None:
        """What a use case returns, or None once the person has been told why it refused
        (NotAllowed carries the words)."""
        try:
            return await work
        except NotAllowed as refusal:
            await self.tell(note_markup(str(refusal)))
            return None

    async def _respond(self, **message: Any) -> None:
        # As with a DM (notify.dm): Slack out of reach or refusing is logged, and nobody
        # waits on it. Through the app's kept-alive connections to Slack: Bolt's respond()
        # opens a new one (a TLS handshake) for every answer.
        if message.get("blocks"):
            message["blocks"] = as_json_list(message["blocks"])
        await notify.respond(
            self.client,
            str(self.body["response_url"]),
            {k: v for k, v in message.items() if v is not None},
        )

    def _dm(self, text: str, blocks: Blocks, *, name: str) -> None:
        self.deps.background.run(notify.dm(self.client, self.user_id, text, blocks), name=name)


# What a button listener is written as, and what Bolt calls (it passes arguments by name).
Click = Callable[["Reply", dict[str, Any]], Awaitable[None]]
ButtonListener = Callable[
    [AsyncAck, dict[str, Any], dict[str, Any], AsyncWebClient, AsyncBoltContext],
    Awaitable[None],
]


def on_click(handler: Click) -> ButtonListener:
    """The Bolt listener for a button: ack at once, then `handler(reply, action)`."""

    async def listener(
        ack: AsyncAck,
        action: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        await _clicked(handler, Reply.to(body, client, context), action, context)

    return named_after(listener, handler)


async def _clicked(
    handler: Click, reply: Reply, action: dict[str, Any], context: AsyncBoltContext
) -> None:
    """The handler; its failure logged and counted as any listener's (handle_error), and
    the person told: the click's ack, already given, cannot say so."""
    try:
        await handler(reply, action)
    except Exception as error:  # the same net as Bolt's error handler
        await handle_error(error, reply.body, context)
        await reply.tell(SORRY)


@dataclass(frozen=True)
class CommandReply:
    """Where the answer to one `/hire` goes: its ack, once, and what the answer needs."""

    deps: Deps
    client: AsyncWebClient
    ack: AsyncAck
    command: dict[str, Any]

    @classmethod
    def to(
        cls,
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> CommandReply:
        return cls(deps_of(context), client, ack, command)

    @property
    def user_id(self) -> str:
        return str(self.command["user_id"])

    async def tell(self, text: str) -> None:
        await self.ack(text=text)

    async def show(self, text: str, blocks: Blocks) -> None:
        await self.ack(text=text, blocks=as_json_list(blocks) or None)

    async def tell_keeping(self, text: str, typed: str) -> None:
        """A refusal of text too long, with what they typed below it to shorten."""
        await self.show(text, typed_back(text, typed))

    async def open(self, view: View) -> None:
        """Open a form, and ack with nothing to say; or say Slack would not open it. The
        form keeps where the command was typed (typed_in), for its confirmation."""
        view.private_metadata = with_typed_in(
            view.private_metadata, str(self.command.get("response_url") or "")
        )
        problem = await open_view(self.client, str(self.command["trigger_id"]), view)
        if problem:
            await self.tell(
                f"Slack didn't let me open the form in time (it said `{problem}`). "
                "Please run the command again."
            )
        else:
            await self.ack()

    async def unless_refused(self, work: Awaitable[T]) -> T | None:
        """What a use case returns, or None once the asker has been told why it refused."""
        try:
            return await work
        except NotAllowed as refusal:
            await self.tell(note_markup(str(refusal)))
            return None


@dataclass(frozen=True)
class Modal:
    """One submitted modal: what the person entered and who they are. Slack closes the
    modal at the ack; what follows comes after it, by DM."""

    deps: Deps
    client: AsyncWebClient
    user_id: str
    view: dict[str, Any]

    def later(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        """Work after the ack, which does not wait for it."""
        self.deps.background.run(work, name=name)

    async def warnings_for(self, kit: Scheduled) -> tuple[list[str], Zones | None]:
        """What booking or changing an interview as `kit` would warn about, for its form
        to show before anything is stored, and the interviewers' zones it asked (None
        when Slack took too long to say: the form then leaves days off out)."""
        zones = await notify.time_zones_in_time(self.client, kit.interviewer_ids)
        warned = await feedback.with_local_warnings(self.deps.db, kit, zones or {})
        return interview_blocks.warning_lines(warned, notes=False), zones

    def confirm(self, card: CandidateCard, note: str, *, name: str) -> None:
        """After the ack: show_card(card, note), where the command that opened the form
        was typed if one did (typed_in)."""
        origin = typed_in(self.view.get("private_metadata"))
        self.later(self.show_card(card, note, origin=origin), name=name)

    async def show_card(self, card: CandidateCard, note: str, *, origin: str = "") -> None:
        """The card, privately, under a note of what just happened: where the command
        that opened the form was typed (`origin`, its response_url: only the person sees
        it there), else in their DM with the app; the person's Home tab follows."""
        text, blocks = await status_card(self.deps, self.user_id, card, note=note)
        answer = {"response_type": "ephemeral", "text": text, "blocks": as_json_list(blocks)}
        if not (origin and await notify.respond(self.client, origin, answer)):
            await notify.dm(self.client, self.user_id, text, blocks)
        refresh_home(self.deps, self.client, self.user_id)
