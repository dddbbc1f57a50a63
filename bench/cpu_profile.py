"""Where a request's server CPU goes: py-spy samples of the worker processes, in buckets.

py-spy records each worker (`--gil`: only the thread holding the GIL, so a sample is
Python running, and idle threads never count; `--format raw`: one line per distinct
stack, root first, then its count). Each sample goes to one bucket, found by walking
its stack from the leaf upward to the first frame of a known module: a frame in
asyncio, threading, queue or any other module without a bucket counts for the caller
above it (asyncio's futures under aiosqlite are the driver's hand-off; `re` under
name matching is name matching). The walk stops at the event loop's step
(BaseEventLoop._run_once): a stack with no known frame below it is the event loop's own
work (or a task whose coroutine starts in asyncio, as `asyncio.to_thread` does), and a
thread's stack with no known frame is "other". A bucket's share of the samples times
the CPU the server measured per request is that bucket's CPU milliseconds per request.

Work done with the GIL released (SQLite's own query execution in aiosqlite's thread,
system calls) is never sampled; it is spread over the buckets in proportion. And a
sample is wall time, not CPU time: a process holding the GIL while it waits for a
core (a busy machine) is sampled all the same. The coverage figure (GIL-held seconds
sampled against CPU seconds measured) says how far the two part: under 100%, CPU
without the GIL; over, waits for a core.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

RATE = 200  # samples a second, per worker process

SQLITE = "sqlite3 (its calls from aiosqlite's thread, GIL held)"
DRIVER = "database driver and thread hand-off (aiosqlite / asyncpg, SQLAlchemy's adapter)"
BRIDGE = "SQLAlchemy: asyncio bridge (greenlets, AsyncSession)"
ROWS = "SQLAlchemy: result rows and ORM objects from them"
ORM = "SQLAlchemy: ORM (session, unit of work, queries)"
CORE_BUILD = "SQLAlchemy: Core (building statements, types)"
CORE_RUN = "SQLAlchemy: Core (executing, pool, events)"
COMPILE = "SQLAlchemy: compiling SQL"
CACHE_KEYS = "SQLAlchemy: cache keys"
BLOCK_KIT = "Block Kit models (slack_sdk.models)"
WEB_API = "Web API client (slack_sdk.web, aiohttp)"
BOLT = "Bolt dispatch (slack_bolt, signature check)"
HTTP = "HTTP serving (uvicorn, Starlette, httptools/h11)"
JSON = "JSON"
EVENT_LOOP = "event loop (asyncio callbacks; tasks whose stack starts in asyncio)"
SCRAPES = "GET /metrics (the benchmark's idle checks)"
OTHER = "other"

# Module prefixes and their buckets; the longest prefix that matches a frame wins.
BUCKETS: dict[str, str] = {
    "sqlite3": SQLITE,
    "aiosqlite": DRIVER,
    "asyncpg": DRIVER,
    "sqlalchemy.dialects.sqlite.aiosqlite": DRIVER,
    "sqlalchemy.dialects.postgresql.asyncpg": DRIVER,
    "sqlalchemy.connectors.asyncio": DRIVER,
    "sqlalchemy.ext.asyncio": BRIDGE,
    "sqlalchemy.util._concurrency_py3k": BRIDGE,
    "sqlalchemy.util.concurrency": BRIDGE,
    "greenlet": BRIDGE,
    "sqlalchemy.sql.compiler": COMPILE,
    "sqlalchemy.sql.cache_key": CACHE_KEYS,
    "sqlalchemy.sql.traversals": CACHE_KEYS,
    "sqlalchemy.engine.result": ROWS,
    "sqlalchemy.engine.cursor": ROWS,
    "sqlalchemy.engine.row": ROWS,
    "sqlalchemy.orm.loading": ROWS,
    "sqlalchemy.orm": ORM,
    "sqlmodel": ORM,
    "sqlalchemy.sql": CORE_BUILD,
    "sqlalchemy.dialects": CORE_BUILD,
    "sqlalchemy.engine": CORE_RUN,
    "sqlalchemy.pool": CORE_RUN,
    "sqlalchemy.event": CORE_RUN,
    "sqlalchemy": "SQLAlchemy: other",
    "slack_sdk.models": BLOCK_KIT,
    "slack_sdk.web": WEB_API,
    "slack_sdk.http_retry": WEB_API,
    "aiohttp": WEB_API,
    "yarl": WEB_API,
    "multidict": WEB_API,
    "slack_sdk": BOLT,
    "slack_bolt": BOLT,
    "uvicorn": HTTP,
    "starlette": HTTP,
    "h11": HTTP,
    "httptools": HTTP,
    "anyio": HTTP,
    "json": JSON,
    "pydantic": "pydantic",
    "pydantic_core": "pydantic",
    "rapidfuzz": "name matching (rapidfuzz)",
    "prometheus_client": "metrics (prometheus_client)",
    "logging": "logging",
    "bot.runtime.logs": "logging",
    "apscheduler": "sweep scheduler (APScheduler)",
    "bot.domain": "Loopkeeper: domain (bot.domain)",
    "bot.store": "Loopkeeper: store (bot.store)",
    "bot.usecases": "Loopkeeper: use cases (bot.usecases)",
    "bot.readmodels": "Loopkeeper: read models (bot.readmodels)",
    "bot.slack.blocks": "Loopkeeper: Block Kit builders (bot.slack.blocks)",
    "bot.slack": "Loopkeeper: Slack surface (bot.slack: app, guard, notify, metadata)",
    "bot.scheduling": "Loopkeeper: scheduling (bot.scheduling)",
    "bot": "Loopkeeper: runtime and the rest of bot/",
    "handlers": "Loopkeeper: listeners (handlers)",
}
# aiosqlite's thread calls the sqlite3 module from this function: a sample whose leaf
# is there is inside sqlite3's C code (building rows, binding parameters).
SQLITE_CALLERS = frozenset({("aiosqlite.core", "_connection_worker_thread")})
# The benchmark's own requests, wherever they lead: not a Slack request's cost.
SCRAPE_FRAMES = frozenset({("bot.slack.app", "metrics")})
# The event loop running one callback or task step: what is above it on the stack (the
# server starting the loop: uvicorn.Server.run, asyncio.run) is the same in every sample
# and says nothing about the work.
LOOP_STEP = ("asyncio.base_events", "_run_once")

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")
_LIBRARY_ROOT = re.compile(r"^.*/(?:site-packages|dist-packages|lib/python3\.\d+)/")


# Bucketing (pure) -------------------------------------------------------------------------------


def frame_module(frame: str, roots: Sequence[str] = ()) -> tuple[str, str]:
    """(module, function) of a py-spy frame such as "Session.execute
    (sqlalchemy/orm/session.py:2261)". py-spy names a file relative to sys.path when it
    can; a full path is cut at site-packages, the standard library or one of `roots`."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return "", frame.strip()
    # A library first: a virtualenv may live inside one of the roots.
    path, libraries = _LIBRARY_ROOT.subn("", match["path"])
    for root in roots if not libraries else ():
        if path.startswith(root.rstrip("/") + "/"):
            path = path[len(root.rstrip("/")) + 1 :]
            break
    if not path.endswith(".py"):
        return "", match["function"]  # a native frame, or <frozen …>
    parts = path.removesuffix(".py").strip("/").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts), match["function"].rsplit(".", 1)[-1]


