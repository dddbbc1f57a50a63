"""Requests to the app signed and shaped exactly as Slack sends them.

Each helper builds the body Slack would (the payload shapes of docs/slack.md),
signs the exact bytes it sends with the v0 scheme, and posts them to the app's
/slack/events over real HTTP, so Bolt's request verification runs as it does in
production. The playground plays its people with it; the tests play Slack.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import hmac
import itertools
import json
import secrets
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any, Self
from urllib.parse import urlencode

import httpx

SLACKBOT_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
VERIFICATION_TOKEN = "verification_token"  # the legacy token Slack still puts in bodies
TEAM_DOMAIN = "test-team"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"


def sign(signing_secret: str, timestamp: str | int, body: bytes) -> str:
    """Slack's v0 signature: HMAC-SHA256 over "v0:{timestamp}:{body}"."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


_sign = sign  # SlackSender.post_raw has a parameter named `sign`


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every sender: each new one reads the whole CA bundle (30 ms),
    and the tests start a sender per test."""
    return httpx.create_ssl_context()


class SlackSender:
    """Plays Slack's side of commands, interactivity and events against the app."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        response_url_factory: Callable[[str], str] | None = None,
        now: Callable[[], float] = time.time,
        team_id: str = "T111",
        api_app_id: str = "A111",
    ) -> None:
        self.events_url = f"{base_url.rstrip('/')}/slack/events"
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.last_trigger_id: str | None = None
        self._response_url_factory = response_url_factory
        self._now = now
        self._seq = itertools.count(1)
        self._client = httpx.AsyncClient(timeout=10.0, verify=_tls())

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ---- slash commands ----------------------------------------------------------

    async def command(
        self,
        text: str,
        *,
        user: str,
        command: str = "/hire",
        channel: str = "C111",
        channel_name: str = "hiring",
        trigger_id: str | None = None,
        response_url: str | None = None,
    ) -> httpx.Response:
        """A slash command; response_url defaults to response_url_factory(user)."""
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": TEAM_DOMAIN,
            "enterprise_id": "",
            "enterprise_name": "",
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(response_url, user),
            "trigger_id": self._trigger_id(trigger_id),
        }
        return await self.post_raw(urlencode(fields).encode(), content_type=FORM)

    # ---- interactivity -----------------------------------------------------------

    async def action(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user: str,
        block_id: str = "actions",
        container: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel: str | None = "C111",
        response_url: str | None = None,
        action_type: str = "button",
        selected_option: dict[str, Any] | None = None,
        ephemeral: bool = False,
    ) -> httpx.Response:
        """A block_actions payload: in a modal/Home tab when `view` is given, else in a message."""
        blocks = (view if view is not None else message or {}).get("blocks") or []
        located = _find_element(blocks, action_id)
        if located is not None and block_id == "actions":
            # The default is a guess; the block the element sits in is what Slack reports.
            block_id, element = located
        else:
            element = located[1] if located else {"type": action_type, "action_id": action_id}
        return await self.block_action(
            self._action(element, block_id, value, action_type, selected_option),
            user=user,
            block_id=block_id,
            trigger_id=None,
            view=view,
            message=message,
            channel=channel,
            ephemeral=ephemeral,
            response_url=response_url,
            container=container,
        )

    async def block_action(
        self,
        action: dict[str, Any],
        *,
        user: str,
        block_id: str,
        trigger_id: str | None,
        view: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel: str | None = None,
        ephemeral: bool = False,
        response_url: str | None = None,
        container: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """A block_actions payload for an action already shaped as Slack reports it
        (type, action_id and what was picked), in a view or in a message; a new
        trigger_id when none is given."""
        slack_view = self._slack_view(view) if view is not None else None
        if slack_view is not None and state is not None:
            slack_view["state"] = {"values": state}
        msg = None if slack_view is not None else self._message(message)
        blocks = (slack_view or msg or {}).get("blocks") or []
        found = _find_element(blocks, str(action.get("action_id")))
        reported: dict[str, Any] = {**action, "block_id": block_id}
        reported["action_ts"] = f"{self._now():.6f}"
        if action.get("type") == "button" and found is not None:
            reported["text"] = found[1].get("text")
        payload = self._block_actions(
            reported,
            user=user,
            slack_view=slack_view,
            message=msg,
            channel=channel,
            container=container or _container(slack_view, msg, channel, ephemeral),
            trigger_id=trigger_id,
            response_url=response_url,
        )
        return await self._post_payload(payload)

    def _block_actions(
        self,
        action: dict[str, Any],
        *,
        user: str,
        slack_view: dict[str, Any] | None,
        message: dict[str, Any] | None,
        channel: str | None,
        container: dict[str, Any],
        trigger_id: str | None,
        response_url: str | None,
    ) -> dict[str, Any]:
        """The block_actions payload around one action, in a view or in a message."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "container": container,
            "trigger_id": self._trigger_id(trigger_id),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if slack_view is not None:
            payload["view"] = slack_view
        else:
            payload["message"] = message
            payload["state"] = {"values": {}}
            payload["response_url"] = self._response_url(response_url, user)
            if channel is not None:
                payload["channel"] = {"id": channel, "name": _channel_name(channel)}
        return payload

    async def submit_view(
        self,
        view: dict[str, Any],
        values: dict[str, Any],
        *,
        user: str,
        private_metadata: str | None = None,
        state: dict[str, Any] | None = None,
        trigger_id: str | None = None,
    ) -> httpx.Response:
        """A view_submission; `values` maps input block_id to what the person entered.

        Inputs not named keep their initial value, or the empty shape Slack sends for
        an untouched field. A block_id that is no input block raises ValueError.
        `state`, when given, is taken as Slack's `state.values` as it stands.
        """
        slack_view = self._slack_view(view)
        if private_metadata is not None:
            slack_view["private_metadata"] = private_metadata
        filled = state if state is not None else state_values(slack_view, values)
        slack_view["state"] = {"values": filled}
        payload: dict[str, Any] = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(trigger_id),
            "view": slack_view,
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        }
        return await self._post_payload(payload)

    async def close_view(self, view: dict[str, Any], *, user: str) -> httpx.Response:
        """A view_closed payload (sent only for views with notify_on_close)."""
        payload: dict[str, Any] = {
            "type": "view_closed",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "view": self._slack_view(view),
            "is_cleared": False,
            "enterprise": None,
            "is_enterprise_install": False,
        }
        return await self._post_payload(payload)

    # ---- Events API --------------------------------------------------------------

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> httpx.Response:
        """An event_callback envelope; retry_num marks it as Slack's n-th redelivery."""
        now = self._now()
        inner = copy.deepcopy(event)
        inner.setdefault("event_ts", f"{now:.6f}")
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = None
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return await self.post_raw(_json_bytes(envelope), content_type=JSON, extra_headers=headers)

    async def url_verification(self, challenge: str) -> httpx.Response:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return await self.post_raw(_json_bytes(body), content_type=JSON)

    # ---- raw ---------------------------------------------------------------------

    async def post_raw(
        self,
        body: bytes,
        *,
        content_type: str,
        timestamp: str | None = None,
        signature: str | None = None,
        sign: bool = True,
        extra_headers: Mapping[str, str | None] | None = None,
    ) -> httpx.Response:
        """Post bytes as Slack would; for hostile tests pass a stale `timestamp`, a wrong
        `signature`, `sign=False` (no signature header), or an `extra_headers` value of
        None to drop that header altogether."""
        stamp = timestamp if timestamp is not None else str(int(self._now()))
        headers = httpx.Headers(
            {
                "Content-Type": content_type,
                "User-Agent": SLACKBOT_USER_AGENT,
                "Accept": "application/json,*/*",
                "X-Slack-Request-Timestamp": stamp,
            }
        )
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        elif sign:
            headers["X-Slack-Signature"] = _sign(self.signing_secret, stamp, body)
        for name, value in (extra_headers or {}).items():
            if value is None:
                headers.pop(name, None)
            else:
                headers[name] = str(value)
        return await self._client.post(self.events_url, content=body, headers=headers)

    # ---- helpers -----------------------------------------------------------------

    async def _post_payload(self, payload: dict[str, Any]) -> httpx.Response:
        # Interactivity arrives as one form field holding the JSON payload.
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post_raw(body, content_type=FORM)

    def new_trigger_id(self) -> str:
        return self._trigger_id(None)

    def _trigger_id(self, given: str | None) -> str:
        # Shaped like Slack's ("398738663015.47445629121.803a0bc8…"), fresh on each request.
        trigger_id = given or f"{next(self._seq)}.{int(self._now())}.{secrets.token_hex(16)}"
        self.last_trigger_id = trigger_id
        return trigger_id

    def _response_url(self, given: str | None, user: str) -> str:
        if given is not None:
            return given
        if self._response_url_factory is not None:
            return self._response_url_factory(user)
        # Slack always sends one; without a factory it points nowhere reachable.
        return f"https://hooks.slack.com/actions/{self.team_id}/{next(self._seq)}/unused"

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": TEAM_DOMAIN}

    def _user(self, user: str) -> dict[str, Any]:
        name = user.lower()
        return {"id": user, "username": name, "name": name, "team_id": self.team_id}

    def _message(self, message: dict[str, Any] | None) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": self.api_app_id,
            "team": self.team_id,
            "text": "",
            "blocks": [],
        }
        msg.update(copy.deepcopy(message or {}))
        msg.setdefault("ts", f"{self._now():.6f}")
        return msg

    def _slack_view(self, view: dict[str, Any]) -> dict[str, Any]:
        """The view as Slack puts it in payloads: what the app sent plus Slack's fields,
        whether given the app's own view or the one the stand-in echoed."""
        view_id = view.get("id") or f"V{next(self._seq):08d}"
        slack_view: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "hash": f"{int(self._now())}.{secrets.token_hex(4)}",
            "title": None,
            "close": None,
            "submit": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.api_app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": BOT_ID,
        }
        slack_view.update(copy.deepcopy(view))
        return slack_view

    def _action(
        self,
        element: dict[str, Any],
        block_id: str,
        value: str | None,
        action_type: str,
        selected_option: dict[str, Any] | None,
    ) -> dict[str, Any]:
        action: dict[str, Any] = {
            "action_id": element.get("action_id"),
            "block_id": block_id,
            "type": action_type,
            "action_ts": f"{self._now():.6f}",
        }
        if action_type == "button":
            text = element.get("text") or {"type": "plain_text", "text": "Button", "emoji": True}
            action["text"] = text
            if value is not None:
                action["value"] = value
        elif selected_option is not None:
            action["selected_option"] = selected_option
        elif value is not None:
            # A select or picker sends what was picked under the same key a submission does.
            stub = {**element, "type": action_type}
            key, picked = _picked(stub, value, strict=False)
            action[key] = picked
        return action


