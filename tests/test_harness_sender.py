"""Tests of the harness itself: the signed sender (bot/playground/sender.py), which posts
to the app what Slack would."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import pytest_asyncio
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.playground.sender import SLACKBOT_USER_AGENT, SlackSender, sign
from bot.playground.standin import SlackStandin
from tests.harness import every_input_view, modal, select

SECRET = "test-signing-secret"

# Slack's published signature test vector (docs/slack.md), copied so the test stands alone.
VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
VECTOR_TIMESTAMP = "1531420618"
VECTOR_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


# ---- fixtures -------------------------------------------------------------------------------


class Receiver:
    """A tiny app stand-in that keeps the raw requests SlackSender makes."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        return web.Response(text="")

    @property
    def last_payload(self) -> dict[str, Any]:
        """The JSON payload of the last request (form `payload=` or a JSON body)."""
        headers, body = self.requests[-1]
        if headers["Content-Type"] == "application/json":
            return json.loads(body)
        return json.loads(parse_qs(body.decode())["payload"][0])

    @property
    def last_form(self) -> dict[str, str]:
        body = self.requests[-1][1].decode()
        return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/slack/events", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield receiver, f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest_asyncio.fixture
async def sender(
    receiver: tuple[Receiver, str], standin: SlackStandin
) -> AsyncIterator[SlackSender]:
    async with SlackSender(
        receiver[1], SECRET, response_url_factory=standin.response_url
    ) as slack_sender:
        yield slack_sender


# ---- signing --------------------------------------------------------------------------------


def test_sign_reproduces_slacks_test_vector() -> None:
    assert sign(VECTOR_SECRET, VECTOR_TIMESTAMP, VECTOR_BODY.encode()) == VECTOR_SIGNATURE
    assert sign(VECTOR_SECRET, int(VECTOR_TIMESTAMP), VECTOR_BODY.encode()) == VECTOR_SIGNATURE


async def test_slack_sdk_verifier_accepts_every_kind_of_request(
    sender: SlackSender, receiver: tuple[Receiver, str]
) -> None:
    recorded, _ = receiver
    await sender.command("new Ada", user="U1")
    await sender.action("approve", "42", user="U1")
    await sender.submit_view(modal(), {}, user="U1")
    await sender.close_view(modal(), user="U1")
    await sender.event({"type": "app_mention", "user": "U1", "text": "hi", "channel": "C111"})
    await sender.url_verification("challenge-123")
    verifier = SignatureVerifier(SECRET)
    assert len(recorded.requests) == 6
    for headers, body in recorded.requests:
        assert verifier.is_valid_request(body, headers)
        assert headers["User-Agent"] == SLACKBOT_USER_AGENT


async def test_verifier_refuses_stale_or_unsigned_requests(
    receiver: tuple[Receiver, str],
) -> None:
    recorded, base_url = receiver
    verifier = SignatureVerifier(SECRET)
    async with SlackSender(base_url, SECRET, now=lambda: 1_000_000.0) as stale:
        await stale.command("x", user="U1")
        await stale.post_raw(b"{}", content_type="application/json", sign=False)
        await stale.post_raw(
            b"{}", content_type="application/json", extra_headers={"X-Slack-Signature": None}
        )
    (stale_headers, stale_body), (unsigned, _), (dropped, _) = recorded.requests
    assert stale_headers["X-Slack-Request-Timestamp"] == "1000000"
    assert not verifier.is_valid_request(stale_body, stale_headers)
    assert "X-Slack-Signature" not in unsigned
    assert "X-Slack-Signature" not in dropped


# ---- sender payloads ------------------------------------------------------------------------


