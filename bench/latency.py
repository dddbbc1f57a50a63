"""Ack latency over real HTTP on loopback: Loopkeeper beside a bare Bolt app.

Three processes besides this one: Loopkeeper and the bare app, each behind uvicorn
(bench.serve_app), and the Slack stand-in (bench.standin_proc) their Web API calls and
response_url posts go to. This process only generates load, so the apps never share
its event loop. Each request is built by the tests' SlackSender (Slack's exact shapes)
and signed at send time as Slack signs it; latency is from sending the request to
having read the whole answer.

Loopkeeper is measured on each backend (SQLite, then PostgreSQL in a database made for
the run), on a store seeded alike; the bare app, which has no database, once, beside
the first. A cell ends when the server is idle: /metrics reads no background task and
the CPU is quiet (bench.common.wait_until_idle), so work after the answers counts in
the cell's CPU and not in the next one's. Last, one profiled cell per request kind and
backend: py-spy records the workers, and bench.cpu_profile sorts the samples in buckets.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bench import cpu_profile
from bench.common import (
    ADMIN,
    BOT_TOKEN,
    PG_ADMIN_URL,
    ROOT,
    SIGNING_SECRET,
    Child,
    busy_cpu_seconds,
    child_env,
    cpu_seconds,
    fresh_pg_database,
    listening_socket,
    own_cpu_seconds,
    percentile,
    pg_version,
    postgres_cpu,
    rss_mib,
    start_child,
    wait_until_idle,
)
from bench.cpu_profile import Breakdown
from bench.seed import MEASURED_HM, MEASURED_NAME, PendingSeat, Seeder
from bot import store
from bot.domain.stages import CLOSED
from bot.playground.sender import SLACKBOT_USER_AGENT, SlackSender, sign
from bot.runtime import migrate
from bot.slack.blocks import candidates as cards
from bot.slack.blocks.interviews import scorecard_modal
from bot.slack.metadata import ScorecardMetadata
from bot.store.engine import Database
from bot.store.tables import Candidate, Role, Scorecard
from bot.usecases import feedback
from bot.usecases.candidates import Found

CLIENTS = (1, 10, 50)
# Requests per cell. Fewer scorecards where there are few clients: each uses up a seat
# the seed left waiting, and costs more CPU after its answer than a status request. At
# 50 clients, 400: with 100, each client sent two, so the cell was one burst and its
# "p99" the second slowest answer of it; 400 measure 50 clients kept busy, as the other
# request kinds do (the cell takes under a second).
REQUESTS = {
    "command": {1: 100, 10: 200, 50: 400},
    "action": {1: 200, 10: 500, 50: 1000},
    "view": {1: 30, 10: 60, 50: 400},
}
QUICK_REQUESTS = {
    "command": {1: 20, 10: 40, 50: 60},
    "action": {1: 20, 10: 40, 50: 60},
    "view": {1: 10, 10: 20, 50: 50},
}
# After the measured cells, one more per request kind with py-spy recording the workers
# (bench.cpu_profile): where the CPU of a request goes. Apart, so sampling (py-spy stops
# a worker for each sample) disturbs none of the figures above.
PROFILE_CLIENTS = 10
PROFILE_REQUESTS = {"command": 300, "action": 400, "view": 60}
QUICK_PROFILE_REQUESTS = {"command": 30, "action": 30, "view": 15}
WARMUP = 10  # per request kind and app, unmeasured: first-request costs are not acks
CELL_SECONDS = 60.0  # a cell stops sending after this, whatever its count
DRAIN_SECONDS = 150.0  # how long to wait for work after the last answer to finish
STORE_CANDIDATES = 10_000
STORE_ROLES = 25  # 400 candidates a role; the measured hiring manager has two roles
APPS = ("bare", "loopkeeper")
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Request:
    body: bytes
    content_type: str
    # Where what it shows is posted, a click's card: its response_url's name ("" for none).
    shows_at: str = ""


@dataclass
class Scenario:
    key: str
    label: str
    requests: list[Request]  # one per request of the whole run, used in order
    # The answer Slack should get, or why not: (app, HTTP status, body) -> problem or None.
    check: Callable[[str, int, bytes], str | None]
    cursor: dict[str, Iterator[int]] = field(default_factory=dict)

    def take(self, app: str, count: int) -> list[Request]:
        """The next `count` requests for `app`: Loopkeeper never gets one twice (each
        scorecard is a fresh store); the bare app walks the same list on its own."""
        indexes = self.cursor.setdefault(app, itertools.count())
        return [self.requests[next(indexes) % len(self.requests)] for _ in range(count)]


@dataclass
class Cell:
    scenario: str
    app: str
    backend: str  # the database behind Loopkeeper; "" for the bare app, which has none
    clients: int
    latencies_ms: list[float]
    errors: list[str]
    seconds: float
    cpu_ms_per_request: float
    busy_after_s: float | None  # work after the last answer; None: still busy at the cap
    # The whole machine's CPU over the same time, per answer, by whose it was: the server
    # (cpu_ms_per_request), the stand-in (Slack's work, on Slack's machines in real use),
    # the PostgreSQL server, the load (this process) and everything else.
    machine_ms_per_request: dict[str, float] = field(default_factory=dict)
    # A click's card: from sending the click to its card reaching the response_url.
    shown_ms: list[float] = field(default_factory=list)

    def shown(self, q: float) -> float:
        return percentile(self.shown_ms, q)

    @property
    def sent(self) -> int:
        return len(self.latencies_ms) + sum(1 for e in self.errors if e.startswith("no answer"))

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


@dataclass
class LatencyResults:
    cells: list[Cell]
    memory: dict[str, dict[str, float]]  # server label -> idle / after_50 / peak, MiB
    visible_to_hm: int
    scorecards_expected: dict[str, int]  # backend -> submissions sent
    scorecards_stored: dict[str, int]  # backend -> scorecards the store gained
    requests: dict[str, dict[int, int]]
    server_errors: dict[str, dict[str, int]]  # server label -> last line of each traceback
    other_cores: float  # cores other processes kept busy meanwhile, on average
    workers: int  # worker processes of each server
    backends: list[str]  # Loopkeeper's, in the order measured
    profiles: list[Breakdown] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # a backend skipped, and why

    def cell(self, scenario: str, app: str, clients: int, backend: str = "") -> Cell | None:
        """A measured cell; the bare app's has no backend."""
        wanted = (scenario, app, clients, "" if app == "bare" else backend)
        return next(
            (c for c in self.cells if (c.scenario, c.app, c.clients, c.backend) == wanted), None
        )


