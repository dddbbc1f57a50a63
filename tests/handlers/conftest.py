"""Fixtures of the hostile-input tests (test_hostile_*.py); what they build is in hostile.py."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from copy import deepcopy
from dataclasses import replace

import pytest

from bot.playground.sender import SlackSender
from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from tests.conftest import SIGNING_SECRET, Running, serving
from tests.handlers.hostile import Checker, Crashes, UnsignedSender, World, build_world
from tests.worlds import build_marked, world_on_file


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
async def app(
    request: pytest.FixtureRequest,
    db_url: str,
    standin: SlackStandin,
    clock: ManualClock,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Running]:
    """The app, as tests/conftest.py serves it; for a test that takes `world`, serving a
    copy of the hostile world, built once per test run (tests/worlds.py), and for a
    test marked built_once, a copy of its own."""
    if "world" in request.fixturenames:
        request.node.stash[_BUILT] = await world_on_file(
            "hostile",
            build_world,
            db_url=db_url,
            standin=standin,
            clock=clock,
            tmp_path_factory=tmp_path_factory,
            shared=True,
        )
    await build_marked(
        request, db_url=db_url, standin=standin, clock=clock, tmp_path_factory=tmp_path_factory
    )
    async with serving(db_url, standin, clock) as running:
        yield running


_BUILT = pytest.StashKey[World]()


@pytest.fixture
def world(request: pytest.FixtureRequest, app: Running) -> World:
    built = request.node.stash[_BUILT]
    return replace(built, app=app, modals=deepcopy(built.modals))


@pytest.fixture
def checker(app: Running, crashes: Crashes) -> Checker:
    return Checker(app, crashes)
