"""`loopkeeper import` and `loopkeeper export`, run as an operator runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.store.engine import Database
from bot.store.tables import Role
from tests import cli_process
from tests.cases import new_role
from tests.conftest import START

FILE = (
    "Name,Email,Role,Stage\n"
    "Jane Doe,jane@example.com,MLOps Engineer,screening\n"
    "Bob Stone,bob@example.com,,\n"
    "Bad Email,nope,MLOps Engineer,\n"
    "Jane Doe,jane@example.com,MLOps Engineer,\n"
)


@pytest.fixture
async def role(db_url: str) -> AsyncIterator[Role]:
    db = Database(db_url)
    try:
        made = await new_role(db, START, title="MLOps Engineer")
    finally:
        await db.close()
    yield made  # the transaction is over: the command's writes are not blocked


def loopkeeper(db_url: str, *args: str, **popen: Any) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "loopkeeper"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env["DATABASE_URL"] = db_url
    pipes = popen or {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    # Its own process, forked from one with the libraries imported (tests/cli_process.py).
    return cli_process.run(
        args, env=env, script=script if script.exists() else None, text=True, timeout=120, **pipes
    )


def test_dry_run_prints_the_preview_and_imports_nothing(
    db_url: str, role: Role, tmp_path: Path
) -> None:
    path = tmp_path / "team.csv"
    path.write_text(FILE)
    result = loopkeeper(db_url, "import", str(path), "--role", "mlops engineer", "--dry-run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "UTF-8, comma-separated" in out
    assert "new                            2" in out
    assert "with problems                  1" in out
    assert "line 4, column B (Email):" in out and "line 5: repeats line 2" in out
    assert out.rstrip().endswith("Dry run: nothing imported.")
    exported = loopkeeper(db_url, "export")
    assert exported.stdout.strip() == "id,name,email,role,stage,days_in_stage," + (
        "stage_entered_at,links,decides_by,decides_by_reason,interviews,scorecards_in,"
        "recommendations,notes,added_at"
    )


def test_import_then_again_then_export(db_url: str, role: Role, tmp_path: Path) -> None:
    path = tmp_path / "team.csv"
    path.write_text(FILE)
    first = loopkeeper(db_url, "import", str(path), "--role", "MLOps Engineer", "--by", "UOPS1")
    assert first.returncode == 0, first.stderr
    assert "Imported 2 candidates in one transaction." in first.stdout
    second = loopkeeper(db_url, "import", str(path), "--role", "MLOps Engineer")
    # Counted as the first run counted them: Jane's second row repeats her first.
    assert "already in Loopkeeper          2" in second.stdout
    assert "repeated in the file           1" in second.stdout
    assert second.stdout.rstrip().endswith("Nothing new to import.")

    rows = list(csv.DictReader(io.StringIO(loopkeeper(db_url, "export").stdout)))
    assert [(r["name"], r["stage"], r["role"]) for r in rows] == [
        ("Jane Doe", "screening", "MLOps Engineer"),
        ("Bob Stone", "sourced", "MLOps Engineer"),
    ]
    as_json = json.loads(loopkeeper(db_url, "export", "--format", "json").stdout)
    assert [r["id"] for r in as_json] == [int(r["id"]) for r in rows]
    none = loopkeeper(db_url, "export", "--role", "sales", "--format", "json")
    assert none.stdout == "[]\n"
    assert none.stderr.strip() == "No candidate in a role matching “sales”."


def test_a_file_without_roles_needs_role_and_unknown_roles_are_refused(
    db_url: str, role: Role, tmp_path: Path
) -> None:
    path = tmp_path / "names.csv"
    path.write_text("Name\nJane Doe\n")
    assert loopkeeper(db_url, "import", str(path)).returncode == 0  # one role: taken
    other = tmp_path / "other.csv"
    other.write_text("Name\nBob\n")
    refused = loopkeeper(db_url, "import", str(other), "--role", "Sales Lead")
    assert refused.returncode == 2
    assert "There is no role “Sales Lead”" in refused.stderr and "Traceback" not in refused.stderr
    missing = loopkeeper(db_url, "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "Cannot read" in missing.stderr


def test_a_big_import_shows_a_progress_bar_on_a_terminal(
    db_url: str, role: Role, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    path.write_text("Name\n" + "".join(f"Person {n}\n" for n in range(2500)))
    leader, follower = os.openpty()
    try:
        result = loopkeeper(
            db_url,
            "import",
            str(path),
            stderr=follower,
            capture_output=False,
            stdout=subprocess.PIPE,
        )
        os.close(follower)
        bar = os.read(leader, 65536).decode()
    finally:
        os.close(leader)
    assert result.returncode == 0
    assert "2,500/2,500" in bar and "Imported 2,500 candidates" in result.stdout
