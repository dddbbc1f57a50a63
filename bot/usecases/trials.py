"""A change warned about on its form, then sent again unchanged to be made anyway.

The check is the change itself, in a transaction that is rolled back
(`Database.transaction(dry_run=True)`); the form that comes back carries the key of
what it held, so the same form sent again is known to be confirmed and a changed one
is checked again."""

from __future__ import annotations

import hashlib


def form_key(*typed: str) -> str:
    """What a form held, as a short key: a change warned about, then sent again as it
    was, is confirmed; one changed since is checked again."""
    return hashlib.sha256("\x1f".join(typed).encode()).hexdigest()[:16]
