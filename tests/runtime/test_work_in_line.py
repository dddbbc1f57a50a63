"""Work after answers runs a little at a time: AT_ONCE pieces, the rest waiting in line
in the order they were promised, so that a pause in the answers does not release a few
hundred pieces at once in front of the next answers. A piece that runs long, or waits
on purpose, makes room for the next."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from bot.runtime import background
from bot.runtime.background import Background
from bot.slack.notify import HomeRedraws
from tests.conftest import until


class Pieces:
    """Pieces of work that say when they start and finish when told to."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.finished: list[int] = []
        self._go: dict[int, asyncio.Event] = {}

    async def piece(self, n: int) -> None:
        self._go[n] = asyncio.Event()
        self.started.append(n)
        await self._go[n].wait()
        self.finished.append(n)

    def finish(self, n: int) -> None:
        self._go[n].set()


async def _passes(count: int = 10) -> None:
    """Let the event loop run a few passes (no time goes by)."""
    for _ in range(count):
        await asyncio.sleep(0)


async def test_two_pieces_run_at_once_and_the_rest_wait_in_line_in_order() -> None:
    work, pieces = Background(), Pieces()
    for n in range(5):
        work.run(pieces.piece(n), name=f"piece-{n}")
    await _passes()
    assert pieces.started == [0, 1]  # the rest wait: none has started

    pieces.finish(1)
    await _passes()
    assert pieces.started == [0, 1, 2]  # the next in line took the place given back

    pieces.finish(0)
    pieces.finish(2)
    await _passes()
    assert pieces.started == [0, 1, 2, 3, 4]
    pieces.finish(3)
    pieces.finish(4)
    await work.drain(5)
    assert sorted(pieces.finished) == [0, 1, 2, 3, 4]
    assert work.pending == 0


async def test_a_piece_running_past_its_time_makes_room(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two pieces stuck on a Slack that does not answer must not hold up the third.
    monkeypatch.setattr(background, "PLACE_SECONDS", 0.01)
    work, pieces = Background(), Pieces()
    for n in range(3):
        work.run(pieces.piece(n), name=f"piece-{n}")
    await _passes()
    assert pieces.started == [0, 1]
    await until(lambda: pieces.started == [0, 1, 2], 5.0)
    assert pieces.finished == []  # the first two are still running
    for n in range(3):
        pieces.finish(n)
    await work.drain(5)
    assert work.pending == 0


async def test_a_wait_made_aside_holds_no_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "AT_ONCE", 1)
    work, pieces = Background(), Pieces()
    gathered = asyncio.Event()
    order: list[str] = []

    async def gathering() -> None:
        order.append("gathering")
        async with background.aside():
            await gathered.wait()
        order.append("gathered")

    work.run(gathering(), name="gathering")
    work.run(pieces.piece(1), name="piece-1")
    await _passes()
    assert pieces.started == [1]  # it ran while the other waited aside

    gathered.set()
    await _passes()
    assert order == ["gathering"]  # back in line behind the piece holding the one place
    pieces.finish(1)
    await work.drain(5)
    assert order == ["gathering", "gathered"]


async def test_a_task_started_inside_a_piece_cannot_give_its_place_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(background, "AT_ONCE", 1)
    work, pieces = Background(), Pieces()
    inside = asyncio.Event()

    async def waits_aside() -> None:
        async with background.aside():
            await inside.wait()

    async def parent() -> None:
        child = asyncio.create_task(waits_aside())  # it copies the parent's context
        await pieces.piece(0)
        inside.set()
        await child

    work.run(parent(), name="parent")
    work.run(pieces.piece(1), name="piece-1")
    await _passes()
    assert pieces.started == [0]  # the parent still holds the one place
    pieces.finish(0)
    await until(lambda: pieces.started == [0, 1], 5.0)
    pieces.finish(1)
    await work.drain(5)
    assert work.pending == 0


async def test_a_home_redraw_gathering_changes_holds_no_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The redraw waits HOME_REDRAW_DELAY_SECONDS for more changes: a confirmation
    # promised meanwhile goes out at once, not after it.
    monkeypatch.setattr(background, "AT_ONCE", 1)
    work, pieces = Background(), Pieces()
    homes = HomeRedraws(delay=60.0)
    redraw = homes.redraw(
        cast(Any, None), cast(Any, None), ["U1"], lambda: cast(Any, None), looked_at_only=False
    )
    work.run(redraw, name="refresh-home")
    await _passes()
    work.run(pieces.piece(1), name="confirmation")
    await _passes()
    assert pieces.started == [1]
    pieces.finish(1)
    await until(lambda: pieces.finished == [1], 5.0)
    for task in asyncio.all_tasks():
        if task.get_name() == "refresh-home":
            task.cancel()  # what a shutdown does to a redraw still gathering
    await work.drain(5)
    assert work.pending == 0


async def test_a_piece_cancelled_in_line_never_starts() -> None:
    work, pieces = Background(), Pieces()
    for n in range(3):
        work.run(pieces.piece(n), name=f"piece-{n}")
    await _passes()
    for task in asyncio.all_tasks():
        if task.get_name() == "piece-2":
            task.cancel()
    pieces.finish(0)
    pieces.finish(1)
    await work.drain(5)
    assert pieces.started == [0, 1]
    assert work.pending == 0
