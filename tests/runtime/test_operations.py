"""What operators rely on: /metrics, structured logs without candidate data, graceful
shutdown, a slow Slack, a database that drops its connections, a killed sweep."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy.engine import make_url
from sqlmodel import select

from bot.playground.standin import SlackStandin
from bot.runtime import logs
from bot.store.tables import Alert, Scorecard
from tests import cli_process
from tests.conftest import ADMIN, BOT_TOKEN, HM, RECRUITER, Running, serving
from tests.flows import (
    add_candidate,
    answer,
    blocks_text,
    create_role,
    schedule,
    stored,
    submit_scorecard,
)
from tests.scheduling.test_sweep_cli import LOOP_START, due_alerts, stalled_candidate

ROOT = Path(__file__).resolve().parents[2]


async def scrape(app: Running) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{app.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def metric(text: str, line_start: str) -> float:
    for line in text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {line_start} in /metrics")


async def test_metrics_count_requests_ack_latency_and_alerts(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("status Jane", user=HM)
    await app.slack.action("status_open", "1", user=HM, response_url=app.standin.response_url())
    clock.advance(timedelta(hours=48))
    await app.sweeper.run(clock.now())

    text = await scrape(app)
    assert (
        metric(text, 'loopkeeper_slack_requests_total{status="200",surface="slash_command"}') >= 3
    )
    assert (
        metric(text, 'loopkeeper_slack_requests_total{status="200",surface="block_actions"}') == 1
    )
    assert (
        metric(text, 'loopkeeper_slack_requests_total{status="200",surface="view_submission"}') == 2
    )
    assert metric(text, 'loopkeeper_ack_seconds_count{surface="slash_command"}') >= 3
    assert metric(text, 'loopkeeper_alerts_total{outcome="sent"}') == 1
    assert metric(text, "loopkeeper_sweep_seconds_count") == 1
    assert metric(text, "loopkeeper_deliveries_waiting") == 0
    assert "Jane" not in text


@pytest.fixture
def configured_logging() -> Iterator[None]:
    """For a test that runs logs.configure, as `serve` does: the logging it changes put
    back as it was afterwards. Left at DEBUG, the next test of the process logged every
    Web API payload, candidates' names in them, into the logs it checks for names."""
    root = logging.getLogger()
    touched = [*logs.SLACK_SDK_LOGGERS, "apscheduler", "uvicorn", "uvicorn.error", "uvicorn.access"]
    kept = [
        (logger, logger.level, logger.handlers[:], logger.propagate)
        for logger in [root, *map(logging.getLogger, touched)]
    ]
    try:
        yield
    finally:
        for logger, level, handlers, propagate in kept:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate


@pytest.mark.usefixtures("configured_logging")
def test_json_logs_carry_the_trace_and_one_object_per_line(capfd: pytest.CaptureFixture) -> None:
    logs.configure("INFO", "json")
    trace = logs.new_trace("req")
    logging.getLogger("loopkeeper.test").info("hello %s", "world")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("loopkeeper.test").exception("it failed")
    lines = [json.loads(line) for line in capfd.readouterr().err.strip().splitlines()]
    assert [entry["message"] for entry in lines] == ["hello world", "it failed"]
    assert {entry["trace"] for entry in lines} == {trace}
    assert "ValueError: boom" in lines[1]["exception"]


@pytest.mark.usefixtures("configured_logging")
@pytest.mark.parametrize(("level", "built"), [("INFO", False), ("DEBUG", True)])
async def test_slack_sdk_builds_its_debug_lines_only_when_they_are_logged(
    standin: SlackStandin, monkeypatch: pytest.MonkeyPatch, level: str, built: bool
) -> None:
    """slack-sdk reads its loggers' own level, not the effective one, to decide whether to
    write a request's whole payload out as text: at INFO no Web API call may pay for it."""
    logs.configure(level, "json")
    lines: list[str] = []
    for name in logs.SLACK_SDK_LOGGERS:
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "debug", lambda message, *_, **__: lines.append(message))
    client = AsyncWebClient(token="xoxb-test-token", base_url=standin.url)
    await client.chat_postMessage(channel=HM, text="hello")
    await AsyncWebhookClient(standin.response_url("r1")).send(text="hello")
    sent = [line for line in lines if "hello" in line]
    assert bool(sent) == built, lines


