"""Which tab of the app each person has in front of them, as far as Slack tells: it sends
app_home_opened each time someone opens the app's Home tab or its Messages tab, and
nothing when they leave the app for a channel.

A person's own change redraws their Home tab (bot.slack.notify.HomeRedraws) only when
the last tab they opened is Home. Otherwise they are not looking at it (the last tab
they opened is Messages, or they have not opened the app lately), and opening it draws
it fresh, change included."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain import access
from bot.store import app_tabs
from bot.store.engine import Database

TABS = frozenset({"home", "messages"})
# How far Slack's event_ts may be from our clock and still be taken as when the tab was
# opened; past it (a clock that is off, a test's fixed stamp), the time it arrived is.
_STAMP_SLACK = timedelta(hours=1)


async def opened(
    db: Database, *, user_id: str, tab: str, stamp: datetime | None, now: datetime
) -> None:
    """`user_id` opened `tab` of the app (Slack stamped it `stamp`); a tab or a user id
    that is not Slack's changes nothing."""
    if tab not in TABS or not access.is_user_id(user_id):
        return
    at = stamp if stamp is not None and abs(stamp - now) <= _STAMP_SLACK else now
    async with db.transaction(on_loop=True) as session:
        await app_tabs.record_tab(session, user_id=user_id, tab=tab, at=at)


async def on_home(db: Database, *, user_ids: Sequence[str]) -> frozenset[str]:
    """Those of `user_ids` whose last-opened tab of the app is Home."""
    async with db.point_reader() as reading:
        tabs = await app_tabs.last_tabs(reading, user_ids=user_ids)
    return frozenset(user for user, tab in tabs.items() if tab == "home")
