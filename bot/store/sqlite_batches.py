"""SQLite writes on the writer's connection, in batches: one writers' turn runs every
such write waiting in this process.

A write on the writer's connection (sqlite_writes) holds the writers' turn for about
half a millisecond and never hands the event loop on while it does. Taken one write at
a time, the turn went from each writer to the next through a whole pass of the event
loop, behind every other request's work: under fifty scorecards at once (the bench's
cell, traced per request in the server) a write held the turn for half a millisecond
and waited 20-75 ms for it. Here the first write that finds no batch running starts
one: it takes the turn and runs the writes waiting, in the order they came, each in a
transaction of its own, until none is left or BATCH_SECONDS have passed, and gives the
turn back. The other writers wait for their result, not for the turn; one left waiting
starts the next batch.

A write's failure is its own: its transaction is rolled back and its error is raised
in its writer's task, and the batch goes on. A write runs in the batch's task, not its
writer's: a log line it wrote would carry that task's request. A writer cancelled
before its write ran leaves nothing behind; a batch cancelled while it waited for the
turn hands the writes still waiting to the first of their writers.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.store.sqlite_writes import RawTransaction

T = TypeVar("T")

# How long a batch holds the writers' turn before it gives the turn back and takes it
# again: some forty scorecards on the bench machine.
BATCH_SECONDS = 0.02


@dataclass(frozen=True)
class Done(Generic[T]):
    """What a write's work returned."""

    value: T


# A write's result is Done, None (the file is locked by another program: the writer
# uses a session instead), or this: the batch stopped, and this write's writer runs the
# next one.
_RUN_NEXT_BATCH = object()


@dataclass
class _Write:
    work: Callable[[RawTransaction], Awaitable[Any]]
    result: asyncio.Future[Any]


class Batches:
    """One event loop's batches of writes on the writer's connection. `turn`: the
    writers' turn (engine._WriterQueue.turn); `transaction`: one transaction on the
    writer's connection (sqlite_writes.Writer.transaction)."""

    def __init__(
        self,
        turn: Callable[[], AbstractAsyncContextManager[bool]],
        transaction: Callable[[], AbstractAsyncContextManager[RawTransaction | None]],
    ) -> None:
        self._turn = turn
        self._transaction = transaction
        self._waiting: deque[_Write] = deque()
        self._running = False

    async def run(self, work: Callable[[RawTransaction], Awaitable[T]]) -> Done[T] | None:
        """`work` in a transaction of its own, committed when it returns, rolled back if
        it raises. None: another program holds the file's lock, and `work` was not run."""
        loop = asyncio.get_running_loop()
        write = _Write(work, loop.create_future())
        self._waiting.append(write)
        while True:
            if not self._running:
                try:
                    await self._run_batch()
                except BaseException:
                    self._forget(write)
                    raise
                finally:
                    self._hand_over()
            try:
                result = await write.result
            except asyncio.CancelledError:
                self._forget(write)
                raise
            if result is not _RUN_NEXT_BATCH:
                return result  # type: ignore[no-any-return]
            write.result = loop.create_future()
            self._waiting.appendleft(write)

    def _forget(self, write: _Write) -> None:
        """A writer that stops waiting (cancelled): its write is not run."""
        if write in self._waiting:
            self._waiting.remove(write)
        write.result.cancel()

    async def _run_batch(self) -> None:
        loop = asyncio.get_running_loop()
        self._running = True
        try:
            async with self._turn():
                began = loop.time()
                while self._waiting:
                    await self._run_one(self._waiting.popleft())
                    if loop.time() - began >= BATCH_SECONDS:
                        break  # the rest: the next batch (_hand_over)
        finally:
            self._running = False

    async def _run_one(self, write: _Write) -> None:
        if write.result.done():  # its writer stopped waiting
            return
        try:
            async with self._transaction() as raw:
                result = None if raw is None else Done(await write.work(raw))
        except asyncio.CancelledError:
            # The batch's task was cancelled, not this write's: rolled back, it waits
            # for the next batch.
            self._waiting.appendleft(write)
            raise
        except Exception as error:
            if not write.result.done():
                write.result.set_exception(error)
        else:
            if not write.result.done():
                write.result.set_result(result)

    def _hand_over(self) -> None:
        """Writes still waiting when a batch ended (past BATCH_SECONDS, or its task
        cancelled while it waited for the turn): the first of their writers runs the
        next batch, a pass of the event loop later, in which another process's writer
        waiting for the flock can take it first."""
        while self._waiting:
            first = self._waiting.popleft()
            if not first.result.done():
                first.result.set_result(_RUN_NEXT_BATCH)
                return
