"""Time where a person lives: a zone from the name Slack gives (UTC when it gives none
or one this machine does not know), and times written as that person reads them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(tz_name: str | None) -> ZoneInfo:
    # Slack's profile and the settings name zones; a name this machine's tz database
    # lacks must not stop a reminder, so it reads as UTC.
    try:
        return ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime, tz_name: str | None) -> str:
    """`Tue 17 Nov, 14:00 (Europe/Berlin)`: a time as its reader lives it."""
    tz = zone(tz_name)
    return f"{moment.astimezone(tz):%a %d %b, %H:%M} ({tz.key})"


def local_span(start: datetime, end: datetime, tz_name: str | None) -> str:
    """`Tue 08 Dec, 10:00 to 10:45 (Europe/London)`; ending on another day there, the
    end says which (`Tue 08 Dec, 23:30 to Wed 09 Dec, 00:15`)."""
    tz = zone(tz_name)
    starts, ends = start.astimezone(tz), end.astimezone(tz)
    until = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%a %d %b, %H:%M}"
    return f"{starts:%a %d %b, %H:%M} to {until} ({tz.key})"


def in_utc(moment: datetime) -> str:
    """`2026-11-17 14:00 UTC`: a time in a stored record (the history, a change) or in
    plain text. Stored, every reader reads it alike; shown in Slack, each reader sees it
    in their own time zone (bot.slack.blocks.common.localized finds this form)."""
    return f"{moment.astimezone(zone(None)):%Y-%m-%d %H:%M} UTC"
