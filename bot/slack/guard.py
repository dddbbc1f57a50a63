"""What a request to /slack/events must be before Bolt sees it: signed by Slack over
its exact bytes, and shaped like something Slack sends. Bolt trusts a body's shape;
these checks turn garbage into a 401 or a 400 instead of a 500.

A body is hashed once and parsed once: `slack_body` builds the dict Bolt would have
built (Bolt is handed it and parses nothing), and `surface`, the metrics label, reads
that same dict."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from fast_query_parsers import parse_query_string


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


def _form(body: bytes) -> dict[str, Any] | None:
    """A form as Bolt reads one: its interactivity `payload` as JSON, else the fields.

    The same fields as `urllib.parse.parse_qsl(text, keep_blank_values=True)`, which
    Bolt uses, at a fifteenth of its cost: parse_qsl decodes a view's 8 KB of %-escapes
    in Python, 0.4 ms of a scorecard submission (bench, 2026-12-01). One difference: a
    field's name with an escaped "=" in it (%3D) is split there. Slack's field names
    never hold one, and such a name could only come from a sender with the signing
    secret; its form then lacks the fields a handler reads."""
    fields = parse_query_string(body, "&")
    form = dict(fields)
    if len(form) != len(fields):  # a field twice: Slack never sends one, Bolt keeps the last
        return None
    if "payload" in form:
        payload = json.loads(form["payload"])
        return payload if _payload_shape(payload) else None
    # A slash command, or Slack's certificate check; nothing else comes as a form.
    return form if "command" in form or "ssl_check" in form else None


def slack_body(body: bytes, content_type: str) -> dict[str, Any] | None:
    """The body as the dict Bolt's parse_body builds from it, or None when it is not
    one Slack could have sent (not UTF-8, not JSON or a form, not of sane shape).
    Call it only on a signed body: nothing of an unsigned one is parsed."""
    try:
        text = body.decode("utf-8")  # a body that is not UTF-8 is not Slack's
        if content_type.startswith("application/json"):
            data = json.loads(text)
            return data if _payload_shape(data) else None
        return _form(body)
    except (ValueError, RecursionError):  # RecursionError: `[` x 5000
        return None


# The metrics labels: a closed set, so whoever sends the types cannot grow /metrics.
_TYPED_SURFACES = frozenset({"block_actions", "view_submission", "view_closed", "url_verification"})


def surface(body: dict[str, Any]) -> str:
    """Which Slack surface a parsed body (`slack_body`) is, as a metrics label. An event
    is "event", whatever its type: a label per event type would let the sender choose
    how many series /metrics holds."""
    kind = body.get("type")
    if kind is None:  # a form's fields: a slash command, or Slack's certificate check
        if "ssl_check" in body:
            return "ssl_check"
        return "slash_command" if "command" in body else "other"
    if kind == "event_callback":
        return "event"
    return kind if isinstance(kind, str) and kind in _TYPED_SURFACES else "other"


def signed_by_slack(secret: str, body: bytes, timestamp: str | None, signature: str | None) -> bool:
    """Slack's v0 signature over the exact bytes, within 5 minutes of now.

    The one signature check of a request (Bolt's own is turned off, see
    bot.slack.app.build_bolt). slack-sdk's SignatureVerifier takes text and fails on
    bytes that are not UTF-8; this takes the bytes, so such a body is a 401 or a 400.
    """
    if not timestamp or not signature or not timestamp.isdecimal() or len(timestamp) > 12:
        return False
    if abs(time.time() - int(timestamp)) > 300:
        return False
    mac = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":", hashlib.sha256)
    mac.update(body)  # fed on, not joined to the prefix: a body is not copied to be hashed
    return hmac.compare_digest(f"v0={mac.hexdigest()}", signature)
