"""The `loopkeeper` command for the tests: each run its own process, forked from one that
has the third-party libraries imported already.

A cold `loopkeeper` command spends about 1.5 s of CPU importing before it does anything,
three quarters of it in libraries (SQLAlchemy, aiohttp, Slack's SDK and Bolt, alembic,
pydantic); on the test machine's two loaded cores that was 3 to 7 s of each CLI test.
Here one process per test process imports those libraries once and forks a child for
each command. The child is the command's own process, with its own pid, arguments,
environment, working directory, stdin/stdout/stderr and exit status, and it runs the
command's own code as a cold start does: the installed `loopkeeper` script, or
bot.runtime.cli as `python -m` runs it (as __main__, with the same sys.argv and
sys.path[0]); it imports every module of the project itself, in the order a cold start
does. Nothing of the project is imported before the fork (the tables would be defined
twice on SQLModel's metadata), and no library whose import reads the environment
(prometheus_client reads PROMETHEUS_MULTIPROC_DIR when imported).

A command that starts processes of its own (`serve --workers`, the playground) is still
started cold by its tests, as is the check that `python -m bot.runtime.cli` works.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import importlib
import json
import locale
import os
import runpy
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
PIPE = subprocess.PIPE
DEVNULL = subprocess.DEVNULL
SCRIPT = Path(sys.executable).parent / "loopkeeper"  # the installed command

# Libraries the app imports, heaviest first; none imports the project or reads the
# environment when imported.
PRELOAD = (
    "sqlalchemy",
    "sqlalchemy.orm",
    "sqlalchemy.ext.asyncio",
    "sqlalchemy.dialects.sqlite.aiosqlite",
    "sqlalchemy.dialects.postgresql.asyncpg",
    "sqlmodel",
    "sqlmodel.ext.asyncio.session",
    "aiohttp",
    "aiosqlite",
    "asyncpg",
    "slack_sdk.web.async_client",
    "slack_sdk.models.blocks",
    "slack_sdk.models.views",
    "slack_bolt.async_app",
    "slack_bolt.adapter.starlette.async_handler",
    "starlette.applications",
    "alembic.config",
    "alembic.script",
    "alembic.runtime.migration",
    "alembic.runtime.environment",
    "alembic.operations",
    "pydantic",
    "pydantic_settings",
    "email_validator",
    "apscheduler.schedulers.asyncio",
    "rapidfuzz",
)
_MESSAGE = 1 << 20  # a request (arguments and environment) fits in one message
_ENCODING = locale.getpreferredencoding(False)  # subprocess's, for text


# ---- the forking process -----------------------------------------------------------------


def serve(path: str) -> None:
    """Listen at `path` first (requests wait while the libraries import), then fork a
    child per request until the test process closes this one's stdin."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(16)
    for name in PRELOAD:
        with contextlib.suppress(ImportError):  # the command then says so itself
            importlib.import_module(name)
    leaked = [name for name in sys.modules if name.split(".")[0] in ("bot", "handlers")]
    assert not leaked, f"a preloaded library imported the project: {leaked}"
    # A thread would not be copied into the children, with whatever lock it held.
    assert threading.active_count() == 1, "a preloaded library started a thread"
    waiting: dict[int, tuple[int, socket.socket]] = {}  # pidfd -> pid, who asked
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "request")
    selector.register(sys.stdin, selectors.EVENT_READ, "parent")
    while True:
        for key, _ in selector.select():
            if key.data == "parent":  # the test process closed the pipe: it is done
                return
            if key.data == "request":
                connection, _ = listener.accept()
                data, fds, _, _ = socket.recv_fds(connection, _MESSAGE, 3)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:  # the command's process: never returns here
                    selector.close()
                    listener.close()
                    connection.close()
                    for pidfd, (_, other) in waiting.items():  # the other commands'
                        os.close(pidfd)
                        other.close()
                    _run_command(json.loads(data), fds)
                for fd in fds:
                    os.close(fd)
                pidfd = os.pidfd_open(pid)
                waiting[pidfd] = pid, connection
                selector.register(pidfd, selectors.EVENT_READ, "child")
                connection.send(json.dumps({"pid": pid}).encode())
            else:  # a child ended
                pidfd = key.fd
                selector.unregister(pidfd)
                os.close(pidfd)
                pid, connection = waiting.pop(pidfd)
                _, status = os.waitpid(pid, 0)
                with contextlib.suppress(OSError):  # the test stopped waiting
                    code = os.waitstatus_to_exitcode(status)
                    connection.send(json.dumps({"returncode": code}).encode())
                connection.close()


