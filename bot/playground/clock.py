"""The playground's clock: the wall clock plus an offset a person can move forward.

Only the playground sets time; `loopkeeper serve` runs on bot.runtime.timesource.SystemClock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class PlaygroundClock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def epoch(self) -> float:
        return self.now().timestamp()

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("PlaygroundClock needs an aware datetime")
        self.offset = when - datetime.now(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self.offset += delta
        return self.now()
