"""Work that happens after Slack has its answer: confirmations, channel posts.

Bolt's lazy listeners deep-copy the request context (our database and clock
included) and log a failure without its traceback; this keeps a reference to
each task, logs failures with tracebacks, and lets shutdown and tests wait for
what is still running. With a gauge (Metrics.background_tasks), it also tells
/metrics how many tasks are running, so an operator or a benchmark can see when
the work promised after an answer is done.

Answers come first. Slack gives an answer 3 seconds and a person watches the modal
close; a confirmation DM read a moment later loses nothing. So while the process is
answering Slack requests (`answering`), work after an answer waits to start until none
is being answered, for at most ANSWERS_FIRST_SECONDS: under a burst (fifty
scorecards at the end of a hiring day) the acks are not queued behind the DMs of the
ones answered before them, and under load that never lets up the work still starts.

And it runs a little at a time: AT_ONCE pieces, the others waiting in line in the
order they were promised. Released all at once when the answers paused, a few hundred
pieces each put their next step in the event loop's queue ahead of every answer that
came in after them. Fifty clients submitting scorecards to a SQLite store, six cells
of 400 each way, alternated on one store: p99 96-160 ms and 710-910 answers a second
that way, 86-116 ms and 880-1,170 two at a time (on PostgreSQL, bound by its own CPU
and the app's, no change either way). A piece keeps its place for PLACE_SECONDS at
most: one running longer is waiting on Slack or the database, not using the
processor, and a slow Slack must not hold up the rest behind it. A wait a piece
chooses (a Home redraw gathering changes) is made `aside()`, with no place held.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import Gauge

log = logging.getLogger(__name__)

# The longest that work after an answer waits for the answers in progress: well inside
# the time anyone waits for a confirmation, and a bound under load that never stops.
ANSWERS_FIRST_SECONDS = 1.0
# How many pieces of that work run at once in a process, and how long one keeps its place.
AT_ONCE = 2
PLACE_SECONDS = 1.0


class _Place:
    """A piece of work's place among the AT_ONCE running."""

    def __init__(self, line: asyncio.Semaphore) -> None:
        self._line = line
        # A task started inside the work copies its context, this place included: the
        # place is its owner's alone to give up.
        self.owner = asyncio.current_task()
        self._held = False
        self._limit: asyncio.TimerHandle | None = None

    async def take(self) -> None:
        await self._line.acquire()
        self._held = True
        self._limit = asyncio.get_running_loop().call_later(PLACE_SECONDS, self.give_up)

    def give_up(self) -> None:
        if self._held:
            self._held = False
            if self._limit is not None:
                self._limit.cancel()
            self._line.release()


# The place of the piece of work running in this task, if it holds one.
_current: ContextVar[_Place | None] = ContextVar("background_place", default=None)


@asynccontextmanager
async def aside() -> AsyncIterator[None]:
    """Around a wait a piece of work chooses (gathering changes for a while): its place
    goes to the next in line meanwhile, and it waits in line for one again after."""
    place = _current.get()
    if place is None or place.owner is not asyncio.current_task():
        yield
        return
    place.give_up()
    try:
        yield
    finally:
        await place.take()


class Background:
    def __init__(self, gauge: Gauge | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self.gauge = gauge
        self._answering = 0
        self._waiting: set[asyncio.Future[None]] = set()
        # The line for the AT_ONCE places, on the loop it was made on.
        self._line: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around answering one Slack request: work after answers waits for it."""
        self._answering += 1
        try:
            yield
        finally:
            self._answering -= 1
            if not self._answering:
                waiting, self._waiting = self._waiting, set()
                for waiter in waiting:
                    if not waiter.done():
                        waiter.set_result(None)

    def run(self, work: Coroutine[Any, Any, Any], *, name: str) -> None:
        """Start `work` once the answers in progress are given (see above)."""
        task = asyncio.get_running_loop().create_task(self._after_answers(work), name=name)
        self._tasks.add(task)
        if self.gauge is not None:
            self.gauge.inc()
        task.add_done_callback(self._finished)
        # Cancelled before it began (a shutdown past its grace): it never will, and is
        # closed so that it is not reported as never awaited. Closing a finished one does
        # nothing.
        task.add_done_callback(lambda _: work.close())

    async def _after_answers(self, work: Coroutine[Any, Any, Any]) -> Any:
        if self._answering:
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.add(waiter)
            try:
                # Past the bound (answering without a pause), the work goes beside them.
                await asyncio.wait({waiter}, timeout=ANSWERS_FIRST_SECONDS)
            finally:
                self._waiting.discard(waiter)
        place = _Place(self._line_on(asyncio.get_running_loop()))
        await place.take()
        _current.set(place)  # this task's own context: aside() finds it
        try:
            return await work
        finally:
            place.give_up()

    def _line_on(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        if self._line is None or self._line[0] is not loop:
            self._line = (loop, asyncio.Semaphore(AT_ONCE))
        return self._line[1]

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
