"""`python -m bench`: every benchmark, one table at the end, and bench/RESULTS.md.

python -m bench            # the full run (`make bench`): about nine minutes on 2 cores
python -m bench --quick    # fewer requests and sizes, to check the scripts; writes nothing
python -m bench --only sweep
python -m bench --only import  # a CSV of 10,000 candidates: preview and import
python -m bench --workers 1   # each server as one process (WEB_CONCURRENCY=1)
python -m bench --backend sqlite  # one database only (default: SQLite, then PostgreSQL)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench import import_cost, latency, report, sweep_cost
from bench.common import (
    child_env,
    code_fingerprint,
    machine,
    pg_version,
    python_speed,
    start_child,
)

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


async def run(args: argparse.Namespace) -> str:
    started = time.perf_counter()
    backends = (args.backend,) if args.backend else latency.BACKENDS
    load_before = os.getloadavg()[0]
    speed_before = python_speed()
    code = code_fingerprint()
    workdir = Path(tempfile.mkdtemp(prefix="loopkeeper-bench-"))
    # One stand-in process for everything; it prints its addresses on its first line.
    standin = start_child(["-m", "bench.standin_proc"], env=child_env())
    api_url, response_base, arrivals_url = standin.first_line.split()
    latency_results = sweep_results = import_results = None
    try:
        if args.only in (None, "latency"):
            latency_results = await latency.measure(
                workdir,
                api_url,
                response_base,
                standin.pid,
                arrivals_url=arrivals_url,
                quick=args.quick,
                workers=args.workers,
                backends=backends,
            )
        if args.only in (None, "sweep"):
            sweep_results = await sweep_cost.measure(
                workdir, api_url, quick=args.quick, backends=backends
            )
        if args.only in (None, "import"):
            import_results = await import_cost.measure(workdir, quick=args.quick)
    finally:
        out = standin.stop(stdin_grace=10)
        shutil.rmtree(workdir, ignore_errors=True)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    standin_summary = json.loads(lines[-1]) if lines else {}
    pg = sweep_results.pg_version if sweep_results else await pg_version()
    about = machine(pg)
    # Other work on the machine skews the figures; say how busy it was.
    about["load average (1 min) at start / end"] = f"{load_before:.2f} / {os.getloadavg()[0]:.2f}"
    about["speed: a loop of 2,000,000 Python additions at start / end"] = (
        f"{speed_before:.0f} / {python_speed():.0f} ms"
    )
    return report.render(
        about,
        code,
        latency_results,
        sweep_results,
        standin_summary,
        time.perf_counter() - started,
        args.quick,
        imports=import_cost.section(import_results) if import_results else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run; writes no results")
    parser.add_argument("--only", choices=["latency", "sweep", "import"], help="run one benchmark")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes of each server in the latency benchmark (default: the "
        "machine's cores, as README recommends for WEB_CONCURRENCY)",
    )
    parser.add_argument(
        "--backend",
        choices=latency.BACKENDS,
        default=os.environ.get("BENCH_BACKEND") or None,
        help="measure Loopkeeper on this database only (or BENCH_BACKEND=...); default: both",
    )
    args = parser.parse_args()
    text = asyncio.run(run(args))
    print("\n" + text)
    if not args.quick and args.only is None and args.backend is None:
        report.write(RESULTS, text)
        print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