# Building the requests ------------------------------------------------------------------------


class _Capture(SlackSender):
    """The tests' SlackSender, keeping each body it builds instead of posting it."""

    def __init__(self, response_base: str) -> None:
        super().__init__("http://127.0.0.1:9", SIGNING_SECRET)
        self.response_base = response_base
        self.built: Request | None = None

    async def post_raw(self, body: bytes, *, content_type: str, **_: Any) -> Any:
        self.built = Request(body, content_type)
        return None

    async def take(self, sending: Any) -> Request:
        await sending
        assert self.built is not None
        return self.built


async def _command_requests(sender: _Capture, count: int) -> list[Request]:
    return [
        await sender.take(
            sender.command(
                f"status {MEASURED_NAME}",
                user=MEASURED_HM,
                response_url=f"{sender.response_base}cmd-{n}",
            )
        )
        for n in range(count)
    ]


async def _action_requests(db: Database, sender: _Capture, count: int) -> list[Request]:
    """Clicks on `status_open_<id>` in the ephemeral list `/hire status` answers when
    several candidates match, rotating over the hiring manager's open candidates."""
    async with db.reader() as session:
        rows = (
            await session.exec(
                select(Candidate, Role)
                .join(Role, col(Role.id) == Candidate.role_id)
                .where(
                    Role.hiring_manager_id == MEASURED_HM,
                    col(Candidate.stage).not_in([s.value for s in CLOSED]),
                )
                .order_by(col(Candidate.id))
                .limit(200)
            )
        ).all()
    matches = list(rows)
    requests = []
    for n in range(count):
        shown = [matches[(n + k) % len(matches)] for k in range(5)]
        text_, blocks = cards.choices_message("Jane", Found(shown), action=cards.OPEN_STATUS)
        candidate_id = shown[0][0].id
        built = await sender.take(
            sender.action(
                f"{cards.OPEN_STATUS}_{candidate_id}",
                str(candidate_id),
                user=MEASURED_HM,
                message={"text": text_, "blocks": [b.to_dict() for b in blocks]},
                response_url=f"{sender.response_base}act-{n}",
                ephemeral=True,
            )
        )
        requests.append(replace(built, shows_at=f"act-{n}"))
    return requests


