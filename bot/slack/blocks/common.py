"""Small pieces every builder uses: escaping, dates Slack renders per reader, durations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.access import SYSTEM_ACTOR
from bot.domain.limits import MAX_EVIDENCE, MAX_SUMMARY
from bot.domain.mentions import mention
from bot.domain.scorecards import (
    NOT_ASSESSED,
    RATINGS,
    Competency,
    TakehomePart,
    evidence_field,
    rate_field,
)
from bot.domain.zones import local


class Rendered(Block):
    """A block already in Slack's JSON form. A kept status card is sent again as
    these: turning the models into JSON (each object validated and rebuilt) was the
    largest cost of a status answer once its rows were kept."""

    # Its dict is Slack's JSON already: bot.slack.blocks.jsonify hands it on as it is.
    JSON_READY: ClassVar[bool] = True

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(type=data.get("type"), block_id=data.get("block_id"))
        self._data = data

    def to_dict(self, *_: Any) -> dict[str, Any]:
        return self._data


def esc(text: str) -> str:
    """Escape text a person typed, so a name like `<!channel>` stays a name."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# A Slack user's id (a channel's is the same but for its first letter, C).
_ID = r"[UW][A-Z0-9]{2,31}"
# A person or channel a person mentioned in what they typed: Slack writes "@Riya" in a
# slash command as <@U123|riya> (and a form's text as typed). Escaped, it is restored.
_TYPED_MENTION = re.compile(r"&lt;([@#])([UWC][A-Z0-9]{2,31})(?:\|[^&<>|]{0,80})?&gt;")


def typed(text: str) -> str:
    """What a person typed (a note, a reason), as Slack shows it: escaped, but for the
    people and channels they mentioned."""
    return _TYPED_MENTION.sub(r"<\1\2>", esc(text))


# Anything but a Slack user's id in an actor column is an operator's name at the command
# line (`loopkeeper import --by`, "cli:root" by default): shown as text, not as a mention
# Slack cannot resolve.
_USER_ID = re.compile(_ID)


def user(user_id: str) -> str:
    if user_id == SYSTEM_ACTOR:  # what the app's own clocks did (an offer expiring)
        return "Loopkeeper"
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else esc(user_id)


# A person named in a note above a card or in a refusal (bot.domain.mentions).
MENTIONED = re.compile(f"\x00({_ID})\x00")
note_mention = mention


def note_markup(note: str) -> str:
    """A note of what just happened, as Slack shows it: everything in it escaped (the names
    in it were typed), times in each reader's zone, and only note_mention's mentions."""
    return MENTIONED.sub(r"<@\1>", localized(esc(note)))


def users(user_ids: Iterable[str]) -> str:
    return ", ".join(user(u) for u in sorted(user_ids)) or "nobody"