def _bucket_of_module(module: str) -> str | None:
    while module:
        if module in BUCKETS:
            return BUCKETS[module]
        module = module.rpartition(".")[0]
    return None


def bucket_of(stack: Sequence[str], roots: Sequence[str] = ()) -> str:
    """The bucket of one sample: `stack` is its frames root first, as py-spy writes them."""
    frames = [frame_module(frame, roots) for frame in stack]
    if any(frame in SCRAPE_FRAMES for frame in frames):
        return SCRAPES
    if frames and frames[-1] in SQLITE_CALLERS:
        return SQLITE
    step = max((n for n, frame in enumerate(frames) if frame == LOOP_STEP), default=-1)
    for module, _ in reversed(frames[step + 1 :]):
        bucket = _bucket_of_module(module)
        if bucket is not None:
            return bucket
    return EVENT_LOOP if step >= 0 else OTHER


def parse_raw(text: str) -> Counter[tuple[str, ...]]:
    """py-spy's raw format: per line, frames root first separated by ";", a space, then
    how many samples had that stack."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in text.splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks[tuple(frames.split(";"))] += int(count)
    return stacks


def buckets(stacks: Counter[tuple[str, ...]], roots: Sequence[str] = ()) -> Counter[str]:
    """Samples per bucket."""
    counts: Counter[str] = Counter()
    for stack, count in stacks.items():
        counts[bucket_of(stack, roots)] += count
    return counts


# One profiled cell ------------------------------------------------------------------------------


@dataclass
class Breakdown:
    """Where one kind of request's server CPU went, on one backend."""

    scenario: str
    backend: str
    clients: int
    requests: int
    cpu_ms_per_request: float  # measured in the profiled cell, work after the answer included
    cpu_seconds: float
    samples: Counter[str] = field(default_factory=Counter)
    problem: str | None = None  # why there are no samples (py-spy could not attach, …)

    @property
    def total(self) -> int:
        return sum(self.samples.values())

    def rows(self) -> list[tuple[str, float, float]]:
        """(bucket, CPU ms per request, share %), largest first."""
        total = self.total or 1
        return [
            (name, count / total * self.cpu_ms_per_request, count / total * 100)
            for name, count in self.samples.most_common()
        ]

    @property
    def coverage(self) -> float:
        """Seconds of GIL-held time sampled per second of CPU measured."""
        return self.total / RATE / self.cpu_seconds if self.cpu_seconds else 0.0


