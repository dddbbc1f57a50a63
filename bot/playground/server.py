"""Runs the playground: the real app, its stand-in Slack, and the page, in one process.

The app is built by `bot.slack.app.create_asgi` exactly as `loopkeeper serve` builds it;
the page and its JSON API are routes added beside /slack/events. People's actions
reach the app as signed HTTP requests over loopback (bot.playground.people).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot import store
from bot.playground import workspace
from bot.playground.clock import PlaygroundClock
from bot.playground.people import People, PlaygroundError
from bot.playground.sender import SlackSender
from bot.playground.standin import BOT_USER_ID, SlackStandin
from bot.runtime import migrate
from bot.runtime.settings import Settings
from bot.slack.app import create_asgi

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
BOT_TOKEN = "xoxb-playground"
DATABASE_FILE = "playground.db"
STATE_FILE = "playground.json"
LONG_POLL_SECONDS = 25.0
MAX_STOPS = 300  # sweeps on one move of the clock: a week of a busy pipeline's steps
SAVE_DELAY_SECONDS = 0.5
# Above the app's own 5 MB limit on a CSV, so a person sharing a larger one sees the
# app's answer to it, as in Slack; the cap only keeps the page's JSON in bounds.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_REQUEST_BYTES = MAX_FILE_BYTES * 4 // 3 + 64 * 1024  # the file in base64, and the rest
TOO_LARGE = (
    f"That file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, "
    "more than the playground takes."
)


@dataclass
class Playground:
    folder: Path
    clock: PlaygroundClock
    standin: SlackStandin
    people: People
    asgi: Starlette
    url: str = ""
    serving: asyncio.Task[None] | None = None
    last_read: dict[str, int] = field(default_factory=dict)  # "user|channel" -> message seq
    last_sweep: str | None = None
    suggestions: list[dict[str, str]] = field(default_factory=list)

    # ---- the clock ------------------------------------------------------------------

    async def advance(self, step: str, tz: str = workspace.HOME_TZ) -> str:
        """Move the app's time forward, sweeping at each moment on the way that has work
        (a clock's next step, a held alert's time) and at the new time, as the scheduler
        would have every minute in between: an interview's reminder half an hour before
        it is sent then, not skipped because the clock jumped past its start."""
        now = self.clock.now()
        if step == "hour":
            target = now + timedelta(hours=1)
        elif step == "day":
            target = now + timedelta(days=1)
        elif step == "monday":
            target = next_monday_nine(now, tz)
        else:
            raise PlaygroundError('The clock moves by "hour", "day" or "monday".')
        # First the sweep the scheduler's next tick would run now: what was changed a
        # moment ago (an interview just booked) is due for planning at that moment, which
        # a stop strictly after it would pass by, and its reminder with it. Then each stop
        # strictly after the last one, not after the clock: the wall clock runs on under
        # the offset while a sweep works, and a step due in those milliseconds (planned
        # from a person's action, to the microsecond) would wait for the end of the jump.
        stop = self.clock.now()
        sent = len((await self.asgi.state.sweeper.run(stop)).sent)
        await self.asgi.state.deps.background.drain(seconds=5)
        for _ in range(MAX_STOPS):
            async with self.asgi.state.deps.db.reader() as session:
                at = await store.alerts.next_due(session, after=stop)
            if at is None:
                break
            # The scheduler sweeps once a minute: what falls due within one minute goes
            # in one sweep, and each person gets one digest of it, not one per item.
            at = _next_minute(at)
            if at >= target:
                break
            self.clock.set(at)
            report = await self.asgi.state.sweeper.run(at)
            sent += len(report.sent)
            await self.asgi.state.deps.background.drain(seconds=5)
            stop = at
        self.clock.set(target)
        return await self.sweep(sent_before=sent)

    async def sweep(self, *, sent_before: int = 0) -> str:
        report = await self.asgi.state.sweeper.run(self.clock.now())
        sent = sent_before + len(report.sent)
        summary = f"{sent} message{'s' if sent != 1 else ''} sent"
        if report.postponed:
            summary += f", {report.postponed} held for working hours"
        self.last_sweep = summary
        await self.asgi.state.deps.background.drain(seconds=5)
        await self.standin.changed()
        return summary

    # ---- what one person sees -----------------------------------------------------

    def state_for(self, user: str) -> dict[str, Any]:
        person = workspace.BY_ID[user]
        channels = []
        messages: dict[str, list[dict[str, Any]]] = {}
        for channel_id in self.people.conversations_of(user):
            seen = self.people.messages_of(user, channel_id)
            messages[channel_id] = [_message_json(m) for m in seen]
            read = self.last_read.get(f"{user}|{channel_id}", 0)
            unread = sum(1 for m in seen if m["user"] != user and _seq(m["ts"]) > read)
            channels.append({**_channel_json(channel_id, user), "unread": unread})
        modal = self.standin.modal_of(user)
        return {
            "version": self.standin.version,
            "now_epoch": int(self.clock.epoch()),
            "now_iso": self.clock.now().isoformat(),
            "workspace": workspace.WORKSPACE_NAME,
            "me": _person_json(person),
            "people": [_person_json(p) for p in workspace.PEOPLE],
            "bot": {"id": BOT_USER_ID, "name": workspace.BOT_NAME},
            "channels": channels,
            "messages": messages,
            "home": self.standin.home_of(user),
            "modal": None
            if modal is None
            else {
                "view": modal,
                "errors": self.people.errors.get((user, modal["id"]), {}),
                "depth": len(self.standin.modals.get(user) or []),
            },
            "suggestions": self.suggestions,
            "last_sweep": self.last_sweep,
            "max_file_bytes": MAX_FILE_BYTES,
        }

    def mark_read(self, user: str, channel: str) -> None:
        seen = self.people.messages_of(user, channel)
        if seen:
            self.last_read[f"{user}|{channel}"] = max(_seq(m["ts"]) for m in seen)

    # ---- keeping it across restarts ----------------------------------------------------

    def save(self) -> None:
        saved = {
            "clock_offset_seconds": self.clock.offset.total_seconds(),
            "last_read": self.last_read,
            "last_sweep": self.last_sweep,
            "suggestions": self.suggestions,
            "slack": self.standin.snapshot(),
        }
        path = self.folder / STATE_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(saved))
        temporary.replace(path)  # a crash mid-write leaves the last good copy

    async def keep_saving(self) -> None:
        version = self.standin.version
        while True:
            version = await self.standin.changes(version, timeout=3600)
            await asyncio.sleep(SAVE_DELAY_SECONDS)  # one write for a burst of changes
            version = self.standin.version
            await asyncio.to_thread(self.save)


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise PlaygroundError(
            f"port {port} on {host} is taken ({error.strerror}). "
            f"Try `loopkeeper playground --port {port + 1}`."
        ) from None
    sock.listen(128)
    return sock


def _next_minute(moment: datetime) -> datetime:
    """The first whole minute at or after `moment`: when a once-a-minute sweep takes it."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def next_monday_nine(now: datetime, tz: str) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    days = (7 - local.weekday()) % 7
    candidate = (local + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=7)
    return candidate.astimezone(UTC)


