"""Each request to /slack/events is read, signature-checked and parsed once: our check
hashes the raw bytes, bot.slack.guard.slack_body builds the dict Bolt would have built,
and Bolt is handed that dict. Bolt's own parse_body and signature check never run,
and every listener still answers as it did through Bolt's Starlette adapter."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.middleware.request_verification.async_request_verification import (
    AsyncRequestVerification,
)
from slack_bolt.request.internals import parse_body as bolt_parse_body
from slack_sdk.signature import SignatureVerifier

from bot.slack import app as slack_app
from bot.slack import guard
from bot.store.tables import Role
from tests.conftest import ADMIN, HIRING_CHANNEL, HM, RECRUITER, Running
from tests.flows import add_candidate, answer, buttons, create_role, last_view, stored

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class Watch:
    """What happened to each request on its way in."""

    hmacs: int = 0
    bolt_work: list[str] = field(default_factory=list)  # Bolt parsing or verifying anything
    parsed: list[tuple[bytes, str, dict[str, Any] | None]] = field(default_factory=list)
    dispatched: list[AsyncBoltRequest] = field(default_factory=list)

    async def one_pass(self, sending: Awaitable[httpx.Response]) -> httpx.Response:
        """Send one request; our HMAC ran once for it, and Bolt parsed and verified nothing."""
        before = self.hmacs
        response = await sending
        assert self.hmacs == before + 1
        assert self.bolt_work == []
        return response

    def last_dispatched(self) -> AsyncBoltRequest:
        """The request Bolt was handed last: the very dict slack_body built, and equal to
        what Bolt's parse_body makes of the same bytes."""
        raw, content_type, parsed = self.parsed[-1]
        request = self.dispatched[-1]
        assert parsed is not None
        assert request.body is parsed
        assert parsed == bolt_parse_body(raw.decode(), content_type)
        return request


class _CountingHmac:
    """guard's view of the hmac module, counting the MACs it makes."""

    def __init__(self, watch: Watch) -> None:
        self.watch = watch
        self.compare_digest = hmac.compare_digest

    def new(self, *args: Any, **kwargs: Any) -> hmac.HMAC:
        self.watch.hmacs += 1
        return hmac.new(*args, **kwargs)


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Watch:
    watched = Watch()

    def refused(name: str) -> Any:
        def bolt_did(*args: Any, **kwargs: Any) -> Any:
            watched.bolt_work.append(name)
            raise AssertionError(f"Bolt ran {name}")

        return bolt_did

    monkeypatch.setattr("slack_bolt.request.internals.parse_body", refused("parse_body"))
    monkeypatch.setattr("slack_bolt.request.async_request.parse_body", refused("parse_body"))
    monkeypatch.setattr(SignatureVerifier, "is_valid", refused("is_valid"))
    monkeypatch.setattr(SignatureVerifier, "is_valid_request", refused("is_valid_request"))
    monkeypatch.setattr(AsyncRequestVerification, "async_process", refused("request verification"))
    monkeypatch.setattr(guard, "hmac", _CountingHmac(watched))

    def parsing(body: bytes, content_type: str) -> dict[str, Any] | None:
        parsed = guard.slack_body(body, content_type)
        watched.parsed.append((body, content_type, parsed))
        return parsed

    monkeypatch.setattr(slack_app, "slack_body", parsing)

    dispatch = AsyncApp.async_dispatch

    async def dispatching(self: AsyncApp, req: AsyncBoltRequest) -> Any:
        watched.dispatched.append(req)
        return await dispatch(self, req)

    monkeypatch.setattr(AsyncApp, "async_dispatch", dispatching)
    return watched


# ---- each surface reaches its listener -----------------------------------------------


async def test_a_slash_command_opens_its_modal_with_the_trigger_it_sent(
    app: Running, watch: Watch
) -> None:
    response = await watch.one_pass(app.slack.command("role", user=ADMIN, trigger_id="9.8.7"))

    assert response.status_code == 200 and not response.content
    [opened] = app.standin.calls_to("views.open")
    assert opened.args["trigger_id"] == "9.8.7"
    request = watch.last_dispatched()
    assert request.body["command"] == "/hire" and request.body["text"] == "role"
    assert (request.context.user_id, request.context.channel_id) == (ADMIN, "C111")