def worker_pids(server_pid: int) -> list[int]:
    """The processes that serve requests: the workers spawned by bot.runtime.workers
    (not multiprocessing's resource tracker), or the server itself when it has none."""
    children = psutil.Process(server_pid).children(recursive=True)
    workers = [p.pid for p in children if "spawn_main" in " ".join(_cmdline(p))]
    return workers or [server_pid]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def py_spy() -> str | None:
    candidate = Path(sys.executable).parent / "py-spy"
    return str(candidate) if candidate.exists() else None


@dataclass
class Recording:
    processes: list[subprocess.Popen[str]]
    outputs: list[Path]
    problem: str | None = None


def start_recording(pids: Iterable[int], out_dir: Path, name: str) -> Recording:
    """py-spy on each pid, until stop_recording. A py-spy that exits at once could not
    attach (no ptrace permission, say): the recording then only carries the reason."""
    binary = py_spy()
    if binary is None:
        return Recording([], [], "py-spy is not installed (pip install -e '.[dev]')")
    recording = Recording([], [])
    for pid in pids:
        output = out_dir / f"{name}-{pid}.txt"
        command = [binary, "record", "--pid", str(pid), "--gil", "--rate", str(RATE)]
        # Full file names: shortened ones lose the package of a namespace package (bot/).
        command += ["--full-filenames", "--format", "raw", "--output", str(output)]
        recording.processes.append(
            subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
        recording.outputs.append(output)
    time.sleep(1.0)  # attaching takes a moment; one that failed has exited by now
    failed = [process for process in recording.processes if process.poll() is not None]
    if failed:
        out, _ = failed[0].communicate()
        stop_recording(recording)  # the others: a breakdown of some workers would mislead
        return Recording([], [], f"py-spy could not attach: {_last_line(out)}")
    return recording


def stop_recording(recording: Recording) -> tuple[Counter[tuple[str, ...]], str | None]:
    """Stop every py-spy (SIGINT makes it write its file) and read the stacks."""
    stacks: Counter[tuple[str, ...]] = Counter()
    problem = recording.problem
    for process, output in zip(recording.processes, recording.outputs, strict=True):
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            out, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()  # our own py-spy, by its handle
            out, _ = process.communicate()
        except ValueError:  # read already (it had exited)
            out = ""
        if output.exists():
            stacks += parse_raw(output.read_text())
        elif problem is None:
            problem = f"py-spy wrote nothing: {_last_line(out)}"
    return stacks, problem


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return next((line for line in lines if line.startswith("Error")), lines[-1] if lines else "")
