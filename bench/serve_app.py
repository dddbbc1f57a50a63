"""Serve Loopkeeper, or the bare Bolt floor, with uvicorn on a socket the parent bound.

    python -m bench.serve_app loopkeeper|bare --fd N
    python -m bench.serve_app loopkeeper|bare --port P --workers N

Settings come from the environment, as for `loopkeeper serve`. Both apps run the same
stack (Starlette, Bolt's Starlette adapter, uvicorn with the same options, Bolt's
request signature check, process_before_response=True); the bare one only acks, so
the difference between the two is Loopkeeper's own work.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import tempfile

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.runtime import workers
from bot.runtime.logs import configure
from bot.runtime.settings import load_settings
from bot.slack.app import create_asgi, make_client, settle_gc


def loopkeeper() -> Starlette:
    settings = load_settings()
    configure(settings.log_level, settings.log_format)  # as `loopkeeper serve` does
    app = create_asgi(settings)
    settle_gc()
    return app


def bare() -> Starlette:
    """The floor: Bolt as Loopkeeper configures it, with listeners that only ack."""
    settings = load_settings()
    configure(settings.log_level, settings.log_format)
    bolt = AsyncApp(
        client=make_client(settings),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    bolt.command("/hire")(only_ack)
    bolt.action(re.compile(".*"))(only_ack)
    bolt.view(re.compile(".*"))(only_ack)
    handler = AsyncSlackRequestHandler(bolt)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    settle_gc()  # the same collector settings as Loopkeeper's server
    return app


APPS = {"loopkeeper": loopkeeper, "bare": bare}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app", choices=sorted(APPS))
    parser.add_argument("--fd", type=int, help="a listening socket to serve on (one process)")
    parser.add_argument("--port", type=int, help="the loopback port the workers bind")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    args = parser.parse_args()
    if args.workers == 1:
        config = uvicorn.Config(APPS[args.app](), log_level="warning", lifespan="on")
        print(f"serving {args.app}", flush=True)  # the line the parent waits for
        uvicorn.Server(config).run(sockets=[socket.socket(fileno=args.fd)])
        return
    # What `loopkeeper serve --workers N` runs (bot.runtime.workers): each worker binds the port
    # itself and builds the app in its own process, with its metrics in files of one
    # directory (bot.runtime.metrics), so GET /metrics adds up every worker, background
    # tasks included: the benchmark reads it to know when a server's work is done.
    metrics_dir = tempfile.mkdtemp(prefix="loopkeeper-bench-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    print(f"serving {args.app} with {args.workers} workers", flush=True)
    options = {"host": "127.0.0.1", "port": args.port, "log_level": "warning", "lifespan": "on"}
    try:
        workers.run(args.workers, options, grace_seconds=5, app=f"bench.serve_app:{args.app}")
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
