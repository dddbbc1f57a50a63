"""The figures as Markdown tables (printed as they are, and written to RESULTS.md), each
target with its figure and whether it was met."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.cpu_profile import RATE
from bench.latency import CLIENTS, DRAIN_SECONDS, PROFILE_CLIENTS, Cell, LatencyResults
from bench.sweep_cost import DUE_CANDIDATES, DUE_SEATS, PHASES, SweepResults, summary

P99_TARGET_MS = 100.0
RATIO_TARGET = 3.0
# Server CPU per answer, work after it included, over all of a kind's measured cells.
CPU_TARGET_MS = {"command": 3.0, "action": 3.0, "view": 8.0}
FLAT_TARGET = 1.5  # the largest store's sweep may cost at most this much more than the smallest
NOTES_MARKER = "<!-- Everything below this line is written by hand and kept across runs. -->"
SCENARIOS = {
    "command": "`/hire status Jane Doe` (slash command)",
    "action": "`status_open_<id>` (block action)",
    "view": "scorecard `view_submission` (from the kit's DM)",
}
SHORT = {"command": "status command", "action": "status button", "view": "scorecard submission"}


@dataclass(frozen=True)
class Verdict:
    target: str
    figure: str
    met: bool


# Latency ----------------------------------------------------------------------------------------


def _ratio(lk: float, bare: float) -> str:
    return f"{lk / bare:.1f}x" if bare else "n/a"


def latency_table(results: LatencyResults) -> list[str]:
    lines = [
        "| request | clients | backend | n | Loopkeeper p50 / p95 / p99 | bare p50 / p95 / p99 "
        "| ratio p50 / p95 / p99 | req/s LK / bare | LK CPU ms/req | LK busy after "
        "| wrong (LK + bare) |",
        "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key, label in SCENARIOS.items():
        for clients in CLIENTS:
            bare = results.cell(key, "bare", clients)
            for backend in results.backends:
                lk = results.cell(key, "loopkeeper", clients, backend)
                if lk is None or bare is None:
                    continue
                lines.append(
                    f"| {label} | {clients} | {backend} | {len(lk.latencies_ms)} "
                    f"| {_three(lk)} | {_three(bare)} "
                    f"| {' / '.join(_ratio(lk.p(q), bare.p(q)) for q in (50, 95, 99))} "
                    f"| {lk.throughput:.0f} / {bare.throughput:.0f} "
                    f"| {lk.cpu_ms_per_request:.1f} | {_busy(lk)} "
                    f"| {len(lk.errors) + len(bare.errors)} |"
                )
    return lines


def shown_table(results: LatencyResults) -> list[str]:
    """A click's card, beside the click's ack: what the person waits for."""
    rows = [
        f"| {clients} | {backend} | {len(lk.shown_ms)} | {_three(lk)} "
        f"| {' / '.join(f'{lk.shown(q):.1f}' for q in (50, 95, 99))} |"
        for clients in CLIENTS
        for backend in results.backends
        if (lk := results.cell("action", "loopkeeper", clients, backend)) and lk.shown_ms
    ]
    if not rows:
        return []
    return [
        "| clients | backend | cards | ack p50 / p95 / p99 | card p50 / p95 / p99 |",
        "|--:|---|--:|--:|--:|",
        *rows,
    ]


def backend_table(results: LatencyResults) -> list[str]:
    """PostgreSQL against SQLite, cell by cell: the same requests on the same store."""
    if results.backends != ["sqlite", "postgresql"]:
        return []
    lines = [
        "| request | clients | p50 PG / SQLite | p99 PG / SQLite | CPU ms/req PG / SQLite |",
        "|---|--:|--:|--:|--:|",
    ]
    for key, label in SCENARIOS.items():
        for clients in CLIENTS:
            sqlite = results.cell(key, "loopkeeper", clients, "sqlite")
            pg = results.cell(key, "loopkeeper", clients, "postgresql")
            if sqlite is None or pg is None:
                continue
            lines.append(
                f"| {label} | {clients} "
                f"| {pg.p(50):.1f} / {sqlite.p(50):.1f} = {_ratio(pg.p(50), sqlite.p(50))} "
                f"| {pg.p(99):.1f} / {sqlite.p(99):.1f} = {_ratio(pg.p(99), sqlite.p(99))} "
                f"| {pg.cpu_ms_per_request:.1f} / {sqlite.cpu_ms_per_request:.1f} "
                f"= {_ratio(pg.cpu_ms_per_request, sqlite.cpu_ms_per_request)} |"
            )
    return lines


MACHINE_PARTS = (
    "server",
    "Slack stand-in",
    "PostgreSQL server",
    "load (the benchmark)",
    "everything else",
)


def machine_table(results: LatencyResults, clients: int = 50) -> list[str]:
    """At `clients`, the whole machine's CPU per answer, by whose it was, and the most
    answers a second two cores could give at that cost."""
    rows = [
        (label, cell)
        for key, label in SCENARIOS.items()
        for backend in ["", *results.backends]
        if (cell := results.cell(key, "bare" if not backend else "loopkeeper", clients, backend))
        and cell.machine_ms_per_request
    ]
    if not rows:
        return []
    lines = [
        "| request | app | " + " | ".join(MACHINE_PARTS) + " | all | answers/s at most "
        "| answers/s measured |",
        "|---|---|" + "--:|" * (len(MACHINE_PARTS) + 3),
    ]
    for label, cell in rows:
        parts = [cell.machine_ms_per_request.get(part, 0.0) for part in MACHINE_PARTS]
        total = sum(parts)
        app = f"Loopkeeper ({cell.backend})" if cell.backend else "bare"
        lines.append(
            f"| {label} | {app} | "
            + " | ".join(f"{ms:.2f}" for ms in parts)
            + f" | {total:.2f} | {2000 / total if total else 0:,.0f} | {cell.throughput:,.0f} |"
        )
    return lines


def breakdown_table(results: LatencyResults) -> list[str]:
    """One column per request kind and backend: each bucket's CPU ms per request and
    its share; buckets in order of their largest share anywhere."""
    profiles = [b for b in results.profiles if b.total]
    if not profiles:
        return []
    largest: dict[str, float] = {}
    for profile in profiles:
        for name, _, share in profile.rows():
            largest[name] = max(largest.get(name, 0.0), share)
    heads = [f"{SHORT[b.scenario]}, {b.backend}" for b in profiles]
    lines = [
        f"| bucket | {' | '.join(heads)} |",
        f"|---|{'--:|' * len(profiles)}",
        "| **measured CPU ms/req** | "
        + " | ".join(f"**{b.cpu_ms_per_request:.1f}**" for b in profiles)
        + " |",
    ]
    for name in sorted(largest, key=lambda n: -largest[n]):
        cells = []
        for profile in profiles:
            row = next((r for r in profile.rows() if r[0] == name), None)
            cells.append(f"{row[1]:.2f} ms · {row[2]:.0f}%" if row else "—")
        lines.append(f"| {name} | {' | '.join(cells)} |")
    lines += [
        "| *samples (py-spy, GIL held)* | " + " | ".join(f"{b.total:,}" for b in profiles) + " |",
        "| *GIL-held time sampled / CPU measured* | "
        + " | ".join(f"{b.coverage:.0%}" for b in profiles)
        + " |",
        "| *answers in the profiled cell* | "
        + " | ".join(str(b.requests) for b in profiles)
        + " |",
    ]
    return lines


def _busy(cell: Cell) -> str:
    return f"> {DRAIN_SECONDS:.0f} s" if cell.busy_after_s is None else f"{cell.busy_after_s:.1f} s"


def _three(cell: Cell) -> str:
    return " / ".join(f"{cell.p(q):.1f}" for q in (50, 95, 99))


def latency_verdicts(results: LatencyResults) -> list[Verdict]:
    verdicts = []
    for backend in results.backends:
        verdicts += _backend_verdicts(results, backend)
    wrong = sum(len(c.errors) for c in results.cells)
    verdicts.append(
        Verdict("every answer is the one Slack should get", f"{wrong} wrong", wrong == 0)
    )
    for backend in results.backends:
        stored = results.scorecards_stored.get(backend, 0)
        sent = results.scorecards_expected.get(backend, 0)
        verdicts.append(
            Verdict(
                f"{backend}: every scorecard submission stored a scorecard",
                f"{stored} stored of {sent} sent",
                stored == sent,
            )
        )
    return verdicts


def _backend_verdicts(results: LatencyResults, backend: str) -> list[Verdict]:
    verdicts = []
    for key, label in SCENARIOS.items():
        cells = [
            c
            for c in results.cells
            if (c.scenario, c.app, c.backend) == (key, "loopkeeper", backend) and c.latencies_ms
        ]
        answers = sum(len(c.latencies_ms) for c in cells)
        if answers and key in CPU_TARGET_MS:
            cpu = sum(c.cpu_ms_per_request * len(c.latencies_ms) for c in cells) / answers
            verdicts.append(
                Verdict(
                    f"{backend}, {label}: server CPU per answer at most "
                    f"{CPU_TARGET_MS[key]:.0f} ms (all clients' cells)",
                    f"{cpu:.1f} ms",
                    cpu <= CPU_TARGET_MS[key],
                )
            )
        lk = results.cell(key, "loopkeeper", 50, backend)
        bare = results.cell(key, "bare", 50)
        if lk is None or bare is None:
            continue
        p99, floor = lk.p(99), bare.p(99)
        verdicts.append(
            Verdict(
                f"{backend}, {label}: p99 under {P99_TARGET_MS:.0f} ms at 50 clients",
                f"{p99:.1f} ms",
                p99 < P99_TARGET_MS,
            )
        )
        verdicts.append(
            Verdict(
                f"{backend}, {label}: p99 within {RATIO_TARGET:.0f}x the bare app at 50 clients",
                f"{p99:.1f} vs {floor:.1f} ms = {_ratio(p99, floor)}",
                bool(floor) and p99 <= RATIO_TARGET * floor,
            )
        )
    return verdicts


def memory_table(results: LatencyResults) -> list[str]:
    lines = [
        "| server | idle after start-up | after the 50-client runs | peak during the runs |",
        "|---|--:|--:|--:|",
    ]
    for app, figures in results.memory.items():
        lines.append(
            f"| {app} | {figures.get('idle', 0):.1f} MiB | {figures.get('after_50', 0):.1f} MiB "
            f"| {figures.get('peak', 0):.1f} MiB |"
        )
    return lines


# Sweep ------------------------------------------------------------------------------------------


def sweep_table(results: SweepResults) -> list[str]:
    lines = [
        "| backend | candidates | due, days late | sweeps | plan p50 / max "
        "| full run p50 / max | full run, WEEKLY_REPORT=off p50 / max | alerts sent "
        "| recipients | problem |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for row in results.rows:
        figures = [
            f"{summary(row, p):.1f} / {max(row.ms[p]):.1f} ms" if row.ms[p] else "—" for p in PHASES
        ]
        lines.append(
            f"| {row.backend} | {row.candidates:,} | {row.late_days} | {len(row.ms['run'])} "
            f"| {' | '.join(figures)} | {row.sent} | {row.recipients} | {row.error or ''} |"
        )
    return lines


def sweep_verdicts(results: SweepResults) -> list[Verdict]:
    verdicts = []
    for backend in dict.fromkeys(r.backend for r in results.rows):
        base = [
            r for r in results.rows if r.backend == backend and r.late_days == 1 and r.ms["run"]
        ]
        if len(base) < 2:
            continue
        small, large = base[0], base[-1]
        for phase, name in zip(
            PHASES, ("planning phase", "full sweep", "full sweep, reports off"), strict=True
        ):
            before, after = summary(small, phase), summary(large, phase)
            verdicts.append(
                Verdict(
                    f"{backend} {name} flat from {small.candidates:,} to {large.candidates:,} "
                    f"candidates (at most {FLAT_TARGET}x)",
                    f"{before:.1f} → {after:.1f} ms = {after / before:.2f}x",
                    after / before <= FLAT_TARGET,
                )
            )
    for row in results.rows:
        if row.error:
            verdicts.append(
                Verdict(
                    f"{row.backend} sweep works with {row.candidates:,} candidates, due ones "
                    f"{row.late_days} days late",
                    row.error,
                    False,
                )
            )
    for plan in results.plans:
        verdicts.append(
            Verdict(
                f"{plan.backend} {plan.name} query uses {plan.index}",
                "yes" if plan.uses_index else "no (see the plan)",
                plan.uses_index,
            )
        )
    return verdicts


def plan_blocks(results: SweepResults) -> list[str]:
    lines = []
    for plan in results.plans:
        lines += [f"{plan.backend}, {plan.name}:", "", "```", *plan.lines, "```", ""]
    return lines


# The whole report -------------------------------------------------------------------------------


def render(
    machine: dict[str, str],
    code: str,
    latency: LatencyResults | None,
    sweep: SweepResults | None,
    standin: dict[str, Any],
    seconds: float,
    quick: bool,
    imports: list[str] | None = None,
) -> str:
    lines = [
        "# Loopkeeper benchmark results",
        "",
        f"One run of `make bench` ({'quick' if quick else 'full'}), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} minutes. Repeat it with "
        "`make bench` (or `.venv/bin/python -m bench`; `--quick` for a smoke run that writes "
        "nothing).",
        "",
        f"Code measured: {code}.",
        "",
        "## Machine",
        "",
        *[f"- {name}: {value}" for name, value in machine.items()],
        "",
    ]
    verdicts: list[Verdict] = []
    if latency is not None:
        lines += _latency_section(latency)
        verdicts += latency_verdicts(latency)
    if sweep is not None:
        lines += _sweep_section(sweep)
        verdicts += sweep_verdicts(sweep)
    if imports is not None:  # figures only, no target: bench/import_cost.py
        lines += imports
    lines += [
        "## Stand-in",
        "",
        f"Calls the apps and the sweep made to the Slack stand-in: {standin.get('calls', {})}; "
        f"answered other than 200: {standin.get('non_200', '?')}; views or messages Slack "
        f"would refuse: {standin.get('invalid', '?') or 'none'}.",
        "",
        "## Targets",
        "",
        "| target | figure | met |",
        "|---|---|---|",
        *[f"| {v.target} | {v.figure} | {'met' if v.met else '**NOT met**'} |" for v in verdicts],
        "",
    ]
    return "\n".join(lines)


def _workers(count: int) -> str:
    return "one process" if count == 1 else f"{count} worker processes"


def _latency_section(latency: LatencyResults) -> list[str]:
    errors = [
        f"- {app}: {count} times `{kind}`"
        for app, kinds in latency.server_errors.items()
        for kind, count in sorted(kinds.items(), key=lambda item: -item[1])
    ]
    stores = " and ".join(
        {"sqlite": "a SQLite file", "postgresql": "a fresh PostgreSQL database"}.get(b, b)
        for b in latency.backends
    )
    lines = [
        "## Ack latency",
        "",
        f"Milliseconds from sending a signed request to reading the whole answer, over HTTP "
        f"on loopback, at 1, 10 and 50 concurrent clients. Store: 10,000 candidates, seeded "
        f"alike on {stores}; the hiring manager asking sees {latency.visible_to_hm:,} of them "
        f"(two roles). A bare Bolt app (same Starlette adapter, uvicorn, signing, "
        f"process_before_response=True, a listener that only acks; no database) runs once, "
        f"side by side with Loopkeeper on the first backend; its figures are repeated on each "
        f"backend's rows. Each is its own server of {_workers(latency.workers)} "
        f"(WEB_CONCURRENCY={latency.workers}); the Slack stand-in in another process; the "
        f"load here. Requests per cell: {latency.requests} (a cell also stops after 60 s), "
        f"after 10 unmeasured per request kind and app; the load's garbage collector is off "
        f"while a cell sends, and the Slack stand-in freezes what it keeps, so neither "
        f"process's full collections pause the answers. *LK CPU ms/req*: the Loopkeeper "
        f"server's CPU time per answer, work after the answer included; *LK busy after*: "
        f"how long it kept working after its last answer of the cell. Each cell starts once "
        f"the server is idle: its /metrics reads no background task running "
        f"(`loopkeeper_background_tasks`, summed over the workers: DMs, Home tabs redrawn "
        f"after HOME_REDRAW_DELAY_SECONDS) and its CPU is quiet; the bare app, without "
        f"either, by its CPU alone. Each scorecard is sent as from its kit's DM: the "
        f"seed records the Messages tab as the last tab of the app its interviewer opened, "
        f"so no Home tab is redrawn after it (one sent from the Home tab redraws that tab; "
        f"see the notes below). Other processes on the machine kept "
        f"{latency.other_cores:.2f} cores busy on average meanwhile.",
        "",
        *latency_table(latency),
        "",
        *[f"- {note}" for note in latency.notes],
        "",
    ]
    if shown_table(latency):
        lines += [
            "### What a click shows",
            "",
            f"A click on {SCENARIOS['action']} is answered with an empty ack; its card "
            "goes to the click's response_url, posted by the listener before the ack leaves "
            "(process_before_response=True). Milliseconds from sending the click to its "
            "ack, and to its card's arrival at the Slack stand-in (both on the machine's one "
            "monotonic clock). The card is what the person waits for: a design that acks "
            "first and draws the card after is judged by this column, not by the ack's.",
            "",
            *shown_table(latency),
            "",
        ]
    if backend_table(latency):
        lines += ["### PostgreSQL against SQLite", "", *backend_table(latency), ""]
    if machine_table(latency):
        lines += [
            "### Where the machine's CPU went at 50 clients",
            "",
            "CPU ms per answer over each 50-client cell (the same time as *LK CPU ms/req*), "
            "by whose it was: the server; the Slack stand-in, whose checks of every message "
            "and view are Slack's work, done on Slack's machines in real use; the local "
            "PostgreSQL server's processes; the load (this benchmark's process); everything "
            "else on the machine. With 50 clients sending again as soon as they are "
            "answered, latency is about 50 ÷ answers a second, and two cores give at most "
            "2,000 ÷ *all* answers a second.",
            "",
            *machine_table(latency),
            "",
        ]
    lines += [
        "Errors the servers logged (last line of each traceback):",
        "",
        *(errors or ["- none"]),
        "",
        *_breakdown_section(latency),
        "## Memory",
        "",
        f"Resident set size of each server (psutil), the sum over its "
        f"{_workers(latency.workers)}"
        + (" and the process that supervises them" if latency.workers > 1 else "")
        + ".",
        "",
        *memory_table(latency),
        "",
    ]
    return lines


def _breakdown_section(latency: LatencyResults) -> list[str]:
    problems = [
        f"- {SHORT[b.scenario]}, {b.backend}: no breakdown, {b.problem}"
        for b in latency.profiles
        if b.problem
    ]
    return [
        "## Where a request's CPU goes",
        "",
        f"After the measured cells, one more cell per request kind and backend "
        f"({PROFILE_CLIENTS} clients) with py-spy recording every Loopkeeper worker "
        f"(`py-spy record --gil --rate {RATE} --full-filenames --format raw`, no `--idle`) "
        f"from before its "
        f"first request until the server is idle again, so the work after each answer is "
        f"in. Each sample goes to the bucket of the innermost frame on its stack that has "
        f"one (bench/cpu_profile.py: asyncio, threading and queue frames count for the "
        f"library that called them, so asyncio under aiosqlite is the driver's hand-off; "
        f"a stack with no known frame under the event loop's step is the event loop; the "
        f"benchmark's own scrapes of /metrics, to know when the server is idle, are a bucket "
        f"of their own). A bucket's CPU ms per request "
        f"is its share of the samples times the CPU per request measured in that cell "
        f"(the first row). py-spy only sees Python holding the GIL: SQLite's own query "
        f"work in aiosqlite's thread and PostgreSQL's server are not sampled (the "
        f"database server's CPU is not the app's and is not in any figure here), and what "
        f"the app's process spends with the GIL released is spread over the buckets in "
        f"proportion. A sample is wall time holding the GIL: a worker that holds it while "
        f"waiting for a core (two workers, the load and the stand-in share two) is sampled "
        f"too. The last rows say how the two compare: under 100%, CPU spent without the "
        f"GIL; over 100%, time waiting for a core.",
        "",
        *(breakdown_table(latency) or ["No samples were recorded."]),
        "",
        *problems,
        *([""] if problems else []),
    ]


def _sweep_section(sweep: SweepResults) -> list[str]:
    return [
        "## Sweep cost",
        "",
        f"Milliseconds for one sweep's planning phase (`Sweeper.plan`) and for a whole sweep "
        f"(`Sweeper.run` as `serve` builds it: plan, claim, send to the stand-in, mark, "
        f"weekly reports, housekeeping), median and worst of the timed sweeps (2 to 5; "
        f"one untimed sweep first warms the caches), with {DUE_CANDIDATES} candidates and "
        f"{DUE_SEATS} interview seats due "
        f"whatever the store's size (a day past their deadlines; the rows with more days "
        f"late are the same candidates with an older breach). No pause between messages. "
        f"This week's weekly reports are recorded as sent already, so these are the "
        f"ordinary sweeps of a week. "
        f"SQLite is a file, not analysed (as the app leaves it); PostgreSQL is analysed "
        f"after seeding (as autovacuum would).",
        "",
        *sweep_table(sweep),
        "",
        *[f"- {note}" for note in sweep.notes],
        "",
        "### Query plans (at the largest store)",
        "",
        *plan_blocks(sweep),
    ]


def write(path: Path, text: str) -> None:
    """Write the figures, keeping the hand-written notes below NOTES_MARKER."""
    notes = ""
    if path.exists():
        old = path.read_text()
        if NOTES_MARKER in old:
            notes = old.split(NOTES_MARKER, 1)[1]
    path.write_text(f"{text}\n{NOTES_MARKER}{notes or chr(10)}")
