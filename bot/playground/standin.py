"""A stand-in for Slack's Web API: the playground's Slack, and the tests'.

The app's `AsyncWebClient(base_url=standin.url)` talks to a real HTTP server on
127.0.0.1 (port 0), so every call goes through slack-sdk's own aiohttp code,
retry handlers and error handling, exactly as it would against Slack. Answers
have the shapes of Slack's Web API documentation (docs/slack.md). Views and
messages are checked against Block Kit's limits, and what Slack would reject is
both refused (as Slack does) and written to `invalid`, so a test fails even when
the app swallows the error.

It also keeps what a workspace would show (`Conversations`): the messages of each
conversation, edits, deletions, ephemeral answers and files, each person's open
modals and Home tab. The playground renders those; tests may read them.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import functools
import json
import mimetypes
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn, Self

from aiohttp import web
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement
from slack_sdk.models.views import View

TEAM_ID = "T111"
TEAM_NAME = "Test Team"
APP_ID = "A111"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
BOT_NAME = "loopkeeper"

# Fields that Slack takes as JSON strings in form bodies; decoded so tests see objects.
JSON_FIELDS = ("view", "blocks", "attachments", "metadata")

MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_TEXT = 24  # title, submit, close
MAX_PRIVATE_METADATA = 3000
MAX_ID = 255  # callback_id, block_id, action_id, external_id
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_VIEW_BYTES = 250_000
MAX_MODAL_STACK = 3


@dataclass
class Call:
    """One request the stand-in received, in arrival order."""

    method: str  # "chat.postMessage", or "response_url:<name>" for response_url posts
    args: dict[str, Any]  # form, JSON and query arguments merged; JSON-string fields decoded
    headers: dict[str, str]
    status: int = 200  # what the stand-in answered, so tests can inspect
    response: dict[str, Any] | None = None  # the view id/hash or ts handed out
    # When it arrived (time.monotonic, one clock for every process of the machine): the
    # benchmark times a click to its card's arrival here.
    at: float = field(default_factory=time.monotonic, compare=False)


_DROPPED = 0  # a scripted reply that closes the connection instead of answering


@dataclass(frozen=True)
class _Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    page: str | None = None  # answered instead of `body`: a proxy's page, not JSON
    content_type: str = "application/json"


class _ApiError(Exception):
    """An `{"ok": false}` answer, raised from inside a method handler."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)

    def reply(self) -> _Reply:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return _Reply(200, body)


