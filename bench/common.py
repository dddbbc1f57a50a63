"""What the benchmarks share: credentials of the fake workspace, child processes,
percentiles, and the description of the machine the figures come from."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import asyncpg
import psutil
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-token"
ADMIN = "UADMIN01"
# The PostgreSQL server the benchmarks make their databases on (and drop them after).
PG_ADMIN_URL = (
    os.environ.get("BENCH_DATABASE_URL")
    or os.environ.get("TEST_DATABASE_URL")
    or "postgresql://postgres@127.0.0.1:5432/test"
)
BACKGROUND_GAUGE = "loopkeeper_background_tasks"  # bot.runtime.metrics


# Statistics -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in 0..100."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


# Child processes ------------------------------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child: ours, the repository importable, plus `extra`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


@dataclass
class Child:
    """A child process and what it printed on its first line (its address)."""

    process: subprocess.Popen[str]
    first_line: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, *, stdin_grace: float = 0.0, timeout: float = 30.0) -> str:
        """Close its stdin and wait `stdin_grace` seconds for it to finish on its own,
        then SIGTERM it (a server drains its work), then SIGKILL; returns its stdout."""
        try:
            out, _ = self.process.communicate(timeout=stdin_grace or 0.01)
            return out or ""
        except subprocess.TimeoutExpired:
            pass
        self.process.terminate()
        try:
            out, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()  # only our own child, by its handle
            out, _ = self.process.communicate()
        return out or ""


# Loaded here, not in the child: between fork and exec only the prctl call runs.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the benchmark dies, so no server outlives
    an interrupted run (Linux only)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start_child(
    args: list[str],
    *,
    env: dict[str, str],
    pass_fds: Sequence[int] = (),
    log: Path | None = None,
) -> Child:
    """Start `python <args>` and wait for its first line of output; its stderr goes to
    `log` when given (a server's tracebacks), else to ours."""
    stderr = log.open("w") if log is not None else None
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        pass_fds=tuple(pass_fds),
        preexec_fn=_die_with_parent,
    )
    if stderr is not None:
        stderr.close()  # the child has its own copy
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    if not first:
        process.wait(timeout=10)
        raise RuntimeError(f"{' '.join(args)} exited with {process.returncode} before starting")
    return Child(process, first)


