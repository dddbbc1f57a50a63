"""Installed scorecard templates: every version kept whole, and the process's registry of
parsed versions (bot.domain.scorecards) filled from them before a template is looked up."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.scorecards import (
    TemplateError,
    installed_key,
    is_registered,
    parse_template,
    register_installed,
    split_key,
)
from bot.store.inserts import insert_on_conflict
from bot.store.prepared import Reading
from bot.store.tables import TemplateVersion

log = logging.getLogger(__name__)


async def latest_version(session: AsyncSession, *, name: str) -> TemplateVersion | None:
    result = await session.exec(
        select(TemplateVersion)
        .where(TemplateVersion.name == name)
        .order_by(col(TemplateVersion.version).desc())
        .limit(1)
    )
    return result.first()


async def latest_versions(session: AsyncSession) -> list[TemplateVersion]:
    """The newest version of each installed template, by name."""
    newest = (
        select(TemplateVersion.name, func.max(TemplateVersion.version).label("version"))
        .group_by(col(TemplateVersion.name))
        .subquery()
    )
    result = await session.exec(
        select(TemplateVersion)
        .join(
            newest,
            (col(TemplateVersion.name) == newest.c.name)
            & (col(TemplateVersion.version) == newest.c.version),
        )
        .order_by(col(TemplateVersion.name))
    )
    return list(result.all())


async def all_versions(session: AsyncSession) -> list[TemplateVersion]:
    result = await session.exec(
        select(TemplateVersion).order_by(
            col(TemplateVersion.name), col(TemplateVersion.version).desc()
        )
    )
    return list(result.all())


async def add_version(
    session: AsyncSession, *, name: str, version: int, source: str, installed_by: str, now: datetime
) -> bool:
    """Store `version` of `name`; False when that version exists already (another install
    took the number first: the unique (name, version) decides, on either database)."""
    statement = insert_on_conflict(session, TemplateVersion).values(
        name=name, version=version, source=source, installed_by=installed_by, installed_at=now
    )
    result = await session.exec(
        statement.on_conflict_do_nothing(
            index_elements=[TemplateVersion.name, TemplateVersion.version]
        )
    )
    return bool(result.rowcount)


async def load_installed(session: AsyncSession) -> int:
    """Parse and register every installed version this process has not read yet; how
    many were added. A stored version that no longer passes the checks (a later release
    made them stricter) is logged and left out: its roles fall back to the default."""
    keys = (
        await session.exec(
            select(TemplateVersion.id, TemplateVersion.name, TemplateVersion.version)
        )
    ).all()
    wanted = [
        row_id for row_id, name, version in keys if not is_registered(installed_key(name, version))
    ]
    if not wanted:
        return 0
    rows = (
        await session.exec(select(TemplateVersion).where(col(TemplateVersion.id).in_(wanted)))
    ).all()
    added = 0
    for row in rows:
        key = installed_key(row.name, row.version)
        try:
            register_installed(key, parse_template(row.source, key))
        except TemplateError as error:
            log.warning("installed template %s is not usable: %s", key, error)
            continue
        added += 1
    return added


async def ensure_templates(session: Reading, keys: Iterable[str | None]) -> None:
    """Make sure every installed template among `keys` is in the registry before
    template_named reads it: a version installed by another process is read on first use.
    Shipped names and versions already read cost nothing."""
    if any(key and split_key(key) and not is_registered(key) for key in keys):
        if isinstance(session, AsyncSession):
            await load_installed(session)
            return
        async with session.session() as reading:  # the ORM's read, in a session of its own
            await load_installed(reading)
