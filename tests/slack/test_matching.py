"""Bolt's built-in matchers, called with the body directly (bot/slack/matching.py),
match exactly what Bolt's own calls matched, and the app's listeners all use them."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.app import build_bolt
from bot.slack.matching import _BodyMatcher, cheap_matchers
from tests.conftest import Running


def _form(payload: dict[str, Any]) -> AsyncBoltRequest:
    return AsyncBoltRequest(
        body=urlencode({"payload": json.dumps(payload)}),
        headers={"content-type": ["application/x-www-form-urlencoded"]},
    )


_TEAM = {"id": "T0TEAM"}
_USER = {"id": "U0ANA", "team_id": "T0TEAM"}
_REQUESTS = {
    "scorecard sent": _form(
        {
            "type": "view_submission",
            "team": _TEAM,
            "user": _USER,
            "view": {"type": "modal", "callback_id": "a"},
        }
    ),
    "another form": _form(
        {
            "type": "view_submission",
            "team": _TEAM,
            "user": _USER,
            "view": {"type": "modal", "callback_id": "z"},
        }
    ),
    "a numbered click": _form(
        {
            "type": "block_actions",
            "team": _TEAM,
            "user": _USER,
            "actions": [{"action_id": "open_12", "block_id": "b", "type": "button"}],
        }
    ),
    "another click": _form(
        {
            "type": "block_actions",
            "team": _TEAM,
            "user": _USER,
            "actions": [{"action_id": "other", "block_id": "b", "type": "button"}],
        }
    ),
    "/hire": AsyncBoltRequest(
        body=urlencode({"command": "/hire", "text": "status Jane", "team_id": "T0TEAM"}),
        headers={"content-type": ["application/x-www-form-urlencoded"]},
    ),
    "Home opened": AsyncBoltRequest(
        body=json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0TEAM",
                "event": {"type": "app_home_opened", "user": "U0ANA", "tab": "home"},
            }
        ),
        headers={"content-type": ["application/json"]},
    ),
}


async def _matches(app: AsyncApp) -> dict[str, list[bool]]:
    return {
        name: [
            await listener.async_matches(req=request, resp=BoltResponse(status=200))
            for listener in app._async_listeners
        ]
        for name, request in _REQUESTS.items()
    }


async def _noop(ack: Any) -> None:
    await ack()


async def _only_ana(body: dict[str, Any]) -> bool:  # a matcher of our own, asking for `body`
    return bool(body.get("user", {}).get("id") == "U0ANA")


async def test_each_listener_matches_the_same_requests_as_with_bolts_own_calls() -> None:
    app = AsyncApp(token="xoxb-test", signing_secret="secret", request_verification_enabled=False)
    app.view("a")(_noop)
    app.view("z", matchers=[_only_ana])(_noop)
    app.action(re.compile(r"^open(_\d+)?$"))(_noop)
    app.action("other")(_noop)
    app.command("/hire")(_noop)
    app.event("app_home_opened")(_noop)
    before = await _matches(app)

    # The six built-in matchers change; the listener's own matcher is left to Bolt.
    assert cheap_matchers(app) == 6
    assert await _matches(app) == before
    # And each request is one listener's.
    assert {name: matched.count(True) for name, matched in before.items()} == dict.fromkeys(
        _REQUESTS, 1
    )


async def test_every_listener_of_the_app_is_matched_on_the_body_alone(app: Running) -> None:
    bolt = build_bolt(app.deps)
    matchers = [m for listener in bolt._async_listeners for m in listener.matchers]
    assert len(matchers) > 40  # every command, click, form and event of handlers/
    assert all(type(matcher) is _BodyMatcher for matcher in matchers)
