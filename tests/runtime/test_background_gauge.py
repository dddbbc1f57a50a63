"""loopkeeper_background_tasks: /metrics says how much work after the answer is still
running, so an operator (or the benchmark) can tell a quiet app from one with DMs and
Home tabs still to send."""

from __future__ import annotations

import asyncio

from tests.conftest import Running
from tests.runtime.test_operations import metric, scrape

GAUGE = "loopkeeper_background_tasks "


async def test_background_tasks_gauge_counts_work_running_after_the_answer(
    app: Running,
) -> None:
    assert metric(await scrape(app), GAUGE) == 0
    release = asyncio.Event()

    async def after_the_answer() -> None:
        await release.wait()

    app.deps.background.run(after_the_answer(), name="held")

    assert metric(await scrape(app), GAUGE) == 1
    release.set()
    await app.settle()
    assert metric(await scrape(app), GAUGE) == 0
