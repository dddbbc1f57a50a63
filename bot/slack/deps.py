"""What every listener needs (settings, database, clock, background tasks, metrics,
Home tab redraws), handed to it through Bolt's context rather than module globals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from slack_bolt.async_app import AsyncBoltContext

from bot.runtime.background import Background
from bot.runtime.cache import ReadCache
from bot.runtime.metrics import Metrics
from bot.runtime.settings import Settings
from bot.runtime.timesource import Clock, SystemClock
from bot.slack.notify import HomeRedraws
from bot.store.engine import Database


@dataclass
class Deps:
    """What handlers need; reaches them through Bolt's context, never module globals."""

    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    background: Background = field(default_factory=Background)
    metrics: Metrics = field(default_factory=Metrics)
    homes: HomeRedraws = field(default_factory=HomeRedraws)
    # Status cards as drawn for a person, each for the minute it was drawn in
    # (handlers/render.py: shown_status).
    cards: ReadCache = field(default_factory=ReadCache)

    def __post_init__(self) -> None:
        # Background work is counted in this app's metrics (loopkeeper_background_tasks),
        # unless the caller gave a Background that counts elsewhere. Nothing runs yet.
        if self.background.gauge is None:
            self.background.gauge = self.metrics.background_tasks


def deps_of(context: AsyncBoltContext) -> Deps:
    # Bolt's context holds Any; the middleware in bot.slack.app puts this Deps there
    # before any listener runs.
    return cast("Deps", context["deps"])
