"""What a stranger cannot do to the HTTP edge: stall it with a huge or a stalled body,
grow /metrics with labels of their choosing, or get a 500 from deeply nested JSON."""

from __future__ import annotations

import asyncio
import json
import random
import string
from collections.abc import AsyncIterator
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.slack import app as slack_app
from tests.conftest import Running

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CLOSED_SET = {
    "slash_command",
    "block_actions",
    "view_submission",
    "view_closed",
    "url_verification",
    "ssl_check",
    "event",
    "other",
    "malformed",
}


async def test_a_body_over_the_limit_is_refused_with_413(app: Running) -> None:
    big = b"command=%2Fhire&text=" + b"a" * (2 * 1024 * 1024)
    # Every time: the refused body is read to its end, so the connection is not reset
    # under a client still sending, which would lose the 413 (it did, now and then).
    for _ in range(10):
        response = await app.slack.post_raw(big, content_type=FORM, sign=False)
        assert response.status_code == 413
        response = await app.slack.post_raw(big, content_type=FORM)  # signed or not
        assert response.status_code == 413


async def test_a_chunked_body_over_the_limit_is_refused_with_413(app: Running) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"command=%2Fhire&text="
        for _ in range(40):
            yield b"a" * 64 * 1024

    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.post(
            f"{app.url}/slack/events", content=chunks(), headers={"content-type": FORM}
        )
        assert response.status_code == 413
        healthz = await client.get(f"{app.url}/healthz")
    assert healthz.status_code == 200


async def test_a_body_under_the_limit_is_still_served(app: Running) -> None:
    response = await app.slack.post_raw(b"ssl_check=1&token=x", content_type=FORM)
    assert response.status_code == 200


def surfaces(text: str) -> set[str]:
    return {
        sample.labels["surface"]
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if "surface" in sample.labels
    }


async def test_random_event_types_do_not_grow_the_metrics_labels(app: Running) -> None:
    rng = random.Random(7)

    def event_body() -> bytes:
        kind = "".join(rng.choices(string.ascii_lowercase, k=12))
        return json.dumps(
            {
                "type": "event_callback",
                "team_id": "T111",
                "api_app_id": "A111",
                "event_id": "Ev" + kind,
                "event": {"type": kind, "user": "U1"},
            }
        ).encode()

    for signed in (False, True):
        for _ in range(60):
            response = await app.slack.post_raw(event_body(), content_type=JSON, sign=signed)
            assert response.status_code < 500
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{app.url}/metrics")).text
    assert surfaces(text) <= CLOSED_SET
    assert "event" in surfaces(text)


@pytest.mark.parametrize("content_type", [JSON, FORM])
async def test_deeply_nested_json_is_a_400_signed_or_a_401_unsigned(
    app: Running, content_type: str
) -> None:
    nested = "[" * 5000
    body = nested.encode() if content_type == JSON else urlencode({"payload": nested}).encode()
    unsigned = await app.slack.post_raw(body, content_type=content_type, sign=False)
    assert unsigned.status_code == 401
    signed = await app.slack.post_raw(body, content_type=content_type)
    assert signed.status_code == 400


async def test_a_trickling_body_is_answered_408_within_the_deadline(
    app: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte at a time, each well inside any per-chunk timeout: the whole body has a
    deadline, so the connection is not held for as long as the sender likes."""
    monkeypatch.setattr(slack_app, "BODY_READ_TIMEOUT_SECONDS", 1.0)
    where = urlsplit(app.url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)

    async def trickle() -> None:
        for _ in range(100):
            writer.write(b"a")
            await writer.drain()
            await asyncio.sleep(0.2)

    writer.write(
        b"POST /slack/events HTTP/1.1\r\n"
        b"Host: localhost\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 100\r\n\r\n"
    )
    sending = asyncio.create_task(trickle())
    try:
        answer = await asyncio.wait_for(reader.read(4096), 10)  # 20 s of trickle left
    finally:
        sending.cancel()
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408")


async def test_a_stalled_body_is_answered_408_and_does_not_hold_the_server(
    app: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack_app, "BODY_READ_TIMEOUT_SECONDS", 1.0)
    where = urlsplit(app.url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    try:
        writer.write(
            b"POST /slack/events HTTP/1.1\r\n"
            b"Host: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100\r\n\r\n" + b"a" * 50
        )
        await writer.drain()
        async with httpx.AsyncClient(timeout=30) as client:
            healthz = await client.get(f"{app.url}/healthz")
        assert healthz.status_code == 200
        answer = await asyncio.wait_for(reader.read(4096), 60)
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408")
