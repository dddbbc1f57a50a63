"""Small pieces every builder uses: escaping, dates Slack renders per reader, durations."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ContextBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
)

from bot.domain.scorecards import NOT_ASSESSED, RATINGS


def esc(text: str) -> str:
    """Escape text a person typed, so a name like `<!channel>` stays a name."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user(user_id: str) -> str:
    return f"<@{user_id}>"


def users(user_ids: object) -> str:
    return ", ".join(user(u) for u in sorted(user_ids)) or "nobody"  # type: ignore[call-overload]


def when(moment: datetime) -> str:
    """A timestamp each reader sees in their own Slack time zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def duration(span: timedelta) -> str:
    """`2 days 3 hours`, `5 hours 10 minutes`, `4 minutes`: the two largest units."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    shown = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n][:2]
    return " ".join(shown) if shown else "less than a minute"


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rating_options(*, with_not_assessed: bool) -> list[Option]:
    """The scorecard's rating scale, for scorecards and take-home grades alike."""
    options = [Option(value=str(v), text=f"{v} · {label}") for v, label in RATINGS.items()]
    if with_not_assessed:
        options.append(Option(value=str(NOT_ASSESSED), text="Not assessed"))
    return options
