"""The playground's fixtures: a workspace seeded once per test process (the replay takes a
few seconds), and the playground started from a copy of it in each test's folder, the way a
restart starts it: from its saved files."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.playground.server import Playground, running_playground


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeded once for the whole run: under pytest-xdist every worker process would
    otherwise replay it (12 s each), so the first to get here seeds it in the folder the
    workers share, and the others wait for it on a lock and copy it."""
    base = tmp_path_factory.getbasetemp()
    # A worker's base is popen-gwN inside this run's folder; without xdist, the run's own.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "seeded-playground"
    with open(shared / "seeded-playground.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)  # half a seed from a killed run
            folder.mkdir()

            async def seed_once() -> None:
                async with running_playground(port=0, folder=folder):
                    pass

            asyncio.run(seed_once())
            (folder / "done").touch()
    return folder


@pytest.fixture
async def playground(seeded: Path, tmp_path: Path) -> AsyncIterator[Playground]:
    copy_seed(seeded, tmp_path)
    async with running_playground(port=0, folder=tmp_path) as running:
        yield running
    # Every view and message the app sent was one Slack would take.
    assert running.standin.invalid == [], running.standin.invalid


def copy_seed(seeded: Path, folder: Path) -> None:
    for path in seeded.iterdir():
        if path.name != "done":
            shutil.copy(path, folder / path.name)