async def test_command_sends_every_field_with_fresh_trigger_ids(
    sender: SlackSender, receiver: tuple[Receiver, str], standin: SlackStandin
) -> None:
    recorded, _ = receiver
    await sender.command("new Ada Lovelace", user="U1")
    first = recorded.last_form
    await sender.command("status", user="U1")
    assert set(first) == {
        "token",
        "team_id",
        "team_domain",
        "enterprise_id",
        "enterprise_name",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert first["command"] == "/hire"
    assert first["text"] == "new Ada Lovelace"
    assert first["response_url"] == standin.response_url("U1")
    assert first["trigger_id"] != recorded.last_form["trigger_id"]
    assert recorded.requests[-1][0]["Content-Type"] == "application/x-www-form-urlencoded"


async def test_action_in_a_message_and_in_a_modal(
    sender: SlackSender, receiver: tuple[Receiver, str]
) -> None:
    recorded, _ = receiver
    await sender.action("approve", "42", user="U1", message={"ts": "111.222", "text": "card"})
    in_message = recorded.last_payload
    assert in_message["type"] == "block_actions"
    assert in_message["container"] == {
        "type": "message",
        "message_ts": "111.222",
        "channel_id": "C111",
        "is_ephemeral": False,
    }
    assert in_message["channel"]["id"] == "C111"
    assert in_message["actions"][0]["value"] == "42"
    assert in_message["actions"][0]["action_id"] == "approve"
    assert in_message["response_url"]

    view = {**modal(), "id": "V123"}
    await sender.action("pick", user="U1", view=view, block_id="b0")
    in_modal = recorded.last_payload
    assert in_modal["container"] == {"type": "view", "view_id": "V123"}
    assert in_modal["view"]["id"] == "V123"
    assert "channel" not in in_modal
    assert "response_url" not in in_modal


async def test_select_action_in_a_home_tab_sends_the_picked_option(
    sender: SlackSender, receiver: tuple[Receiver, str]
) -> None:
    recorded, _ = receiver
    pick = {"type": "actions", "block_id": "filters", "elements": [select(2)["elements"][0]]}
    home = {"type": "home", "id": "V7", "blocks": [pick]}
    await sender.action("pick", "1", user="U1", view=home, action_type="static_select")
    action = recorded.last_payload["actions"][0]
    assert action["block_id"] == "filters"
    assert action["type"] == "static_select"
    assert action["selected_option"] == {"text": {"type": "plain_text", "text": "o1"}, "value": "1"}
    assert recorded.last_payload["view"]["type"] == "home"


async def test_event_envelope_and_retry_headers(
    sender: SlackSender, receiver: tuple[Receiver, str]
) -> None:
    recorded, _ = receiver
    await sender.event({"type": "app_home_opened", "user": "U1"}, event_id="Ev1", retry_num=2)
    headers, _ = recorded.requests[-1]
    envelope = recorded.last_payload
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"] == "Ev1"
    assert envelope["authorizations"][0]["user_id"] == "UBOT"
    assert envelope["event"]["type"] == "app_home_opened"
    assert headers["X-Slack-Retry-Num"] == "2"
    assert headers["X-Slack-Retry-Reason"] == "http_timeout"


async def test_submit_view_fills_state_in_slacks_shape(
    sender: SlackSender, receiver: tuple[Receiver, str]
) -> None:
    recorded, _ = receiver
    values = {
        "text": "hello",
        "email": "ada@example.com",
        "url": "https://example.com",
        "number": 3,
        "select": "b",
        "radio": "a",
        "checks": ["a", "b"],
        "multi": ["b"],
        "user": "U2",
        "users": ["U2", "U3"],
        "conversation": "C2",
        "channel": "C3",
        "date": "2024-05-01",
        "time": "09:30",
        "datetime": 1714550400,
    }
    await sender.submit_view(every_input_view(), values, user="U1", private_metadata="m")
    view = recorded.last_payload["view"]
    state = view["state"]["values"]
    option_b = {"text": {"type": "plain_text", "text": "B", "emoji": True}, "value": "b"}
    assert state["text"] == {"text": {"type": "plain_text_input", "value": "hello"}}
    assert state["email"]["email"] == {"type": "email_text_input", "value": "ada@example.com"}
    assert state["url"]["url"]["value"] == "https://example.com"
    assert state["number"]["number"] == {"type": "number_input", "value": "3"}
    assert state["select"]["select"] == {"type": "static_select", "selected_option": option_b}
    assert state["radio"]["radio"]["selected_option"]["value"] == "a"
    assert [o["value"] for o in state["checks"]["checks"]["selected_options"]] == ["a", "b"]
    assert state["multi"]["multi"]["selected_options"] == [option_b]
    assert state["user"]["user"] == {"type": "users_select", "selected_user": "U2"}
    assert state["users"]["users"]["selected_users"] == ["U2", "U3"]
    assert state["conversation"]["conversation"]["selected_conversation"] == "C2"
    assert state["channel"]["channel"]["selected_channel"] == "C3"
    assert state["date"]["date"] == {"type": "datepicker", "selected_date": "2024-05-01"}
    assert state["time"]["time"]["selected_time"] == "09:30"
    assert state["datetime"]["datetime"]["selected_date_time"] == 1714550400
    # Untouched: its initial value, as Slack sends it.
    assert state["prefilled"]["prefilled"]["value"] == "kept"
    assert view["private_metadata"] == "m"
    assert view["id"].startswith("V")


async def test_submit_view_leaves_untouched_inputs_empty(
    sender: SlackSender, receiver: tuple[Receiver, str]
) -> None:
    recorded, _ = receiver
    await sender.submit_view(every_input_view(), {}, user="U1")
    state = recorded.last_payload["view"]["state"]["values"]
    assert state["text"]["text"] == {"type": "plain_text_input", "value": None}
    assert state["select"]["select"] == {"type": "static_select", "selected_option": None}
    assert state["checks"]["checks"]["selected_options"] == []
    assert state["users"]["users"]["selected_users"] == []
    assert state["user"]["user"]["selected_user"] is None
    assert state["datetime"]["datetime"]["selected_date_time"] is None


async def test_submit_view_refuses_values_for_blocks_that_are_no_input(
    sender: SlackSender,
) -> None:
    with pytest.raises(ValueError, match="nope"):
        await sender.submit_view(every_input_view(), {"nope": "x"}, user="U1")
    with pytest.raises(ValueError, match="'z' is not an option"):
        await sender.submit_view(every_input_view(), {"select": "z"}, user="U1")
