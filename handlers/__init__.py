"""Thin Bolt listeners, one module per Slack surface; each has register(app)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import (
    actions,
    commands,
    edits,
    errors,
    events,
    imports,
    interview_changes,
    templates,
    views,
)


def register(app: AsyncApp) -> None:
    errors.register(app)
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
    imports.register(app)
    edits.register(app)
    templates.register(app)
    interview_changes.register(app)