async def test_a_view_submission_is_stored_and_closes_the_modal(app: Running, watch: Watch) -> None:
    await app.slack.command("role", user=ADMIN)
    values = {
        "title": "Data Engineer",
        "hiring_manager": HM,
        "recruiters": [RECRUITER],
        "channel": HIRING_CHANNEL,
    }

    response = await watch.one_pass(app.slack.submit_view(last_view(app), values, user=ADMIN))

    assert response.status_code == 200 and not response.content, response.text
    request = watch.last_dispatched()
    assert request.body["type"] == "view_submission"
    assert request.context.user_id == ADMIN
    await app.settle()
    assert [role.title for role in await stored(app, Role)] == ["Data Engineer"]


async def test_a_block_action_answers_on_its_response_url(app: Running, watch: Watch) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    card = answer(await app.slack.command("status Jane Doe", user=RECRUITER))
    button = buttons(card["blocks"])["Advance to screening"]
    before = len(app.standin.calls)

    response = await watch.one_pass(
        app.slack.action(
            button["action_id"],
            button.get("value"),
            user=RECRUITER,
            message=card,
            response_url=app.standin.response_url("click"),
        )
    )

    assert response.status_code == 200
    [reply] = [c for c in app.standin.calls[before:] if c.method == "response_url:click"]
    assert "Jane Doe is now in screening" in reply.args["text"]
    request = watch.last_dispatched()
    assert request.body["type"] == "block_actions"
    assert request.context.response_url == app.standin.response_url("click")


async def _advance_jane(app: Running, label: str, response_url: str) -> httpx.Response:
    """Click `label` on Jane's card as drawn now, answered on `response_url`."""
    card = answer(await app.slack.command("status Jane Doe", user=RECRUITER))
    button = buttons(card["blocks"])[label]
    response = await app.slack.action(
        button["action_id"],
        button.get("value"),
        user=RECRUITER,
        message=card,
        response_url=response_url,
    )
    await app.settle()
    return response


async def test_an_answer_slack_refuses_is_logged_and_a_dropped_connection_is_tried_again(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    app.standin.expire_next("late")

    response = await _advance_jane(app, "Advance to screening", app.standin.response_url("late"))

    assert response.status_code == 200
    [refused] = app.standin.calls_to("response_url:late")
    assert refused.status == 404
    assert "Slack refused the answer to a click: http 404 expired_url" in caplog.text

    # A connection lost before the answer: one more try, which lands.
    app.standin.drop_next("dropped")
    await _advance_jane(app, "Advance to interviewing", app.standin.response_url("dropped"))

    assert [c.status for c in app.standin.calls_to("response_url:dropped")] == [0, 200]
    [landed] = app.standin.calls_to("response_url:dropped")[1:]
    assert "Jane Doe is now in interviewing" in landed.args["text"]


async def test_an_event_is_answered_once_and_bolt_sees_the_retry_header(
    app: Running, watch: Watch
) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "user": RECRUITER,
        "text": "help",
        "channel": f"D{RECRUITER}",
        "ts": "1763300000.000200",
    }

    first = await watch.one_pass(app.slack.event(event, event_id="EvONCE1"))
    await app.settle()
    retry = await watch.one_pass(app.slack.event(event, event_id="EvONCE1", retry_num=1))
    await app.settle()

    assert (first.status_code, retry.status_code) == (200, 200)
    [posted] = app.standin.calls_to("chat.postMessage")
    assert posted.args["channel"] == f"D{RECRUITER}"
    request = watch.last_dispatched()
    assert request.body["event_id"] == "EvONCE1"
    assert request.headers["x-slack-retry-num"] == ["1"]


async def test_slacks_housekeeping_requests_are_answered(app: Running, watch: Watch) -> None:
    verified = await watch.one_pass(app.slack.url_verification("challenge-accepted"))
    assert verified.status_code == 200
    assert "challenge-accepted" in verified.text
    assert watch.last_dispatched().body["type"] == "url_verification"

    ssl = await watch.one_pass(app.slack.post_raw(b"ssl_check=1&token=x", content_type=FORM))
    assert ssl.status_code == 200
    assert watch.last_dispatched().body == {"ssl_check": "1", "token": "x"}


async def test_a_command_whose_text_says_payload_still_reaches_the_command(
    app: Running, watch: Watch
) -> None:
    # Bolt's parse_body takes any form with "payload" anywhere in it for interactivity
    # and makes {} of it; a command is a command, whatever its text says.
    response = await watch.one_pass(app.slack.command("status payload", user=RECRUITER))

    assert response.status_code == 200
    assert watch.dispatched[-1].body["text"] == "status payload"


# ---- refused before Bolt ---------------------------------------------------------------


