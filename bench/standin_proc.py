"""The tests' Slack Web API stand-in, in its own process so its work (checking every
view and message as Slack would) does not run on the app's or the load's event loop.

Prints its Web API base URL, its response_url base and where to ask when the posts to
some response_urls arrived (GET <that>?prefix=act-: {name: time.monotonic()}, one clock
for the machine's processes) on the first line, runs until its stdin closes, then prints
one JSON line: calls per method and views Slack would have refused.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from collections import Counter

from aiohttp import web

from bench.common import BOT_TOKEN
from bot.playground.standin import SlackStandin

RESPONSE = "response_url:"


async def _stdin_closed() -> None:
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


async def _freeze_what_is_kept() -> None:
    """The stand-in keeps every call it receives, so its heap only grows, and each of
    Python's full collections walks all of it: by the end of a run that paused the
    stand-in (the benchmark's Slack) for up to 190 ms, and every click waiting on its
    response_url with it, a pause of this process and not of the app. Each second, what
    is kept so far is collected once and frozen out of later collections."""
    while True:
        await asyncio.sleep(1.0)
        gc.collect()
        gc.freeze()


async def main() -> None:
    freezing = asyncio.create_task(_freeze_what_is_kept())
    async with SlackStandin(token=BOT_TOKEN) as slack:

        async def arrivals(request: web.Request) -> web.Response:
            prefix = RESPONSE + request.query.get("prefix", "")
            posts = [c for c in slack.calls if c.method.startswith(prefix)]
            return web.json_response({c.method[len(RESPONSE) :]: c.at for c in posts})

        app = web.Application()
        app.router.add_get("/arrivals", arrivals)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        arrivals_url = f"http://127.0.0.1:{runner.addresses[0][1]}/arrivals"
        # response_url("x") ends in "/x"; the parent appends its own names.
        print(slack.url, slack.response_url("x")[:-1], arrivals_url, flush=True)
        await _stdin_closed()
        freezing.cancel()
        await runner.cleanup()
        methods = Counter(call.method.split(":")[0] for call in slack.calls)
        failed = sum(1 for call in slack.calls if call.status != 200)
        summary = {"calls": dict(methods), "non_200": failed, "invalid": slack.invalid[:5]}
        print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