def first_morning(now: datetime, tz: str = workspace.HOME_TZ) -> datetime:
    """Where a fresh playground's clock starts: 10:00 on the next working day (today if
    it is one and 10:00 is still ahead), so alerts that wait for working hours flow."""
    local = now.astimezone(ZoneInfo(tz))
    start = local.replace(hour=10, minute=0, second=0, microsecond=0)
    if start <= local:
        start += timedelta(days=1)
    while start.weekday() >= 5:
        start += timedelta(days=1)
    return start.astimezone(UTC)


def _seq(ts: str) -> int:
    return int(ts.partition(".")[2] or 0)


def _person_json(person: workspace.Person) -> dict[str, str]:
    return {"id": person.id, "name": person.name, "hat": person.hat, "tz": person.tz}


def _channel_json(channel_id: str, user: str) -> dict[str, str]:
    for channel in workspace.CHANNELS:
        if channel.id == channel_id:
            return {"id": channel.id, "name": channel.name, "kind": channel.kind}
    return {"id": channel_id, "name": workspace.BOT_NAME, "kind": "im"}


def _message_json(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "ts": message["ts"],
        "user": message["user"],
        "text": message["text"],
        "blocks": message["blocks"],
        "files": [{**f, "url": f"/playground/files/{f['id']}"} for f in message["files"]],
        "edited": message["edited"],
        "ephemeral": message["ephemeral_to"] is not None,
    }


# ---- the page's JSON API ------------------------------------------------------------------


