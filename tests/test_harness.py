"""Tests of the harness itself: the Web API stand-in and the signed sender."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import pytest_asyncio
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.models.blocks import (
    ChannelSelectElement,
    CheckboxesElement,
    ConversationSelectElement,
    DatePickerElement,
    DateTimePickerElement,
    EmailInputElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
    UrlInputElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.playground.sender import SLACKBOT_USER_AGENT, SlackSender, sign
from bot.playground.standin import SlackStandin, message_problems, view_problems

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


# ---- fixtures ------------------------------------------------------------------------


@pytest_asyncio.fixture
async def standin() -> AsyncIterator[SlackStandin]:
    async with SlackStandin() as slack:
        yield slack
        # Tests that provoke Block Kit violations on purpose clear them after asserting.
        assert slack.invalid == []


@pytest.fixture
def client(standin: SlackStandin) -> AsyncWebClient:
    return AsyncWebClient(token=standin.token, base_url=standin.url)


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


def modal(title: str = "Schedule", blocks: int = 1) -> dict[str, Any]:
    """A plain-dict modal, sent unchecked by slack-sdk, so the stand-in must check it."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [{**section, "block_id": f"b{i}"} for i in range(blocks)],
    }


# ---- signing ---------------------------------------------------------------------------


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


# ---- sender payloads -------------------------------------------------------------------


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


def every_input_view() -> dict[str, Any]:
    """One input block per element type, built with slack-sdk's models."""
    options = [Option(value="a", text="A"), Option(value="b", text="B")]
    elements = {
        "text": PlainTextInputElement(action_id="text"),
        "email": EmailInputElement(action_id="email"),
        "url": UrlInputElement(action_id="url"),
        "number": NumberInputElement(action_id="number", is_decimal_allowed=False),
        "select": StaticSelectElement(action_id="select", options=options),
        "radio": RadioButtonsElement(action_id="radio", options=options),
        "checks": CheckboxesElement(action_id="checks", options=options),
        "multi": StaticMultiSelectElement(action_id="multi", options=options),
        "user": UserSelectElement(action_id="user"),
        "users": UserMultiSelectElement(action_id="users"),
        "conversation": ConversationSelectElement(action_id="conversation"),
        "channel": ChannelSelectElement(action_id="channel"),
        "date": DatePickerElement(action_id="date"),
        "time": TimePickerElement(action_id="time"),
        "datetime": DateTimePickerElement(action_id="datetime"),
        "prefilled": PlainTextInputElement(action_id="prefilled", initial_value="kept"),
    }
    blocks = [
        InputBlock(block_id=name, label=name, element=element, optional=True)
        for name, element in elements.items()
    ]
    view = View(type="modal", title="Every input", submit="Save", blocks=blocks)
    return view.to_dict()


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


# ---- the Web API stand-in -------------------------------------------------------------------