async def test_an_unsigned_body_is_a_401_and_nothing_of_it_is_parsed(
    app: Running, watch: Watch
) -> None:
    body = urlencode({"command": "/hire", "text": "role", "user_id": ADMIN}).encode()
    for unsigned in (
        app.slack.post_raw(body, content_type=FORM, sign=False),
        app.slack.post_raw(body, content_type=FORM, signature="v0=" + "0" * 64),
    ):
        response = await unsigned
        assert response.status_code == 401
    assert watch.parsed == [] and watch.dispatched == []
    assert app.standin.calls_to("views.open") == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"[" * 5000, JSON),
        (urlencode({"payload": "[" * 5000}).encode(), FORM),
        (b"[1, 2]", JSON),
        (json.dumps({"type": "block_actions", "actions": "click"}).encode(), JSON),
        (b"command=%2Fhire&command=%2Fhire", FORM),
        (b"text=role", FORM),
        (b"\xff\xfe", FORM),
    ],
)
async def test_a_signed_malformed_body_is_a_400_and_never_reaches_bolt(
    app: Running, watch: Watch, body: bytes, content_type: str
) -> None:
    response = await watch.one_pass(app.slack.post_raw(body, content_type=content_type))

    assert response.status_code == 400
    assert response.text == "Malformed Slack payload"
    assert watch.dispatched == []


# ---- the parse and the label, as functions ---------------------------------------------


def _payload(data: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(data)}).encode()


@pytest.mark.parametrize(
    ("body", "content_type", "label"),
    [
        (b"command=%2Fhire&text=status+Jane&user_id=U1&text_blank=", FORM, "slash_command"),
        (b"ssl_check=1&token=x", FORM, "ssl_check"),
        (
            _payload({"type": "block_actions", "actions": [{"action_id": "a"}]}),
            FORM,
            "block_actions",
        ),
        (_payload({"type": "view_submission", "view": {"type": "modal"}}), FORM, "view_submission"),
        (_payload({"type": "view_closed", "view": {"type": "modal"}}), FORM, "view_closed"),
        (_payload({"type": "shortcut"}), FORM, "other"),
        (b'{"type": "url_verification", "challenge": "c"}', JSON, "url_verification"),
        (b'{"type": "event_callback", "event": {"type": "zzz_new"}}', JSON, "event"),
        (b'{"type": "app_rate_limited"}', JSON + "; charset=utf-8", "other"),
    ],
)
def test_the_parse_is_bolts_and_the_label_comes_from_it(
    body: bytes, content_type: str, label: str
) -> None:
    parsed = guard.slack_body(body, content_type)

    assert parsed is not None
    assert parsed == bolt_parse_body(body.decode(), content_type.split(";")[0])
    assert guard.surface(parsed) == label


_FIELD_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
# A field's name holds no "=": Slack's never do, and the parser splits a name at an
# escaped one (%3D), where parse_qsl would not.
_FIELD_NAME = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="=")).filter(
    lambda name: name != "payload"
)


# A payload's keys whose shape the guard checks (a string where Slack sends a list, say,
# is refused on purpose: the shape tests above); any other key may hold any text.
_SHAPED = {"type", "user", "channel", "team", "enterprise", "view", "actions"}
_SHAPED |= {"authorizations", "event"}
_PAYLOAD_KEY = _FIELD_TEXT.filter(lambda key: key not in _SHAPED)


@settings(max_examples=300, deadline=None)
@given(
    fields=st.dictionaries(_FIELD_NAME, _FIELD_TEXT, max_size=8),
    payload=st.none() | st.dictionaries(_PAYLOAD_KEY, _FIELD_TEXT, max_size=5),
)
def test_any_form_slack_could_send_parses_as_bolt_parses_it(
    fields: dict[str, str], payload: dict[str, str] | None
) -> None:
    """The form parser is not Bolt's (guard._form): whatever the text, %-escapes, `+`,
    `&` and `=` inside values and letters outside ASCII included, the fields agree."""
    form = {**fields, "command": "/hire"}
    if payload is not None:
        form = {"payload": json.dumps({**payload, "type": "block_actions"})}
    body = urlencode(form).encode()
    # Bolt reads a form with "payload" anywhere in it, a command's text included, as an
    # empty one unless a field is named so; the guard reads its fields (and hands Bolt
    # what it read), so `/hire status payload` still works. Bolt is no reference there.
    assume(payload is not None or b"payload" not in body)

    assert guard.slack_body(body, FORM) == bolt_parse_body(body.decode(), FORM)
