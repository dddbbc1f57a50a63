"""The playground's fixtures: a workspace seeded once per test process (the replay takes a
few seconds), and the playground started from a copy of it in each test's folder, the way a
restart starts it: from its saved files."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.playground.server import Playground, running_playground


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seeded")

    async def seed_once() -> None:
        async with running_playground(port=0, folder=folder):
            pass

    asyncio.run(seed_once())
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
        shutil.copy(path, folder / path.name)