async def test_no_candidate_names_or_scorecard_text_in_logs_at_info(
    app: Running, clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    role = await create_role(app)
    await add_candidate(app, "Zelda Quixote", role=role)
    app.standin.fail_next("chat.postMessage", "not_in_channel")
    await app.slack.command("move Zelda Quixote to screening: secret reason xyz", user=RECRUITER)
    clock.advance(timedelta(days=3))
    from bot.slack.app import make_sweeper

    app.standin.fail_next("chat.postMessage", "account_inactive")
    await make_sweeper(app.deps).run(clock.now())
    await app.settle()
    infos = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert infos, "expected some log lines"
    assert not any("Zelda" in m or "Quixote" in m or "xyz" in m for m in infos)


async def test_shutdown_lets_the_running_sweep_finish(
    db_url: str, standin: SlackStandin, clock
) -> None:
    async with serving(db_url, standin, clock) as app:
        role = await create_role(app)
        await add_candidate(app, "Jane Doe", role=role)
        clock.advance(timedelta(hours=48))
        standin.delay_next("chat.postMessage", 0.5)
        sweep = asyncio.create_task(app.sweeper.run(clock.now()))
        await standin.wait_for("chat.postMessage", count=3)  # two confirmations, then the digest
        # Leaving the block shuts the server down while the digest is still in flight.
    report = await sweep
    assert len(report.sent) == 1
    from bot.store.engine import Database

    db = Database(db_url)
    try:
        async with db.reader() as session:
            sent = (await session.exec(select(Alert).where(Alert.status == "sent"))).all()
        assert len(sent) == 1
    finally:
        await db.close()


async def test_shutdown_lets_the_sweep_the_scheduler_started_finish(
    db_url: str, standin: SlackStandin, clock
) -> None:
    # APScheduler's shutdown cancels the job it is running: the scheduler's own sweep
    # was cut off mid-delivery while a sweep run by hand was waited for.
    await stalled_candidate(db_url)
    clock.set(LOOP_START + timedelta(days=7, minutes=5))
    async with serving(db_url, standin, clock, sweep_interval_seconds=1) as app:
        delivering = asyncio.Event()
        deliver = app.sweeper.deliver

        async def deliver_and_tell(now, report):
            delivering.set()
            await deliver(now, report)

        app.sweeper.deliver = deliver_and_tell  # type: ignore[method-assign]  # the test swaps in a step that tells when delivery starts
        standin.delay_next("chat.postMessage", 1.0)  # the first digest is in flight a while
        await asyncio.wait_for(delivering.wait(), 10)  # the scheduler's first tick, a second in
    from bot.store.engine import Database

    db = Database(db_url)
    try:
        async with db.reader() as session:
            sent = (await session.exec(select(Alert).where(Alert.status == "sent"))).all()
        assert sorted(a.recipient_id for a in sent) == sorted([HM, RECRUITER])
    finally:
        await db.close()


async def test_a_slow_slack_gets_an_apology_not_silence(
    db_url: str, standin: SlackStandin, clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="handlers.replies")
    async with serving(db_url, standin, clock, slack_timeout_seconds=0.3) as app:
        standin.delay_next("views.open", 2.0, times=3)
        body = answer(await app.slack.command("role", user=ADMIN))
    assert "Slack didn't let me open the form" in body["text"]
    # Slack said nothing: not "it said `TimeoutError`"; and the operator sees it in the log.
    assert "(it said `no answer in time`)" in body["text"], body["text"]
    assert any("views.open failed: TimeoutError" in r.getMessage() for r in caplog.records)


async def drop_connections(db_url: str) -> None:
    """What a database restart does to the app's pooled connections."""
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        return
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            url.database,
        )
    finally:
        await connection.close()


