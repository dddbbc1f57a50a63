"""Hostile raw requests: bodies of any bytes and shape, envelopes of the wrong shape, and
replayed signatures (the properties: tests/handlers/hostile.py)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import strategies as st

from bot.domain.stages import Stage
from bot.playground.sender import sign
from tests.conftest import OUTSIDER, RECRUITER, SIGNING_SECRET, Running
from tests.flows import candidate_named
from tests.handlers.hostile import FORM, JSON, JSONISH, Checker, World, hold, snapshot

# Bodies Bolt can read: a form (without a payload field), or a JSON object. Anything else
# was once a server error; it is now refused (test_an_unreadable_body_is_refused_*, below).
NOT_JSON = st.sampled_from([FORM, "text/plain", "multipart/form-data", ""])
FORMS = st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=6).map(
    lambda fields: urlencode(fields).encode()
)
PLAIN = st.text(max_size=200).filter(lambda t: not t.startswith("{")).map(str.encode)
OBJECTS = st.dictionaries(st.text(max_size=10), JSONISH, max_size=4).map(
    lambda fields: json.dumps(fields).encode()
)
READABLE = st.one_of(
    st.tuples(st.one_of(FORMS, PLAIN).filter(lambda b: b"payload" not in b), NOT_JSON),
    st.tuples(OBJECTS, st.sampled_from([JSON, FORM, "text/plain"])),
)


async def test_raw_bodies_bolt_can_read_are_never_a_server_error(
    app: Running, checker: Checker
) -> None:
    async def check(drawn: tuple[tuple[bytes, str], bool]) -> None:
        (body, content_type), signed = drawn
        await checker(
            OUTSIDER,
            "valid" if signed else "missing",
            lambda: app.slack.post_raw(body, content_type=content_type, sign=signed),
        )

    await hold(st.tuples(READABLE, st.booleans()), check, max_examples=40)


# ---- signatures: replays --------------------------------------------------------------------


async def test_a_replayed_request_is_refused_once_its_timestamp_is_stale(world: World) -> None:
    """The same signed bytes and headers, sent again once the 5-minute window has passed
    by the server's real clock, get 401 and do nothing the first delivery did not."""
    app = world.app
    stamp = str(int(time.time()) - 298)  # accepted now, stale 2.5 s from now
    move = urlencode(
        {
            "token": "verification_token",
            "team_id": "T111",
            "channel_id": "C111",
            "user_id": RECRUITER,
            "command": "/hire",
            "text": "move John Roe to screening",
            "response_url": app.standin.response_url("replay"),
            "trigger_id": "1.2.replay",
        }
    ).encode()
    user, view = world.modals["candidate_add"]
    role = next(b for b in view["blocks"] if b.get("block_id") == "role")["element"]
    added = {
        **view,
        "id": "V0REPLAY",
        "state": {
            "values": {
                "name": {"value": {"type": "plain_text_input", "value": "Rita Replay"}},
                "role": {"value": {"type": "static_select", "selected_option": role["options"][0]}},
            }
        },
    }
    payload = {"type": "view_submission", "team": {"id": "T111"}, "user": {"id": user}}
    add = urlencode({"payload": json.dumps({**payload, "view": added})}).encode()

    async def deliver(body: bytes) -> Any:
        signature = sign(SIGNING_SECRET, stamp, body)
        return await app.slack.post_raw(
            body, content_type=FORM, timestamp=stamp, signature=signature
        )

    first = [await deliver(move), await deliver(add)]
    await app.settle()
    assert [r.status_code for r in first] == [200, 200], [r.text for r in first]
    assert (await candidate_named(app, "John Roe")).stage == Stage.SCREENING
    assert await candidate_named(app, "Rita Replay") is not None
    before = await snapshot(app)
    calls = len(app.standin.calls)

    await asyncio.sleep(max(0.0, int(stamp) + 300.5 - time.time()))
    replayed = [await deliver(move), await deliver(add)]
    await app.settle()

    assert [r.status_code for r in replayed] == [401, 401]
    assert await snapshot(app) == before
    assert app.standin.calls[calls:] == []


# ---- regressions: what these properties found, now fixed ------------------------------------
# One test per cause; the properties keep its trigger out of their strategies.


UNREADABLE = [
    pytest.param(b"payload=notjson", FORM, id="payload is not JSON"),
    pytest.param(b'payload={"type":"block_actions"', FORM, id="payload cut short"),
    pytest.param(b'{"type": "event_callback", "event": {', JSON, id="JSON cut short"),
    pytest.param(b"{not json", FORM, id="looks like JSON"),
    pytest.param(b"token=x", JSON, id="a form sent as JSON"),
    pytest.param(b"\xff\xfe\x00garbage", FORM, id="not UTF-8"),
    pytest.param(b"[1, 2, 3]", JSON, id="JSON array"),
    pytest.param(b"null", JSON, id="JSON null"),
    pytest.param(b"payload=[1,2]", FORM, id="payload is an array"),
]


@pytest.mark.parametrize(("body", "content_type"), UNREADABLE)
async def test_an_unreadable_body_is_refused_not_a_server_error(
    app: Running, body: bytes, content_type: str
) -> None:
    unsigned = await app.slack.post_raw(body, content_type=content_type, sign=False)
    signed = await app.slack.post_raw(body, content_type=content_type)
    assert (unsigned.status_code, signed.status_code) == (401, 400)


async def test_an_unreadable_body_is_refused_for_any_bytes(app: Running) -> None:
    async def check(drawn: tuple[bytes, str, bool]) -> None:
        body, content_type, signed = drawn
        response = await app.slack.post_raw(body, content_type=content_type, sign=signed)
        assert response.status_code < 500
        assert signed or response.status_code == 401

    await hold(
        st.tuples(
            st.binary(max_size=200), st.sampled_from([FORM, JSON, "text/plain"]), st.booleans()
        ),
        check,
        max_examples=40,
        examples=((b"{", JSON, False),),
    )


MALFORMED_ENVELOPES = [
    pytest.param(
        {"payload": json.dumps({"type": "view_submission", "view": {"callback_id": "x"}})},
        id="view without type",
    ),
    pytest.param(
        {"payload": json.dumps({"type": "block_actions", "user": 7, "actions": []})},
        id="user is a number",
    ),
    pytest.param({"type": "event_callback", "event": "x"}, id="event is a string"),
    pytest.param(
        {"type": "event_callback", "authorizations": "x", "event": {"type": "pin_added"}},
        id="authorizations is a string",
    ),
    pytest.param(
        {"type": "event_callback", "event": {"type": "app_home_opened", "user": 5}},
        id="event user is a number",
    ),
    pytest.param(
        {"type": "event_callback", "event": {"type": "app_mention", "channel": False}},
        id="channel is a boolean",
    ),
]


@pytest.mark.parametrize("envelope", MALFORMED_ENVELOPES)
async def test_a_signed_envelope_of_the_wrong_shape_is_a_4xx(
    app: Running, envelope: dict[str, Any]
) -> None:
    if "payload" in envelope:
        response = await app.slack.post_raw(urlencode(envelope).encode(), content_type=FORM)
    else:
        response = await app.slack.post_raw(json.dumps(envelope).encode(), content_type=JSON)
    assert 400 <= response.status_code < 500
