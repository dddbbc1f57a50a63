"""What the sweep's steps may depend on: planning and the lock know nothing of Slack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "module", ["bot.scheduling.planning", "bot.scheduling.lock", "bot.domain.zones"]
)
def test_a_slack_free_module_imports_nothing_of_slack(module: str) -> None:
    # A fresh interpreter: this test process has imported Slack's SDK long ago.
    probe = (
        f"import sys, {module}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('slack_sdk', 'slack_bolt') "
        "or m.startswith('bot.slack')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