def when(moment: datetime) -> str:
    """A timestamp each reader sees in their own Slack time zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


# A time as in_utc writes it into plain text, and not already the fallback of a token.
_UTC_TIME = re.compile(r"(?<!\|)\b(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) UTC\b")


def localized(text: str) -> str:
    """Plain text we wrote (a stored change, a note of what just happened), once escaped:
    each time in it as in_utc writes it becomes `when`, so every reader sees their own
    time zone instead of UTC."""

    def token(match: re.Match[str]) -> str:
        year, month, day, hour, minute = (int(part) for part in match.groups())
        try:
            return when(datetime(year, month, day, hour, minute, tzinfo=UTC))
        except ValueError:  # not a real time: typed text that looks like one
            return match.group(0)

    return _UTC_TIME.sub(token, text)


def in_zone(text: str, tz_name: str | None) -> str:
    """Plain text we wrote, shown where no date token works (a modal's field error): each
    time in it as in_utc writes it, as its reader lives it (`tz_name`; None keeps UTC)."""
    if tz_name is None:
        return text

    def local_time(match: re.Match[str]) -> str:
        year, month, day, hour, minute = (int(part) for part in match.groups())
        try:
            return local(datetime(year, month, day, hour, minute, tzinfo=UTC), tz_name)
        except ValueError:
            return match.group(0)

    return _UTC_TIME.sub(local_time, text)


def has_utc_time(text: str) -> bool:
    return _UTC_TIME.search(text) is not None


def line_sections(
    lines: Sequence[str],
    *,
    room: int,
    limit: int = 2900,
    more: Callable[[int], str] = lambda n: f"…and {n} more.",
) -> list[Block]:
    """`lines` as whole-line sections of at most `limit` characters, at most `room` of
    them; past that, a last line (`more` of how many are left) says how many more there
    are. A long list in one section clipped at Slack's 3,000 cut a line, and its date
    token, in half."""
    texts: list[str] = []
    for n, line in enumerate(lines):
        line = clip(line, limit)
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        elif len(texts) < room:
            texts.append(line)
        else:
            return [*(section(t) for t in texts), context(more(len(lines) - n))]
    return [section(t) for t in texts]


def typed_back(why: str, typed: str, *, room: int = 8) -> list[Block]:
    """A refusal of text too long, with the text as typed below it, escaped and cut into
    sections at spaces: a slash command's box is empty once sent, and a refusal that
    drops 5,000 typed characters loses them for good."""
    pieces: list[str] = []
    rest = esc(typed.strip())
    while rest and len(pieces) < room:
        cut = len(rest) if len(rest) <= MAX_SECTION else rest.rfind(" ", 0, MAX_SECTION)
        if cut <= 0:  # no space: cut anywhere but inside an escape (`&amp;`)
            cut = MAX_SECTION
            amp = rest.rfind("&", cut - 5, cut)
            cut = amp if amp > 0 and ";" not in rest[amp:cut] else cut
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip()
    blocks: list[Block] = [section(why), context("What you typed, to shorten and send again:")]
    blocks += [section(piece) for piece in pieces]
    if rest:
        blocks.append(context(f"…and {len(rest):,} characters more."))
    return blocks


def either(moments: Sequence[datetime]) -> str:
    """`when` of each: `A`, `A or B`, `A, B or C`."""
    shown = [when(moment) for moment in moments]
    return " or ".join(filter(None, [", ".join(shown[:-1]), shown[-1]])) if shown else ""


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


def sections(text: str, limit: int = 3000) -> list[SectionBlock]:
    """Text longer than one section takes (escaped text grows), in as many sections as it
    needs, each cut at a line break or a space: whole, where one section would clip it."""
    out: list[SectionBlock] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > 0 else limit
        out.append(section(text[:cut]))
        text = text[cut:].lstrip()
    return [*out, section(text)] if text or not out else out


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def plural(count: int, word: str) -> str:
    """`1 warning`, `2 warnings`, `1,200 rows`."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


MAX_SECTION = 3000  # Slack's limit on a section's text


def fold(title: str, lines: Sequence[str], *, more: str) -> str:
    """`title`, then the lines that fit one section, then how many did not (`more` with
    {n}). Whole lines only: a cut line could end inside a mention or a date token."""
    reserve = len(more.format(n=len(lines))) + 1
    kept: list[str] = []
    size = len(title)
    for line in lines:
        if size + 1 + len(line) > MAX_SECTION - reserve:
            break
        kept.append(line)
        size += 1 + len(line)
    rest = len(lines) - len(kept)
    return "\n".join([title, *kept, *([more.format(n=rest)] if rest else [])])


def form_modal(
    callback_id: str,
    title: str,
    submit: str,
    blocks: Sequence[Block],
    *,
    metadata: str | None = None,
    close: str = "Cancel",
) -> View:
    """A modal form with its submit button and a close button (Cancel, unless that would
    read as the form's own action); `metadata` comes back on submit."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close=close,
        private_metadata=metadata,
        blocks=blocks,
    )


def header_facts(title: str, fields: list[str]) -> list[Block]:
    """A message's header, then its facts two to a row (each `*Label*\nvalue`)."""
    return [HeaderBlock(text=clip(title, 150)), SectionBlock(fields=fields)]


def primary_button_row(*, block_id: str, text: str, action_id: str, value: str) -> ActionsBlock:
    """The one thing a message asks its reader to do, as a row with one primary button."""
    return ActionsBlock(
        block_id=block_id,
        elements=[ButtonElement(text=text, action_id=action_id, value=value, style="primary")],
    )


def rating_options(*, with_not_assessed: bool) -> list[Option]:
    """The scorecard's rating scale, for scorecards and take-home grades alike."""
    options = [Option(value=str(v), text=f"{v} · {label}") for v, label in RATINGS.items()]
    if with_not_assessed:
        options.append(Option(value=str(NOT_ASSESSED), text="Not assessed"))
    return options


def initial_option(options: list[Option], value: int | None) -> Option | None:
    """The option of `value` (a rating), to show it picked when a form opens again."""
    return next((o for o in options if value is not None and o.value == str(value)), None)


def rating_inputs(
    rated: Competency | TakehomePart,
    *,
    evidence_placeholder: str,
    rating: int | None = None,
    evidence: str | None = None,
) -> list[InputBlock]:
    """A rating select and an optional evidence box for one competency or take-home part,
    with its signals as the hint; `rating` and `evidence` fill them in for an edit."""
    options = rating_options(with_not_assessed=True)
    return [
        InputBlock(
            block_id=rate_field(rated.key),
            label=clip(rated.name, 2000),
            hint=clip(f"Strong: {rated.strong}\nWeak: {rated.weak}", 2000),
            element=StaticSelectElement(
                action_id="value",
                placeholder="Rate",
                options=options,
                initial_option=initial_option(options, rating),
            ),
        ),
        InputBlock(
            block_id=evidence_field(rated.key),
            label=clip(f"Evidence: {rated.name}", 2000),
            optional=True,
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                max_length=MAX_EVIDENCE,
                placeholder=evidence_placeholder,
                initial_value=evidence,
            ),
        ),
    ]


