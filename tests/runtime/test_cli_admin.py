"""`loopkeeper admin add`: the way back to Slack's `/hire admin` when every admin has left
(LOOPKEEPER_ADMINS is read only while there is none). On SQLite only: the command
stores through admin.add_admin, whose PostgreSQL path tests/handlers/test_admins.py
covers."""

from __future__ import annotations

import socket

import pytest
from sqlmodel import select

from bot.playground.standin import SlackStandin
from bot.store.engine import Database
from bot.store.tables import Admin, Change
from tests.runtime.test_cli_import_export import loopkeeper
from tests.scheduling.test_sweep_cli import loopkeeper as slack_cli


async def test_an_operator_makes_someone_an_admin_and_it_is_recorded(db_url: str) -> None:
    bad = loopkeeper(db_url, "admin", "add", "jane")
    assert bad.returncode == 2 and "'jane' is not a Slack user id" in bad.stderr, bad.stderr

    added = loopkeeper(db_url, "admin", "add", "u012ab3cd", "--by", "ops:kim")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "U012AB3CD is now a Loopkeeper admin."
    again = loopkeeper(db_url, "admin", "add", "U012AB3CD")
    assert again.stdout.strip() == "U012AB3CD is already a Loopkeeper admin."

    db = Database(db_url)
    try:
        async with db.reader() as session:
            [admin] = (await session.exec(select(Admin))).all()
            [change] = (await session.exec(select(Change))).all()
    finally:
        await db.close()
    assert (admin.user_id, admin.added_by) == ("U012AB3CD", "ops:kim")
    assert (change.kind, change.actor_id) == ("admin_added", "ops:kim")


# With Slack settings, the id is checked with Slack first -------------------------------


async def add_admin(standin: SlackStandin, db_url: str, user_id: str) -> tuple[int, str, str]:
    return await slack_cli("admin", "add", user_id, db_url=db_url, api_url=standin.url)


async def admins_in(db_url: str) -> list[str]:
    db = Database(db_url)
    try:
        async with db.reader() as session:
            return [a.user_id for a in (await session.exec(select(Admin))).all()]
    finally:
        await db.close()


async def test_a_member_id_slack_knows_is_added_under_their_name(
    db_url: str, standin: SlackStandin
) -> None:
    standin.set_user("U012AB3CD", real_name="Kim Park")
    code, out, err = await add_admin(standin, db_url, "U012AB3CD")
    assert code == 0, err
    assert out.strip() == "U012AB3CD (Kim Park) is now a Loopkeeper admin."
    assert [c.args["user"] for c in standin.calls_to("users.info")] == ["U012AB3CD"]
    assert await admins_in(db_url) == ["U012AB3CD"]


@pytest.mark.parametrize(
    ("slack_says", "refusal"),
    [
        ("not found", "Slack has no member U0TYPO123 in this workspace; nothing changed."),
        ("deactivated", "U0TYPO123 is a deactivated Slack account; nothing changed."),
        ("bot", "U0TYPO123 is a bot, not a person; nothing changed."),
    ],
)
async def test_an_id_slack_has_no_person_for_is_refused_and_nothing_changes(
    db_url: str, standin: SlackStandin, slack_says: str, refusal: str
) -> None:
    """A member id copied wrong made an admin nobody could act as: found out only when
    nobody could get in."""
    if slack_says == "not found":
        standin.fail_next("users.info", "user_not_found")
    else:
        standin.set_user(
            "U0TYPO123", deleted=slack_says == "deactivated", is_bot=slack_says == "bot"
        )
    code, out, err = await add_admin(standin, db_url, "U0TYPO123")
    assert code == 2 and out == ""
    assert refusal in err
    assert await admins_in(db_url) == []


async def test_slack_that_cannot_be_asked_does_not_stand_in_the_way(
    db_url: str, standin: SlackStandin
) -> None:
    """The way back in when every admin has left must work when Slack is down too."""
    standin.server_error_next("users.info", status=503)
    code, out, err = await add_admin(standin, db_url, "U012AB3CD")
    assert code == 0, err
    assert out.strip() == "U012AB3CD is now a Loopkeeper admin."
    assert "Not checked with Slack" in err and "U012AB3CD" in err

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    code, out, err = await slack_cli(
        "admin", "add", "U0SECOND1", db_url=db_url, api_url=f"http://127.0.0.1:{port}/api/"
    )
    assert code == 0, err
    assert "Not checked with Slack (unreachable" in err
    assert sorted(await admins_in(db_url)) == ["U012AB3CD", "U0SECOND1"]
