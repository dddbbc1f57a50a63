"""What the playground's people do: each method is one thing a person does in Slack,
sent to the real app as Slack would send it, with Slack's answer applied to the
workspace the stand-in keeps (an ephemeral reply, a modal closing, field errors)."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.playground import workspace
from bot.playground.sender import SlackSender
from bot.playground.standin import BOT_USER_ID, SlackStandin
from bot.slack.blocks.common import esc  # Slack escapes what people type the same way

# Slack's own words when an app does not answer a command or a form in time.
COMMAND_FAILED = "/{command} failed with the error “dispatch_failed”"
FORM_FAILED = "We had some trouble connecting. Try again?"
MENTION = re.compile(r"@loopkeeper\b", re.IGNORECASE)


class PlaygroundError(Exception):
    """Something a person tried that Slack would refuse; the message is for them."""


@dataclass
class People:
    """Acts for any person of the workspace against the running app."""

    standin: SlackStandin
    sender: SlackSender
    # (person, view id) -> field errors from the app's last `response_action: errors`
    errors: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    # ---- typing in the message box --------------------------------------------------

    async def say(self, user: str, channel: str, text: str) -> None:
        text = text.strip()
        if not text:
            raise PlaygroundError("Type a message, a /hire command or a question first.")
        if channel not in self.conversations_of(user):
            raise PlaygroundError("You are not a member of that conversation.")
        if text.startswith("/"):
            await self.command(user, channel, text)
        else:
            await self.message(user, channel, text)

    async def command(self, user: str, channel: str, text: str) -> None:
        command, _, rest = text.partition(" ")
        if command != "/hire":
            self._ephemeral(
                user, channel, f"{command} is not a valid command. Loopkeeper's is `/hire`."
            )
            await self.standin.changed()
            return
        response_url = self._response_url(user, channel, ts=None)
        response = await self.sender.command(
            command_text(rest.strip()),
            user=user,
            channel=channel,
            channel_name=self._channel_name(channel),
            trigger_id=self._trigger(user),
            response_url=response_url,
        )
        if response.status_code != 200:
            self._ephemeral(user, channel, COMMAND_FAILED.format(command="hire"))
        else:
            answer = _json_or_text(response)
            if answer.get("text") or answer.get("blocks"):
                self._ephemeral(user, channel, answer.get("text") or "", answer.get("blocks"))
        await self.standin.changed()

    async def message(self, user: str, channel: str, text: str) -> None:
        mentioned = bool(MENTION.search(text)) or f"<@{BOT_USER_ID}>" in text
        stored = MENTION.sub(f"<@{BOT_USER_ID}>", esc(text))
        kept = self.standin.post_as(user, channel, stored)
        await self.standin.changed()
        event: dict[str, Any] = {
            "user": user,
            "text": stored,
            "ts": kept["ts"],
            "channel": channel,
            "event_ts": kept["ts"],
            "client_msg_id": str(uuid.uuid4()),
        }
        if channel == workspace.dm_of(user):
            event.update(type="message", channel_type="im")
        elif mentioned:
            event.update(type="app_mention")
        else:
            return  # Loopkeeper hears channels only when mentioned
        response = await self.sender.event(event)
        if response.status_code != 200:
            raise PlaygroundError(f"Loopkeeper answered HTTP {response.status_code}.")

    # ---- sharing a file -----------------------------------------------------------------

    async def share(self, user: str, filename: str, data: bytes) -> None:
        """`user` drops a file into their DM with the app (a CSV to import, a template
        to install): Slack keeps it and tells the app with a `file_share` message."""
        name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name:
            raise PlaygroundError("Choose a file to share.")
        if not data:
            raise PlaygroundError(f"{name} is empty: there is nothing to share.")
        channel = workspace.dm_of(user)
        # Slack names the type from the file itself, not from what the browser guessed.
        file = self.standin.share_file(user, name, data)
        ts = self.standin.conversations[channel][-1]["ts"]
        await self.standin.changed()
        event: dict[str, Any] = {
            "type": "message",
            "subtype": "file_share",
            "text": "",
            "files": [file],
            "upload": False,
            "user": user,
            "display_as_bot": False,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            "channel_type": "im",
        }
        response = await self.sender.event(event)
        if response.status_code != 200:
            raise PlaygroundError(f"Loopkeeper answered HTTP {response.status_code}.")

    # ---- clicking ---------------------------------------------------------------------

    async def click(
        self,
        user: str,
        *,
        surface: str,
        block_id: str,
        action: dict[str, Any],
        channel: str | None = None,
        ts: str | None = None,
        view_id: str | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        trigger_id = self._trigger(user)
        if surface == "message":
            if not channel or not ts:
                raise PlaygroundError("Which message? channel and ts are needed.")
            kept = self.standin.find_message(channel, ts)
            if kept is None or not self._visible(user, kept):
                raise PlaygroundError("That message is gone.")
            response = await self.sender.block_action(
                action,
                user=user,
                block_id=block_id,
                trigger_id=trigger_id,
                message={"ts": ts, "text": kept["text"], "blocks": kept["blocks"] or []},
                channel=channel,
                ephemeral=kept["ephemeral_to"] is not None,
                response_url=self._response_url(user, channel, ts=ts),
            )
        else:
            view = self.standin.home_of(user) if surface == "home" else self.standin.modal_of(user)
            if view is None or (view_id and view["id"] != view_id):
                raise PlaygroundError("That view is no longer open.")
            response = await self.sender.block_action(
                action,
                user=user,
                block_id=block_id,
                trigger_id=trigger_id,
                view=view,
                state=values or {},
            )
        if response.status_code != 200:
            raise PlaygroundError(f"Loopkeeper didn't answer (HTTP {response.status_code}).")
        await self.standin.changed()

    # ---- forms ------------------------------------------------------------------------

    async def submit(self, user: str, view_id: str, values: dict[str, Any]) -> dict[str, str]:
        """Submit the person's open modal; returns the field errors it came back with."""
        view = self._open_modal(user, view_id)
        response = await self.sender.submit_view(
            view, {}, user=user, state=values, trigger_id=self._trigger(user)
        )
        self.errors.pop((user, view_id), None)
        if response.status_code != 200:
            raise PlaygroundError(FORM_FAILED)
        answer = _json_or_text(response) if response.content else {}
        action = answer.get("response_action")
        field_errors: dict[str, str] = {}
        if action == "errors":
            field_errors = dict(answer.get("errors") or {})
            self.errors[(user, view_id)] = field_errors
        elif action in ("update", "push"):
            new_view = answer.get("view") or {}
            if self.standin.view_problems_of(new_view):
                raise PlaygroundError(FORM_FAILED)
            if action == "update":
                self.standin.replace_modal(user, new_view)
            else:
                self.standin.push_modal(user, new_view)
        else:
            self.standin.close_modal(user, every=action == "clear")
        await self.standin.changed()
        return field_errors

    async def close(self, user: str, view_id: str) -> None:
        view = self._open_modal(user, view_id)
        self.errors.pop((user, view_id), None)
        self.standin.close_modal(user)
        await self.standin.changed()
        if view.get("notify_on_close"):
            await self.sender.close_view(view, user=user)

    async def open_home(self, user: str, *, tab: str = "home") -> None:
        """`user` opened the app's Home tab, or its Messages tab: Slack tells the app of
        both with app_home_opened, with the Home tab's view when it has one."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": workspace.dm_of(user),
            "tab": tab,
            "event_ts": f"{self.standin.clock_epoch():.6f}",
        }
        home = self.standin.home_of(user)
        if home is not None and tab == "home":
            event["view"] = home
        response = await self.sender.event(event)
        if response.status_code != 200:
            raise PlaygroundError(f"Loopkeeper answered HTTP {response.status_code}.")

    async def dismiss(self, user: str, channel: str, ts: str) -> None:
        kept = self.standin.find_message(channel, ts)
        if kept is not None and kept["ephemeral_to"] == user:
            self.standin.delete_message(channel, ts)
            await self.standin.changed()

    # ---- what a person sees -------------------------------------------------------------

    def conversations_of(self, user: str) -> list[str]:
        joined = [c.id for c in workspace.CHANNELS if user in c.members]
        return [*joined, workspace.dm_of(user)]

    def messages_of(self, user: str, channel: str) -> list[dict[str, Any]]:
        """In time order, as Slack shows them (the seed replays days out of order)."""
        kept = self.standin.conversations.get(channel, [])
        return sorted((m for m in kept if self._visible(user, m)), key=lambda m: _ts_key(m["ts"]))

    def _visible(self, user: str, message: dict[str, Any]) -> bool:
        return message["ephemeral_to"] in (None, user)

    def _open_modal(self, user: str, view_id: str) -> dict[str, Any]:
        view = self.standin.modal_of(user)
        if view is None or view["id"] != view_id:
            raise PlaygroundError("That form is no longer open.")
        return view

    # ---- Slack's bookkeeping -----------------------------------------------------------

    def _trigger(self, user: str) -> str:
        trigger_id = self.sender.new_trigger_id()
        _remember(self.standin.trigger_users, trigger_id, user)
        return trigger_id

    def _response_url(self, user: str, channel: str, *, ts: str | None) -> str:
        name = secrets.token_hex(8)
        target = {"user": user, "channel": channel, "ts": ts}
        _remember(self.standin.response_targets, name, target)
        return self.standin.response_url(name)

    def _ephemeral(
        self, user: str, channel: str, text: str, blocks: list[Any] | None = None
    ) -> None:
        self.standin.post_ephemeral(channel, user, text, blocks)

    def _channel_name(self, channel: str) -> str:
        for known in workspace.CHANNELS:
            if known.id == channel:
                return known.name
        return "directmessage"


# Slack's trigger_ids last seconds and response_urls half an hour; a long-running
# playground keeps the newest few thousand, not every one ever handed out.
REMEMBERED = 5000


def _remember(kept: dict[str, Any], key: str, value: Any) -> None:
    kept[key] = value
    while len(kept) > REMEMBERED:
        del kept[next(iter(kept))]


def _json_or_text(response: httpx.Response) -> dict[str, Any]:
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            answer = response.json()
        except json.JSONDecodeError:
            return {}
        return answer if isinstance(answer, dict) else {}
    return {"text": response.text} if response.text else {}


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, seq = ts.partition(".")
    return int(seconds), int(seq or 0)


# What Slack makes of a command's text when the command escapes it (the manifest's
# `should_escape`): a person mentioned by @ and their first or full name, a link, an email.
_PERSON = re.compile(
    r"@("
    + "|".join(
        sorted(
            (re.escape(n) for p in workspace.PEOPLE for n in (p.name, p.name.split()[0])),
            key=len,
            reverse=True,
        )
    )
    + r")\b",
    re.IGNORECASE,
)
_LINK = re.compile(r"https?://[^\s<>]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def command_text(text: str) -> str:
    """A command's text as Slack sends it: `@Ivan` as <@UINT0001|ivan.petrov>, links and
    emails marked up, and `&`, `<`, `>` as entities."""
    marked: list[str] = []

    def keep(markup: str) -> str:
        marked.append(markup)
        return f"\x00{len(marked) - 1}\x00"  # out of reach of the escaping below

    def person(match: re.Match[str]) -> str:
        found = match.group(1).lower()
        who = next(
            p for p in workspace.PEOPLE if found in (p.name.lower(), p.name.split()[0].lower())
        )
        return keep(f"<@{who.id}|{who.name.lower().replace(' ', '.')}>")

    text = _LINK.sub(lambda m: keep(f"<{m.group(0)}>"), text)
    text = _EMAIL.sub(lambda m: keep(f"<mailto:{m.group(0)}|{m.group(0)}>"), text)
    text = _PERSON.sub(person, text)
    text = esc(text)
    return re.sub(r"\x00(\d+)\x00", lambda m: marked[int(m.group(1))], text)
