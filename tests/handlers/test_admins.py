"""Admins in Slack: the list lives in the database, seeded from LOOPKEEPER_ADMINS on the
first start only; `/hire admin add|remove|list`, admins only; the last admin stays.
Every request is signed as Slack signs it; the Web API is the product's stand-in."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.store.tables import Admin, Change
from tests.conftest import ADMIN, OUTSIDER, RECRUITER, Running, serving
from tests.flows import answer, blocks_text, stored

# The admin rows and template versions rely on ON CONFLICT and row locks: both databases.
pytestmark = pytest.mark.both_databases


async def admins_in(app: Running) -> list[str]:
    return [a.user_id for a in await stored_admins(app)]


async def stored_admins(app: Running) -> list[Admin]:
    async with app.deps.db.reader() as session:
        return list((await session.exec(select(Admin).order_by(Admin.user_id))).all())


async def say(app: Running, text: str, user: str = ADMIN) -> str:
    return str(answer(await app.slack.command(text, user=user))["text"])


async def test_the_first_start_seeds_the_admins_of_the_setting(app: Running) -> None:
    # Requests are answered once the start (which seeds) is over.
    listing = answer(await app.slack.command("admin", user=ADMIN))
    [seeded] = await stored_admins(app)
    assert (seeded.user_id, seeded.added_by) == (ADMIN, "LOOPKEEPER_ADMINS")
    assert f"<@{ADMIN}>" in blocks_text(listing["blocks"])
    assert "Loopkeeper admins (1)" in listing["text"]
    assert await say(app, "admin list") == listing["text"]


async def test_an_admin_adds_and_removes_an_admin_who_then_may_and_may_not_create_roles(
    app: Running, clock: ManualClock
) -> None:
    refused = answer(await app.slack.command("role", user=RECRUITER))
    assert "Only Loopkeeper admins can create roles" in refused["text"]

    added = await say(app, f"admin add <@{RECRUITER}|rec>")
    assert added == f"<@{RECRUITER}> is now a Loopkeeper admin."
    assert await admins_in(app) == [ADMIN, RECRUITER]
    opened = await app.slack.command("role", user=RECRUITER)
    assert opened.status_code == 200 and not opened.content  # the form opened
    form = app.standin.calls_to("views.open")[-1].args["view"]
    assert form["callback_id"] == "role_create"
    # The admin creating it is filled in as a recruiter, and the form says so.
    [recruiters] = [b for b in form["blocks"] if b.get("block_id") == "recruiters"]
    assert recruiters["element"]["initial_users"] == [RECRUITER]
    assert "You are filled in: take yourself out" in recruiters["hint"]["text"]
    assert "Loopkeeper admins (2)" in await say(app, "admin", user=RECRUITER)

    removed = await say(app, f"admin remove <@{RECRUITER}>")
    assert removed == f"<@{RECRUITER}> is no longer a Loopkeeper admin."
    assert await admins_in(app) == [ADMIN]
    again = answer(await app.slack.command("role", user=RECRUITER))
    assert "Only Loopkeeper admins can create roles" in again["text"]

    changes = [(c.kind, c.actor_id, c.at) for c in await stored(app, Change)]
    assert changes == [("admin_added", ADMIN, clock.now()), ("admin_removed", ADMIN, clock.now())]
    # The person hears of both, from whom: they found out only when a command said no.
    await app.settle()
    told = [
        c.args["text"]
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == RECRUITER
    ]
    assert told == [
        f"<@{ADMIN}> made you a Loopkeeper admin.",
        f"<@{ADMIN}> removed you as a Loopkeeper admin.",
    ]


async def test_adding_an_admin_twice_or_removing_someone_who_is_not_one_changes_nothing(
    app: Running,
) -> None:
    assert await say(app, f"admin add <@{ADMIN}>") == (
        f"<@{ADMIN}> is already an admin; nothing changed."
    )
    assert "is not an admin, so nothing changed" in await say(app, f"admin remove <@{OUTSIDER}>")
    assert await admins_in(app) == [ADMIN]
    assert await stored(app, Change) == []


async def test_the_last_admin_cannot_be_removed(app: Running) -> None:
    answer_ = await say(app, f"admin remove <@{ADMIN}>")
    assert "last Loopkeeper admin" in answer_ and "nothing changed" in answer_
    assert await admins_in(app) == [ADMIN]
    # With a second admin, the first may go, even by their own hand.
    await say(app, f"admin add <@{RECRUITER}>")
    assert "no longer" in await say(app, f"admin remove <@{ADMIN}>")
    assert "last Loopkeeper admin" in await say(app, f"admin remove <@{RECRUITER}>", RECRUITER)
    assert await admins_in(app) == [RECRUITER]


async def test_only_admins_change_or_list_the_admins(app: Running) -> None:
    for text in ("admin", "admin list", f"admin add <@{OUTSIDER}>", f"admin remove <@{ADMIN}>"):
        assert "for Loopkeeper admins" in await say(app, text, user=OUTSIDER)
    assert await admins_in(app) == [ADMIN]
    assert await stored(app, Change) == []


async def test_a_person_is_named_with_a_mention(app: Running) -> None:
    for text in ("admin add", "admin add jane", f"admin add {RECRUITER}", "admin add <#C123>"):
        assert await say(app, text) == "Name one person with @, e.g. `/hire admin add @jane`."
    # "@jane" as plain text: Slack sends a mention as an id only when picked from its
    # list with escaping on; an app made from an older manifest has it off.
    typed = await say(app, "admin remove @jane")
    assert typed.startswith("I can't tell who “@jane” is") and "`/hire admin remove @jane`" in typed
    assert "turns on *Escape channels, users, and links* for /hire" in typed
    assert "`/hire admin add @person`" in await say(app, "admin promote")  # the usage
    assert await admins_in(app) == [ADMIN]


async def test_a_later_start_does_not_add_back_an_admin_removed_in_slack(
    app: Running, db_url: str, standin: SlackStandin, clock: ManualClock
) -> None:
    await say(app, f"admin add <@{RECRUITER}>")
    await say(app, f"admin remove <@{ADMIN}>", user=RECRUITER)
    # Another replica (or a restart) with a different setting: the table is not empty,
    # so the setting is not read again.
    async with serving(
        db_url, standin, clock, loopkeeper_admins=f"{ADMIN},{OUTSIDER}"
    ) as restarted:
        # A request is answered only once the start (and its seeding) is over.
        assert "for Loopkeeper admins" in await say(restarted, "admin", user=ADMIN)
        assert await admins_in(restarted) == [RECRUITER]


async def test_with_no_admin_at_all_the_refusal_says_how_to_get_one(
    db_url: str, standin: SlackStandin, clock: ManualClock
) -> None:
    """Started without LOOPKEEPER_ADMINS: 'Ask an admin' named nobody who exists."""
    async with serving(db_url, standin, clock, loopkeeper_admins="") as app:
        refused = answer(await app.slack.command("role", user=RECRUITER))["text"]
    assert "there is no admin yet" in refused
    assert "`loopkeeper admin add <your member id>`" in refused