async def test_auth_test(client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response["user_id"] == "UBOT"
    assert response["bot_id"] == "BBOT"
    assert response["team_id"] == "T111"


async def test_wrong_or_missing_token(standin: SlackStandin) -> None:
    with pytest.raises(SlackApiError) as wrong:
        await AsyncWebClient(token="xoxb-wrong", base_url=standin.url).auth_test()
    assert wrong.value.response["error"] == "invalid_auth"
    async with httpx.AsyncClient() as http:
        response = await http.post(standin.url + "auth.test")
    assert response.json() == {"ok": False, "error": "not_authed"}


async def test_post_message_to_a_user_lands_in_a_dm(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    first = await client.chat_postMessage(channel="U1", text="hi")
    second = await client.chat_postMessage(channel="C111", text="again")
    assert first["channel"] == "DU1"
    assert first["message"]["user"] == "UBOT"
    assert float(second["ts"]) > float(first["ts"])
    calls = await standin.wait_for("chat.postMessage", count=2)
    assert calls[0].args["text"] == "hi"
    assert calls[1].response is not None and calls[1].response["ts"] == second["ts"]


async def test_ephemeral_and_update(client: AsyncWebClient) -> None:
    ephemeral = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert ephemeral["message_ts"]
    posted = await client.chat_postMessage(channel="U1", text="card")
    updated = await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="new")
    assert (updated["channel"], updated["ts"], updated["text"]) == ("DU1", posted["ts"], "new")
    # chat.update wants the DM's id that chat.postMessage answered, not the user's.
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_update(channel="U1", ts=posted["ts"], text="new")


async def test_form_encoded_json_fields_are_decoded(standin: SlackStandin) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    async with httpx.AsyncClient() as http:
        await http.post(
            standin.url + "chat.postMessage",
            data={"channel": "C1", "text": "hi", "blocks": json.dumps(blocks)},
            headers={"Authorization": f"Bearer {standin.token}"},
        )
    assert standin.calls_to("chat.postMessage")[0].args["blocks"] == blocks


async def test_fail_next_raises_that_error_once(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    standin.fail_next("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as failure:
        await client.chat_postMessage(channel="C1", text="hi")
    assert failure.value.response["error"] == "channel_not_found"
    await client.chat_postMessage(channel="C1", text="hi")
    assert len(standin.calls_to("chat.postMessage")) == 2


async def test_rate_limit_is_retried_by_slack_sdk(
    standin: SlackStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slack-sdk sleeps Retry-After plus random() seconds; no jitter keeps the test instant.
    monkeypatch.setattr(random, "random", lambda: 0.0)
    client = AsyncWebClient(
        token=standin.token,
        base_url=standin.url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    standin.rate_limit_next("chat.postMessage", retry_after=0)
    response = await client.chat_postMessage(channel="C1", text="hi")
    assert response["ok"]
    calls = standin.calls_to("chat.postMessage")
    assert [call.status for call in calls] == [429, 200]


async def test_server_error_is_retried_by_slack_sdk(standin: SlackStandin) -> None:
    handler = AsyncServerErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0)
    )
    client = AsyncWebClient(token=standin.token, base_url=standin.url, retry_handlers=[handler])
    standin.server_error_next("users.info", status=503)
    response = await client.users_info(user="U1")
    assert response["user"]["tz"] == "UTC"
    assert [call.status for call in standin.calls_to("users.info")] == [503, 200]


async def test_users_info_and_conversations_open(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    standin.set_user("U9", tz="Europe/Paris", tz_offset=7200, real_name="Ada", deleted=True)
    user = (await client.users_info(user="U9"))["user"]
    assert (user["tz"], user["tz_offset"], user["real_name"], user["deleted"]) == (
        "Europe/Paris",
        7200,
        "Ada",
        True,
    )
    assert (await client.conversations_open(users="U9,U8"))["channel"]["id"] == "DU9"
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client.api_call("chat.meMessage", json={"channel": "C1", "text": "x"})


async def test_modal_with_a_25_character_title_is_refused(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id="1.2.a", view=modal(title="x" * 25))
    assert refused.value.response["error"] == "invalid_arguments"
    assert len(standin.invalid) == 1
    assert "views.open" in standin.invalid[0] and "title" in standin.invalid[0]
    standin.invalid.clear()


async def test_modal_of_101_blocks_is_refused(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_open(trigger_id="1.2.a", view=modal(blocks=101))
    assert "101 blocks" in standin.invalid[0]
    standin.invalid.clear()


async def test_other_view_rules(client: AsyncWebClient, standin: SlackStandin) -> None:
    text_input = {
        "type": "input",
        "block_id": "name",
        "label": {"type": "plain_text", "text": "Name"},
        "element": {"type": "plain_text_input", "action_id": "name"},
    }
    no_submit = {**modal(), "blocks": [text_input]}
    twice = {**modal(), "blocks": modal(blocks=2)["blocks"] * 2}
    for view in (no_submit, twice, {**modal(), "private_metadata": "x" * 3001}):
        with pytest.raises(SlackApiError, match="invalid_arguments"):
            await client.views_open(trigger_id="1.2.a", view=view)
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id="U1", view=modal())
    assert len(standin.invalid) == 4
    standin.invalid.clear()


async def test_message_block_rules(client: AsyncWebClient, standin: SlackStandin) -> None:
    blocks = modal(blocks=51)["blocks"]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    assert "51 blocks" in standin.invalid.pop()
    # Without top-level text Slack only warns, so the call succeeds but is recorded.
    with pytest.warns(UserWarning):
        await client.chat_postMessage(channel="C1", blocks=blocks[:1])
    assert "text" in standin.invalid.pop()


def select(options: int, value_length: int = 1) -> dict[str, Any]:
    choices = [
        {"text": {"type": "plain_text", "text": f"o{i}"}, "value": f"{i}".zfill(value_length)}
        for i in range(options)
    ]
    group = {"label": {"type": "plain_text", "text": "g"}, "options": choices}
    element = {"type": "static_select", "action_id": "pick", "option_groups": [group]}
    return {"type": "actions", "block_id": "pick", "elements": [element]}


@pytest.mark.parametrize(
    ("blocks", "rule"),
    [
        ([select(101)], "101 options"),
        ([select(1, value_length=151)], "option value is 151 characters"),
        ([{"type": "actions", "elements": [{"type": "buton", "action_id": "a"}]}], "'buton'"),
        ([{"type": "nonsense"}], "not a known block type"),
        ([{"type": "divider", "block_id": "x" * 256}], "block_id cannot exceed 255"),
        ([{"type": "divider", "block_id": "d"}] * 2, "block_id 'd' is used twice"),
    ],
)
def test_block_rules_the_models_leave_out(blocks: list[dict[str, Any]], rule: str) -> None:
    assert rule in "; ".join(message_problems(blocks))
    assert rule in "; ".join(view_problems({**modal(), "blocks": blocks}))


def test_valid_blocks_built_with_the_models_pass() -> None:
    view = every_input_view()
    assert view_problems(view) == []
    assert message_problems([select(100)]) == []


async def test_a_trigger_id_is_good_once(client: AsyncWebClient, standin: SlackStandin) -> None:
    opened = await client.views_open(trigger_id="1.2.a", view=modal())
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["state"] == {"values": {}}
    with pytest.raises(SlackApiError) as reused:
        await client.views_open(trigger_id="1.2.a", view=modal())
    assert reused.value.response["error"] == "expired_trigger_id"
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_open(view=modal())


async def test_views_update_checks_the_hash(client: AsyncWebClient) -> None:
    opened = (await client.views_open(trigger_id="1.2.a", view=modal()))["view"]
    updated = (
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Two"))
    )["view"]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    assert updated["title"]["text"] == "Two"
    with pytest.raises(SlackApiError) as stale:
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert stale.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError, match="not_found"):
        await client.views_update(view_id="V404", view=modal())


async def test_views_publish_keeps_the_home_view_id(client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": modal()["blocks"]}
    first = (await client.views_publish(user_id="U1", view=home))["view"]
    second = (await client.views_publish(user_id="U1", view=home))["view"]
    assert first["id"] == second["id"]
    assert first["hash"] != second["hash"]


async def test_response_url_posts_are_recorded(standin: SlackStandin) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(standin.response_url("U1"), json={"text": "done"})
    assert answer.status_code == 200
    calls = await standin.wait_for("response_url:U1")
    assert calls[0].args == {"text": "done"}


async def test_wait_for_times_out_with_the_calls_seen(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    await client.auth_test()
    with pytest.raises(AssertionError, match=r"views\.open.*got 0.*calls seen: auth\.test"):
        await standin.wait_for("views.open", timeout=0.05)