def summary_input(hint: str, *, initial: str | None = None) -> InputBlock:
    """The summary box of a scorecard or a take-home grade."""
    return InputBlock(
        block_id="summary",
        label="Summary",
        hint=hint,
        element=PlainTextInputElement(
            action_id="value", multiline=True, max_length=MAX_SUMMARY, initial_value=initial
        ),
    )


def signals(rated: Competency | TakehomePart) -> str:
    """What a strong and a weak answer look like, for a kit or a rubric."""
    return f"*Strong:* {esc(rated.strong)}\n*Weak:* {esc(rated.weak)}"


class Rated(Protocol):
    """A stored rating: a scorecard's competency or a take-home grade's part."""

    rating: int


def rating_cell(rated: Rated | None) -> str:
    """A rating in a ratings table: its number, or — when not assessed or not rated."""
    return str(rated.rating) if rated and rated.rating else "—"


def ratings_table(heads: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> str:
    """A table for a code block: a column per person (`heads`, 10 wide) and a row per thing
    rated, its name as wide as the longest (at most 32)."""
    width = min(max((len(name) for name, _ in rows), default=0), 32)
    lines = ["".ljust(width) + "  " + "  ".join(clip(h, 10).ljust(10) for h in heads)]
    lines += [
        clip(name, width).ljust(width) + "  " + "  ".join(c.ljust(10) for c in cells)
        for name, cells in rows
    ]
    return "\n".join(lines)


def not_picked(typed: str, example: str) -> str:
    """The answer to `@name` typed as plain text where a person was meant: Slack sends a
    mention as an id only when it was picked from its list and `/hire` escapes its text
    (the manifest's `should_escape`, which an app made from an older one lacks)."""
    return (
        f"I can't tell who “{esc(typed)}” is: pick the person from Slack's list as you type "
        f"@, e.g. {example}. If picking them does not help, an admin turns on *Escape "
        "channels, users, and links* for /hire in the app's settings (Slash Commands)."
    )