@pytest.mark.both_databases
async def test_the_app_recovers_when_the_database_drops_its_connections(
    db_url: str, standin: SlackStandin, clock
) -> None:
    async with serving(db_url, standin, clock) as app:
        role = await create_role(app)
        await add_candidate(app, "Jane Doe", role=role)
        await drop_connections(db_url)

        card = answer(await app.slack.command("status Jane", user=HM))  # pre-ping reconnects
        assert "Jane Doe" in blocks_text(card["blocks"])

        clock.advance(timedelta(hours=48))
        sweeper = app.sweeper
        original = sweeper.deliver

        async def deliver_after_a_restart(now, report):
            await drop_connections(db_url)
            await original(now, report)

        sweeper.deliver = deliver_after_a_restart  # type: ignore[method-assign]  # the test swaps in a step that drops connections first
        report = await sweeper.run(clock.now())
        assert len(report.sent) == 1  # recorded before the restart, delivered after it


class _Refused:
    """What asyncpg's Pool.acquire gives (awaited, or a context) when the server refuses
    the role: raises."""

    def __await__(self) -> Iterator[None]:
        return self._refuse()

    def _refuse(self) -> Iterator[None]:
        yield from ()  # a generator, as __await__ must give
        raise asyncpg.InvalidAuthorizationSpecificationError("no such role")

    async def __aenter__(self) -> None:
        raise asyncpg.InvalidAuthorizationSpecificationError("no such role")

    async def __aexit__(self, *_: object) -> None:
        return None


@pytest.mark.both_databases
async def test_metrics_say_when_work_goes_through_sessions_because_a_pool_was_refused(
    db_url: str, standin: SlackStandin, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's point reads and scorecards go through an asyncpg pool of the
    process's own; a server that refuses it for good (a role, a setting) leaves that work
    to SQLAlchemy's sessions, which still answer, slower: on-call sees it on /metrics."""
    statements = 'loopkeeper_database_fallback{path="statements"} '
    async with serving(db_url, standin, clock) as app:
        role = await create_role(app)
        await add_candidate(app, "Jane Doe", role=role)
        assert metric(await scrape(app), statements) == 0

        interview = await schedule(app, "Jane")
        monkeypatch.setattr(asyncpg.pool.Pool, "acquire", lambda *_, **__: _Refused())
        submitted = await submit_scorecard(app, interview)
        assert submitted.status_code == 200 and not submitted.content  # stored all the same
        assert len(await stored(app, Scorecard)) == 1
        on_postgresql = db_url.startswith("postgresql")
        assert metric(await scrape(app), statements) == (1 if on_postgresql else 0)
        assert app.deps.db.fallbacks() == {"statements": on_postgresql, "version_reads": False}


@pytest.mark.both_databases
async def test_a_sweep_killed_mid_way_sends_every_alert_after_restart(
    db_url: str, standin: SlackStandin
) -> None:
    await stalled_candidate(db_url)

    now = LOOP_START + timedelta(hours=1)
    await due_alerts(db_url, "kill", 6, now)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "x",
        "SLACK_API_URL": standin.url,
        "SWEEP_PACE_SECONDS": "0.4",
        "WEEKLY_REPORT": "off",
    }

    async def sweep_at(when: str, pace: str) -> cli_process.CliProcess:
        # Its own process, forked from one with the libraries imported (tests/cli_process.py).
        return await cli_process.start(
            ("sweep", "--now", when),
            cwd=ROOT,
            env={**env, "SWEEP_PACE_SECONDS": pace},
            stdout=cli_process.DEVNULL,
            stderr=cli_process.DEVNULL,
        )

    first = await sweep_at(now.isoformat(), "0.4")  # slow enough to be killed mid-way
    await standin.wait_for("chat.postMessage", count=2, timeout=30)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    killed_after = len(standin.calls_to("chat.postMessage"))

    # The killed sweep's claims lapse after 5 minutes; a sweep then sends the rest.
    second = await sweep_at((now + timedelta(minutes=6)).isoformat(), "0")
    assert await asyncio.wait_for(second.wait(), 60) == 0

    recipients = [c.args["channel"] for c in standin.calls_to("chat.postMessage")]
    assert set(recipients) == {f"UREC{i:05d}" for i in range(6)}  # every alert went out
    # At most the one message in flight when the process died goes twice.
    assert len(recipients) <= 6 + 1
    assert killed_after < 6


# Several worker processes ------------------------------------------------------------


