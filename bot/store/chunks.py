"""Many ids asked about at once (an export's candidates): one `IN (…)` per chunk, each
under the drivers' limits on bound parameters (32,766 for SQLite, 32,767 for asyncpg)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

IN_CHUNK = 5000

T = TypeVar("T")


def in_chunks(ids: Sequence[T]) -> Iterator[list[T]]:
    listed = list(ids)
    for start in range(0, len(listed), IN_CHUNK):
        yield listed[start : start + IN_CHUNK]
