"""What a request to /slack/events must be before Bolt sees it: signed by Slack over
its exact bytes, and shaped like something Slack sends. Bolt parses a body before
it checks the signature and trusts its shape; these checks turn garbage into a 401
or a 400 instead of a 500."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs


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
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: `[` x 5000
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
