"""Alembic, driven from code: `loopkeeper migrate` and the tests use the same path."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import migrations

if TYPE_CHECKING:
    from bot.store.engine import Database

SCRIPT_LOCATION = Path(migrations.__file__).parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    # ConfigParser treats % as interpolation; a password may contain one.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Blocking: call from a thread when an event loop is running (env.py starts its own)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


@cache  # the migrations ship with the code: read once, not on every /healthz
def current_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


@cache
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    directory = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(script.revision for script in directory.walk_revisions())


def is_newer(revision: str | None) -> bool:
    """A revision this release's migrations do not have: a newer release migrated the
    database (its migrations only add, so this release can go on serving on it until its
    replicas are replaced; it does not start on it)."""
    return revision is not None and revision not in known_revisions()


class SchemaOutOfDate(Exception):
    pass


async def schema_revision(db: Database) -> str | None:
    async with db.engine.connect() as connection:
        try:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no alembic_version table: never migrated
            return None
        return result.scalar_one_or_none()


async def check_schema(db: Database) -> None:
    """Refuse to run against a database this code's migrations have not brought to head
    (here, not with the Slack app, so commands that never talk to Slack load no Slack)."""
    revision = await schema_revision(db)
    heads = ", ".join(current_heads())
    if is_newer(revision):
        raise SchemaOutOfDate(
            f"The database is at schema revision {revision}, newer than this release of "
            f"Loopkeeper knows (its newest is {heads}): a newer release migrated it. Run "
            f"that release; or, to roll back, first run `loopkeeper downgrade {heads}` "
            "with the newer release, then start this one. README.md, section 'Upgrading "
            "and rolling back'."
        )
    if revision not in current_heads():
        raise SchemaOutOfDate(
            f"The database is at schema revision {revision or 'none'}, but this Loopkeeper "
            f"needs {', '.join(current_heads())}. Run `loopkeeper migrate` first."
        )
