"""`loopkeeper serve --workers N`: N uvicorn servers, each with a listening socket of its own.

uvicorn's own multi-worker mode binds one socket in the parent and shares it. A
worker's event loop then accepts every connection waiting when it wakes, and
kept-alive connections (a proxy's, Slack's) stay with whichever worker took them:
in the benchmark, 10 connections opened together all landed on one worker of two,
and 50 split 42 to 8. Here each worker binds the address itself with SO_REUSEPORT,
and the kernel spreads new connections over the workers' sockets evenly, by a hash
of their addresses. uvicorn has an open pull request for this (encode/uvicorn#2472);
until it lands, this module supervises the workers: it starts another when one
dies, and on SIGTERM or SIGINT lets each finish its requests in flight.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger(__name__)

APP = "bot.slack.app:asgi_from_env"  # each worker builds its own app (uvicorn's app factory)
CHECK_SECONDS = 0.5  # how often the supervisor looks for a worker that died


class WorkerFailed(Exception):
    """A worker could not start its app (its log says why): restarting it would loop."""


def available() -> bool:
    """Does the kernel spread connections over sockets sharing a port? Linux does."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _socket(host: str, port: int, *, share: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said out loud: asyncio turns Nagle's algorithm off (TCP_NODELAY) only
    # on connections whose socket says TCP, and with it on, an answer written in two
    # pieces waited 40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if share:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _serve(app: str, options: dict[str, Any]) -> None:
    """One worker process: its own socket in the port's group, then uvicorn."""
    try:
        sock = _socket(options["host"], options["port"], share=True)
    except OSError as error:  # taken since the supervisor checked: restarting won't help
        log.error("worker cannot listen on %s:%s: %s", options["host"], options["port"], error)
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(uvicorn.Config(app, factory=True, **options))
    server.run(sockets=[sock])
    if not server.started:  # the app or its lifespan failed: say so to the supervisor
        sys.exit(STARTUP_FAILURE)


def run(workers: int, options: dict[str, Any], *, grace_seconds: float, app: str = APP) -> None:
    """Serve until SIGTERM or SIGINT. `options` are uvicorn.Config's (host and port
    included); `app` is an app factory's import path. Raises OSError when the address
    is taken, WorkerFailed when a worker cannot start."""
    # Bound without SO_REUSEPORT, so another server on the port is an error here, not
    # a silent partner sharing the traffic (the kernel groups sockets of one user).
    _socket(options["host"], options["port"], share=False).close()
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as uvicorn's

    def start() -> BaseProcess:
        process = context.Process(target=_serve, args=(app, options), name="loopkeeper-worker")
        process.start()
        return process

    stopping = threading.Event()
    previous = {
        signum: signal.signal(signum, lambda *_: stopping.set())
        for signum in (signal.SIGTERM, signal.SIGINT)
    }
    processes = [start() for _ in range(workers)]
    try:
        while not stopping.wait(CHECK_SECONDS):
            for n, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    raise WorkerFailed(f"worker {process.pid} could not start its app")
                log.warning(
                    "worker %s exited (code %s); starting another", process.pid, process.exitcode
                )
                processes[n] = start()
    finally:
        _stop(processes, grace_seconds)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop(processes: list[BaseProcess], grace_seconds: float) -> None:
    """SIGTERM each worker: uvicorn finishes the requests in flight and the app's
    lifespan the running sweep; a worker still running after the grace is killed."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace_seconds + 5
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            log.warning("worker %s did not stop in time; killing it", process.pid)
            process.kill()
            process.join()
