"""Each person's days away in Slack: `/hire away` lists, adds and removes the asker's own,
for anyone; `/hire away @person …` someone else's, for recruiters, hiring managers and
admins only, who tell them. Every request is signed as Slack signs it (mentions as Slack
escapes them, <@U…|name>); every answer is the command's ephemeral ack."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import ButtonElement, SectionBlock
from sqlmodel import col, delete, select, update

from bot.domain.interviews import InterviewStatus
from bot.domain.stages import Stage
from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.slack.blocks import days_away as day_away_blocks
from bot.slack.metadata import InterviewMetadata
from bot.store.interviews import PanelSeat, SeatRow
from bot.store.tables import Candidate, Change, DayAway, Interview, RoleRecruiter
from bot.usecases.days_away import SOMEONE_ELSES, Panels, booked_away
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER, RECRUITER_2, Running, serving
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    answer,
    blocks_text,
    click,
    create_role,
    home_of,
    kit_for,
    last_view,
    schedule,
    stored,
)
from tests.flows import buttons as buttons_of
from tests.handlers.test_actions import EPHEMERAL
from tests.handlers.test_interview_changes import kit_sent_ts, updates_in
from tests.scheduling.test_sweep import messages_to

# Days away are written with ON CONFLICT … RETURNING: the paths that write and
# read them run on both databases (the store's own tests too), wording on SQLite.

CHRISTMAS_EVE = date(2026, 12, 24)
THURSDAY_14 = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)


async def ask(app: Running, text: str, user: str = INTERVIEWER) -> dict[str, Any]:
    body = answer(await app.slack.command(text, user=user))
    # An answer to a slash command is ephemeral unless it asks to be in_channel.
    assert body.get("response_type", "ephemeral") == "ephemeral"
    return body


async def say(app: Running, text: str, user: str = INTERVIEWER) -> str:
    return str((await ask(app, text, user))["text"])


async def days_away_in(app: Running) -> list[tuple[str, date]]:
    async with app.deps.db.reader() as session:
        rows = (
            await session.exec(select(DayAway).order_by(col(DayAway.user_id), col(DayAway.day)))
        ).all()
    return [(d.user_id, d.day) for d in rows]


async def test_with_none_set_anyone_is_told_how_to_add_one(app: Running) -> None:
    for text in ("away", "away list", "AWAY"):
        body = await ask(app, text, user=OUTSIDER)
        assert body["text"].startswith("You have no days away set.")
        assert "`/hire away add 2026-12-24`" in body["text"]
        assert "`/hire away add 2026-12-24..2027-01-02`" in body["text"]


@pytest.mark.both_databases
async def test_anyone_adds_lists_and_removes_their_own_days_away(
    app: Running, clock: ManualClock
) -> None:
    added = await say(app, "away add 2026-12-24")
    assert added == "Thursday 2026-12-24 is now a day away for you."
    assert await days_away_in(app) == [(INTERVIEWER, CHRISTMAS_EVE)]

    listing = await ask(app, "away")
    assert listing["text"] == "Your days away ahead (1 day):\n• Thursday 2026-12-24"
    shown = blocks_text(listing["blocks"])
    assert "Thursday 2026-12-24" in shown
    assert (
        "wait until you are back" in shown
        and "alerts that something is already overdue still go at once" in shown
    )
    # The reminder before an interview still booked goes at its time (README): said so,
    # not promised to skip the day.
    assert "the reminder before an interview you are still booked for" in shown
    assert "nudges and reminders skip" not in shown

    removed = await say(app, "away remove 2026-12-24")
    assert removed == "Thursday 2026-12-24 is no longer a day away."
    assert await days_away_in(app) == []
    assert (await say(app, "away")).startswith("You have no days away set.")
    assert await stored(app, Change) == []  # a person's own calendar, not the team's record


async def test_a_range_adds_each_day_and_reads_as_one_span(app: Running) -> None:
    await say(app, "away add 2026-12-25")
    added = await say(app, "away add 2026-12-24..2026-12-27")
    assert added == (
        "Thursday 2026-12-24, Saturday 2026-12-26 to Sunday 2026-12-27 are now days away "
        "for you. Friday 2026-12-25 already was one."
    )
    await say(app, "away add 2026-12-31..2027-01-02")
    listing = await say(app, "away")
    assert listing == (
        "Your days away ahead (7 days):\n• Thursday 2026-12-24 to Sunday 2026-12-27\n"
        "• Thursday 2026-12-31 to Saturday 2027-01-02"
    )
    assert await say(app, "away add 2026-12-24..2026-12-26") == (
        "Thursday 2026-12-24 to Saturday 2026-12-26 are already your days away; nothing changed."
    )
    removed = await say(app, "away remove 2026-12-27 .. 2026-12-29")
    assert removed == (
        "Sunday 2026-12-27 is no longer a day away. "
        "Monday 2026-12-28 to Tuesday 2026-12-29 were not days away."
    )
    assert len(await days_away_in(app)) == 6


@pytest.mark.both_databases
async def test_a_day_already_set_or_not_set_changes_nothing_and_says_so(app: Running) -> None:
    await say(app, "away add 2026-12-24")
    assert await say(app, "away add 2026-12-24") == (
        "Thursday 2026-12-24 is already one of your days away; nothing changed."
    )
    assert await say(app, "away remove 2027-01-01") == (
        "Friday 2027-01-01 is not one of your days away, so nothing changed. "
        "`/hire away` lists them."
    )
    assert await say(app, "away remove 2027-01-01..2027-01-02") == (
        "Friday 2027-01-01 to Saturday 2027-01-02 are not among your days away, so nothing "
        "changed. `/hire away` lists them."
    )
    assert await days_away_in(app) == [(INTERVIEWER, CHRISTMAS_EVE)]


async def test_one_person_s_days_away_are_theirs_alone(app: Running) -> None:
    await say(app, "away add 2026-12-24..2026-12-25")
    await say(app, "away add 2026-12-25", user=RECRUITER)
    # Each sees only their own, and removing touches only the asker's.
    assert await say(app, "away", user=RECRUITER) == (
        "Your days away ahead (1 day):\n• Friday 2026-12-25"
    )
    assert (await say(app, "away", user=ADMIN)).startswith("You have no days away set.")
    assert "is not one of your days away" in await say(app, "away remove 2026-12-24", ADMIN)
    assert await say(app, "away remove 2026-12-25", user=RECRUITER) == (
        "Friday 2026-12-25 is no longer a day away."
    )
    assert await days_away_in(app) == [
        (INTERVIEWER, CHRISTMAS_EVE),
        (INTERVIEWER, date(2026, 12, 25)),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("away add", "Which day? Example: `/hire away add 2026-12-25`, or a range: "),
        (
            "away add 24/12/2026",
            "I can't read “24/12/2026” as a date: write it year-month-day. "
            "Example: `/hire away add 2026-12-25`, or a range: "
            "`/hire away add 2026-12-24..2026-12-26`.",
        ),
        ("away add 2026-02-30", "There is no day 2026-02-30 in the calendar"),
        ("away remove tomorrow", "Example: `/hire away remove 2026-12-25`"),
        # A day away has no name: words after the date are a range mistyped.
        ("away add 2026-12-24 to 2026-12-26", "I can't read “to 2026-12-26” as a date"),
        ("away add 2026-12-26..2026-12-24", "ends before it starts: put the earlier date first"),
        (
            "away add 2026-12-01..2027-01-31",
            "That range is 62 days; one command takes at most 31, so give it in parts. "
            "Example: `/hire away add 2026-12-01..2026-12-31`.",
        ),
        # Clock: Monday 16 November 2026, 09:00 UTC; Friday the 13th is over everywhere.
        (
            "away add 2026-11-13",
            "Friday 2026-11-13 is in the past, so nothing changed: days away are for dates "
            "to come. Example: `/hire away add 2026-11-16`.",
        ),
        ("away add 2026-11-10..2026-11-20", "Tuesday 2026-11-10 is in the past"),
        ("away clear", "`/hire away` lists your own days away (vacation, leave). Add one"),
    ],
)
async def test_bad_input_gets_a_short_answer_and_changes_nothing(
    app: Running, text: str, says: str
) -> None:
    assert says in await say(app, text)
    assert await days_away_in(app) == []


async def test_what_people_typed_is_shown_escaped(app: Running) -> None:
    # Typed as text, Slack sends it as entities; picked from autocomplete, as markup.
    refused = await say(app, "away add &lt;!channel&gt;")
    assert "“&lt;!channel&gt;” as a date" in refused and "<!channel>" not in refused
    refused = await say(app, "away add <!channel>")
    assert "“@channel” as a date" in refused and "<!channel>" not in refused
    assert await days_away_in(app) == []


async def test_help_lists_the_away_command(app: Running) -> None:
    shown = blocks_text((await ask(app, "help", user=OUTSIDER))["blocks"])
    assert "/hire away [@person] [add|remove <date>[..<date>]]" in shown
    assert "/hire away add 2026-12-24..2027-01-02" in shown


@pytest.mark.both_databases
async def test_days_away_survive_a_restart(
    app: Running, db_url: str, standin: SlackStandin, clock: ManualClock
) -> None:
    await say(app, "away add 2026-12-24..2026-12-25")
    async with serving(db_url, standin, clock) as restarted:
        listing = await say(restarted, "away")
        assert listing == (
            "Your days away ahead (2 days):\n• Thursday 2026-12-24 to Friday 2026-12-25"
        )
        assert "already one of your days away" in await say(restarted, "away add 2026-12-25")


# Booked on a day now away -----------------------------------------------------------------


async def test_someone_booked_on_a_day_they_add_away_is_told_with_the_kits_button(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Omar Haddad", role=role)
    thursday = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)
    jane = await schedule(app, "Jane Doe", starts=thursday)
    await schedule(app, "Omar Haddad", starts=thursday + timedelta(days=1))  # a Friday
    before = len(app.standin.calls)

    assert await say(app, "away add 2026-11-19") == "Thursday 2026-11-19 is now a day away for you."
    await app.settle()

    [told] = messages_to(app, INTERVIEWER, before)
    assert told["text"] == "You are booked for an interview on your days away (Jane Doe)."
    shown = blocks_text(told["blocks"])
    assert "Jane Doe" in shown and "Omar Haddad" not in shown
    # The kit's own button: it tells the recruiters, who can move it or find someone else.
    assert await click(app, told, "I can't make it", user=INTERVIEWER) == []
    form = last_view(app)
    assert form["callback_id"] == "interview_cant"
    assert InterviewMetadata.from_view(form).interview_id == jane.id


@pytest.mark.both_databases
async def test_the_recruiters_of_interviews_on_days_someone_adds_away_hear_of_them(
    app: Running,
) -> None:
    role = await create_role(app, recruiters=(RECRUITER, RECRUITER_2))
    other = await create_role(app, title="Data Engineer", hm=ADMIN, recruiters=(ADMIN,))
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Lena Park", role=other, user=ADMIN)
    await add_candidate(app, "Omar Haddad", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    await schedule(app, "Lena Park", starts=THURSDAY_14 + timedelta(hours=2), user=ADMIN)
    await schedule(app, "Omar Haddad", starts=THURSDAY_14 + timedelta(days=7))  # not away
    before = len(app.standin.calls)

    await say(app, "away add 2026-11-19")
    await app.settle()

    # Each recruiter hears of their own roles' interviews only, with the card's button.
    for recruiter in (RECRUITER, RECRUITER_2):
        [heard] = messages_to(app, recruiter, before)
        assert heard["text"] == (
            f"<@{INTERVIEWER}> added days away and is booked for an interview on them."
        )
        shown = blocks_text(heard["blocks"])
        assert "*Jane Doe* · MLOps Engineer" in shown
        assert "Lena Park" not in shown and "Omar Haddad" not in shown
        assert "*I can't make it*" in shown
    [theirs] = messages_to(app, ADMIN, before)
    assert "*Lena Park* · Data Engineer" in blocks_text(theirs["blocks"])
    assert "Jane Doe" not in blocks_text(theirs["blocks"])
    assert messages_to(app, HM, before) == []  # the role has recruiters: they book

    [card] = await click(
        app, messages_to(app, RECRUITER_2, before)[0], "Open card", user=RECRUITER_2
    )
    assert card.args["text"].startswith("Jane Doe: MLOps Engineer")
    assert json.dumps(card.args["blocks"]).count("Change interviewers") == 1

    # Added again, the day is no news to them (the interviewer is reminded).
    before = len(app.standin.calls)
    await say(app, "away add 2026-11-19..2026-11-20")
    await app.settle()
    assert messages_to(app, RECRUITER, before) == [] == messages_to(app, ADMIN, before)
    assert len(messages_to(app, INTERVIEWER, before)) == 1


@pytest.mark.both_databases
async def test_days_taken_back_tell_the_recruiters_their_interviews_stand(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    await say(app, "away add 2026-11-19..2026-11-20")
    await app.settle()
    before = len(app.standin.calls)

    await say(app, "away remove 2026-11-20")  # no interview that day: nobody to tell
    await app.settle()
    assert messages_to(app, RECRUITER, before) == []

    await say(app, "away remove 2026-11-19")
    await app.settle()
    [heard] = messages_to(app, RECRUITER, before)
    assert heard["text"] == (
        f"<@{INTERVIEWER}> took back days away and is booked for an interview on them."
    )
    shown = blocks_text(heard["blocks"])
    assert "*Jane Doe* · MLOps Engineer" in shown and "They stand as booked" in shown
    assert messages_to(app, INTERVIEWER, before) == []  # they know: they did it

    # Taken back by the hiring manager: the interviewer and the recruiters hear who did.
    await say(app, f"away {mention(INTERVIEWER)} add 2026-11-19", HM)
    await app.settle()
    before = len(app.standin.calls)
    await say(app, f"away {mention(INTERVIEWER)} remove 2026-11-19", HM)
    await app.settle()
    [unmarked] = messages_to(app, INTERVIEWER, before)
    assert unmarked["text"].startswith(f"<@{HM}> took back your days away")
    [heard] = messages_to(app, RECRUITER, before)
    assert heard["text"] == (
        f"<@{HM}> took back <@{INTERVIEWER}>'s days away; they are booked for an interview then."
    )
    assert messages_to(app, HM, before) == []


async def test_the_kit_says_the_day_away_while_it_is_one_and_no_longer_after(
    app: Running,
) -> None:
    """Booked first, then away that day: the kit already sent is edited to say so, next to
    its I can't make it; the day taken back, it is edited again without it."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    kit = kit_for(app, INTERVIEWER)
    ts = kit_sent_ts(app, kit)
    assert "day you are away" not in blocks_text(kit["blocks"])

    before = len(app.standin.calls)
    await say(app, "away add 2026-11-19")
    await app.settle()
    [edited] = [u for u in updates_in(app, f"D{INTERVIEWER}", before) if u["ts"] == ts]
    assert ":palm_tree: *On a day you are away:* Thursday 2026-11-19" in blocks_text(
        edited["blocks"]
    )

    before = len(app.standin.calls)
    await say(app, f"away {mention(INTERVIEWER)} remove 2026-11-19", RECRUITER)
    await app.settle()
    [back] = [u for u in updates_in(app, f"D{INTERVIEWER}", before) if u["ts"] == ts]
    assert "day you are away" not in blocks_text(back["blocks"])
    assert "Submit scorecard" in buttons_of(back["blocks"])


