"""A change tried in its transaction and rolled back: what it would do and what it would
warn about, with nothing stored (a form shows the warnings before anything is booked).

Inside the transaction, `kept(session, result, dry_run=...)` returns the result, or
raises Tried to roll the transaction back with it; the caller catches Tried around the
transaction. The session's objects are expunged first: a rollback would expire them, and
the result is read after it."""

from __future__ import annotations

import hashlib
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")


class Tried(Exception, Generic[T]):
    def __init__(self, result: T) -> None:
        super().__init__("tried, not kept")
        self.result = result


def kept(session: AsyncSession, result: T, *, dry_run: bool) -> T:
    if dry_run:
        session.expunge_all()
        raise Tried(result)
    return result


def form_key(*typed: str) -> str:
    """What a form held, as a short key: a change warned about, then sent again as it
    was, is confirmed; one changed since is checked again."""
    return hashlib.sha256("\x1f".join(typed).encode()).hexdigest()[:16]
