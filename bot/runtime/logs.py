"""Logging: one JSON object per line in production, readable lines in development,
each carrying the request or sweep it belongs to."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import uuid
from datetime import UTC, datetime

# Set per Slack request and per sweep; asyncio tasks started inside inherit it.
trace_id: contextvars.ContextVar[str] = contextvars.ContextVar("trace_id", default="-")


def new_trace(prefix: str) -> str:
    value = f"{prefix}-{uuid.uuid4().hex[:12]}"
    trace_id.set(value)
    return value


class _Trace(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.trace = trace_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "trace": getattr(record, "trace", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


SLACK_SDK_LOGGERS = (
    "slack_sdk.web.async_base_client",
    "slack_sdk.web.base_client",
    "slack_sdk.webhook.async_client",
    "slack_sdk.webhook.client",
)


def configure(level: str, fmt: str) -> None:
    """fmt: "json", "text", or "auto" (JSON unless a person watches the terminal)."""
    if fmt == "auto":
        fmt = "text" if sys.stderr.isatty() else "json"
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Trace())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(trace)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # slack-sdk decides whether to build its debug lines (each request's whole payload
    # and each answer, as text) from its loggers' own level, not the effective one. Left
    # unset that is 0, below DEBUG, so every Web API call and every response_url post
    # built two long strings for logging to throw away: 2.5% of a scorecard's CPU.
    for name in SLACK_SDK_LOGGERS:
        logging.getLogger(name).setLevel(level)
    # APScheduler says "Running job" and "executed successfully" every minute, per
    # worker: the sweep logs one line of its own when it did something.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    # uvicorn brings its own handlers; route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
