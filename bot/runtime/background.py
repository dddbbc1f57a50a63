"""Work that happens after Slack has its answer: confirmations, channel posts.

Bolt's lazy listeners deep-copy the request context (our database and clock
included) and log a failure without its traceback; this keeps a reference to
each task, logs failures with tracebacks, and lets shutdown and tests wait for
what is still running. With a gauge (Metrics.background_tasks), it also tells
/metrics how many tasks are running, so an operator or a benchmark can see when
the work promised after an answer is done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import Gauge

log = logging.getLogger(__name__)


class Background:
    def __init__(self, gauge: Gauge | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self.gauge = gauge

    def run(self, work: Coroutine[Any, Any, Any], *, name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        if self.gauge is not None:
            self.gauge.inc()
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if self.gauge is not None:
            self.gauge.dec()
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    @property
    def pending(self) -> int:
        """How many tasks are still running."""
        return len(self._tasks)

    async def drain(self, seconds: float = 10.0) -> None:
        """Wait for running work (it may start more) until none is left or time is up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while self._tasks:
            remaining = deadline - loop.time()
            if remaining <= 0:
                log.warning("gave up waiting for %d background tasks", len(self._tasks))
                return
            await asyncio.wait(set(self._tasks), timeout=remaining)
