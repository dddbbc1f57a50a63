"""Fixtures of the hostile-input tests (test_hostile_*.py); what they build is in hostile.py."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.playground.sender import SlackSender
from tests.conftest import SIGNING_SECRET, Running
from tests.handlers.hostile import Checker, Crashes, UnsignedSender, World, build_world


@pytest.fixture
def crashes() -> Iterator[Crashes]:
    handler = Crashes()
    for name in Crashes.LOGGERS:
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler
    finally:
        for name in Crashes.LOGGERS:
            logging.getLogger(name).removeHandler(handler)


@pytest.fixture
async def senders(app: Running) -> AsyncIterator[dict[str, SlackSender]]:
    """By signature: the real one, and four that Bolt must refuse with 401."""
    urls = app.standin.response_url
    forged = {
        "wrong secret": SlackSender(app.url, "not-the-secret", response_url_factory=urls),
        "stale": SlackSender(
            app.url, SIGNING_SECRET, response_url_factory=urls, now=lambda: time.time() - 400
        ),
        "future": SlackSender(
            app.url, SIGNING_SECRET, response_url_factory=urls, now=lambda: time.time() + 400
        ),
        "missing": UnsignedSender(app.url, SIGNING_SECRET, response_url_factory=urls),
    }
    try:
        yield {"valid": app.slack, **forged}
    finally:
        for sender in forged.values():
            await sender.aclose()


@pytest.fixture
async def world(app: Running) -> World:
    return await build_world(app)


@pytest.fixture
def checker(app: Running, crashes: Crashes) -> Checker:
    return Checker(app, crashes)