def _scorecard_values(view: dict[str, Any]) -> dict[str, Any]:
    """A complete scorecard: every competency rated, a recommendation and a summary."""
    values: dict[str, Any] = {
        block["block_id"]: "3"
        for block in view["blocks"]
        if block.get("type") == "input" and block["block_id"].startswith("rate_")
    }
    values["recommendation"] = "3"
    values["summary"] = "Walked through a real drift incident end to end; clear on rollback."
    return values


async def _scorecard_requests(
    db: Database, sender: _Capture, pending: list[PendingSeat], count: int
) -> list[Request]:
    """Submissions, each for a different seat whose scorecard is not in: base version 0,
    so every one is a real store. The modal is the app's own (one per plan stage); each
    request carries its seat's private_metadata, as the modal opened for it would."""
    # Interleave the seats by plan stage and candidate, so concurrent submissions are
    # mostly about different candidates, as in real use.
    seats = sorted(pending, key=lambda s: (s.plan_stage, s.candidate_id, s.interviewer_id))
    if len(seats) < count:
        raise RuntimeError(f"the store has {len(seats)} pending seats; {count} are needed")
    contexts: dict[str, feedback.ScorecardContext] = {}
    for seat in seats:
        if seat.plan_stage not in contexts:
            contexts[seat.plan_stage] = await feedback.scorecard_context(
                db,
                user_id=seat.interviewer_id,
                interview_id=seat.interview_id,
                now=datetime.now(UTC),
            )
    views = {stage: scorecard_modal(ctx).to_dict() for stage, ctx in contexts.items()}
    requests = []
    for seat in seats[:count]:
        # The seat's own interview, and no scorecard yet: what its modal would carry.
        metadata = ScorecardMetadata(seat.interview_id, base_version=0).encode()
        view = views[seat.plan_stage]
        requests.append(
            await sender.take(
                sender.submit_view(
                    view,
                    _scorecard_values(view),
                    user=seat.interviewer_id,
                    private_metadata=metadata,
                )
            )
        )
    return requests