def listening_socket() -> socket.socket:
    """A loopback socket bound and listening before the server starts: requests queue in
    the kernel instead of racing start-up, and the port is known without polling."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _tree(pid: int) -> list[psutil.Process]:
    """A server and its worker processes (uvicorn --workers), alive now."""
    process = psutil.Process(pid)
    return [process, *process.children(recursive=True)]


def _cpu(processes: Sequence[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def rss_mib(pid: int) -> float:
    """Resident size of a server with all its worker processes (pages they share, such
    as the interpreter's, count once per process)."""
    total = 0
    for process in _tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total / 2**20


def cpu_seconds(pid: int) -> float:
    """CPU time of a server and its worker processes."""
    return _cpu(_tree(pid))


def wait_until_idle(
    pid: int, *, metrics_url: str | None = None, below: float = 0.05, timeout: float = 20.0
) -> float | None:
    """Wait until a server has no work left from the requests it answered, so work done
    after answering (DMs, Home tabs redrawn seconds later) does not bleed into the next
    figure: its /metrics says no background task is running (`metrics_url`; a server
    without one, the bare app, has only its CPU to go by), and it (workers included)
    uses under `below` of a core for two 0.2 s samples in a row. Returns the seconds it
    stayed busy, or None if still busy at `timeout`.

    A scrape costs the server a few milliseconds, counted in the cell's CPU: while work
    is pending, one scrape every half second."""
    processes = _tree(pid)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        # No gauge (None) is no background work to wait for.
        if metrics_url is not None and background_tasks(metrics_url, scrapes=1):
            time.sleep(0.5)
            continue
        if not _cpu_quiet(processes, below):
            continue
        # The gauge again: a redraw's delay is a sleep, quiet but not done.
        if metrics_url is None or not background_tasks(metrics_url):
            return max(0.0, time.monotonic() - started - 0.4)
    return None


def _cpu_quiet(processes: Sequence[psutil.Process], below: float) -> bool:
    for _ in range(2):
        before = _cpu(processes)
        time.sleep(0.2)
        if _cpu(processes) - before >= below * 0.2:
            return False
    return True


def background_tasks(metrics_url: str, *, scrapes: int = 3) -> float | None:
    """loopkeeper_background_tasks, the most any of `scrapes` scrapes read (None: no
    such gauge). With several workers it is the sum over the workers (livesum), but
    each scrape is answered by one of them and the files it sums are written as tasks
    start and end, so one scrape is not taken at its word."""
    most: float | None = None
    for _ in range(scrapes):
        value = _gauge(metrics_url, BACKGROUND_GAUGE)
        if value is None:
            return most
        most = value if most is None else max(most, value)
    return most


def _gauge(url: str, name: str) -> float | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            text = response.read().decode()
    except OSError:  # refused, 404 (urllib's HTTPError is an OSError): no gauge there
        return None
    for line in text.splitlines():
        if line.startswith(f"{name} ") or line.startswith(f"{name}{{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores, all processes)."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def postgres_cpu() -> dict[int, float]:
    """CPU time of each of the local PostgreSQL server's processes (named "postgres")."""
    found: dict[int, float] = {}
    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "postgres":
            with contextlib.suppress(psutil.Error):  # gone, or not ours to read
                times = process.cpu_times()
                found[process.pid] = times.user + times.system
    return found


def own_cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


def code_fingerprint() -> str:
    """Which app code was measured (other people change it while the benchmark runs):
    a digest of bot/, handlers/ and migrations/, and when they last changed."""
    digest = hashlib.sha256()
    newest = 0.0
    for folder in ("bot", "handlers", "migrations"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".toml"}:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
                newest = max(newest, path.stat().st_mtime)
    changed = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(newest))
    return (
        f"sha256 {digest.hexdigest()[:16]} of bot/, handlers/, migrations/ (last change {changed})"
    )


# PostgreSQL, if there is one ------------------------------------------------------------------


async def pg_version() -> str | None:
    """The server's version at PG_ADMIN_URL, or None when nothing answers there."""
    try:
        connection = await asyncpg.connect(plain_pg_url(PG_ADMIN_URL), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


async def pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(plain_pg_url(PG_ADMIN_URL), timeout=3)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def plain_pg_url(url: str) -> str:
    """asyncpg's own spelling of a URL SQLAlchemy may have spelt with its driver."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


@contextlib.asynccontextmanager
async def fresh_pg_database(prefix: str) -> AsyncIterator[str]:
    """A new, empty database on PG_ADMIN_URL's server (its URL), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The machine ----------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def python_speed() -> float:
    """Milliseconds this machine takes for a fixed loop of pure Python (best of three).
    A cloud machine's speed drifts with its neighbours: runs compare only at equal speed."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for n in range(2_000_000):
            total += n
        best = min(best, time.perf_counter() - started)
    return best * 1000


def machine(pg_version: str | None) -> dict[str, str]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = {
        name: metadata.version(name)
        for name in ("slack_bolt", "slack_sdk", "uvicorn", "starlette", "SQLAlchemy", "aiosqlite")
    }
    versions["asyncpg"] = metadata.version("asyncpg")
    # uvicorn serves on these when they are installed, and without them a run is slower.
    for optional in ("uvloop", "httptools"):
        try:
            versions[optional] = metadata.version(optional)
        except metadata.PackageNotFoundError:
            versions[optional] = "not installed"
    return {
        "nproc": str(cores),
        "cpu": cpu_model(),
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version or "not reachable",
        "libraries": json.dumps(versions)[1:-1].replace('"', ""),
    }
