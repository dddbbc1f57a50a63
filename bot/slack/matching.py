"""Bolt's listener matching, without building every listener's keyword arguments.

Bolt tries each request against the listeners in the order they were registered, and
each of its built-in matchers (`app.view("…")`, `app.action(…)`, `app.command(…)`)
first builds the keyword arguments its function asks for, through the same general
injection a listener gets, although the function only ever asks for `body`. A
scorecard's `view_submission` passes some twenty-five listeners before its own, and
that injection was 8.5% of its CPU (py-spy on the bench, 2026-12-02). `cheap_matchers`
makes each such matcher call its function with the request's body directly: the same
function, given what the injection would have given it.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener_matcher.async_builtins import AsyncBuiltinListenerMatcher
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse


class _BodyMatcher(AsyncBuiltinListenerMatcher):
    """A built-in matcher whose function takes `body` alone."""

    async def async_matches(self, req: AsyncBoltRequest, resp: BoltResponse) -> bool:
        return await self.func(body=req.body)  # type: ignore[no-any-return,misc]


def cheap_matchers(app: AsyncApp) -> int:
    """Every registered built-in matcher that asks for the body alone, made a
    `_BodyMatcher`; the number changed. Any other matcher is left to Bolt."""
    changed = 0
    for listener in app._async_listeners:
        for matcher in listener.matchers:
            if type(matcher) is AsyncBuiltinListenerMatcher and matcher.arg_names == ["body"]:
                matcher.__class__ = _BodyMatcher
                changed += 1
    return changed
