"""What people read is what was meant: typed names stay names in every message the app
sends (blocks and the notification text alike), and dates stay dates, escaped once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.zones import in_utc
from bot.playground.standin import message_text
from bot.scheduling.weekly_reports import report_schedule
from bot.slack.app import make_sweeper
from bot.slack.blocks.common import localized, user, when
from tests.conftest import HM, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    create_role,
    extend_offer,
    last_view,
    open_scorecard,
    schedule,
    submit_scorecard,
)
from tests.handlers.test_takehome import send as send_takehome

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
NAME = "Jane <!channel> & <b>Co"
SHOWN = "Jane &lt;!channel&gt; &amp; &lt;b&gt;Co"
TITLE = "Ops & <Infra>"
MISTAKES = ("&lt;!date", "&lt;@", "&lt;#", "&amp;lt;", "&amp;gt;", "&amp;amp;")


async def sweep(app: Running) -> None:
    sweeper = make_sweeper(app.deps)
    sweeper.reports = report_schedule("mon 09:00", "UTC")
    await sweeper.run(app.deps.clock.now())


def sent(app: Running) -> list[dict[str, Any]]:
    """Every message the app posted, updated or answered with, as Slack took it."""
    return [
        c.args
        for c in app.standin.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral", "chat.update")
        or c.method.startswith("response_url:")
    ]


async def a_week_of_everything(app: Running, clock) -> None:
    """Schedule, nudges, an overdue scorecard, the loop summary, decision and offer
    warnings and a weekly report, for a candidate and a role with markup in their names."""
    clock.set(MONDAY)
    role = await create_role(app, title=TITLE)
    await add_candidate(app, NAME, role=role)
    await add_candidate(app, "Max Roe", role=role)
    starts = MONDAY.replace(hour=10) + timedelta(days=1)  # Tuesday 10:00 to 10:45
    interview = await schedule(app, "Jane", starts=starts)
    await send_takehome(app)  # the sent note, on the recruiter's card
    clock.set(starts + timedelta(minutes=45 + 61))
    await sweep(app)  # the nudge
    clock.set(starts + timedelta(days=1, minutes=46))
    await sweep(app)  # due now
    clock.set(starts + timedelta(days=2, minutes=46))
    await sweep(app)  # overdue: the recruiter's digest
    await submit_scorecard(app, interview)  # the loop summary, the decision clock starts
    await open_scorecard(app, interview, INTERVIEWER)  # and a revision after it
    await app.slack.submit_view(last_view(app), {"recommendation": "1"}, user=INTERVIEWER)
    await app.slack.command("move Max Roe to decision", user=RECRUITER)
    await extend_offer(app, "Max")
    await app.settle()
    for hours in (24, 44, 49, 24 * 4, 24 * 6):  # offer and decision warnings, the report
        clock.set(starts + timedelta(days=2, hours=hours))
        await sweep(app)


async def test_no_message_shows_markup_escaped_twice(app: Running, clock) -> None:
    await a_week_of_everything(app, clock)
    messages = sent(app)
    texts = [message_text(m) for m in messages]
    shown = "\n".join(texts)
    for wanted in (
        "Take-home sent to",
        "Interview kit",
        "Your scorecard for",
        "Loopkeeper:",
        "All scorecards for",
        "revised their scorecard for",
    ):
        assert wanted in shown, wanted
    assert "offer expires" in shown and "decide by" in shown
    assert any(
        m.get("channel") == "GHIRING01" and "Weekly report" in message_text(m) for m in messages
    )
    for text in texts:
        assert not [m for m in MISTAKES if m in text], text
    [nudge, *_] = [m for m in messages if m["text"].startswith("Your scorecard for")]
    assert "<!date^" in nudge["text"] and "<!date^" in blocks_text(nudge["blocks"])


async def test_typed_names_are_escaped_in_the_notification_text(app: Running, clock) -> None:
    await a_week_of_everything(app, clock)
    messages = sent(app)
    for m in messages:
        text = m.get("text") or ""
        assert "<!channel>" not in text and "<b>" not in text and "<Infra>" not in text, text
        assert " & " not in text, text
    dms = [m for m in messages if m.get("channel") in (INTERVIEWER, RECRUITER, HM)]
    fallbacks = [m["text"] for m in dms]
    assert any(t.startswith(f"Interview kit: {SHOWN}") for t in fallbacks), fallbacks
    assert any(t.startswith(f"Your scorecard for {SHOWN} is due") for t in fallbacks)
    assert any(t.startswith(f"All scorecards for {SHOWN}") for t in fallbacks)
    assert any(
        t.startswith(f"<@{INTERVIEWER}> revised their scorecard for {SHOWN}") for t in fallbacks
    )
    assert any(t.startswith("Loopkeeper:") for t in fallbacks)  # the digest


async def test_an_offer_warning_offers_no_snooze(app: Running, clock) -> None:
    clock.set(MONDAY)
    role = await create_role(app)
    await add_candidate(app, "Max Roe", role=role)
    await app.slack.command("move Max Roe to decision", user=RECRUITER)
    await extend_offer(app, "Max")
    await app.settle()
    before = len(app.standin.calls)
    clock.set(MONDAY + timedelta(hours=24, minutes=1))
    await sweep(app)

    [digest] = [
        c.args
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["channel"] == RECRUITER
    ]
    assert "the offer expires" in blocks_text(digest["blocks"])
    assert "Snooze 24h" not in buttons(digest["blocks"])
    assert "Open status" in buttons(digest["blocks"])


def test_times_we_wrote_in_utc_show_in_each_readers_zone() -> None:
    """A stored change says `2026-11-20 09:00 UTC`; shown in Slack, it is a date token, so
    a reader in Berlin reads 10:00. Typed text that only looks like a time stays as is,
    and a token already made is not made again."""
    moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    stored = f"expires {in_utc(moment)} instead of 2026-11-18 09:00 UTC"
    assert localized(stored) == (
        f"expires {when(moment)} instead of {when(datetime(2026, 11, 18, 9, tzinfo=UTC))}"
    )
    assert localized(when(moment)) == when(moment)
    assert localized("due 2026-13-45 10:00 UTC") == "due 2026-13-45 10:00 UTC"


def test_a_slack_user_is_a_mention_and_an_operator_a_name() -> None:
    """Who did something is a Slack user (a mention) or an operator at the command line
    (`loopkeeper import --by`): a mention Slack cannot resolve would show as markup."""
    assert user(RECRUITER) == f"<@{RECRUITER}>"
    assert user("cli:root") == "cli:root"
    assert user("ops <!channel>") == "ops &lt;!channel&gt;"


async def test_a_name_typed_as_a_mention_stays_text_above_the_card(app: Running) -> None:
    """The line over the card after adding or moving someone holds their typed name: a
    name like "<@UADMIN01>" is shown as typed, not as a mention of the admin."""
    role = await create_role(app)
    await add_candidate(app, "Eve <@UADMIN01>", role=role)
    [added] = [m for m in sent(app) if message_text(m).startswith("Added Eve")]
    moved = answer(await app.slack.command("move Eve to screening", user=RECRUITER))
    for message in (added, moved):
        # The fallback and the note's section (the card's header is plain text anyway).
        for text in (message["text"], message["blocks"][0]["text"]["text"]):
            assert "<@UADMIN01>" not in text and "Eve &lt;@UADMIN01&gt;" in text, text