def _check_status(app: str, status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    if app == "bare":
        return None
    answer = json.loads(body or b"{}")
    # The card's fallback text starts "Jane Doe: <role>, <stage>" (a list of matches,
    # a refusal or an apology would not).
    if not answer.get("blocks") or not answer.get("text", "").startswith(f"{MEASURED_NAME}:"):
        return f"not the status card: {body[:200]!r}"
    return None


def _check_empty(app: str, status: int, body: bytes) -> str | None:
    """An action's ack, or a submission that closes the modal: HTTP 200, empty body."""
    if status != 200 or body.strip():
        return f"HTTP {status}: {body[:200]!r}"
    return None


# Serving --------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str  # the app: "loopkeeper" or "bare" (bench.serve_app)
    child: Child
    url: str
    backend: str = ""  # Loopkeeper's database: "sqlite" or "postgresql"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.backend})" if self.backend else self.name

    @property
    def metrics_url(self) -> str | None:
        """Where the server says how much work after its answers is still running
        (loopkeeper_background_tasks); the bare app has no /metrics."""
        return f"{self.url}/metrics" if self.name == "loopkeeper" else None

    def idle(self, timeout: float = DRAIN_SECONDS) -> float | None:
        return wait_until_idle(self.child.pid, metrics_url=self.metrics_url, timeout=timeout)


def start_server(
    name: str, env: dict[str, str], log: Path, *, workers: int = 1, backend: str = ""
) -> Server:
    if workers > 1:  # the workers bind the port themselves (bot.runtime.workers)
        with listening_socket() as probe:
            port = probe.getsockname()[1]
        child = start_child(
            ["-m", "bench.serve_app", name, "--port", str(port), "--workers", str(workers)],
            env=env,
            log=log,
        )
        return Server(name, child, f"http://127.0.0.1:{port}", backend)
    sock = listening_socket()
    child = start_child(
        ["-m", "bench.serve_app", name, "--fd", str(sock.fileno())],
        env=env,
        pass_fds=[sock.fileno()],
        log=log,
    )
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()  # the child holds its own copy
    return Server(name, child, url, backend)


async def wait_ready(server: Server, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    async with aiohttp.ClientSession() as session:
        deadline = time.monotonic() + timeout
        while True:
            try:
                async with session.get(f"{server.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline or server.child.process.poll() is not None:
                raise RuntimeError(f"{server.label} did not become ready")
            await asyncio.sleep(0.1)


# Load -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Machine:
    """CPU seconds so far: the server, the stand-in, PostgreSQL, this process, all."""

    server: float
    standin: float
    postgres: dict[int, float]
    load: float
    busy: float

    @classmethod
    def now(cls, server: Server, standin_pid: int | None) -> _Machine:
        return cls(
            cpu_seconds(server.child.pid),
            cpu_seconds(standin_pid) if standin_pid else 0.0,
            postgres_cpu(),
            own_cpu_seconds(),
            busy_cpu_seconds(),
        )

    def per_request(self, before: _Machine, answers: int) -> dict[str, float]:
        parts = {
            "server": self.server - before.server,
            "Slack stand-in": self.standin - before.standin,
            # Each process's growth, a new one whole (a connection is a process); one
            # that ended during the cell took its CPU with it: "everything else" has it.
            "PostgreSQL server": sum(
                cpu - before.postgres.get(pid, 0.0) for pid, cpu in self.postgres.items()
            ),
            "load (the benchmark)": self.load - before.load,
        }
        parts["everything else"] = max(0.0, self.busy - before.busy - sum(parts.values()))
        return {name: seconds * 1000 / answers for name, seconds in parts.items()}


async def run_cell(
    server: Server,
    scenario: Scenario,
    clients: int,
    count: int,
    peak: dict[str, float],
    *,
    standin_pid: int | None = None,
    arrivals_url: str | None = None,
) -> Cell:
    requests = scenario.take(server.name, count)
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    latencies: list[float] = []
    errors: list[str] = []
    sent_at: dict[str, float] = {}  # a click's response_url name: when it was sent
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # Open the connections first: a TCP connect is not part of an ack.
        await asyncio.gather(*(_get(session, f"{server.url}/healthz") for _ in range(clients)))
        order = iter(requests)
        # The load's own collector must not pause the clock: its full collections walk
        # the seed's and the requests' objects (97-110 ms each, seen during a run), and
        # a pause lands on every answer in flight, whichever app it is. What a cell
        # allocates is freed as it goes; as timeit does, the collector is off meanwhile.
        gc.collect()
        gc.disable()
        sampling = asyncio.create_task(_sample_rss(server, peak))
        machine_before = _Machine.now(server, standin_pid)
        started = time.perf_counter()
        deadline = started + CELL_SECONDS

        async def client() -> None:
            # The iterator is shared: each request is sent once, by whichever client is free.
            for request in order:
                if request.shows_at:
                    sent_at[request.shows_at] = time.monotonic()
                outcome = await _send(session, f"{server.url}/slack/events", request)
                if isinstance(outcome, str):
                    errors.append(f"no answer: {outcome}")
                else:
                    elapsed_ms, status, body = outcome
                    latencies.append(elapsed_ms)
                    problem = scenario.check(server.name, status, body)
                    if problem:
                        errors.append(problem)
                if time.perf_counter() > deadline:
                    return

        try:
            await asyncio.gather(*(client() for _ in range(clients)))
        finally:
            gc.enable()
        seconds = time.perf_counter() - started
        # Work done after answering (DMs, Home tabs) counts in the CPU per request, and
        # must not leak into the next cell's figures.
        busy = await asyncio.to_thread(server.idle)
        machine = _Machine.now(server, standin_pid).per_request(machine_before, len(latencies) or 1)
        sampling.cancel()
        shown: list[float] = []
        if arrivals_url and sent_at and server.name == "loopkeeper":  # the bare app shows none
            shown = await _shown(session, arrivals_url, sent_at, errors)
    return Cell(
        scenario.key,
        server.name,
        server.backend,
        clients,
        latencies,
        errors,
        seconds,
        machine["server"],
        busy,
        machine,
        shown,
    )


async def _shown(
    session: aiohttp.ClientSession, arrivals_url: str, sent_at: dict[str, float], errors: list[str]
) -> list[float]:
    """Each click's card: milliseconds from sending the click to the card's arrival at the
    stand-in (one monotonic clock for both processes); a card that never came is wrong."""
    async with session.get(arrivals_url, params={"prefix": "act-"}) as response:
        arrived: dict[str, float] = await response.json()
    missing = [name for name in sent_at if name not in arrived]
    errors += [f"no card posted for the click answered at {name}" for name in missing]
    return [(arrived[name] - at) * 1000 for name, at in sent_at.items() if name in arrived]


async def profile_cell(
    server: Server, scenario: Scenario, clients: int, count: int, out_dir: Path
) -> tuple[Cell, Breakdown]:
    """A cell with py-spy recording every worker, from before the first request until
    the work after the last answer is done (the cell waits for that)."""
    name = f"{scenario.key}-{server.backend}"
    pids = cpu_profile.worker_pids(server.child.pid)
    recording = await asyncio.to_thread(cpu_profile.start_recording, pids, out_dir, name)
    cell = await run_cell(server, scenario, clients, count, {})
    stacks, problem = await asyncio.to_thread(cpu_profile.stop_recording, recording)
    roots = (str(ROOT),)
    breakdown = cpu_profile.Breakdown(
        scenario.key,
        server.backend,
        clients,
        len(cell.latencies_ms),
        cell.cpu_ms_per_request,
        cell.cpu_ms_per_request * len(cell.latencies_ms) / 1000,
        cpu_profile.buckets(stacks, roots),
        problem or (None if stacks else "py-spy recorded no samples"),
    )
    return cell, breakdown


async def _get(session: aiohttp.ClientSession, url: str) -> None:
    async with session.get(url) as response:
        await response.read()


async def _send(
    session: aiohttp.ClientSession, url: str, request: Request
) -> tuple[float, int, bytes] | str:
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": request.content_type,
        "User-Agent": SLACKBOT_USER_AGENT,
        "Accept": "application/json,*/*",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": sign(SIGNING_SECRET, stamp, request.body),
    }
    started = time.perf_counter()
    try:
        async with session.post(url, data=request.body, headers=headers) as response:
            body = await response.read()
    except (aiohttp.ClientError, TimeoutError) as error:
        return f"{error.__class__.__name__}: {error}"
    return (time.perf_counter() - started) * 1000, response.status, body


async def _sample_rss(server: Server, peak: dict[str, float]) -> None:
    while True:
        peak[server.label] = max(peak.get(server.label, 0.0), rss_mib(server.child.pid))
        await asyncio.sleep(0.25)


# The whole measurement ------------------------------------------------------------------------


async def seed_store(url: str) -> Seeder:
    await asyncio.to_thread(migrate.upgrade, url)
    db = Database(url)
    try:
        seeder = Seeder(
            db, now=datetime.now(UTC), roles=STORE_ROLES, interviewers=300, pending_share=0.6
        )
        await seeder.add_roles()
        await seeder.add_measured()
        await seeder.add_candidates(STORE_CANDIDATES - 1)
        await seeder.finish()
    finally:
        await db.close()
    return seeder


async def build_scenarios(
    url: str, response_base: str, pending: list[PendingSeat], totals: dict[str, int]
) -> tuple[list[Scenario], int]:
    db = Database(url)
    sender = _Capture(response_base)
    try:
        async with db.reader() as session:
            visible = len(await store.candidates_visible_to(session, user_id=MEASURED_HM))
        scenarios = [
            Scenario(
                "command",
                f"/hire status {MEASURED_NAME}",
                await _command_requests(sender, totals["command"]),
                _check_status,
            ),
            Scenario(
                "action",
                "status_open_<id> button",
                await _action_requests(db, sender, totals["action"]),
                _check_empty,
            ),
            Scenario(
                "view",
                "scorecard view_submission",
                await _scorecard_requests(db, sender, pending, totals["view"]),
                _check_empty,
            ),
        ]
    finally:
        await sender.aclose()
        await db.close()
    return scenarios, visible


async def count_scorecards(url: str) -> int:
    db = Database(url)
    try:
        async with db.reader() as session:
            return int((await session.exec(select(func.count()).select_from(Scorecard))).one())
    finally:
        await db.close()


@dataclass
class _Run:
    """What the whole measurement gathers, backend after backend."""

    workdir: Path
    api_url: str
    response_base: str
    workers: int
    counts: dict[str, dict[int, int]]
    profile_counts: dict[str, int]
    standin_pid: int | None = None
    arrivals_url: str | None = None  # where the stand-in says when each card arrived
    cells: list[Cell] = field(default_factory=list)
    profiles: list[Breakdown] = field(default_factory=list)
    memory: dict[str, dict[str, float]] = field(default_factory=dict)
    peak: dict[str, float] = field(default_factory=dict)
    servers_cpu: dict[str, float] = field(default_factory=dict)  # label -> at its end
    logs: dict[str, Path] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    stored: dict[str, int] = field(default_factory=dict)
    visible: dict[str, int] = field(default_factory=dict)
    backends: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def env(self, url: str) -> dict[str, str]:
        return child_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=self.api_url,
            DATABASE_URL=url,
            LOOPKEEPER_ADMINS=ADMIN,
            LOG_LEVEL="WARNING",
            # The sweep is measured on its own (bench.sweep_cost); here it would add noise.
            SWEEP_INTERVAL_SECONDS="0",
        )

    async def start(self, name: str, url: str, backend: str = "") -> Server:
        """A server, ready and idle, its memory at rest noted."""
        log = self.workdir / f"{name}{'-' + backend if backend else ''}.log"
        server = start_server(name, self.env(url), log, workers=self.workers, backend=backend)
        self.logs[server.label] = log
        await wait_ready(server)
        await asyncio.to_thread(server.idle, 20.0)
        self.memory[server.label] = {"idle": rss_mib(server.child.pid)}
        return server

    def stop(self, server: Server) -> None:
        with contextlib.suppress(psutil.Error):  # it may have died: the report says so
            self.memory[server.label]["after_50"] = rss_mib(server.child.pid)
            self.memory[server.label]["peak"] = self.peak.get(server.label, 0.0)
            self.servers_cpu[server.label] = cpu_seconds(server.child.pid)
        server.child.stop()


@contextlib.asynccontextmanager
async def _store_url(backend: str, workdir: Path) -> AsyncIterator[str | None]:
    """Where this backend's store lives, for the block; None: no PostgreSQL to be had."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'latency.db'}"
    elif await pg_version() is None:
        yield None
    else:
        async with fresh_pg_database("loopkeeper_bench") as url:
            yield url


async def measure(
    workdir: Path,
    api_url: str,
    response_base: str,
    standin_pid: int,
    *,
    arrivals_url: str | None = None,
    quick: bool,
    workers: int,
    backends: tuple[str, ...] = BACKENDS,
) -> LatencyResults:
    """The bare app once, beside Loopkeeper on the first backend; then Loopkeeper on each
    other backend, on a store seeded alike."""
    run = _Run(
        workdir,
        api_url,
        response_base,
        workers,
        QUICK_REQUESTS if quick else REQUESTS,
        QUICK_PROFILE_REQUESTS if quick else PROFILE_REQUESTS,
        standin_pid,
        arrivals_url,
    )
    # Everything busy on the machine meanwhile, less this process, the stand-in and the
    # servers, is someone else's work competing for the two cores.
    started, machine_before = time.monotonic(), busy_cpu_seconds()
    ours_before = own_cpu_seconds() + cpu_seconds(standin_pid)
    bare: Server | None = None
    try:
        for backend in backends:
            async with _store_url(backend, workdir) as url:
                if url is None:
                    where = make_url(PG_ADMIN_URL).render_as_string(hide_password=True)
                    run.notes.append(f"PostgreSQL skipped: nothing answered at {where}.")
                    continue
                first = bare is None
                if first:
                    bare = await run.start("bare", url)
                await _measure_backend(run, backend, url, bare if first else None)
    finally:
        if bare is not None:
            run.stop(bare)
    ours = own_cpu_seconds() + cpu_seconds(standin_pid) - ours_before
    ours += sum(run.servers_cpu.values())
    others = (busy_cpu_seconds() - machine_before - ours) / (time.monotonic() - started)
    return LatencyResults(
        cells=run.cells,
        memory=run.memory,
        visible_to_hm=next(iter(run.visible.values()), 0),
        scorecards_expected=run.expected,
        scorecards_stored=run.stored,
        requests=run.counts,
        server_errors={label: traceback_kinds(log) for label, log in run.logs.items()},
        other_cores=max(0.0, others),
        workers=workers,
        backends=run.backends,
        profiles=run.profiles,
        notes=run.notes,
    )


async def _measure_backend(run: _Run, backend: str, url: str, bare: Server | None) -> None:
    """Loopkeeper on one backend, cell by cell beside the bare app when it is given,
    then the profiled cells; the scorecards sent are then counted in the store."""
    print(f"latency: seeding {STORE_CANDIDATES:,} candidates on {backend}…", flush=True)
    seeder = await seed_store(url)
    totals = {
        key: WARMUP + sum(per.values()) + run.profile_counts[key] for key, per in run.counts.items()
    }
    scenarios, run.visible[backend] = await build_scenarios(
        url, run.response_base, seeder.pending, totals
    )
    before = await count_scorecards(url)
    run.backends.append(backend)
    sent = 0
    loopkeeper = await run.start("loopkeeper", url, backend)
    servers = [server for server in (bare, loopkeeper) if server is not None]
    try:
        for scenario in scenarios:
            for server in servers:
                warm = await run_cell(server, scenario, 5, WARMUP, {})
                sent += warm.sent if server is loopkeeper and scenario.key == "view" else 0
        for scenario in scenarios:
            for clients in CLIENTS:
                for server in servers:  # side by side: bare, then Loopkeeper
                    count = run.counts[scenario.key][clients]
                    cell = await run_cell(
                        server,
                        scenario,
                        clients,
                        count,
                        run.peak,
                        standin_pid=run.standin_pid,
                        arrivals_url=run.arrivals_url,
                    )
                    run.cells.append(cell)
                    sent += cell.sent if server is loopkeeper and scenario.key == "view" else 0
                    print(f"  {_cell_line(scenario, cell)}", flush=True)
        for scenario in scenarios:
            count = run.profile_counts[scenario.key]
            cell, breakdown = await profile_cell(
                loopkeeper, scenario, PROFILE_CLIENTS, count, run.workdir
            )
            run.profiles.append(breakdown)
            sent += cell.sent if scenario.key == "view" else 0
            print(f"  {_cell_line(scenario, cell)} (profiled)", flush=True)
    finally:
        run.stop(loopkeeper)  # it finishes its background work first
    run.expected[backend] = sent
    run.stored[backend] = await count_scorecards(url) - before


def traceback_kinds(log: Path) -> dict[str, int]:
    """What a server logged as errors: the last line of each traceback, counted."""
    kinds: dict[str, int] = {}
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for n, line in enumerate(lines):
        # A traceback ends at the first unindented line after "Traceback (…":
        # the exception. Chained ones count once, by the last.
        if line.startswith(("Traceback", "  ")) or not line.strip():
            continue
        if n and lines[n - 1].startswith("  ") and not _chained(lines, n):
            kind = line[:160]
            kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def _chained(lines: list[str], n: int) -> bool:
    """Is the exception on line n followed by "During handling…"/"The above…" (a cause)?"""
    following = next((line for line in lines[n + 1 : n + 4] if line.strip()), "")
    return following.startswith(("During handling", "The above exception"))


def _cell_line(scenario: Scenario, cell: Cell) -> str:
    errors = f", {len(cell.errors)} wrong (first: {cell.errors[0][:120]})" if cell.errors else ""
    busy = "n/a" if cell.busy_after_s is None else f"{cell.busy_after_s:.1f}"
    app = f"{cell.app} ({cell.backend})" if cell.backend else cell.app
    return (
        f"{scenario.label:<28} {app:<23} {cell.clients:>2} clients, "
        f"{len(cell.latencies_ms):>4} answers: p50 {cell.p(50):7.1f}  p95 {cell.p(95):7.1f}  "
        f"p99 {cell.p(99):7.1f} ms, {cell.throughput:5.0f}/s, "
        f"{cell.cpu_ms_per_request:5.1f} CPU ms/req, busy {busy} s after{errors}"
        + (f"; card p50 {cell.shown(50):.1f} p99 {cell.shown(99):.1f} ms" if cell.shown_ms else "")
    )
