"""What importing a CSV of 10,000 candidates costs: reading and checking it (the
preview), and the import itself, one transaction, on SQLite and (when it answers at
BENCH_DATABASE_URL) PostgreSQL. The use case is called as the CLI and the Slack
Import button call it (bot.usecases.importer), on a freshly migrated store with one role.
Figures only: nothing here asserts a time."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.common import ADMIN, PG_ADMIN_URL, fresh_pg_database, median, pg_version
from bot import store
from bot.runtime import migrate
from bot.store.engine import Database
from bot.store.tables import ClockSettings
from bot.usecases import importer

ROWS = 10_000
QUICK_ROWS = 2_000
REPEATS = 3
QUICK_REPEATS = 1
NOW = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
RECRUITER = "UBENCHREC1"


@dataclass
class ImportRow:
    backend: str
    rows: int
    preview_ms: list[float] = field(default_factory=list)
    import_ms: list[float] = field(default_factory=list)


@dataclass
class ImportResults:
    rows: list[ImportRow]
    notes: list[str]


def sample_csv(rows: int) -> bytes:
    """A spreadsheet-like file: BOM, semicolons, quoted notes with line breaks."""
    stages = ("sourced", "screening", "interviewing", "decision")
    lines = ["\ufeffName;Email;Stage;Source;Notes"]
    lines += [
        f'Person {n};person{n}@example.com;{stages[n % 4]};Referral;"Met at event {n};\nfollow up"'
        for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


async def _fresh_role(db: Database, title: str) -> None:
    async with db.transaction() as session:
        await store.create_role(
            session,
            title=title,
            hiring_manager_id=RECRUITER,
            recruiter_ids=[RECRUITER],
            channel_id="GBENCH",
            template="mlops",
            clocks=ClockSettings(),
            actor_id=ADMIN,
            now=NOW,
        )


async def measure_backend(backend: str, url: str, rows: int, repeats: int) -> ImportRow:
    await asyncio.to_thread(migrate.upgrade, url)
    db = Database(url)
    data = sample_csv(rows)
    who = importer.Importer(RECRUITER)
    result = ImportRow(backend, rows)
    try:
        for attempt in range(repeats):
            # A role of its own each time, so every import adds all rows anew.
            title = f"Bench Role {attempt}"
            await _fresh_role(db, title)
            started = time.perf_counter()
            await importer.preview(db, importer=who, data=data, role_title=title)
            result.preview_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            done = await importer.run(
                db, importer=who, filename="bench.csv", data=data, role_title=title, now=NOW
            )
            result.import_ms.append((time.perf_counter() - started) * 1000)
            assert len(done.candidate_ids) == rows, "the benchmark file did not import whole"
            print(f"import: {backend}, {rows:,} rows: {result.import_ms[-1]:.0f} ms", flush=True)
    finally:
        await db.close()
    return result


async def measure(workdir: Path, *, quick: bool) -> ImportResults:
    rows = QUICK_ROWS if quick else ROWS
    repeats = QUICK_REPEATS if quick else REPEATS
    notes: list[str] = []
    results = [await measure_backend("sqlite", f"sqlite:///{workdir / 'import.db'}", rows, repeats)]
    if await pg_version() is None:
        notes.append(f"PostgreSQL skipped: nothing answered at {make_url(PG_ADMIN_URL)!r}.")
        return ImportResults(results, notes)
    async with fresh_pg_database("bench") as url:
        results.append(await measure_backend("postgresql", url, rows, repeats))
    return ImportResults(results, notes)


def section(results: ImportResults) -> list[str]:
    lines = [
        "## CSV import",
        "",
        "Milliseconds (median of the runs) to preview and to import a CSV of candidates "
        "(UTF-8 with BOM, semicolons, a quoted two-line note per row) into an empty role: "
        "`bot.usecases.importer.preview` (read, check, match against the store) and "
        "`bot.usecases.importer.run` (the same again inside one transaction, then bulk inserts of "
        "the candidates and their stage events).",
        "",
        "| backend | rows | preview ms | import ms | rows per second |",
        "|---|---|---|---|---|",
    ]
    for row in results.rows:
        took = median(row.import_ms)
        lines.append(
            f"| {row.backend} | {row.rows:,} | {median(row.preview_ms):.0f} | {took:.0f} | "
            f"{row.rows / (took / 1000):,.0f} |"
        )
    return [*lines, "", *[f"- {note}" for note in results.notes], ""]