def routes(playground: Playground) -> list[Route | Mount]:
    people = playground.people

    async def body_of(request: Request) -> dict[str, Any]:
        raw = bytearray()
        async for chunk in request.stream():  # read no further than any sane request
            raw += chunk
            if len(raw) > MAX_REQUEST_BYTES:
                raise PlaygroundError(TOO_LARGE)
        try:
            body = json.loads(bytes(raw) or b"{}")
        except ValueError:
            raise PlaygroundError("The request was not JSON.") from None
        if not isinstance(body, dict):
            raise PlaygroundError("The request was not a JSON object.")
        return body

    def person(value: object) -> str:
        if not isinstance(value, str) or value not in workspace.BY_ID:
            raise PlaygroundError("Pick a person of the playground first.")
        return value

    def text_of(body: dict[str, Any], name: str) -> str:
        value = body.get(name)
        if not isinstance(value, str):
            raise PlaygroundError(f"{name} is missing.")
        return value

    def api(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                answer = await handler(await body_of(request))
            except PlaygroundError as error:
                return JSONResponse({"ok": False, "error": str(error)}, 400)
            except OSError as error:  # the app itself is down or restarting
                log.warning("playground: the app did not answer: %r", error)
                return JSONResponse({"ok": False, "error": "Loopkeeper did not answer."}, 502)
            return JSONResponse({"ok": True, **(answer or {})})

        return endpoint

    async def say(body: dict[str, Any]) -> None:
        await people.say(person(body.get("as")), text_of(body, "channel"), text_of(body, "text"))

    async def share(body: dict[str, Any]) -> None:
        # The file comes as base64 in the JSON, as every other request here is JSON.
        user = person(body.get("as"))
        encoded = body.get("data")
        if not isinstance(encoded, str):
            raise PlaygroundError("Choose a file to share.")
        try:
            data = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise PlaygroundError(
                "The file did not arrive whole (its data is not base64)."
            ) from None
        if len(data) > MAX_FILE_BYTES:
            raise PlaygroundError(TOO_LARGE)
        await people.share(user, text_of(body, "filename"), data)

    async def action(body: dict[str, Any]) -> None:
        act = body.get("action")
        if not isinstance(act, dict) or not isinstance(act.get("action_id"), str):
            raise PlaygroundError("action is missing.")
        surface = body.get("surface")
        if surface not in ("message", "home", "modal"):
            raise PlaygroundError("surface is message, home or modal.")
        values = body.get("values")
        await people.click(
            person(body.get("as")),
            surface=surface,
            block_id=str(body.get("block_id") or ""),
            action=act,
            channel=body.get("channel"),
            ts=body.get("ts"),
            view_id=body.get("view_id"),
            values=values if isinstance(values, dict) else None,
        )

    async def submit(body: dict[str, Any]) -> dict[str, Any]:
        values = body.get("values")
        if not isinstance(values, dict):
            raise PlaygroundError("values is missing.")
        user = person(body.get("as"))
        errors = await people.submit(user, text_of(body, "view_id"), values)
        return {"errors": errors}

    async def close(body: dict[str, Any]) -> None:
        await people.close(person(body.get("as")), text_of(body, "view_id"))

    async def home(body: dict[str, Any]) -> None:
        # The app's page: its Home tab, or its Messages tab (Slack tells the app of both).
        tab = "messages" if body.get("tab") == "messages" else "home"
        await people.open_home(person(body.get("as")), tab=tab)

    async def read(body: dict[str, Any]) -> None:
        playground.mark_read(person(body.get("as")), text_of(body, "channel"))
        await playground.standin.changed()

    async def dismiss(body: dict[str, Any]) -> None:
        user = person(body.get("as"))
        await people.dismiss(user, text_of(body, "channel"), text_of(body, "ts"))

    async def clock(body: dict[str, Any]) -> dict[str, Any]:
        tz = workspace.BY_ID[body["as"]].tz if body.get("as") in workspace.BY_ID else None
        summary = await playground.advance(text_of(body, "step"), tz or workspace.HOME_TZ)
        return {"now_iso": playground.clock.now().isoformat(), "summary": summary}

    async def state(request: Request) -> Response:
        user = request.query_params.get("as", "")
        if user not in workspace.BY_ID:
            return JSONResponse({"ok": False, "error": "Pick a person of the playground."}, 400)
        since = request.query_params.get("since")
        if since is not None and since.isdecimal():
            await playground.standin.changes(int(since), timeout=LONG_POLL_SECONDS)
        return JSONResponse(playground.state_for(user))

    async def page(_: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def file(request: Request) -> Response:
        kept = playground.standin.files.get(request.path_params["file_id"])
        if kept is None or kept.get("bytes") is None:
            return Response("No such file", status_code=404)
        kind = "image/png" if kept["filename"].endswith(".png") else "application/octet-stream"
        return Response(kept["bytes"], media_type=kind)

    posts = {
        "say": say,
        "share": share,
        "action": action,
        "submit": submit,
        "close": close,
        "home": home,
        "read": read,
        "dismiss": dismiss,
        "clock": clock,
    }
    return [
        Route("/", page, methods=["GET"]),
        Route("/playground/api/state", state, methods=["GET"]),
        *(Route(f"/playground/api/{name}", api(h), methods=["POST"]) for name, h in posts.items()),
        Route("/playground/files/{file_id}", file, methods=["GET"]),
        Mount("/playground/static", StaticFiles(directory=STATIC), name="static"),
    ]


# ---- start-up ---------------------------------------------------------------------------


async def serve_playground(
    *,
    host: str = "127.0.0.1",
    port: int = 3000,
    fresh: bool = False,
    folder: Path | None = None,
    headline: str = "Loopkeeper playground",
) -> None:
    """`loopkeeper playground`: serve until interrupted, after one line that says what
    this is and how to serve real Slack instead."""
    async with running_playground(host=host, port=port, fresh=fresh, folder=folder) as playground:
        print(
            f"{headline}: open {playground.url} — a pretend workspace, nothing reaches "
            "Slack. To serve your Slack workspace instead, set SLACK_BOT_TOKEN and "
            "SLACK_SIGNING_SECRET (README: 'Set up the Slack app').",
            flush=True,
        )
        assert playground.serving is not None
        await playground.serving


class _Server(uvicorn.Server):
    """uvicorn, which on Ctrl-C or SIGTERM first answers the page's long polls: left
    waiting, they outlast the grace and are cancelled, each with a traceback in the log."""

    def __init__(self, config: uvicorn.Config, standin: SlackStandin) -> None:
        super().__init__(config)
        self._standin = standin

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._standin.closing = True
        await self._standin.changed()
        await super().shutdown(sockets)


@asynccontextmanager
async def running_playground(
    *, host: str = "127.0.0.1", port: int = 3000, fresh: bool = False, folder: Path | None = None
) -> AsyncIterator[Playground]:
    """The playground, seeded and listening; stopped and saved on the way out."""
    folder = folder or Path.cwd()
    # The port first: a second playground in the same folder must stop before it
    # touches the first one's files.
    sock = _listen(host, port)
    port = sock.getsockname()[1]
    database = folder / DATABASE_FILE
    if fresh:
        for name in (DATABASE_FILE, STATE_FILE):
            for path in folder.glob(name + "*"):
                path.unlink()
    saved_path = folder / STATE_FILE
    new = not database.exists() or not saved_path.exists()
    if new:
        for path in folder.glob(DATABASE_FILE + "*"):
            path.unlink()
    database_url = f"sqlite:///{database}"
    await asyncio.to_thread(migrate.upgrade, database_url)

    saved: dict[str, Any] = {} if new else json.loads(saved_path.read_text())
    clock = PlaygroundClock(timedelta(seconds=saved.get("clock_offset_seconds", 0)))
    if new:
        # Seeding replays the last two weeks; the clock ends at the first morning.
        clock.set(first_morning(datetime.now(UTC)))
    standin = SlackStandin(token=BOT_TOKEN, now=clock.epoch, keep_calls=False)
    if saved.get("slack"):
        standin.restore(saved["slack"])
    for person in workspace.PEOPLE:
        offset = ZoneInfo(person.tz).utcoffset(datetime.now(UTC).replace(tzinfo=None))
        standin.set_user(
            person.id,
            tz=person.tz,
            tz_offset=int(offset.total_seconds()) if offset else 0,
            real_name=person.name,
            display_name=person.name.split()[0],
        )
    for channel in workspace.CHANNELS:
        standin.set_channel(channel.id, channel.name, private=channel.kind == "private")
    async with standin:
        secret = secrets.token_hex(16)
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=secret,
            slack_api_url=standin.url,
            database_url=database_url,
            loopkeeper_admins=workspace.ADMIN.id,
            sweep_pace_seconds=0,
            home_redraw_delay_seconds=0.2,
            _env_file=None,
        )
        asgi = create_asgi(settings, clock=clock)
        loopback = "127.0.0.1" if host in ("0.0.0.0", "") else host
        sender = SlackSender(f"http://{loopback}:{port}", secret)
        playground = Playground(
            folder=folder,
            clock=clock,
            standin=standin,
            people=People(standin, sender),
            asgi=asgi,
            last_read=saved.get("last_read", {}),
            last_sweep=saved.get("last_sweep"),
            suggestions=saved.get("suggestions", []),
        )
        asgi.router.routes.extend(routes(playground))
        asgi.state.playground = playground
        server = _Server(
            uvicorn.Config(
                asgi,
                log_level="warning",
                lifespan="on",
                log_config=None,
                # The page's long polls would otherwise hold Ctrl-C for 25 s.
                timeout_graceful_shutdown=1,
            ),
            standin,
        )
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        playground.url = f"http://{loopback}:{port}"
        playground.serving = serving
        saving: asyncio.Task[None] | None = None
        try:
            while not server.started:
                if serving.done():
                    await serving
                    raise PlaygroundError("the server stopped while starting")
                await asyncio.sleep(0.02)
            if new:
                from bot.playground.seed import seed

                await seed(playground)
                playground.save()
            saving = asyncio.create_task(playground.keep_saving())
            yield playground
        finally:
            if saving is not None:
                saving.cancel()
                with suppress(asyncio.CancelledError):
                    await saving
            server.should_exit = True
            standin.closing = True
            await standin.changed()  # the page's long polls answer now, not in 25 s
            with suppress(asyncio.CancelledError):
                await serving
            playground.save()
            await sender.aclose()
            sock.close()
