"""`loopkeeper erase ID`, run as an operator runs it: what goes is shown first, a
terminal is asked to confirm, `--yes` answers for a script, and without either nothing
is erased."""

from __future__ import annotations

import os
import pty
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.domain.stages import Stage
from bot.runtime.timesource import ManualClock
from bot.store.engine import Database
from bot.store.tables import Candidate
from tests.cases import add, jane, move
from tests.conftest import START
from tests.runtime.test_cli_import_export import loopkeeper

# What is erased, on both databases; how the command asks and refuses is the CLI's own,
# the same whatever the database, so on SQLite only.

EMAIL = "jane@example.com"


@pytest.fixture
async def closed_jane(db_url: str) -> AsyncIterator[int]:
    """Jane Doe, with an email, rejected; and Bob Stone, still open."""
    db = Database(db_url)
    clock = ManualClock(START)
    try:
        role, card = await jane(db, clock)
        candidate_id = card.candidate.id or 0
        async with db.transaction() as session:
            row = await session.get(Candidate, candidate_id)
            assert row is not None
            row.email = EMAIL
            session.add(row)
        await move(
            db, candidate_id, Stage.SOURCED, Stage.REJECTED, now=clock.now(), reason="not now"
        )
        await add(db, clock, role, "Bob Stone")
    finally:
        await db.close()
    yield candidate_id


async def stored_candidates(db_url: str) -> dict[str, Candidate]:
    db = Database(db_url)
    try:
        async with db.reader() as session:
            return {c.name: c for c in (await session.exec(select(Candidate))).all()}
    finally:
        await db.close()


@pytest.mark.both_databases
async def test_yes_erases_without_asking(db_url: str, closed_jane: int) -> None:
    result = loopkeeper(db_url, "erase", str(closed_jane), "--yes", "--by", "UOPS0001")

    assert result.returncode == 0, result.stderr
    assert f"Candidate #{closed_jane}: Jane Doe" in result.stdout
    assert f"email ({EMAIL})" in result.stdout
    assert f"Erased: candidate #{closed_jane} is now “Erased candidate #{closed_jane}”" in (
        result.stdout
    )
    rows = await stored_candidates(db_url)
    erased = rows[f"Erased candidate #{closed_jane}"]
    assert (erased.email, erased.erased_by) == (None, "UOPS0001")
    assert "Jane Doe" not in rows and "Bob Stone" in rows

    again = loopkeeper(db_url, "erase", str(closed_jane), "--yes")
    assert again.returncode == 2 and "erased already" in again.stderr
    # An id nobody has: said as an operator reads it, not "among the roles you hire for".
    missing = loopkeeper(db_url, "erase", "999", "--yes")
    assert missing.returncode == 2
    assert missing.stderr.strip() == "No candidate #999 in this database.", missing.stderr


@pytest.mark.both_databases
async def test_an_import_from_an_old_file_leaves_the_erased_out_and_says_so(
    db_url: str, closed_jane: int, tmp_path: Path
) -> None:
    """As the Slack import does: a saved file's row for someone erased at their request is
    counted and named, not brought back, nor silently dropped."""
    assert loopkeeper(db_url, "erase", str(closed_jane), "--yes").returncode == 0
    old = tmp_path / "old.csv"
    old.write_text(f"name,email\nJane Doe,{EMAIL}\nNew Person,new@example.com\n")

    shown = loopkeeper(db_url, "import", str(old), "--role", "Senior MLOps Engineer", "--dry-run")

    assert shown.returncode == 0, shown.stderr
    table = {
        " ".join(line.split()[:-1]): line.split()[-1] for line in shown.stdout.splitlines()[1:6]
    }
    assert table["erased at their request"] == "1" and table["new"] == "1", shown.stdout
    assert (
        f"line 2: Jane Doe: erased at their request (candidate #{closed_jane}), not brought back"
        in shown.stdout
    )


async def test_without_a_terminal_or_yes_it_refuses(db_url: str, closed_jane: int) -> None:
    result = loopkeeper(
        db_url,
        "erase",
        str(closed_jane),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    assert result.returncode == 2
    assert "confirm on a terminal, or pass --yes" in result.stderr
    assert "Jane Doe" in await stored_candidates(db_url)


async def test_a_terminal_is_asked_and_only_erase_erases(db_url: str, closed_jane: int) -> None:
    for typed, status in (("no\n", 1), ("erase\n", 1), ("ERASE\n", 0)):
        leader, follower = pty.openpty()
        try:
            os.write(leader, typed.encode())
            result = loopkeeper(
                db_url,
                "erase",
                str(closed_jane),
                stdin=follower,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        finally:
            os.close(follower)
            os.close(leader)
        assert result.returncode == status, result.stderr
    rows = await stored_candidates(db_url)
    assert f"Erased candidate #{closed_jane}" in rows and "Jane Doe" not in rows


async def test_open_and_unknown_candidates_are_refused(db_url: str, closed_jane: int) -> None:
    bob = (await stored_candidates(db_url))["Bob Stone"]
    open_one = loopkeeper(db_url, "erase", str(bob.id), "--yes")
    assert open_one.returncode == 2 and "still open (sourced)" in open_one.stderr
    nobody = loopkeeper(db_url, "erase", "999999", "--yes")
    assert nobody.returncode == 2 and "No candidate #999999 in this database." in nobody.stderr