class SlackStandin:
    """Plays Slack's Web API on loopback; use `async with SlackStandin() as slack:`."""

    def __init__(
        self,
        token: str = "xoxb-test-token",
        app_token: str = "xapp-test-token",
        *,
        now: Callable[[], float] = time.time,
        keep_calls: bool = True,
    ) -> None:
        self.token = token
        self.app_token = app_token
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connected: asyncio.Event | None = None
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.calls: list[Call] = []
        self.invalid: list[str] = []
        self._base: str | None = None
        self._runner: web.AppRunner | None = None
        self._arrived: asyncio.Condition | None = None
        self._scripts: dict[str, deque[_Reply]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        # What conversations.info tells of a channel; one it does not know is a private
        # channel Loopkeeper was not invited to, which Slack calls channel_not_found.
        self._channels: dict[str, dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._external_ids: dict[str, str] = {}
        self._home_ids: dict[str, str] = {}
        self._used_triggers: set[str] = set()
        self._delays: dict[str, deque[float]] = {}
        self._holding: Counter[str] = Counter()
        # file id -> {"filename", "length", "bytes"}: what files.getUploadURLExternal
        # promised and what was then posted to the upload URL.
        self.files: dict[str, dict[str, Any]] = {}
        # Message timestamps follow `now`: the playground's clock moves, and a message
        # sent "a day later" must say so.
        self._now = now
        self._seq = 0
        # A long-running playground keeps no call log; tests do.
        self.keep_calls = keep_calls
        # Bumped on every change a person could see; `changes` waiters wake on it.
        self.version = 0
        self.closing = False  # set on shutdown: no waiter waits any longer
        self.conversations: dict[str, list[dict[str, Any]]] = {}
        self.modals: dict[str, list[str]] = {}  # user id -> stack of open modal view ids
        # Who a trigger_id or response_url belongs to: Slack knows, so the stand-in must.
        self.trigger_users: dict[str, str] = {}
        self.response_targets: dict[str, dict[str, Any]] = {}
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.info": self._files_info,
        }

    # ---- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        """Serve on 127.0.0.1 at a free port chosen by the OS."""
        # Created here, not in __init__, so it belongs to the loop the test runs in.
        self._arrived = asyncio.Condition()
        self._socket_connected = asyncio.Event()
        app = web.Application()
        app.router.add_get("/socket", self._on_socket)
        app.router.add_post("/upload/{file_id}", self._on_upload)
        app.router.add_get("/files-pri/{file_id}/{name}", self._on_download)
        app.router.add_route("*", "/api/{method}", self._on_api)
        app.router.add_post("/response/{name}", self._on_response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self._base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Web API base URL; the trailing slash matters, slack-sdk joins method names to it."""
        return f"{self._started_base()}/api/"

    def response_url(self, name: str = "default") -> str:
        """A response_url whose posts are recorded as Call("response_url:<name>", body)."""
        return f"{self._started_base()}/response/{name}"

    # ---- what tests read -------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    # A timeout argument on purpose: tests read better with it than wrapped in asyncio.timeout.
    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait until `count` calls to `method` arrived; returns all calls to it."""
        arrived = self._arrived
        assert arrived is not None, "SlackStandin.start() was not awaited"
        try:
            async with asyncio.timeout(timeout), arrived:
                await arrived.wait_for(lambda: len(self.calls_to(method)) >= count)
        except TimeoutError:
            seen = ", ".join(call.method for call in self.calls) or "none"
            got = len(self.calls_to(method))
            raise AssertionError(
                f"waited {timeout}s for {count} call(s) to {method}, got {got}; calls seen: {seen}"
            ) from None
        return self.calls_to(method)

    def reset(self) -> None:
        """Forget the calls seen so far (scripted failures and state stay)."""
        self.calls.clear()

    # ---- what tests script -----------------------------------------------------

    def fail_next(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next `times` calls with HTTP 200 {"ok": false, "error": error}."""
        self._script(method, _Reply(200, {"ok": False, "error": error}), times)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer HTTP 429 with Retry-After, as Slack does; retry_after=0 keeps tests fast."""
        reply = _Reply(
            429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        )
        self._script(method, reply, times)

    def server_error_next(self, method: str, status: int = 500, times: int = 1) -> None:
        error = "service_unavailable" if status == 503 else "internal_error"
        self._script(method, _Reply(status, {"ok": False, "error": error}), times)

    def expire_next(self, name: str, times: int = 1) -> None:
        """The next post to response_url(name) finds it expired, as Slack answers one used
        past its 30 minutes: HTTP 404, `expired_url`."""
        self._script(f"response_url:{name}", _Reply(404, {}, page="expired_url"), times)

    def drop_next(self, name: str, times: int = 1) -> None:
        """The next post to response_url(name) loses its connection before any answer, as a
        kept-alive connection closed at the other end does (recorded with status 0)."""
        self._script(f"response_url:{name}", _Reply(_DROPPED, {}), times)

    def html_next(self, method: str, times: int = 1, *, content_type: str = "text/html") -> None:
        """Answer HTTP 200 with an HTML page, as a proxy or captive portal in the way does;
        content_type="application/json" plays one that also mislabels it."""
        page = "<html><body><h1>Service temporarily unavailable</h1></body></html>"
        reply = _Reply(200, {"ok": False, "error": "html"}, page=page, content_type=content_type)
        self._script(method, reply, times)

    def set_user(
        self,
        user_id: str,
        *,
        tz: str = "UTC",
        tz_offset: int = 0,
        real_name: str | None = None,
        display_name: str = "",
        deleted: bool = False,
        is_bot: bool = False,
    ) -> None:
        """What users.info tells about `user_id`."""
        self._users[user_id] = _user_object(
            user_id,
            tz=tz,
            tz_offset=tz_offset,
            real_name=real_name,
            display_name=display_name,
            deleted=deleted,
            is_bot=is_bot,
        )

    def set_channel(self, channel_id: str, name: str, *, private: bool) -> None:
        """What conversations.info tells about `channel_id` (Loopkeeper is in it)."""
        self._channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": private,
            "is_archived": False,
            "is_member": True,
        }

    # ---- HTTP plumbing ---------------------------------------------------------

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Answer the next calls to `method` only after `seconds`: a slow or hung Slack."""
        self._delays.setdefault(method, deque()).extend([seconds] * times)

    def holding(self, method: str) -> int:
        """How many calls to `method` delay_next is holding right now (they are recorded
        in `calls` only once answered)."""
        return self._holding[method]

    async def _held(self, method: str) -> None:
        delays = self._delays.get(method)
        if delays:
            # Real waiting on purpose: this plays the network, not the calendar.
            self._holding[method] += 1
            try:
                await asyncio.sleep(delays.popleft())
            finally:
                self._holding[method] -= 1

    async def _on_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        await self._held(method)
        args, reply = await _read_args(request)
        token = _bearer(request.headers.get("Authorization")) or args.pop("token", None)
        # A scripted failure wins, so tests get exactly the answer they asked for.
        reply = reply or self._next_script(method) or self._answer(method, args, token)
        return await self._finish(Call(method, args, dict(request.headers)), reply)

    async def _on_response_url(self, request: web.Request) -> web.Response:
        method = f"response_url:{request.match_info['name']}"
        args, reply = await _read_args(request)
        reply = reply or self._next_script(method) or self._answer_response_url(method, args)
        if reply.status == _DROPPED:  # the connection goes, with no answer on it
            await self._record(Call(method, args, dict(request.headers), status=_DROPPED))
            assert request.transport is not None
            request.transport.close()
            return web.Response()  # never reaches the client
        return await self._finish(Call(method, args, dict(request.headers)), reply)

    async def _finish(self, call: Call, reply: _Reply) -> web.Response:
        call.status, call.response = reply.status, reply.body
        await self._record(call)
        if reply.page is not None:
            return web.Response(
                text=reply.page,
                status=reply.status,
                headers=reply.headers,
                content_type=reply.content_type,
            )
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    async def _record(self, call: Call) -> None:
        arrived = self._arrived
        assert arrived is not None, "SlackStandin.start() was not awaited"
        async with arrived:
            if self.keep_calls:
                self.calls.append(call)
            self.version += 1
            arrived.notify_all()

    async def changed(self) -> None:
        """Say that something a person sees changed outside a Web API call."""
        await self._record_change()

    async def _record_change(self) -> None:
        arrived = self._arrived
        assert arrived is not None, "SlackStandin.start() was not awaited"
        async with arrived:
            self.version += 1
            arrived.notify_all()

    async def changes(self, since: int, timeout: float) -> int:  # noqa: ASYNC109
        """Wait until the version passes `since` (or `timeout` runs out); the version."""
        arrived = self._arrived
        assert arrived is not None, "SlackStandin.start() was not awaited"
        try:
            async with asyncio.timeout(timeout), arrived:
                await arrived.wait_for(lambda: self.version > since or self.closing)
        except TimeoutError:
            pass
        return self.version

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> _Reply:
        if not token:
            return _ApiError("not_authed").reply()
        # Socket Mode connects with the app-level token; everything else takes the bot's.
        if method == "apps.connections.open":
            if token != self.app_token:
                return _ApiError("invalid_auth").reply()
            return _Reply(200, {"ok": True, **self._apps_connections_open(args)})
        if token != self.token:
            return _ApiError("invalid_auth").reply()
        handler = self._handlers.get(method)
        if handler is None:
            return _ApiError("unknown_method").reply()
        try:
            return _Reply(200, {"ok": True, **handler(args)})
        except _ApiError as exc:
            return exc.reply()

    def _answer_response_url(self, method: str, body: dict[str, Any]) -> _Reply:
        # No five-post limit here: a test reuses one name for many interactions, where
        # Slack would hand out a fresh response_url each time.
        if body.get("delete_original"):
            self._respond(method.removeprefix("response_url:"), body)
            return _Reply(200, {"ok": True})
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return _Reply(400, {"ok": False, "error": "no_text"})
        problems = self._check_message(method, body)
        if problems:
            return _Reply(400, {"ok": False, "error": "invalid_blocks"})
        self._respond(method.removeprefix("response_url:"), body)
        return _Reply(200, {"ok": True})

    def _script(self, method: str, reply: _Reply, times: int) -> None:
        self._scripts.setdefault(method, deque()).extend([reply] * times)

    def _next_script(self, method: str) -> _Reply | None:
        queue = self._scripts.get(method)
        return queue.popleft() if queue else None

    def _started_base(self) -> str:
        if self._base is None:
            raise RuntimeError("SlackStandin.start() was not awaited")
        return self._base

    # ---- Socket Mode ---------------------------------------------------------------

    async def socket_request(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Send one Socket Mode envelope (`slash_commands`, `interactive`, `events_api`)
        over the app's websocket and return its ack: {"envelope_id", "payload"?}."""
        assert self._socket_connected is not None
        await asyncio.wait_for(self._socket_connected.wait(), timeout)
        envelope_id = secrets.token_hex(8)
        acked: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = acked
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "payload": payload,
                "type": kind,
                "accepts_response_payload": kind != "events_api",
            }
        )
        return await asyncio.wait_for(acked, timeout)

    async def _on_socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {"host": "standin", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A111"},
            }
        )
        assert self._socket_connected is not None
        self._socket_connected.set()
        async for message in ws:
            if message.type != web.WSMsgType.TEXT:
                continue
            ack = json.loads(message.data)
            waiting = self._acks.pop(ack.get("envelope_id", ""), None)
            if waiting is not None and not waiting.done():
                waiting.set_result(ack)
        return ws

    async def _on_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        promised = self.files.get(file_id)
        if promised is None:
            return web.Response(status=404, text="unknown upload")
        promised["bytes"] = data
        call = Call(f"upload:{file_id}", {"length": len(data)}, dict(request.headers))
        await self._record(call)
        # Slack's upload endpoint answers in plain text.
        return web.Response(status=200, text=f"OK - {len(data)}")

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = _require(args, "filename", "invalid_arguments")
        length = str(args.get("length", ""))
        if not length.isdecimal() or int(length) <= 0:
            raise _ApiError("invalid_arguments", "length must be a positive integer")
        file_id = f"F{self._next_seq():08d}"
        self.files[file_id] = {"filename": filename, "length": int(length), "bytes": None}
        return {"upload_url": f"{self._started_base()}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        raw = args.get("files")
        files = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(files, list) or not files:
            raise _ApiError("invalid_arguments", "files is required")
        done = []
        for item in files:
            promised = self.files.get(str(item.get("id")))
            if promised is None or promised["bytes"] is None:
                raise _ApiError("file_not_found")
            if len(promised["bytes"]) != promised["length"]:
                raise _ApiError("file_upload_size_mismatch")
            done.append({"id": item["id"], "title": item.get("title") or promised["filename"]})
        channel = args.get("channel_id") or args.get("channels")
        if isinstance(channel, str) and channel:
            message = _message({"text": args.get("initial_comment") or ""}, self._next_ts())
            message["files"] = [self._file_summary(f["id"], f["title"]) for f in done]
            self._keep(channel.split(",")[0], message)
        return {"files": done}

    def share_file(
        self, user: str, filename: str, data: bytes, *, mimetype: str | None = None
    ) -> dict[str, Any]:
        """A person shares a file in their DM with the app: the file is kept (files.info
        and its download URL answer for it) and the message shows it. Returns the file
        object the `message` event of subtype `file_share` carries."""
        file_id = f"F{self._next_seq():08d}"
        self.files[file_id] = {
            "filename": filename,
            "length": len(data),
            "bytes": data,
            "user": user,
            "mimetype": mimetype,
        }
        message: dict[str, Any] = {"ts": self._next_ts(), "user": user, "text": ""}
        message["files"] = [self._file_summary(file_id, filename)]
        self._keep("D" + user, message)
        return self._file_object(file_id)

    def _file_object(self, file_id: str) -> dict[str, Any]:
        """A file as files.info describes it (the fields Loopkeeper reads, and a few more)."""
        info = self.files[file_id]
        name = info["filename"]
        kind = info.get("mimetype") or mimetypes.guess_type(name)[0] or "application/octet-stream"
        download = f"{self._started_base()}/files-pri/{TEAM_ID}-{file_id}/{name}"
        return {
            "id": file_id,
            "created": int(self._now()),
            "name": name,
            "title": name,
            "mimetype": kind,
            "filetype": name.rsplit(".", 1)[-1].lower() if "." in name else "binary",
            "user": info.get("user", BOT_USER_ID),
            "size": info["length"],
            "mode": "hosted",
            "is_external": False,
            "url_private": download,
            "url_private_download": download + "?download=1",
        }

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = _require(args, "file", "file_not_found")
        if self.files.get(file_id, {}).get("bytes") is None:
            raise _ApiError("file_not_found")
        return {"file": self._file_object(file_id)}

    async def _on_download(self, request: web.Request) -> web.Response:
        """A file's url_private: its bytes with the bot token, else (as Slack does) the
        sign-in page, with status 200."""
        file_id = request.match_info["file_id"].removeprefix(f"{TEAM_ID}-")
        info = self.files.get(file_id)
        call = Call(f"download:{file_id}", dict(request.query), dict(request.headers))
        await self._record(call)
        if _bearer(request.headers.get("Authorization")) != self.token:
            return web.Response(
                status=200, text="<html>Sign in to Slack</html>", content_type="text/html"
            )
        if info is None or info["bytes"] is None:
            return web.Response(status=404, text="file not found")
        kind = mimetypes.guess_type(info["filename"])[0] or "application/octet-stream"
        return web.Response(status=200, body=info["bytes"], content_type=kind)

    def _file_summary(self, file_id: str, title: str) -> dict[str, Any]:
        name = self.files[file_id]["filename"]
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return {"id": file_id, "title": title, "name": name, "mimetype": kind}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self._started_base().replace("http://", "ws://") + "/socket"}

    # ---- Web API methods ---------------------------------------------------------

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://test-team.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _require(args, "channel", "channel_not_found")
        self._require_content(args)
        self._raise_if_invalid_message("chat.postMessage", args)
        # Posting to a user id lands in the DM with that user, and Slack answers with its id.
        if channel[:1] in ("U", "W"):
            channel = "D" + channel
        ts = self._next_ts()
        message = _message(args, ts)
        self._keep(channel, message)
        return {"channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel", "channel_not_found")
        _require(args, "user", "user_not_in_channel")
        self._require_content(args)
        self._raise_if_invalid_message("chat.postEphemeral", args)
        ts = self._next_ts()
        self._keep(args["channel"], _message(args, ts), ephemeral_to=args["user"])
        return {"message_ts": ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _require(args, "channel", "channel_not_found")
        # chat.update needs the conversation id (D…) that chat.postMessage answered, not a user id.
        if channel[:1] in ("U", "W"):
            raise _ApiError("channel_not_found")
        ts = _require(args, "ts", "message_not_found")
        self._require_content(args)
        self._raise_if_invalid_message("chat.update", args)
        text = args.get("text") or ""
        message = _message(args, ts)
        self._edit(channel, ts, message)
        return {"channel": channel, "ts": ts, "text": text, "message": message}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _require(args, "channel", "channel_not_found")
        ts = _require(args, "ts", "message_not_found")
        if self.find_message(channel, ts) is None:
            raise _ApiError("message_not_found")
        self.delete_message(channel, ts)
        return {"channel": channel, "ts": ts}

    def _views_open(self, args: dict[str, Any], method: str = "views.open") -> dict[str, Any]:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger_id:
            raise _ApiError("invalid_arguments", "[ERROR] missing required field: trigger_id")
        view = self._checked_view(method, args)
        if view.get("type") != "modal":
            self._reject_view(method, [f"{method} only takes a view of type modal"])
        # Slack hands a trigger_id out for a single use.
        if trigger_id in self._used_triggers:
            raise _ApiError("expired_trigger_id")
        user = self.trigger_users.get(trigger_id)
        stack = self.modals.get(user, []) if user else []
        if method == "views.push" and len(stack) >= MAX_MODAL_STACK:
            raise _ApiError("push_limit_reached")
        self._used_triggers.add(trigger_id)
        view_id = self._new_view_id()
        root = stack[0] if method == "views.push" and stack else view_id
        previous = stack[-1] if method == "views.push" and stack else None
        stored = self._store_view(view, view_id, root_view_id=root, previous_view_id=previous)
        if user:
            self.modals[user] = [*stack, view_id] if method == "views.push" else [view_id]
        return {"view": stored}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        # Same contract as views.open: a fresh trigger_id and a valid modal.
        return self._views_open(args, method="views.push")

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id") or self._external_ids.get(args.get("external_id") or "")
        if not args.get("view_id") and not args.get("external_id"):
            raise _ApiError(
                "invalid_arguments", "[ERROR] either view_id or external_id is required"
            )
        current = self._views.get(view_id or "")
        if current is None:
            raise _ApiError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        view = self._checked_view("views.update", args, updating=current["id"])
        stored = self._store_view(
            view,
            current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        return {"view": stored}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = args.get("user_id")
        if not user_id:
            raise _ApiError("invalid_arguments", "[ERROR] missing required field: user_id")
        # A user's Home tab keeps its view id across publishes; the hash changes.
        view_id = self._home_ids.setdefault(user_id, self._new_view_id())
        view = self._checked_view("views.publish", args, updating=view_id)
        if view.get("type") != "home":
            self._reject_view("views.publish", ["views.publish only takes a view of type home"])
        current = self._views.get(view_id)
        if args.get("hash") and current is not None and args["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        return {"view": self._store_view(view, view_id, root_view_id=view_id)}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = _require(args, "user", "user_not_found")
        user = self._users.get(user_id)
        if user is None:
            is_bot = user_id == BOT_USER_ID
            user = _user_object(user_id, tz="UTC", tz_offset=0, real_name=None, is_bot=is_bot)
        return {"user": copy.deepcopy(user)}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = _require(args, "channel", "channel_not_found")
        channel = self._channels.get(channel_id)
        if channel is None:
            raise _ApiError("channel_not_found")
        return {"channel": copy.deepcopy(channel)}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = args.get("users")
        if isinstance(users, list):
            users = ",".join(users)
        if not users:
            if args.get("channel"):
                return {"channel": {"id": args["channel"]}}
            raise _ApiError("users_list_not_supplied")
        first = users.split(",")[0].strip()
        return {"channel": {"id": "D" + first}}

    # ---- what a workspace shows ---------------------------------------------------

    def _keep(
        self, channel: str, message: dict[str, Any], *, ephemeral_to: str | None = None
    ) -> dict[str, Any]:
        kept = {
            "ts": message["ts"],
            "user": message.get("user", BOT_USER_ID),
            "text": message.get("text") or "",
            "blocks": copy.deepcopy(message.get("blocks")),
            "files": copy.deepcopy(message.get("files") or []),
            "edited": False,
            "ephemeral_to": ephemeral_to,
        }
        self.conversations.setdefault(channel, []).append(kept)
        return kept

    def post_ephemeral(
        self, channel: str, user: str, text: str, blocks: list[Any] | None = None
    ) -> dict[str, Any]:
        """An answer only `user` sees (a slash command's synchronous reply)."""
        message = {"ts": self._next_ts(), "text": text, "blocks": blocks}
        return self._keep(channel, message, ephemeral_to=user)

    def clock_epoch(self) -> float:
        return self._now()

    def post_as(self, user: str, channel: str, text: str) -> dict[str, Any]:
        """A person's own message (the playground's composer)."""
        ts = self._next_ts()
        return self._keep(channel, {"ts": ts, "user": user, "text": text})

    def find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        for message in self.conversations.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    def _edit(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        kept = self.find_message(channel, ts)
        if kept is not None:
            kept.update(text=message.get("text") or "", blocks=copy.deepcopy(message.get("blocks")))
            kept["edited"] = True

    def delete_message(self, channel: str, ts: str) -> None:
        messages = self.conversations.get(channel, [])
        self.conversations[channel] = [m for m in messages if m["ts"] != ts]

    def _respond(self, name: str, body: dict[str, Any]) -> None:
        """What Slack does with a post to a response_url it handed out for `name`."""
        target = self.response_targets.get(name)
        if target is None:
            return
        channel, original = target["channel"], target.get("ts")
        if body.get("delete_original"):
            if original:
                self.delete_message(channel, original)
            return
        if body.get("replace_original") and original and self.find_message(channel, original):
            self._edit(channel, original, body)
            return
        message = _message(body, self._next_ts())
        public = body.get("response_type") == "in_channel"
        self._keep(channel, message, ephemeral_to=None if public else target["user"])

    def modal_of(self, user: str) -> dict[str, Any] | None:
        """The modal on top of the person's stack, as Slack stores it."""
        stack = self.modals.get(user) or []
        return copy.deepcopy(self._views[stack[-1]]) if stack else None

    def close_modal(self, user: str, *, every: bool = False) -> None:
        stack = self.modals.get(user) or []
        self.modals[user] = [] if every else stack[:-1]

    def replace_modal(self, user: str, view: dict[str, Any]) -> dict[str, Any]:
        """A submission answered `response_action: update`: the top view changes."""
        stack = self.modals.get(user) or []
        current = self._views[stack[-1]]
        return self._store_view(
            view,
            current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )

    def push_modal(self, user: str, view: dict[str, Any]) -> dict[str, Any]:
        """A submission answered `response_action: push`."""
        stack = self.modals.get(user) or []
        view_id = self._new_view_id()
        stored = self._store_view(
            view,
            view_id,
            root_view_id=stack[0] if stack else view_id,
            previous_view_id=stack[-1] if stack else None,
        )
        self.modals[user] = [*stack, view_id][-MAX_MODAL_STACK:]
        return stored

    def view_problems_of(self, view: dict[str, Any]) -> list[str]:
        """Why Slack would refuse a view the app answered with (recorded in `invalid`)."""
        problems = view_problems(view)
        if problems:
            self.invalid.append(f"response_action: {'; '.join(problems)}")
        return problems

    def home_of(self, user: str) -> dict[str, Any] | None:
        view_id = self._home_ids.get(user)
        return copy.deepcopy(self._views[view_id]) if view_id in self._views else None

    def snapshot(self) -> dict[str, Any]:
        """Everything a person could see, as JSON, so a restart keeps it."""
        files = {
            file_id: {**info, "bytes": base64.b64encode(info["bytes"] or b"").decode()}
            for file_id, info in self.files.items()
        }
        # Modals close on a restart, as they do when Slack's client reloads: only the
        # Home tabs' views are worth keeping.
        homes = {view_id: self._views[view_id] for view_id in self._home_ids.values()}
        return {
            "seq": self._seq,
            "conversations": self.conversations,
            "views": homes,
            "home_ids": self._home_ids,
            "external_ids": {k: v for k, v in self._external_ids.items() if v in homes},
            "files": files,
        }

    def restore(self, saved: dict[str, Any]) -> None:
        self._seq = int(saved.get("seq", 0))
        self.conversations = saved.get("conversations", {})
        self._views = saved.get("views", {})
        self._home_ids = saved.get("home_ids", {})
        self._external_ids = saved.get("external_ids", {})
        self.files = {
            file_id: {**info, "bytes": base64.b64decode(info.get("bytes") or "")}
            for file_id, info in saved.get("files", {}).items()
        }

    # ---- Block Kit checks --------------------------------------------------------

    def _require_content(self, args: dict[str, Any]) -> None:
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise _ApiError("no_text")

    def _check_message(self, method: str, args: dict[str, Any]) -> list[str]:
        """Record what Slack would refuse (returned) or only warn about (not returned)."""
        blocks = args.get("blocks")
        if blocks is None:
            return []
        problems = message_problems(blocks)
        warnings = [] if args.get("text") else ["blocks given without a top-level text fallback"]
        if problems or warnings:
            self.invalid.append(f"{method}: {'; '.join(problems + warnings)}")
        return problems

    def _raise_if_invalid_message(self, method: str, args: dict[str, Any]) -> None:
        problems = self._check_message(method, args)
        if problems:
            raise _ApiError("invalid_blocks", *problems)

    def _checked_view(
        self, method: str, args: dict[str, Any], updating: str | None = None
    ) -> dict[str, Any]:
        view = args.get("view")
        if not isinstance(view, dict):
            self._reject_view(method, ["view is missing or not a JSON object"])
        if len(json.dumps(view)) > MAX_VIEW_BYTES:
            self.invalid.append(f"{method}: view is larger than {MAX_VIEW_BYTES} bytes")
            raise _ApiError("view_too_large")
        problems = view_problems(view)
        if problems:
            self._reject_view(method, problems)
        external_id = view.get("external_id")
        owner = self._external_ids.get(external_id) if external_id else None
        if owner is not None and owner != updating:
            raise _ApiError("duplicate_external_id")
        return view

    def _reject_view(self, method: str, problems: list[str]) -> NoReturn:
        self.invalid.append(f"{method}: {'; '.join(problems)}")
        raise _ApiError("invalid_arguments", *(f"[ERROR] {p}" for p in problems))

    # ---- state -------------------------------------------------------------------

    def _store_view(
        self,
        view: dict[str, Any],
        view_id: str,
        *,
        root_view_id: str,
        previous_view_id: str | None = None,
    ) -> dict[str, Any]:
        """Keep the view as Slack would echo it, with a fresh hash."""
        stored = _slack_view(view)
        stored.update(
            id=view_id,
            hash=f"{int(time.time())}.{secrets.token_hex(4)}",
            root_view_id=root_view_id,
            previous_view_id=previous_view_id,
        )
        self._views[view_id] = stored
        if stored["external_id"]:
            self._external_ids[stored["external_id"]] = view_id
        return copy.deepcopy(stored)

    def _new_view_id(self) -> str:
        return f"V{self._next_seq():08d}"

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _next_ts(self) -> str:
        # Same shape as Slack's ts ("1503435956.000247"), unique and increasing.
        return f"{int(self._now())}.{self._next_seq():06d}"


# ---- request parsing -------------------------------------------------------------


async def _read_args(request: web.Request) -> tuple[dict[str, Any], _Reply | None]:
    """Merge query, form and JSON arguments; slack-sdk uses all three."""
    args: dict[str, Any] = dict(request.query)
    try:
        if request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body is not an object")
            args.update(body)
        elif request.can_read_body:
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
    except ValueError:
        return args, _ApiError("invalid_json").reply()
    for name in JSON_FIELDS:
        if isinstance(args.get(name), str):
            try:
                args[name] = json.loads(args[name])
            except ValueError:
                return args, _ApiError(f"invalid_{name}_format").reply()
    return args, None


def _bearer(header: str | None) -> str | None:
    if header and header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    return None


def _require(args: dict[str, Any], name: str, error: str) -> str:
    value = args.get(name)
    if not value or not isinstance(value, str):
        raise _ApiError(error)
    return value


# ---- Slack-shaped objects ----------------------------------------------------------


def _message(args: dict[str, Any], ts: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "message",
        "text": args.get("text") or "",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "ts": ts,
    }
    for name in ("blocks", "attachments", "thread_ts", "metadata"):
        if args.get(name):
            message[name] = copy.deepcopy(args[name])
    if "blocks" in message:
        _fill_ids(message["blocks"])
    return message


def _slack_view(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted view with the fields Slack adds when it echoes a view back."""
    echoed: dict[str, Any] = {
        "team_id": TEAM_ID,
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "title": None,
        "submit": None,
        "close": None,
        "clear_on_close": False,
        "notify_on_close": False,
        "app_id": APP_ID,
        "app_installed_team_id": TEAM_ID,
        "bot_id": BOT_ID,
    }
    echoed.update(copy.deepcopy(view))
    echoed["state"] = {"values": {}}
    _fill_ids(echoed.get("blocks") or [])
    return echoed


def _fill_ids(blocks: list[Any]) -> None:
    """Slack invents block_id/action_id where the app gave none; so do we."""
    for block in blocks:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", secrets.token_urlsafe(4))
        for element in _interactive_elements(block):
            element.setdefault("action_id", secrets.token_urlsafe(4))


def _interactive_elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The elements of a block that carry an action_id (not context texts or images)."""
    kind = block.get("type")
    if kind == "input":
        candidates = [block.get("element")]
    elif kind == "section":
        candidates = [block.get("accessory")]
    elif kind == "actions":
        candidates = list(block.get("elements") or [])
    else:
        candidates = []
    return [e for e in candidates if isinstance(e, dict) and e.get("type") != "image"]


def _user_object(
    user_id: str,
    *,
    tz: str,
    tz_offset: int,
    real_name: str | None,
    display_name: str = "",
    deleted: bool = False,
    is_bot: bool = False,
) -> dict[str, Any]:
    name = user_id.lower()
    real = real_name if real_name is not None else f"User {user_id}"
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "real_name": real,
        "tz": tz,
        "tz_label": "Coordinated Universal Time" if tz == "UTC" else tz,
        "tz_offset": tz_offset,
        "deleted": deleted,
        "is_bot": is_bot,
        # Slack leaves display_name empty unless the person set one.
        "profile": {"real_name": real, "display_name": display_name},
    }


def blocks_text(blocks: Any) -> str:
    """Everything a person reads in a list of blocks, as one string."""
    parts: list[str] = []
    for key, value in _walk(blocks):
        if key == "text" and isinstance(value, dict) and isinstance(value.get("text"), str):
            if value.get("type") in {"mrkdwn", "plain_text"}:
                parts.append(value["text"])
        elif key in ("fields", "elements") and isinstance(value, list):
            parts += [
                item["text"]
                for item in value
                if isinstance(item, dict)
                and item.get("type") in {"mrkdwn", "plain_text"}
                and isinstance(item.get("text"), str)
            ]
    return "\n".join(parts)


def message_text(message: dict[str, Any]) -> str:
    """A message's fallback text and everything its blocks show."""
    return "\n".join([message.get("text") or "", blocks_text(message.get("blocks") or [])])


# ---- Block Kit validation ------------------------------------------------------------


# The checks go through slack-sdk's models and cost milliseconds for a status card, more
# than the app spends answering the click that sent it; the benchmark runs this stand-in
# on the machine it measures the app on. So each distinct view or message is checked
# once (by its JSON) and the reasons remembered: every one is still checked.
_CHECKED = 4096


def view_problems(view: dict[str, Any]) -> list[str]:
    """The reasons Slack would refuse this view (empty when it would take it)."""
    return list(_view_problems(json.dumps(view, sort_keys=True)))


@functools.lru_cache(maxsize=_CHECKED)
def _view_problems(text: str) -> tuple[str, ...]:
    view = json.loads(text)
    blocks = view.get("blocks") or []
    if not isinstance(blocks, list):
        return ("view.blocks is not a list",)
    problems = _view_field_problems(view, blocks) + _block_problems(blocks)
    if not problems:
        # slack-sdk's own validators, for whatever the checks above do not cover.
        problems = _model_problems(lambda: View(**view).to_dict())
    return tuple(problems)


def message_problems(blocks: Any) -> list[str]:
    """The reasons Slack would refuse these message blocks."""
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    return list(_message_problems(json.dumps(blocks, sort_keys=True)))


@functools.lru_cache(maxsize=_CHECKED)
def _message_problems(text: str) -> tuple[str, ...]:
    blocks = json.loads(text)
    problems = []
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        problems.append(f"{len(blocks)} blocks in a message, over {MAX_MESSAGE_BLOCKS}")
    return tuple(problems + _block_problems(blocks))


def _view_field_problems(view: dict[str, Any], blocks: list[Any]) -> list[str]:
    problems = []
    kind = view.get("type")
    if kind in ("modal", "home") and len(blocks) > MAX_VIEW_BLOCKS:
        problems.append(f"{len(blocks)} blocks in a {kind}, over {MAX_VIEW_BLOCKS}")
    for name in ("title", "submit", "close"):
        text = _text_of(view.get(name))
        if text is not None and len(text) > MAX_VIEW_TEXT:
            problems.append(f"{name} is {len(text)} characters, over {MAX_VIEW_TEXT}")
    if kind == "modal" and not _text_of(view.get("title")):
        problems.append("a modal needs a title")
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if kind == "modal" and has_input and not _text_of(view.get("submit")):
        problems.append("a modal with input blocks needs a submit button")
    metadata = view.get("private_metadata") or ""
    if len(metadata) > MAX_PRIVATE_METADATA:
        problems.append(f"private_metadata is {len(metadata)} characters, over 3000")
    for name in ("callback_id", "external_id"):
        value = view.get(name) or ""
        if len(value) > MAX_ID:
            problems.append(f"{name} is {len(value)} characters, over {MAX_ID}")
    return problems


def _block_problems(blocks: list[Any]) -> list[str]:
    """Checks shared by views and messages: models, ids, element types, options."""
    problems: list[str] = []
    seen_block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        parsed = Block.parse(block) if isinstance(block, dict) else None
        if parsed is None:
            problems.append(f"{where}: not a known block type")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_block_ids:
                problems.append(f"{where}: block_id {block_id!r} is used twice")
            seen_block_ids.add(block_id)
        # One reason per broken block is enough; the models' reason comes first.
        broken = _model_problems(parsed.to_dict) or _nested_problems(block)
        problems += [f"{where}: {p}" for p in broken]
    return problems


def _nested_problems(block: dict[str, Any]) -> list[str]:
    """What the models let through: unknown elements (they drop them silently),
    id lengths, options inside option_groups (left unchecked as dicts), and
    action_ids repeated within one block."""
    problems = [
        f"unknown element type {element.get('type')!r}"
        for element in _interactive_elements(block)
        if BlockElement.parse(element) is None
    ]
    action_ids: set[str] = set()
    for key, value in _walk(block):
        is_id = key in ("block_id", "action_id", "callback_id") and isinstance(value, str)
        if is_id and len(value) > MAX_ID:
            problems.append(f"{key} is {len(value)} characters, over {MAX_ID}")
        if key == "action_id" and isinstance(value, str):
            if value in action_ids:
                problems.append(f"action_id {value!r} is used twice in one block")
            action_ids.add(value)
        is_list = key in ("options", "option_groups") and isinstance(value, list)
        if is_list and len(value) > MAX_OPTIONS:
            problems.append(f"{len(value)} {key}, over {MAX_OPTIONS}")
        if is_list and key == "options":
            problems += _option_problems(value)
    return problems


def _option_problems(options: list[Any]) -> list[str]:
    problems = []
    for option in options:
        if not isinstance(option, dict):
            continue
        text = _text_of(option.get("text")) or ""
        value = option.get("value") or ""
        if len(text) > MAX_OPTION_TEXT:
            problems.append(f"option text is {len(text)} characters, over {MAX_OPTION_TEXT}")
        if len(value) > MAX_OPTION_VALUE:
            problems.append(f"option value is {len(value)} characters, over {MAX_OPTION_VALUE}")
    return problems


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a nested JSON structure."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _model_problems(serialise: Callable[[], object]) -> list[str]:
    try:
        serialise()
    except SlackObjectFormationError as exc:
        return [f"slack-sdk: {exc}"]
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        # A malformed dict fails inside the models before their validators run.
        return [f"slack-sdk could not build it: {exc!r}"]
    return []


def _text_of(text_object: Any) -> str | None:
    if isinstance(text_object, dict):
        return text_object.get("text")
    return text_object if isinstance(text_object, str) else None
