"""Events API deliveries, once each: Slack retries an event it thinks went unanswered, and
a retry must not answer a question twice nor preview a file twice."""

from __future__ import annotations

from datetime import datetime

from bot import store
from bot.store.engine import Database


async def first_delivery(db: Database, *, event_id: object, now: datetime) -> bool:
    """True the first time an event_id arrives, and for an event without one (nothing to
    tell its retries by); a retry of an event already seen gets False. Recorded at once,
    in its own transaction, before any answer goes out."""
    if not isinstance(event_id, str) or not event_id:
        return True
    async with db.transaction() as session:
        return await store.receipts.first_delivery(session, event_id=event_id, now=now)