def _run_command(request: dict[str, Any], fds: list[int]) -> None:
    """Become the command: its stdin/stdout/stderr, environment, directory, sys.argv and
    sys.path[0], then its code as __main__. Its SystemExit ends this process as it ends
    a cold one (atexit handlers, streams flushed, the same exit status)."""
    for target, fd in enumerate(fds):  # each received fd is above 2: this process has 0-2
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    script = request["script"]
    if script:  # `python <script>`: the script's folder first on the path
        sys.argv = [script, *request["args"]]
        sys.path[0] = os.path.dirname(os.path.realpath(script))
        runpy.run_path(script, run_name="__main__")
    else:  # `python -m`: the working directory first; runpy puts the module's path in argv
        sys.argv = ["-m", *request["args"]]
        sys.path[0] = os.getcwd()
        runpy.run_module("bot.runtime.cli", run_name="__main__", alter_sys=True)
    sys.exit(0)


# ---- the test's side ----------------------------------------------------------------------


class _Forker:
    """This test process's forking process, started the first time a test needs it."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="lk-cli-")
        self.path = os.path.join(self.folder, "socket")
        self.log = os.path.join(self.folder, "forker.log")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.cli_process", self.path],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=log,
            )
        atexit.register(self.stop)

    def said(self) -> str:
        """What the forker wrote: why it stopped, if it did."""
        return Path(self.log).read_text()

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()  # it returns from serve() and exits
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def connect(self) -> socket.socket | None:
        """A connection, or None while it is not listening yet."""
        if self.process.poll() is not None:
            raise RuntimeError(f"the CLI forker exited: {self.said()}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            sock.connect(self.path)
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            return None
        return sock


_FORKER: list[_Forker] = []


def _forker() -> _Forker:
    if not _FORKER:
        _FORKER.append(_Forker())
    return _FORKER[0]


@dataclass
class _Request:
    """What to send: the message and the child's stdin, stdout and stderr; what to keep:
    the ends of the pipes this process reads."""

    message: bytes
    fds: list[int]
    opened: list[int]  # of fds, those opened here (closed once sent)
    out: int | None
    err: int | None

    def close_sent(self) -> None:
        for fd in self.opened:
            os.close(fd)


def _request(
    args: Sequence[str],
    env: dict[str, str],
    cwd: Path | None,
    script: Path | None,
    stdin: int | None,
    stdout: int | None,
    stderr: int | None,
) -> _Request:
    fds: list[int] = []
    opened: list[int] = []
    kept: list[int | None] = []
    for inherited, choice, writes in ((0, stdin, False), (1, stdout, True), (2, stderr, True)):
        if choice is None:  # as subprocess does: this process's own
            fds.append(inherited)
            kept.append(None)
        elif choice == DEVNULL:
            fd = os.open(os.devnull, os.O_WRONLY if writes else os.O_RDONLY)
            fds.append(fd)
            opened.append(fd)
            kept.append(None)
        elif choice == PIPE:
            assert writes, "a pipe to the command's stdin is not needed yet"
            read, write = os.pipe()
            fds.append(write)
            opened.append(write)
            kept.append(read)
        else:  # a file descriptor of the caller's
            assert choice >= 0
            fds.append(choice)
            kept.append(None)
    message = {
        "args": list(args),
        "env": env,
        "cwd": str(cwd or os.getcwd()),  # as subprocess: the caller's, unless told
        "script": str(script or ""),
    }
    return _Request(json.dumps(message).encode(), fds, opened, kept[1], kept[2])


def _exit_status(answer: bytes) -> int:
    """The exit status in the forker's message that a command ended."""
    assert answer, "the CLI forker went away before the command ended"
    return int(json.loads(answer)["returncode"])


class _Started:
    """A started command: its pid, and the socket its end is told on."""

    def __init__(self, sock: socket.socket, pid: int) -> None:
        self._sock = sock
        self.pid = pid
        self.returncode: int | None = None

    def _ended(self, answer: bytes) -> int:
        self.returncode = _exit_status(answer)
        self._sock.close()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)


class CliProcess(_Started):
    """A started command, as asyncio.subprocess.Process has it (the parts tests use)."""

    def __init__(self, sock: socket.socket, pid: int, out: int | None, err: int | None) -> None:
        super().__init__(sock, pid)
        self._out, self._err = out, err

    async def wait(self) -> int:
        if self.returncode is None:
            return self._ended(await asyncio.get_running_loop().sock_recv(self._sock, _MESSAGE))
        return self.returncode

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def communicate(self) -> tuple[bytes, bytes]:
        out, err, _ = await asyncio.gather(_read(self._out), _read(self._err), self.wait())
        return out, err


async def _read(fd: int | None) -> bytes:
    if fd is None:
        return b""

    def everything() -> bytes:
        with os.fdopen(fd, "rb") as stream:
            return stream.read()

    return await asyncio.to_thread(everything)


async def start(
    args: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    script: Path | None = None,
    stdin: int | None = None,
    stdout: int | None = PIPE,
    stderr: int | None = PIPE,
) -> CliProcess:
    """`python -m bot.runtime.cli *args` (or `script *args`), started, as
    asyncio.create_subprocess_exec starts it; stdout and stderr piped unless told."""
    _forker()  # made here, on the loop's thread: two commands started at once share it
    sock, pid, request = await asyncio.to_thread(
        _started, args, env, cwd, script, stdin, stdout, stderr
    )
    sock.setblocking(False)  # its end is awaited on the loop (CliProcess.wait)
    return CliProcess(sock, pid, request.out, request.err)


