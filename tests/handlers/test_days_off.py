"""Company days off in Slack: `/hire holidays` lists them for anyone; `/hire holidays add`
and `remove` are for admins, and each change is recorded. Every request is signed as
Slack signs it; every answer is the command's ephemeral ack."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import col, select

from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.store.tables import Change, DayOff
from tests.conftest import ADMIN, OUTSIDER, RECRUITER, Running, serving
from tests.flows import answer, blocks_text, stored

# Days off are written with ON CONFLICT … RETURNING: the writes run on both
# databases, bad input and wording on SQLite.

CHRISTMAS = date(2026, 12, 25)


async def ask(app: Running, text: str, user: str = ADMIN) -> dict[str, Any]:
    body = answer(await app.slack.command(text, user=user))
    # An answer to a slash command is ephemeral unless it asks to be in_channel.
    assert body.get("response_type", "ephemeral") == "ephemeral"
    return body


async def say(app: Running, text: str, user: str = ADMIN) -> str:
    return str((await ask(app, text, user))["text"])


async def days_off_in(app: Running) -> list[tuple[date, str, str]]:
    async with app.deps.db.reader() as session:
        rows = (await session.exec(select(DayOff).order_by(col(DayOff.day)))).all()
    return [(d.day, d.name, d.added_by) for d in rows]


async def test_with_none_set_anyone_is_told_how_admins_add_one(app: Running) -> None:
    for text in ("holidays", "holidays list", "HOLIDAYS"):
        body = await ask(app, text, user=OUTSIDER)
        assert body["text"].startswith("No company days off are set")
        assert "`/hire holidays add 2026-12-25 Christmas Day`" in body["text"]


@pytest.mark.both_databases
async def test_an_admin_adds_and_removes_a_day_off_which_anyone_then_sees(
    app: Running, clock: ManualClock
) -> None:
    added = await say(app, "holidays add 2026-12-25 Christmas Day")
    assert added == "Friday 2026-12-25 is now a company day off: Christmas Day."
    assert await days_off_in(app) == [(CHRISTMAS, "Christmas Day", ADMIN)]

    listing = await ask(app, "holidays", user=OUTSIDER)
    assert "Company days off ahead (1):\n• Friday 2026-12-25: Christmas Day" in listing["text"]
    shown = blocks_text(listing["blocks"])
    assert "Friday 2026-12-25: Christmas Day" in shown
    assert (
        "skip these days" in shown
        and "alerts that something is already overdue still go at once" in shown
    )

    removed = await say(app, "holidays remove 2026-12-25")
    assert removed == "Friday 2026-12-25 (Christmas Day) is no longer a day off."
    assert await days_off_in(app) == []
    assert (await say(app, "holidays", user=RECRUITER)).startswith("No company days off")

    changes = [(c.kind, c.actor_id, c.at, c.summary) for c in await stored(app, Change)]
    assert changes == [
        (
            "days_off_added",
            ADMIN,
            clock.now(),
            "added 1 day off: Friday 2026-12-25 (Christmas Day)",
        ),
        ("days_off_removed", ADMIN, clock.now(), "removed 1 day off: Friday 2026-12-25"),
    ]


@pytest.mark.both_databases
async def test_a_range_adds_each_day_and_leaves_one_already_there_as_it_was(
    app: Running,
) -> None:
    await say(app, "holidays add 2026-12-25 Christmas Day")
    added = await say(app, "holidays add 2026-12-24..2026-12-26 Winter break")
    assert added == (
        "Thursday 2026-12-24, Saturday 2026-12-26 are now company days off: Winter break. "
        "Friday 2026-12-25 already was one and stays as it was."
    )
    assert await days_off_in(app) == [
        (date(2026, 12, 24), "Winter break", ADMIN),
        (CHRISTMAS, "Christmas Day", ADMIN),
        (date(2026, 12, 26), "Winter break", ADMIN),
    ]
    # Consecutive days read as one line only under one name.
    assert (
        "• Thursday 2026-12-24: Winter break\n• Friday 2026-12-25: Christmas Day\n"
        "• Saturday 2026-12-26: Winter break"
    ) in await say(app, "holidays")
    assert await say(app, "holidays add 2026-12-24..2026-12-26") == (
        "Thursday 2026-12-24 to Saturday 2026-12-26 are already days off; nothing changed."
    )
    removed = await say(app, "holidays remove 2026-12-26 .. 2026-12-28")
    assert removed == (
        "Saturday 2026-12-26 (Winter break) is no longer a day off. "
        "Sunday 2026-12-27 to Monday 2026-12-28 were not days off."
    )
    assert len(await stored(app, Change)) == 3  # two adds that changed something, one remove


@pytest.mark.both_databases
async def test_a_date_already_off_or_not_off_changes_nothing_and_says_so(app: Running) -> None:
    await say(app, "holidays add 2026-12-25 Christmas Day")
    assert await say(app, "holidays add 2026-12-25 Xmas") == (
        "Friday 2026-12-25 is already a day off (Christmas Day); nothing changed."
    )
    assert await say(app, "holidays remove 2027-01-01") == (
        "Friday 2027-01-01 is not a day off, so nothing changed. `/hire holidays` lists them."
    )
    assert await days_off_in(app) == [(CHRISTMAS, "Christmas Day", ADMIN)]
    assert len(await stored(app, Change)) == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("holidays add", "Which day? Example: `/hire holidays add 2026-12-25 Christmas Day`"),
        (
            "holidays add 25/12/2026 Christmas Day",
            "I can't read “25/12/2026” as a date: write it year-month-day. "
            "Example: `/hire holidays add 2026-12-25 Christmas Day`",
        ),
        ("holidays add 2026-02-30", "There is no day 2026-02-30 in the calendar"),
        ("holidays remove tomorrow", "Example: `/hire holidays remove 2026-12-25`"),
        ("holidays add 2026-12-26..2026-12-24", "ends before it starts"),
        (
            "holidays add 2026-12-01..2027-01-31",
            "That range is 62 days; one command takes at most 31",
        ),
        ("holidays add 2026-12-25 " + "x" * 81, "can be at most 80 characters"),
        # Clock: Monday 16 November 2026, 09:00 UTC; Friday the 13th is over everywhere.
        (
            "holidays add 2026-11-13 Late",
            "Friday 2026-11-13 is in the past, so nothing changed: days off are for dates to come.",
        ),
        ("holidays add 2026-11-10..2026-11-20", "Tuesday 2026-11-10 is in the past"),
        ("holidays move 2026-12-25", "`/hire holidays` lists the company days off. Admins add"),
    ],
)
async def test_bad_input_gets_a_short_answer_and_changes_nothing(
    app: Running, text: str, says: str
) -> None:
    assert says in await say(app, text)
    assert await days_off_in(app) == []
    assert await stored(app, Change) == []


async def test_what_people_typed_is_shown_escaped(app: Running) -> None:
    # Slack sends what a person types of &, < and > as entities (the app reads them back
    # as typed, bot.domain.grammar.typed), and its own markup between real brackets.
    refused = await say(app, "holidays add &lt;!channel&gt; party")
    assert "“&lt;!channel&gt;” as a date" in refused and "<!channel>" not in refused
    added = await say(app, "holidays add 2026-12-31 &lt;!here&gt; &amp; &lt;@U1&gt; party")
    assert added == (
        "Thursday 2026-12-31 is now a company day off: &lt;!here&gt; &amp; &lt;@U1&gt; party."
    )
    listing = await ask(app, "holidays", user=OUTSIDER)
    assert "&lt;!here&gt; &amp; &lt;@U1&gt; party" in blocks_text(listing["blocks"])
    assert await days_off_in(app) == [(date(2026, 12, 31), "<!here> & <@U1> party", ADMIN)]
    # @here picked from Slack's autocomplete is its text, which pings nobody.
    added = await say(app, "holidays add 2027-01-04 <!here> party")
    assert added.endswith("company day off: @here party.") and "<!" not in added


async def test_only_admins_add_or_remove_days_off_whatever_they_type(app: Running) -> None:
    await say(app, "holidays add 2026-12-25 Christmas Day")
    for text in (
        "holidays add 2026-12-24 Christmas Eve",
        "holidays add 2026-12-24..2026-12-31",
        "holidays add not-a-date",
        "holidays remove 2026-12-25",
        "holidays remove",
    ):
        for person in (RECRUITER, OUTSIDER):
            refused = await say(app, text, user=person)
            assert "for Loopkeeper admins; ask one of them" in refused, (text, refused)
            assert "`/hire holidays`" in refused
    assert await days_off_in(app) == [(CHRISTMAS, "Christmas Day", ADMIN)]
    assert len(await stored(app, Change)) == 1
    # A person made an admin may change them from then on.
    await say(app, f"admin add <@{RECRUITER}>")
    assert "no longer a day off" in await say(app, "holidays remove 2026-12-25", RECRUITER)


async def test_help_lists_the_holidays_commands(app: Running) -> None:
    shown = blocks_text((await ask(app, "help", user=OUTSIDER))["blocks"])
    assert "/hire holidays" in shown
    assert "/hire holidays add|remove <date>[..<date>] [name]" in shown
    assert "/hire holidays add 2026-12-25 Christmas Day" in shown
    assert "`/hire holidays add`" in await say(app, "admin usage")  # the admin commands' usage


@pytest.mark.both_databases
async def test_days_off_survive_a_restart(
    app: Running, db_url: str, standin: SlackStandin, clock: ManualClock
) -> None:
    await say(app, "holidays add 2026-12-24..2026-12-25 Christmas")
    # Another replica, or the same app started again: the days off are rows.
    async with serving(db_url, standin, clock) as restarted:
        listing = await say(restarted, "holidays", user=OUTSIDER)
        assert "Company days off ahead (2):" in listing
        assert "• Thursday 2026-12-24 to Friday 2026-12-25: Christmas" in listing
        assert "is already a day off" in await say(restarted, "holidays add 2026-12-25")
