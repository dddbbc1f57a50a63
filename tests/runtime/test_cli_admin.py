"""`loopkeeper admin add`: the way back to Slack's `/hire admin` when every admin has left
(LOOPKEEPER_ADMINS is read only while there is none). On SQLite only: the command
stores through admin.add_admin, whose PostgreSQL path tests/handlers/test_admins.py
covers."""

from __future__ import annotations

from sqlmodel import select

from bot.store.engine import Database
from bot.store.tables import Admin, Change
from tests.runtime.test_cli_import_export import loopkeeper


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
