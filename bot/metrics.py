"""Prometheus metrics: what an on-call engineer watches. One registry per app, so
two apps in one process (tests, benchmarks) never share counters."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Slack's limit is 3 s; the buckets are dense where an ack should be.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
SWEEP_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
KNOWN = frozenset(
    {
        "slash_command",
        "block_actions",
        "view_submission",
        "view_closed",
        "url_verification",
        "ssl_check",
    }
)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "loopkeeper_slack_requests",
            "Requests from Slack, by surface and HTTP status.",
            ["surface", "status"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "loopkeeper_ack_seconds",
            "Time from receiving a Slack request to answering it, by surface.",
            ["surface"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.sweep_seconds = Histogram(
            "loopkeeper_sweep_seconds",
            "Duration of one clock sweep.",
            buckets=SWEEP_BUCKETS,
            registry=self.registry,
        )
        self.alerts = Counter(
            "loopkeeper_alerts",
            "Alerts by what happened to them: planned, sent, failed, retrying, held.",
            ["outcome"],
            registry=self.registry,
        )
        self.deliveries_waiting = Gauge(
            "loopkeeper_deliveries_waiting",
            "Alerts recorded and not yet sent (pending), at scrape time.",
            registry=self.registry,
        )
        self.database_errors = Counter(
            "loopkeeper_database_errors",
            "Database errors seen by request handlers and the sweep.",
            registry=self.registry,
        )

    def count_sweep(self, report: object) -> None:
        """Add one sweep's figures (a bot.sweep.Report)."""
        self.alerts.labels("planned").inc(getattr(report, "planned", 0))
        self.alerts.labels("sent").inc(len(getattr(report, "sent", [])))
        self.alerts.labels("failed").inc(len(getattr(report, "failed", [])))
        self.alerts.labels("retrying").inc(getattr(report, "retrying", 0))
        self.alerts.labels("held").inc(getattr(report, "postponed", 0))


def surface(body: bytes, content_type: str) -> str:
    """Which Slack surface a request body is, from a small fixed set (bounded labels)."""
    try:
        if content_type.startswith("application/json"):
            data = json.loads(body)
            if data.get("type") == "event_callback":
                kind = str((data.get("event") or {}).get("type", ""))
                return (
                    f"event:{kind}"
                    if kind.replace("_", "").isalpha() and len(kind) < 40
                    else "event"
                )
            kind = str(data.get("type", ""))
            return kind if kind in KNOWN else "other"
        form = parse_qs(body.decode("utf-8", "replace"))
        if "ssl_check" in form:
            return "ssl_check"
        if "command" in form:
            return "slash_command"
        if "payload" in form:
            kind = str(json.loads(form["payload"][0]).get("type", ""))
            return kind if kind in KNOWN else "other"
    except (ValueError, AttributeError, TypeError):
        return "malformed"
    return "other"


def _object(value: object) -> bool:
    return isinstance(value, dict)


def _id_or_object(value: object) -> bool:
    """A user, channel or team: an id string, or an object whose "id" is a string."""
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, dict) and isinstance(value.get("id", ""), str)


def _payload_shape(data: object) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("type", ""), str):
        return False
    if not all(_id_or_object(data.get(k)) for k in ("user", "channel", "team", "enterprise")):
        return False
    view = data.get("view")
    if view is not None and not (_object(view) and isinstance(view.get("type"), str)):
        return False
    actions = data.get("actions")
    if actions is not None and not (isinstance(actions, list) and all(_object(a) for a in actions)):
        return False
    authorizations = data.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(_object(a) for a in authorizations)
    ):
        return False
    event = data.get("event")
    if event is None:
        return True
    return (
        _object(event)
        and isinstance(event.get("type", ""), str)
        and all(_id_or_object(event.get(k)) for k in ("user", "channel", "team"))
    )


def well_formed(body: bytes, content_type: str) -> bool:
    """Is this a body Slack could have sent: a form, or a JSON object, of sane shape?"""
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            return _payload_shape(json.loads(text))
        form = parse_qs(text, keep_blank_values=True)
        if any(len(values) != 1 for values in form.values()):
            return False
        if "payload" in form:
            return _payload_shape(json.loads(form["payload"][0]))
        # A slash command, or Slack's certificate check; nothing else comes as a form.
        return "command" in form or "ssl_check" in form
    except (ValueError, UnicodeDecodeError):
        return False


def signed_by_slack(secret: str, body: bytes, timestamp: str | None, signature: str | None) -> bool:
    """Slack's v0 signature over the exact bytes, within 5 minutes of now.

    slack-sdk's SignatureVerifier (which Bolt runs too) takes text and fails on bytes
    that are not UTF-8; this runs first, on bytes, so such a body is a 401 or a 400.
    """
    if not timestamp or not signature or not timestamp.isdecimal() or len(timestamp) > 12:
        return False
    if abs(time.time() - int(timestamp)) > 300:
        return False
    expected = hmac.new(
        secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(f"v0={expected}", signature)
