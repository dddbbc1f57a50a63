"""The bucketing of py-spy samples (bench.cpu_profile), on made-up stacks."""

from __future__ import annotations

from collections import Counter

from bench.cpu_profile import (
    BLOCK_KIT,
    BRIDGE,
    COMPILE,
    DRIVER,
    EVENT_LOOP,
    HTTP,
    JSON,
    OTHER,
    SCRAPES,
    SQLITE,
    Breakdown,
    bucket_of,
    buckets,
    frame_module,
    parse_raw,
)

LOOP = (
    "<module> (bench/serve_app.py:101)",
    "Server.run (uvicorn/server.py:67)",  # the server starting its loop: in every sample
    "run (asyncio/runners.py:190)",
    "BaseEventLoop.run_forever (asyncio/base_events.py:607)",
    "BaseEventLoop._run_once (asyncio/base_events.py:1922)",
    "Handle._run (asyncio/events.py:80)",
)
REQUEST = (
    *LOOP,
    "RequestResponseCycle.run_asgi (uvicorn/protocols/http/httptools_impl.py:416)",
    "Starlette.__call__ (starlette/applications.py:112)",
    "create_asgi.<locals>.slack_events (bot/slack/app.py:344)",
    "AsyncApp.async_dispatch (slack_bolt/app/async_app.py:560)",
    "status (handlers/commands.py:88)",
    "status_card (bot/readmodels/status.py:120)",
)
THREAD = (
    "Thread._bootstrap (threading.py:1002)",
    "Thread.run (threading.py:982)",
)


def test_a_frame_is_named_by_its_module_whether_py_spy_shortened_its_path_or_not() -> None:
    assert frame_module("Session.execute (sqlalchemy/orm/session.py:2261)") == (
        "sqlalchemy.orm.session",
        "execute",
    )
    full = "Session.execute (/srv/.venv/lib/python3.11/site-packages/sqlalchemy/orm/session.py:9)"
    assert frame_module(full)[0] == "sqlalchemy.orm.session"
    assert frame_module("dumps (/usr/lib/python3.11/json/__init__.py:231)")[0] == "json"
    in_root = "run (/work/app/.venv/lib/python3.11/site-packages/aiosqlite/core.py:63)"
    assert frame_module(in_root, ["/work/app"])[0] == "aiosqlite.core"
    assert frame_module("home (/work/app/bot/readmodels/home.py:5)", ["/work/app"])[0] == (
        "bot.readmodels.home"
    )
    assert frame_module("thread_run (libpython3.11.so.1.0)") == ("", "thread_run")


def test_a_sample_goes_to_the_innermost_frame_that_has_a_bucket() -> None:
    compiling = (
        *REQUEST,
        "Session.execute (sqlalchemy/orm/session.py:2261)",
        "SQLCompiler.visit_select (sqlalchemy/sql/compiler.py:4700)",
        "Pattern.sub (re/__init__.py:185)",  # no bucket of its own: its caller's
    )
    assert bucket_of(compiling) == COMPILE
    assert bucket_of(REQUEST) == "Loopkeeper: read models (bot.readmodels)"
    assert bucket_of(REQUEST[:-1]) == "Loopkeeper: listeners (handlers)"
    assert (
        bucket_of(REQUEST[:-3])
        == "Loopkeeper: Slack surface (bot.slack: app, guard, notify, metadata)"
    )
    assert bucket_of(REQUEST[:-4]) == HTTP
    card = (
        *REQUEST,
        "section (bot/slack/blocks/cards.py:40)",
        "Block.to_dict (slack_sdk/models/blocks/blocks.py:90)",
    )
    assert bucket_of(card) == BLOCK_KIT
    assert bucket_of((*card, "dumps (json/__init__.py:231)")) == JSON


def test_asyncio_under_the_driver_is_the_driver_s_hand_off() -> None:
    awaiting = (
        *REQUEST,
        "AsyncSession.execute (sqlalchemy/ext/asyncio/session.py:449)",
        "Connection._execute (aiosqlite/core.py:158)",
        "Future.__await__ (asyncio/futures.py:287)",
    )
    assert bucket_of(awaiting) == DRIVER
    assert bucket_of(awaiting[:-2]) == BRIDGE
    handing_back = (
        *THREAD,
        "_connection_worker_thread (aiosqlite/core.py:66)",
        "BaseEventLoop.call_soon_threadsafe (asyncio/base_events.py:809)",
    )
    assert bucket_of(handing_back) == DRIVER


def test_a_leaf_in_aiosqlite_s_thread_loop_is_sqlite3_at_work() -> None:
    assert bucket_of((*THREAD, "_connection_worker_thread (aiosqlite/core.py:63)")) == SQLITE
    converting = (
        *THREAD,
        "_connection_worker_thread (aiosqlite/core.py:63)",
        "convert_timestamp (sqlite3/dbapi2.py:66)",
    )
    assert bucket_of(converting) == SQLITE


def test_stacks_with_no_known_frame_under_the_loop_s_step_are_the_event_loop() -> None:
    assert bucket_of(LOOP[:-1]) == EVENT_LOOP
    assert bucket_of(LOOP) == EVENT_LOOP
    # A task whose coroutine starts in asyncio: who started it is not on the stack.
    assert bucket_of((*LOOP, "to_thread (asyncio/threads.py:25)")) == EVENT_LOOP
    assert bucket_of((*THREAD, "_worker (concurrent/futures/thread.py:81)")) == OTHER
    assert bucket_of(("<module> (spin.py:3)",)) == OTHER
    assert bucket_of(()) == OTHER


def test_the_benchmark_s_own_metrics_scrapes_are_told_apart() -> None:
    scrape = (
        *LOOP,
        "RequestResponseCycle.run_asgi (uvicorn/protocols/http/h11_impl.py:411)",
        "create_asgi.<locals>.metrics (/work/app/bot/slack/app.py:372)",
        "MultiProcessCollector.collect (prometheus_client/multiprocess.py:160)",
    )
    assert bucket_of(scrape, ["/work/app"]) == SCRAPES
    assert bucket_of(scrape) != SCRAPES  # not the app's module without its root


def test_py_spy_raw_lines_are_counted_by_bucket_and_shared_out_as_cpu_per_request() -> None:
    text = "\n".join(
        [
            ";".join(REQUEST) + " 6",
            ";".join((*REQUEST, "dumps (json/__init__.py:231)")) + " 3",
            ";".join(LOOP[:-1]) + " 1",
            "",
            "garbage",
        ]
    )
    stacks = parse_raw(text)
    assert sum(stacks.values()) == 10
    counts = buckets(stacks)
    assert counts == Counter(
        {"Loopkeeper: read models (bot.readmodels)": 6, JSON: 3, EVENT_LOOP: 1}
    )
    breakdown = Breakdown("command", "sqlite", 10, 100, 20.0, 2.0, counts)
    rows = breakdown.rows()
    assert rows[0] == ("Loopkeeper: read models (bot.readmodels)", 12.0, 60.0)
    assert [round(ms, 6) for _, ms, _ in rows] == [12.0, 6.0, 2.0]
    assert sum(share for _, _, share in rows) == 100.0