# `serve --workers 2` binds with SO_REUSEPORT, so two of them on one port share its
# connections: a port the kernel hands out (bind to 0, then let go) can be handed to
# another test process's server meanwhile, and the two tests then answer each other's
# requests. Each test process takes ports from a block of its own, below the kernel's
# range for ports it hands out, and never the same one twice.
_PORT_BLOCK = 400
_FIRST_PORT = 20_000 + _PORT_BLOCK * int(
    os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
)
_ports = iter(range(_FIRST_PORT, _FIRST_PORT + _PORT_BLOCK))


def free_port() -> int:
    for port in _ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # someone else's: the next
                continue
            return port
    raise RuntimeError("no free port left in this test process's block")


def metrics_dirs(where: Path) -> list[Path]:
    return sorted(where.glob("loopkeeper-metrics-*"))


def rejected_by_each_worker(metrics_dir: Path, scratch: Path) -> dict[str, float]:
    """Each worker's own count of unsigned requests, read from its metrics file alone."""
    counts = {}
    for file in metrics_dir.glob("counter_*.db"):
        pid = file.stem.removeprefix("counter_")
        alone = scratch / pid
        alone.mkdir(exist_ok=True)
        shutil.copy(file, alone / file.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        labels = {"status": "401", "surface": "other"}
        counts[pid] = registry.get_sample_value("loopkeeper_slack_requests_total", labels) or 0
    return counts


def serve_env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k.upper() != "PROMETHEUS_MULTIPROC_DIR"},
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "x",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing here calls Slack
        "WEEKLY_REPORT": "off",
        "WEB_CONCURRENCY": "1",  # --workers wins
        "TMPDIR": str(tmp_path),  # where serve makes its metrics directory
    }


@dataclass
class Workers:
    server: asyncio.subprocess.Process
    base: str
    metrics_dir: Path
    scratch: Path

    def counts(self) -> dict[str, float]:
        return rejected_by_each_worker(self.metrics_dir, self.scratch)

    def pids(self) -> list[int]:
        """The worker processes (spawned interpreters; not multiprocessing's tracker)."""
        pids = []
        for child in psutil.Process(self.server.pid).children():
            with contextlib.suppress(psutil.ZombieProcess, psutil.NoSuchProcess):
                if "spawn_main" in " ".join(child.cmdline()):  # a dead one is a zombie
                    pids.append(child.pid)
        return pids