def _started(
    args: Sequence[str],
    env: dict[str, str],
    cwd: Path | None,
    script: Path | None,
    stdin: int | None,
    stdout: int | None,
    stderr: int | None,
) -> tuple[socket.socket, int, _Request]:
    """The command started (its pid), from a blocking caller."""
    forker = _forker()
    deadline = time.monotonic() + 60
    while (sock := forker.connect()) is None:
        assert time.monotonic() < deadline, "the CLI forker did not listen in 60 s"
        time.sleep(0.01)
    request = _request(args, env, cwd, script, stdin, stdout, stderr)
    try:
        socket.send_fds(sock, [request.message], request.fds)
    finally:
        request.close_sent()
    answer = sock.recv(_MESSAGE)
    assert answer, f"the CLI forker went away: {forker.said()}"
    return sock, int(json.loads(answer)["pid"]), request


def run(
    args: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    script: Path | None = None,
    stdin: int | None = None,
    stdout: int | None = None,
    stderr: int | None = None,
    capture_output: bool = False,
    text: bool = False,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[Any]:
    """The command run to its end, as subprocess.run runs it (these of its options)."""
    if capture_output:
        assert stdout is None and stderr is None, "capture_output, or stdout and stderr"
        stdout = stderr = PIPE
    sock, pid, request = _started(args, env, cwd, script, stdin, stdout, stderr)
    with sock:
        try:
            out, err, code = _collect(sock, request.out, request.err, timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            raise
    if text:
        return subprocess.CompletedProcess(list(args), code, _text(out), _text(err))
    return subprocess.CompletedProcess(list(args), code, out, err)


class CliPopen(_Started):
    """A started command, as subprocess.Popen has it (the parts tests use), its stdout
    and stderr read as text."""

    def __init__(self, sock: socket.socket, pid: int, out: int | None, err: int | None) -> None:
        super().__init__(sock, pid)
        self.stdout = None if out is None else os.fdopen(out, encoding=_ENCODING)
        self.stderr = None if err is None else os.fdopen(err, encoding=_ENCODING)

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._sock.settimeout(timeout)
            try:
                answer = self._sock.recv(_MESSAGE)
            except TimeoutError:
                raise subprocess.TimeoutExpired("loopkeeper", timeout or 0) from None
            return self._ended(answer)
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[Any, Any]:  # as typeshed has it
        """The rest of stdout and stderr, once the command has ended."""
        with ThreadPoolExecutor(2) as pool:
            reads = [pool.submit(_rest, stream) for stream in (self.stdout, self.stderr)]
            self.wait(timeout)
            out, err = (read.result(timeout=timeout) for read in reads)
        return out, err


def _rest(stream: IO[str] | None) -> str | None:
    if stream is None:
        return None
    with stream:
        return stream.read()


def popen(
    args: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    script: Path | None = None,
    stdout: int | None = PIPE,
    stderr: int | None = PIPE,
) -> CliPopen:
    """The command started, as subprocess.Popen(text=True) starts it."""
    sock, pid, request = _started(args, env, cwd, script, None, stdout, stderr)
    return CliPopen(sock, pid, request.out, request.err)


def _collect(
    sock: socket.socket, out: int | None, err: int | None, timeout: float | None
) -> tuple[bytes | None, bytes | None, int]:
    """Read the pipes to their end, then the exit status, as Popen.communicate() does."""
    deadline = None if timeout is None else time.monotonic() + timeout
    read: dict[int, bytearray] = {fd: bytearray() for fd in (out, err) if fd is not None}
    code: int | None = None
    with selectors.DefaultSelector() as selector:
        for fd in read:
            selector.register(fd, selectors.EVENT_READ)
        selector.register(sock, selectors.EVENT_READ)
        while selector.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired("loopkeeper", timeout or 0)
            for key, _ in selector.select(left):
                if key.fileobj is sock:
                    code = _exit_status(sock.recv(_MESSAGE))
                    selector.unregister(sock)
                    continue
                assert isinstance(key.fileobj, int)
                chunk = os.read(key.fileobj, 65536)
                if chunk:
                    read[key.fileobj] += chunk
                else:
                    selector.unregister(key.fileobj)
                    os.close(key.fileobj)
    assert code is not None
    return (
        None if out is None else bytes(read[out]),
        None if err is None else bytes(read[err]),
        code,
    )


def _text(data: bytes | None) -> str | None:
    # As subprocess's text mode: the locale's encoding, universal newlines.
    if data is None:
        return None
    return data.decode(_ENCODING).replace("\r\n", "\n").replace("\r", "\n")


if __name__ == "__main__":
    serve(sys.argv[1])
