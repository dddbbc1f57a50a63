"""`loopkeeper template install` and `loopkeeper template list`: what the Install button
does, for an operator at a terminal."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select

from bot.domain.scorecards import forget_installed
from bot.runtime.cli import main
from bot.store.engine import Database
from bot.store.tables import Change, TemplateVersion
from tests.handlers.test_templates import acme


async def _stored(db_url: str) -> tuple[list[TemplateVersion], list[Change]]:
    db = Database(db_url)
    try:
        async with db.reader() as session:
            versions = list((await session.exec(select(TemplateVersion))).all())
            changes = list((await session.exec(select(Change))).all())
        return versions, changes
    finally:
        await db.close()


def test_install_prints_problems_with_lines_or_the_version(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    monkeypatch.setenv("DATABASE_URL", db_url)
    forget_installed()
    path = tmp_path / "acme-ml.toml"

    path.write_text(acme(minutes=5))
    assert main(["templates", "install", str(path), "--by", "U123"]) == 1
    err = capsys.readouterr().err
    assert f"{path}: 1 problem:" in err
    assert "line 23: plan[0].minutes: at least 10" in err

    path.write_text(acme())
    assert main(["templates", "install", str(path), "--by", "U123"]) == 0
    assert "Installed acme-ml@v1 (Acme ML engineer)" in capsys.readouterr().out
    assert main(["templates", "install", str(path), "--by", "U123"]) == 0
    assert "installed already as acme-ml@v1; nothing changed" in capsys.readouterr().out

    path.write_text(acme(minutes=60))
    assert main(["templates", "install", str(path)]) == 0
    assert "Installed acme-ml@v2" in capsys.readouterr().out

    assert main(["template", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "mlops  built in: MLOps engineer"
    assert listed[1].startswith("acme-ml@v2  installed ") and " by cli:" in listed[1]
    assert listed[2].startswith("acme-ml@v1  installed ") and listed[2].endswith(" by U123")

    versions, changes = asyncio.run(_stored(db_url))
    assert [(v.version, v.installed_by) for v in versions][:1] == [(1, "U123")]
    assert [c.kind for c in changes] == ["template_installed", "template_installed"]
    forget_installed()


def test_a_built_in_name_or_a_missing_file_is_refused(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    path = tmp_path / "m.toml"
    path.write_text(acme().replace('name = "acme-ml"', 'name = "mlops"'))
    assert main(["templates", "install", str(path)]) == 1
    assert "line 2: name: 'mlops' is a built-in template" in capsys.readouterr().err
    assert main(["templates", "install", str(tmp_path / "absent.toml")]) == 2
    assert "Cannot read" in capsys.readouterr().err
    assert asyncio.run(_stored(db_url)) == ([], [])