@asynccontextmanager
async def two_workers(db_url: str, tmp_path: Path) -> AsyncIterator[Workers]:
    """`loopkeeper serve --workers 2` on a free port, once both workers have built their
    app; stopped with SIGTERM at the end, which must end it cleanly."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with (tmp_path / "serve.log").open("wb") as log_file:
        server = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot.runtime.cli", "serve", "--workers", "2"),
            *("--host", "127.0.0.1", "--port", str(port)),
            cwd=ROOT,
            env=serve_env(db_url, tmp_path),
            stdout=log_file,
            stderr=log_file,
        )
    # A new connection per request, so the kernel hands requests to either worker.
    fresh = httpx.Limits(max_keepalive_connections=0)
    try:
        # A generous bound, not a speed check: two fresh interpreters importing the app
        # beside three other test processes on two cores can take a while.
        async with httpx.AsyncClient(base_url=base, limits=fresh) as client, asyncio.timeout(60):
            while True:  # until one worker answers and the other has built its app too
                try:
                    healthy = (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    healthy = False  # not listening yet
                # The parent makes the metrics directory before its workers start, but a
                # /healthz answered while the listing is read is no proof it is there yet.
                dirs = metrics_dirs(tmp_path)
                if healthy and dirs and len(rejected_by_each_worker(dirs[0], scratch)) == 2:
                    break
                await asyncio.sleep(0.05)
            workers = Workers(server, base, dirs[0], scratch)
            while min(workers.counts().values()) == 0:  # until both are listening
                assert (await client.post("/slack/events", content=b"")).status_code == 401
        yield workers
        server.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.wait(), 30) == 0
    finally:
        if server.returncode is None:  # the test failed: stop the workers too, not only the parent
            server.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(server.wait(), 30)
            except TimeoutError:
                server.kill()
                await server.wait()
    log = (tmp_path / "serve.log").read_text()
    assert "with 2 worker processes" in log
    assert "Traceback" not in log
    assert metrics_dirs(tmp_path) == []  # cleaned up on exit


async def test_serve_with_two_workers_answers_from_both_and_adds_up_their_metrics(
    db_url: str, tmp_path: Path
) -> None:
    async with two_workers(db_url, tmp_path) as workers:  # each has answered already
        fresh = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=workers.base, limits=fresh) as client:
            for _ in range(6):
                assert (await client.post("/slack/events", content=b"")).status_code == 401
            counts = workers.counts()
            assert len(counts) == 2 and min(counts.values()) > 0
            sent = sum(counts.values())

            for _ in range(4):  # whichever worker answers, it reports both workers' counts
                text = (await client.get("/metrics")).text
                assert metric(text, 'loopkeeper_slack_requests_total{status="401"') == sent
                assert metric(text, "loopkeeper_deliveries_waiting ") == 0
                assert "pid=" not in text


def open_then_ask(port: int, connections: int) -> list[int]:
    """Open `connections` connections at once, then send one unsigned request down each
    (as a proxy or Slack holding kept-alive connections would); their HTTP statuses."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(connections)]
    request = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    try:
        for sock in socks:
            sock.sendall(request)
        return [int(sock.recv(4096).split(b" ", 2)[1]) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def listening_sockets(pid: int, port: int) -> set[int]:
    """Inodes of the sockets a process holds that listen on `port` (Linux's /proc)."""
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
            listening.add(int(fields[9]))
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                held.add(int(target[len("socket:[") : -1]))
    return held & listening


async def test_connections_opened_together_are_spread_over_the_workers(
    db_url: str, tmp_path: Path
) -> None:
    # With one socket shared by the workers, the first to wake accepts every waiting
    # connection: under load, most went to one worker and, kept alive, stayed there.
    # Each worker now listens on a socket of its own, and the kernel spreads them.
    async with two_workers(db_url, tmp_path) as workers:
        port = int(workers.base.rsplit(":", 1)[1])
        first, second = (listening_sockets(pid, port) for pid in workers.pids())
        assert first and second and not first & second
        before = workers.counts()
        assert set(await asyncio.to_thread(open_then_ask, port, 24)) == {401}
        after = workers.counts()
        served = {pid: after[pid] - before.get(pid, 0) for pid in after}
        assert sum(served.values()) == 24
        # Each connection goes to either worker's socket by a hash of its address: all
        # 24 to one happens about once in eight million runs.
        assert len(served) == 2 and min(served.values()) > 0, served


async def test_a_worker_that_dies_is_replaced(db_url: str, tmp_path: Path) -> None:
    async with two_workers(db_url, tmp_path) as workers:
        first = workers.pids()
        assert len(first) == 2
        os.kill(first[0], signal.SIGKILL)
        async with asyncio.timeout(60):
            while True:
                now = workers.pids()
                if len(now) == 2 and first[0] not in now:
                    break
                await asyncio.sleep(0.1)
            fresh = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=workers.base, limits=fresh) as client:
                answers = [(await client.get("/healthz")).status_code for _ in range(8)]
                assert set(answers) == {200}  # the survivor and the new worker alike
    assert "exited (code -9); starting another" in (tmp_path / "serve.log").read_text()


def test_serve_says_so_when_the_port_is_taken(db_url: str, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        refused = subprocess.run(
            [
                *(sys.executable, "-m", "bot.runtime.cli", "serve", "--workers", "2"),
                *("--host", "127.0.0.1", "--port", str(port)),
            ],
            cwd=ROOT,
            env=serve_env(db_url, tmp_path),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert refused.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert metrics_dirs(tmp_path) == []


def test_a_workers_socket_says_it_is_tcp_so_its_connections_get_no_nagle_delay() -> None:
    # asyncio sets TCP_NODELAY only on connections accepted from a socket whose protocol
    # is IPPROTO_TCP; socket.socket(AF_INET, SOCK_STREAM) says 0, and answers then waited
    # 40 ms for the client's delayed ACK (every status card, in the benchmark).
    from bot.runtime.workers import _socket

    with _socket("127.0.0.1", 0, share=True) as sock:
        assert sock.proto == socket.IPPROTO_TCP
