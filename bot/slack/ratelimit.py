"""A rate-limit retry for the listeners' Web API client that never outwaits Slack.

slack-sdk's AsyncRateLimitErrorRetryHandler sleeps whatever Retry-After says (10 s has
been seen on views.open), while the person's click has 3 seconds and a trigger_id lives
no longer. This one retries a 429 only when Slack's wait fits in `max_wait_seconds`;
otherwise the call fails at once and the listener tells the person to try again. The
sweep's client (make_sweep_client) keeps no retry handlers and records the wait instead.
Both count the calls that could not reach Slack at all (CountUnreachable).
"""

from __future__ import annotations

import asyncio
import math

import aiohttp
from prometheus_client import Counter
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState


def retry_after_seconds(response: HttpResponse) -> float:
    """Slack's Retry-After in seconds: 1 when it is missing, infinity when it is garbled."""
    for name, value in response.headers.items():
        if name.lower() == "retry-after":
            first = value[0] if isinstance(value, list) and value else value
            try:
                seconds = float(str(first))
            except ValueError:
                return math.inf
            return seconds if seconds >= 0 else math.inf
    return 1.0


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Retry a 429 once, and only when its Retry-After fits the time a person can wait."""

    def __init__(self, *, max_wait_seconds: float = 1.0, max_retry_count: int = 1) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_seconds = max_wait_seconds

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return (
            response is not None
            and response.status_code == 429
            and retry_after_seconds(response) <= self.max_wait_seconds
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        assert response is not None  # _can_retry_async asked for one
        state.next_attempt_requested = True
        await asyncio.sleep(min(retry_after_seconds(response), self.max_wait_seconds))
        state.increment_current_attempt()


class CountUnreachable(AsyncRetryHandler):
    """Retries nothing: counts each Web API attempt that could not reach Slack (a wrong
    SLACK_API_URL, blocked egress, Slack down), which the logs alone would bury, so an
    alert can fire on loopkeeper_slack_unreachable."""

    def __init__(self, counter: Counter) -> None:
        super().__init__(max_retry_count=0)
        self.counter = counter

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if isinstance(error, aiohttp.ClientConnectionError | asyncio.TimeoutError):
            self.counter.inc()
        return False
