"""Numbers typed by people or carried in payloads, read without surprises: bounded,
short, decimal digits only (no "²", no 5,000-digit strings, no floats or infinity)."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # PostgreSQL's integer: every id column fits it


def small_int(raw: object, *, low: int = 0, high: int = MAX_ID) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if not text or len(text) > 12 or not text.isdecimal() or not text.isascii():
            return None
        value = int(text)
    else:
        return None
    return value if low <= value <= high else None


def record_id(raw: object) -> int | None:
    """A database id: a positive integer that fits the column."""
    return small_int(raw, low=1)
