"""The manifest declares what the code uses, so the app is created in one step."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "manifest.json").read_text())

# Web API methods the code may call, and the bot scope each needs (None: none).
SCOPES: dict[str, str | None] = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "views_open": None,
    "views_push": None,
    "views_update": None,
    "views_publish": None,
    "users_info": "users:read",
    "conversations_open": "im:write",
    "files_upload_v2": "files:write",
    "files_info": "files:read",
    # A role's channel: private (groups:read) or, to be refused, public (channels:read).
    "conversations_info": "groups:read",
    # The start-up check (no scope); Socket Mode's, with the app-level token, whose
    # connections:write is set on that token, not in the manifest.
    "auth_test": None,
    "apps_connections_open": None,
}


def source() -> str:
    files = [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]
    return "\n".join(f.read_text() for f in files)


def test_every_web_api_method_used_has_its_scope() -> None:
    used = set(re.findall(r"client\.([a-z]+_[A-Za-z0-9_]+)\(", source()))
    assert used, "found no Web API calls: the pattern is out of date"
    unknown = used - set(SCOPES)
    assert not unknown, f"add these methods and their scopes to SCOPES: {unknown}"
    needed = {SCOPES[m] for m in used} - {None}
    declared = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert needed <= declared, f"manifest lacks scopes {needed - declared}"
    assert "commands" in declared


def test_slash_command_and_interactivity_point_at_the_events_endpoint() -> None:
    commands = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}
    registered = set(re.findall(r'app\.command\("([^"]+)"\)', source()))
    assert registered == set(commands)
    assert commands["/hire"]["url"].endswith("/slack/events")
    # `/hire admin add @jane` needs the mention as Slack's <@U…|jane>: with escaping off,
    # Slack sends the plain text "@jane", which names nobody for certain.
    assert commands["/hire"]["should_escape"] is True
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["interactivity"]["request_url"].endswith("/slack/events")


def test_every_event_listened_to_is_subscribed() -> None:
    listened = set(re.findall(r'app\.event\("([^"]+)"\)', source()))
    subscribed = set(MANIFEST["settings"].get("event_subscriptions", {}).get("bot_events", []))
    # A "message" listener is subscribed per kind of conversation: message.im for DMs.
    assert {e.split(".")[0] for e in subscribed} == listened
    assert "message.im" in subscribed and "im:history" in MANIFEST["oauth_config"]["scopes"]["bot"]
    assert "app_mentions:read" in MANIFEST["oauth_config"]["scopes"]["bot"]
    # Messages from the bot land in its Messages tab, so that tab must exist.
    assert MANIFEST["features"]["app_home"]["messages_tab_enabled"] is True


def test_a_public_channel_can_be_told_from_a_private_one() -> None:
    declared = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"channels:read", "groups:read"} <= declared