async def test_days_away_with_no_interview_on_them_send_nothing_more(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    before = len(app.standin.calls)

    await say(app, "away add 2026-11-20..2026-11-27")
    await say(app, "away add 2026-11-19", user=INTERVIEWER_2)  # not on that panel
    await app.settle()

    assert messages_to(app, INTERVIEWER, before) == []
    assert messages_to(app, INTERVIEWER_2, before) == []


async def test_the_interviews_day_is_the_one_where_the_interviewer_is(app: Running) -> None:
    app.standin.set_user(INTERVIEWER, tz="Asia/Tokyo", tz_offset=9 * 3600)
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    # Thursday 20:00 in UTC is Friday 05:00 in Tokyo.
    await schedule(app, "Jane Doe", starts=datetime(2026, 11, 19, 20, 0, tzinfo=UTC))
    before = len(app.standin.calls)

    await say(app, "away add 2026-11-19")
    await app.settle()
    assert messages_to(app, INTERVIEWER, before) == []

    await say(app, "away add 2026-11-20")
    await app.settle()
    [told] = messages_to(app, INTERVIEWER, before)
    assert "Jane Doe" in told["text"]


async def test_the_card_marks_who_is_away_on_their_interview_s_day(
    app: Running, clock: ManualClock
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", interviewers=(INTERVIEWER, INTERVIEWER_2), starts=THURSDAY_14)

    async def card() -> str:
        return blocks_text((await ask(app, "status Jane Doe", user=RECRUITER))["blocks"])

    assert ":palm_tree:" not in await card()
    await say(app, "away add 2026-11-19")
    await say(app, "away add 2026-11-23", user=INTERVIEWER_2)  # another week

    shown = await card()  # the next request sees it: the kept card is read again
    [ivan] = [line for line in shown.splitlines() if line.startswith(f"<@{INTERVIEWER}>:")]
    assert ivan.endswith(" · :palm_tree: away Thursday 2026-11-19")
    assert shown.count(":palm_tree:") == 1

    await say(app, "away remove 2026-11-19")
    assert ":palm_tree:" not in await card()

    # Only an interview to come: once it has started, the day away is no news.
    await say(app, "away add 2026-11-19")
    assert ":palm_tree:" in await card()
    clock.set(THURSDAY_14 + timedelta(minutes=1))
    assert ":palm_tree:" not in await card()


def test_a_long_list_of_booked_interviews_shows_ten_and_says_how_many_more() -> None:
    starts = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    seats = [
        SeatRow(
            n,
            starts + timedelta(hours=n),
            "incident",
            None,
            "mlops",
            f"Candidate {n}",
            "MLOps Engineer",
            starts,
            0,
            100 + n,
            1,
            "interviewing",
            starts + timedelta(hours=n, minutes=45),
            None,
            7,
            24,
            48,
            48,
            48,
            None,
        )
        for n in range(1, 13)
    ]
    text, blocks = day_away_blocks.booked_while_away(seats)
    assert text.startswith("You are booked for 12 interviews on your days away")
    buttons_shown = [b for b in blocks if getattr(b, "accessory", None) is not None]
    assert len(buttons_shown) == day_away_blocks.BOOKED_SHOWN == 10
    assert "…and 2 more: your Home tab lists them all." in blocks_text(
        [b.to_dict() for b in blocks]
    )

    text, blocks = day_away_blocks.booked_on_their_days(
        INTERVIEWER, seats, by=INTERVIEWER, reader=RECRUITER
    )
    assert text == f"<@{INTERVIEWER}> added days away and is booked for 12 interviews on them."
    cards = [b.accessory for b in blocks if isinstance(b, SectionBlock)]
    buttons = [c for c in cards if isinstance(c, ButtonElement)]
    assert [b.value for b in buttons] == [str(100 + n) for n in range(1, 11)]
    # Slack refuses a message where two buttons share an action id.
    assert len({b.action_id for b in buttons}) == 10
    assert "…and 2 more, later." in blocks_text([b.to_dict() for b in blocks])


# Someone else's days away ----------------------------------------------------------------


def mention(user: str) -> str:
    return f"<@{user}|{user.lower()}>"  # as Slack sends one picked from its list


async def test_a_recruiter_marks_an_interviewer_away_who_is_told_and_it_is_recorded(
    app: Running,
) -> None:
    await create_role(app)  # the recruiter is on its hiring team
    before = len(app.standin.calls)
    added = await say(app, f"away {mention(INTERVIEWER)} add 2026-12-24..2026-12-25", RECRUITER)
    assert added == (
        f"Thursday 2026-12-24 to Friday 2026-12-25 are now days away for <@{INTERVIEWER}>. "
        f"<@{INTERVIEWER}> is told."
    )
    assert await days_away_in(app) == [
        (INTERVIEWER, CHRISTMAS_EVE),
        (INTERVIEWER, date(2026, 12, 25)),
    ]
    await app.settle()
    [told] = messages_to(app, INTERVIEWER, before)
    assert told["text"] == (
        f"<@{RECRUITER}> marked you away: Thursday 2026-12-24 to Friday 2026-12-25."
    )
    assert "`/hire away remove 2026-12-24`" in blocks_text(told["blocks"])
    [change] = await stored(app, Change)
    assert (change.actor_id, change.kind) == (RECRUITER, "days_away_added")
    assert (
        change.summary == f"marked <@{INTERVIEWER}> away: Thursday 2026-12-24 to Friday 2026-12-25"
    )

    # The recruiter lists them; the interviewer sees them as their own.
    listing = await ask(app, f"away {mention(INTERVIEWER)}", RECRUITER)
    assert listing["text"] == (
        f"<@{INTERVIEWER}>'s days away ahead (2 days):\n• Thursday 2026-12-24 to Friday 2026-12-25"
    )
    assert (await say(app, "away")).startswith("Your days away ahead (2 days):")

    # The verb may come first, too; taking a day back tells them again.
    before = len(app.standin.calls)
    removed = await say(app, f"away remove {mention(INTERVIEWER)} 2026-12-25", RECRUITER)
    assert (
        removed == f"Friday 2026-12-25 is no longer a day away for <@{INTERVIEWER}>, who is told."
    )
    assert await days_away_in(app) == [(INTERVIEWER, CHRISTMAS_EVE)]
    await app.settle()
    [told] = messages_to(app, INTERVIEWER, before)
    # Not "working days again": Christmas may be a company day off all the same.
    assert told["text"] == f"<@{RECRUITER}> took back your days away: Friday 2026-12-25."
    assert "`/hire away add 2026-12-25` sets it again" in blocks_text(told["blocks"])
    assert [c.kind for c in await stored(app, Change)] == ["days_away_added", "days_away_removed"]


async def test_only_a_hiring_team_or_an_admin_sets_someone_else_s_days(app: Running) -> None:
    await create_role(app)
    for person in (INTERVIEWER_2, OUTSIDER):
        for text in (
            f"away {mention(INTERVIEWER)} add 2026-12-24",
            f"away {mention(INTERVIEWER)} remove 2026-12-24",
            f"away {mention(INTERVIEWER)}",
        ):
            refused = await say(app, text, person)
            assert refused == SOMEONE_ELSES, (person, text)
    assert await days_away_in(app) == []

    # An admin on no hiring team may; naming oneself is one's own days, as without a name.
    assert "a day away for <@" in await say(
        app, f"away {mention(INTERVIEWER)} add 2026-12-24", ADMIN
    )
    own = await say(app, f"away {mention(INTERVIEWER_2)} add 2026-12-24", INTERVIEWER_2)
    assert own == "Thursday 2026-12-24 is now a day away for you."
    assert await days_away_in(app) == [(INTERVIEWER, CHRISTMAS_EVE), (INTERVIEWER_2, CHRISTMAS_EVE)]
    assert [c.actor_id for c in await stored(app, Change)] == [ADMIN]  # not one's own


async def test_a_name_typed_instead_of_picked_is_explained(app: Running) -> None:
    await create_role(app)
    said = await say(app, "away @ivan add 2026-12-24", RECRUITER)
    assert said.startswith("I can't tell who “@ivan” is: pick the person from Slack's list")
    assert "`/hire away @ivan add 2026-12-24`" in said and "*Escape channels" in said
    assert await days_away_in(app) == []
    # Without the @ too, as the /hire away team list's hint once led people to type it.
    bare = await say(app, "away Ivan Petrov", RECRUITER)
    assert bare.startswith("I can't tell who “Ivan Petrov” is: pick the person"), bare
    lower = await say(app, "away ivan add 2026-12-24", RECRUITER)
    assert lower.startswith("I can't tell who “ivan” is: pick the person"), lower
    assert await days_away_in(app) == []
    # A mistyped verb is still a mistyped verb.
    assert "I can't tell who" not in await say(app, "away clear", RECRUITER)


async def test_whoever_marks_someone_away_over_their_interviews_hears_of_them(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    before = len(app.standin.calls)

    await say(app, f"away {mention(INTERVIEWER)} add 2026-11-19", RECRUITER)
    await app.settle()

    marked, booked = messages_to(app, INTERVIEWER, before)
    assert marked["text"].startswith(f"<@{RECRUITER}> marked you away")
    assert booked["text"] == "You are booked for an interview on your days away (Jane Doe)."
    assert "I can't make it" in blocks_text(booked["blocks"])
    [heard] = messages_to(app, RECRUITER, before)  # once, though also its recruiter
    assert heard["text"] == (
        f"<@{INTERVIEWER}> is booked for an interview on the days you marked them away."
    )
    assert "*Jane Doe*" in blocks_text(heard["blocks"])
    assert "Open card" in blocks_text(heard["blocks"])


async def test_when_the_hiring_manager_marks_someone_away_the_recruiters_hear_too(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    before = len(app.standin.calls)

    await say(app, f"away {mention(INTERVIEWER)} add 2026-11-19", HM)
    await app.settle()

    [marker] = messages_to(app, HM, before)
    assert marker["text"].endswith("on the days you marked them away.")
    [heard] = messages_to(app, RECRUITER, before)
    assert heard["text"] == (
        f"<@{HM}> marked <@{INTERVIEWER}> away, and they are booked for an interview then."
    )


# A hiring team's interviewers: `/hire away team` ---------------------------------------------


async def test_a_recruiter_sees_the_interviews_booked_on_a_day_away_and_who_is_away(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Omar Haddad", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    await schedule(app, "Omar Haddad", interviewers=(INTERVIEWER_2,), starts=THURSDAY_14)
    await say(app, "away add 2026-11-19")
    await say(app, "away add 2026-12-01..2026-12-03", user=INTERVIEWER_2)
    await say(app, "away add 2027-01-04", user=INTERVIEWER_2)  # past the four weeks

    listing = await ask(app, "away team", user=RECRUITER)

    assert listing["text"] == (
        "Your interviewers: 1 interview booked on a day away; "
        "2 interviewers away in the next 4 weeks (to Saturday 2026-12-12)."
    )
    shown = blocks_text(listing["blocks"])
    assert "*Jane Doe* · MLOps Engineer · " in shown
    assert f"<@{INTERVIEWER}> is away that day" in shown
    assert "Omar Haddad" not in shown  # their interviewer is away another week
    assert (
        f"• <@{INTERVIEWER}>: Thursday 2026-11-19\n"
        f"• <@{INTERVIEWER_2}>: Tuesday 2026-12-01 to Thursday 2026-12-03"
    ) in shown
    assert "2027-01-04" not in shown
    assert "the 2 people on your roles' interviews from the last 90 days" in shown

    # Its button is the candidate's card, where the interview is moved or restaffed,
    # under the list (which stays, for the next one).
    [card] = await click(app, listing, "Open card", user=RECRUITER, container=EPHEMERAL)
    assert card.args["text"].startswith("Jane Doe: MLOps Engineer")
    assert json.dumps(card.args["blocks"]).count("Change interviewers") == 1
    assert card.args["replace_original"] is False


async def test_the_hiring_manager_sees_the_same_and_other_roles_stay_out(app: Running) -> None:
    role = await create_role(app)
    other = await create_role(app, title="Data Engineer", hm=ADMIN, recruiters=(ADMIN,))
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Lena Park", role=other, user=ADMIN)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    await schedule(app, "Lena Park", interviewers=(INTERVIEWER_2,), starts=THURSDAY_14, user=ADMIN)
    await say(app, "away add 2026-11-19")
    await say(app, "away add 2026-11-19", user=INTERVIEWER_2)

    shown = blocks_text((await ask(app, "away team", user=HM))["blocks"])
    assert "Jane Doe" in shown and f"<@{INTERVIEWER}>" in shown
    assert "Lena Park" not in shown and f"<@{INTERVIEWER_2}>" not in shown
    assert "the 1 person on your roles' interviews" in shown

    theirs = blocks_text((await ask(app, "away team", user=ADMIN))["blocks"])
    assert "Lena Park" in theirs and "Jane Doe" not in theirs


async def test_with_nobody_away_the_team_is_told_so(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    await say(app, "away add 2027-01-04")  # ahead, but past the four weeks

    said = await say(app, "away team", user=RECRUITER)
    assert said == (
        "None of your interviewers is away in the next 4 weeks (to Saturday 2026-12-12), "
        "and no interview to come is booked on someone's day away."
    )


async def test_someone_on_no_hiring_team_is_told_what_they_can_ask_instead(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    await say(app, "away add 2026-11-19")
    # An admin on no team sees no candidate's name, here neither.
    for who in (INTERVIEWER, OUTSIDER, ADMIN):
        said = await say(app, "away team", user=who)
        assert said.startswith("`/hire away team` lists the days away of the interviewers")
        assert "you are on no role's hiring team" in said and "Jane Doe" not in said


async def test_an_interviews_day_is_the_one_where_its_interviewer_is(app: Running) -> None:
    app.standin.set_user(INTERVIEWER, tz="Asia/Tokyo", tz_offset=9 * 3600)
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    # Thursday 20:00 in UTC is Friday 05:00 in Tokyo.
    await schedule(app, "Jane Doe", starts=datetime(2026, 11, 19, 20, 0, tzinfo=UTC))

    await say(app, "away add 2026-11-19")
    listing = await ask(app, "away team", user=RECRUITER)
    assert "booked on a day away" not in listing["text"]
    assert "1 interviewer away" in listing["text"]

    await say(app, "away add 2026-11-20")
    listing = await ask(app, "away team", user=RECRUITER)
    assert listing["text"].startswith("Your interviewers: 1 interview booked on a day away;")
    assert "Dates by UTC" not in blocks_text(listing["blocks"])


async def test_when_slack_is_slow_to_say_where_they_are_dates_go_by_utc(
    app: Running, standin: SlackStandin
) -> None:
    app.standin.set_user(INTERVIEWER, tz="Asia/Tokyo", tz_offset=9 * 3600)
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", starts=datetime(2026, 11, 19, 20, 0, tzinfo=UTC))
    await say(app, "away add 2026-11-19")
    await app.settle()
    standin.delay_next("users.info", 1.5)

    listing = await ask(app, "away team", user=RECRUITER)
    # Thursday by UTC, where Slack could not say it is Friday in Tokyo: listed, and said.
    assert listing["text"].startswith("Your interviewers: 1 interview booked on a day away;")
    assert "Dates by UTC: Slack did not say in time where they are." in blocks_text(
        listing["blocks"]
    )


async def test_a_recruiter_s_home_tab_lists_interviews_booked_on_a_day_away(
    app: Running, standin: SlackStandin
) -> None:
    app.standin.set_user(INTERVIEWER_2, tz="Asia/Tokyo", tz_offset=9 * 3600)
    role = await create_role(app)
    for name in ("Jane Doe", "Omar Haddad", "Lena Park"):
        await add_candidate(app, name, role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    # Friday 05:00 in Tokyo, and Thursday 22:00 there.
    later, earlier = THURSDAY_14 + timedelta(hours=6), THURSDAY_14 - timedelta(hours=1)
    await schedule(app, "Omar Haddad", interviewers=(INTERVIEWER_2,), starts=later)
    await schedule(app, "Lena Park", interviewers=(INTERVIEWER_2,), starts=earlier)
    heading = "*Booked on a day away*"
    assert heading not in blocks_text((await home_of(app, RECRUITER))["blocks"])

    await say(app, "away add 2026-11-19")
    await say(app, "away add 2026-11-20", user=INTERVIEWER_2)

    tab = await home_of(app, RECRUITER)
    shown = blocks_text(tab["blocks"])
    assert f"{heading} (2)" in shown
    assert "*Jane Doe* · MLOps Engineer · " in shown and "*Omar Haddad* · " in shown
    assert f"<@{INTERVIEWER}> is away that day" in shown
    assert "Lena Park ·" not in shown and "Dates by UTC" not in shown
    # The hiring manager decides; the recruiters book: only their tab has it.
    assert heading not in blocks_text((await home_of(app, HM))["blocks"])
    assert heading not in blocks_text((await home_of(app, INTERVIEWER))["blocks"])

    jane = {"blocks": [b for b in tab["blocks"] if "Jane Doe" in json.dumps(b)]}
    [card] = await click(app, jane, "Open card", user=RECRUITER)
    assert card.args["text"].startswith("Jane Doe: MLOps Engineer")

    # Slack slow to say where they are: by UTC, where Omar's is on Thursday, and said.
    standin.delay_next("users.info", 1.5)
    shown = blocks_text((await home_of(app, RECRUITER))["blocks"])
    assert f"{heading} (1)" in shown and "Omar Haddad ·" not in shown
    assert "Dates by UTC: Slack did not say in time where they are." in shown


async def test_a_hiring_manager_who_books_sees_the_list_on_their_home_tab(
    app: Running,
) -> None:
    """A role with no recruiter (the form asks for one, but a role stored before it did
    may have none) is booked by its hiring manager, who hears of days away over its
    interviews (Team.bookers): their Home tab lists them as a recruiter's does."""
    role = await create_role(app)
    async with app.deps.db.transaction() as session:
        await session.exec(delete(RoleRecruiter).where(col(RoleRecruiter.role_id) == role.id))
    await add_candidate(app, "Jane Doe", role=role, user=HM)
    await schedule(app, "Jane Doe", starts=THURSDAY_14, user=HM)
    heading = "*Booked on a day away*"
    assert heading not in blocks_text((await home_of(app, HM))["blocks"])

    await say(app, "away add 2026-11-19")
    tab = await home_of(app, HM)
    shown = blocks_text(tab["blocks"])
    assert f"{heading} (1)" in shown and "*Jane Doe* · MLOps Engineer · " in shown
    assert "Recruiting" not in shown  # in their own section: they recruit for no role
    jane = {"blocks": [b for b in tab["blocks"] if "Jane Doe" in json.dumps(b)]}
    [card] = await click(app, jane, "Open card", user=HM)
    assert card.args["text"].startswith("Jane Doe: MLOps Engineer")
    # A recruiter of another role is not told of this one's.
    await create_role(app, title="Data Engineer")
    assert heading not in blocks_text((await home_of(app, RECRUITER))["blocks"])


@pytest.mark.both_databases
async def test_past_cancelled_and_closed_candidates_interviews_are_not_listed(
    app: Running, clock: ManualClock
) -> None:
    role = await create_role(app)
    for name in ("Jane Doe", "Omar Haddad", "Lena Park"):
        await add_candidate(app, name, role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    omar = await schedule(app, "Omar Haddad", starts=THURSDAY_14 + timedelta(hours=2))
    await schedule(app, "Lena Park", starts=datetime(2026, 11, 16, 12, 0, tzinfo=UTC))
    async with app.deps.db.transaction() as session:
        await session.exec(
            update(Interview)
            .where(col(Interview.id) == omar.id)
            .values(status=InterviewStatus.CANCELLED.value)
        )
        await session.exec(
            update(Candidate)
            .where(col(Candidate.name) == "Jane Doe")
            .values(stage=Stage.REJECTED.value)
        )
    await say(app, "away add 2026-11-19")
    await say(app, "away add 2026-11-17")
    clock.advance(timedelta(days=1))  # Lena's interview is over; she is still in the loop

    listing = await ask(app, "away team", user=RECRUITER)
    assert "booked on a day away" not in listing["text"]
    shown = blocks_text(listing["blocks"])
    # Their interviewer is still one of the team's: Lena's interview was this week.
    assert f"• <@{INTERVIEWER}>: Tuesday 2026-11-17, Thursday 2026-11-19" in shown
    assert "Jane Doe" not in shown and "Omar Haddad" not in shown and "Lena Park" not in shown


def test_a_long_list_of_interviews_on_days_away_shows_ten_and_how_many_more() -> None:
    starts = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    seats = [
        PanelSeat(n, n, f"Candidate {n}", "MLOps Engineer", starts, starts, INTERVIEWER, True)
        for n in range(1, 13)
    ]
    panels = Panels(
        frozenset({INTERVIEWER}),
        {INTERVIEWER: [starts.date()]},
        date(2026, 12, 12),
        seats,
        {INTERVIEWER: frozenset({starts.date()})},
    )
    text, blocks = day_away_blocks.panels_message(
        panels, booked_away(panels.booked, panels.days_away, {}), zones_known=True
    )
    assert text.startswith("Your interviewers: 12 interviews booked on a day away;")
    shown = [b.to_dict() for b in blocks]
    assert (
        sum(1 for b in shown if b.get("accessory", {}).get("text", {}).get("text") == "Open card")
        == 10
    )
    ids = [b["accessory"]["action_id"] for b in shown if "accessory" in b]
    assert len(set(ids)) == len(ids)  # Slack refuses a message with two alike
    assert "…and 2 more, later" in blocks_text(shown)


async def test_an_interviewer_s_home_tab_marks_their_interviews_on_a_day_away(
    app: Running,
) -> None:
    app.standin.set_user(INTERVIEWER, tz="Asia/Tokyo", tz_offset=9 * 3600)
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Omar Haddad", role=role)
    # Thursday 14:00 UTC is Thursday 23:00 in Tokyo; Thursday 20:00 UTC is Friday there.
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    await schedule(app, "Omar Haddad", starts=THURSDAY_14 + timedelta(hours=6))
    await say(app, "away add 2026-11-20")

    lines = blocks_text((await home_of(app, INTERVIEWER))["blocks"]).splitlines()
    [omar] = [line for line in lines if "*Omar Haddad*" in line and line.startswith("•")]
    [jane] = [line for line in lines if "*Jane Doe*" in line and line.startswith("•")]
    assert omar.endswith(" · :palm_tree: you are away that day")
    assert ":palm_tree:" not in jane
    assert "Say *I can't make it* on its kit" in "\n".join(lines)

    await say(app, "away remove 2026-11-20")
    assert ":palm_tree:" not in blocks_text((await home_of(app, INTERVIEWER))["blocks"])
