"""Slack's side: Block Kit builders, follow-up messages, the Bolt app and the ASGI
wiring. Listeners live in the top-level `handlers/` package."""