# ---- view state ------------------------------------------------------------------


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _as_date(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def _as_time(value: Any) -> str | None:
    return value.strftime("%H:%M") if isinstance(value, dt.time) else value


def _as_epoch(value: Any) -> int | None:
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    return None if value is None else int(value)


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else list(value)


def _as_is(value: Any) -> Any:
    return value


# element type -> (key in state values, key of its initial value, untouched value, converter)
_SIMPLE_ELEMENTS: dict[str, tuple[str, str, Any, Callable[[Any], Any]]] = {
    "plain_text_input": ("value", "initial_value", None, _as_text),
    "email_text_input": ("value", "initial_value", None, _as_text),
    "url_text_input": ("value", "initial_value", None, _as_text),
    "number_input": ("value", "initial_value", None, _as_text),
    "users_select": ("selected_user", "initial_user", None, _as_is),
    "multi_users_select": ("selected_users", "initial_users", [], _as_list),
    "conversations_select": ("selected_conversation", "initial_conversation", None, _as_is),
    "multi_conversations_select": (
        "selected_conversations",
        "initial_conversations",
        [],
        _as_list,
    ),
    "channels_select": ("selected_channel", "initial_channel", None, _as_is),
    "multi_channels_select": ("selected_channels", "initial_channels", [], _as_list),
    "datepicker": ("selected_date", "initial_date", None, _as_date),
    "timepicker": ("selected_time", "initial_time", None, _as_time),
    "datetimepicker": ("selected_date_time", "initial_date_time", None, _as_epoch),
}
_ONE_OPTION = {"static_select", "radio_buttons", "external_select", "overflow"}
_MANY_OPTIONS = {"checkboxes", "multi_static_select", "multi_external_select"}


def state_values(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """view.state.values as Slack fills it for a submission of `values`."""
    inputs = {
        block["block_id"]: block
        for block in view.get("blocks") or []
        if block.get("type") == "input" and block.get("block_id")
    }
    unknown = sorted(set(values) - set(inputs))
    if unknown:
        raise ValueError(f"not input block_ids of this view: {unknown}; inputs: {sorted(inputs)}")
    state: dict[str, Any] = {}
    for block_id, block in inputs.items():
        element = block.get("element") or {}
        action_id = element.get("action_id") or secrets.token_urlsafe(4)
        if block_id in values:
            key, picked = _picked(element, values[block_id], strict=True)
        else:
            key, picked = _untouched(element)
        state[block_id] = {action_id: {"type": element.get("type"), key: picked}}
    return state


def _picked(element: dict[str, Any], value: Any, *, strict: bool) -> tuple[str, Any]:
    """(state key, state value) for `value` entered into `element`."""
    kind = element.get("type", "")
    if kind in _SIMPLE_ELEMENTS:
        key, _, _, convert = _SIMPLE_ELEMENTS[kind]
        return key, convert(value)
    if kind in _ONE_OPTION:
        picked = None if value is None else _option(element, value, strict=strict)
        return "selected_option", picked
    if kind in _MANY_OPTIONS:
        return "selected_options", [_option(element, v, strict=strict) for v in _as_list(value)]
    raise ValueError(f"the harness does not know how to fill a {kind!r} element")


def _untouched(element: dict[str, Any]) -> tuple[str, Any]:
    """What Slack sends for a field the person left alone: its initial value or empty."""
    kind = element.get("type", "")
    if kind in _SIMPLE_ELEMENTS:
        key, initial_key, empty, _ = _SIMPLE_ELEMENTS[kind]
        return key, copy.deepcopy(element.get(initial_key, empty))
    if kind in _ONE_OPTION:
        return "selected_option", copy.deepcopy(element.get("initial_option"))
    if kind in _MANY_OPTIONS:
        return "selected_options", copy.deepcopy(element.get("initial_options") or [])
    raise ValueError(f"the harness does not know how to fill a {kind!r} element")


def _option(element: dict[str, Any], value: Any, *, strict: bool) -> dict[str, Any]:
    """The option object of `element` whose value is `value` (a dict is taken as given)."""
    if isinstance(value, dict):
        return value
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    for option in options:
        if option.get("value") == value:
            return copy.deepcopy(option)
    if strict:
        known = [o.get("value") for o in options]
        raise ValueError(f"{value!r} is not an option of {element.get('action_id')!r}: {known}")
    # External selects load options from the app, so there is nothing to look up.
    return {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": value}


# ---- small shapes ------------------------------------------------------------------


def _find_element(blocks: list[Any], action_id: str) -> tuple[str, dict[str, Any]] | None:
    """(block_id, element) for `action_id` in these blocks, to copy its text or options."""
    for block in blocks:
        if not isinstance(block, dict):
            continue
        candidates = [block.get("element"), block.get("accessory"), *(block.get("elements") or [])]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id", ""), element
    return None


def _container(
    view: dict[str, Any] | None,
    message: dict[str, Any] | None,
    channel: str | None,
    ephemeral: bool = False,
) -> dict[str, Any]:
    if view is not None:
        return {"type": "view", "view_id": view["id"]}
    assert message is not None
    return {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel,
        # Answers to slash commands and response_url posts are ephemeral messages.
        "is_ephemeral": ephemeral,
    }


def _channel_name(channel: str) -> str:
    # Slack names DMs "directmessage"; other channels here are the hiring channel.
    return "directmessage" if channel.startswith("D") else "hiring"


def _json_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()
