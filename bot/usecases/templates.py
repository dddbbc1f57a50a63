"""Scorecard templates installed without a deploy: an admin's TOML file checked as the
shipped ones are, previewed, and installed as the next version of its name. A version is
never changed, so a scorecard written against it reads the same forever."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot import store
from bot.domain.limits import MAX_TEMPLATE_SOURCE
from bot.domain.scorecards import (
    Problem,
    Template,
    TemplateProblems,
    installed_key,
    is_registered,
    line_of,
    parse_template,
    register_installed,
    template_named,
    templates,
)
from bot.store import admins as admin_rows
from bot.store import templates as template_rows
from bot.store.engine import Database
from bot.store.tables import TemplateVersion
from bot.usecases.errors import NotAllowed

MAX_NAME = 48  # TemplateVersion.name; a key `name@vN` then fits Role.template's 64
ADMINS_ONLY = (
    "Only Loopkeeper admins install scorecard templates. Ask one of them to share the file with me."
)


@dataclass(frozen=True)
class Checked:
    """A template file that passed the checks, and what installing it would make."""

    template: Template
    source: str
    digest: str  # of the source: the Install button names what was previewed
    version: int  # the version installing it makes
    previous: TemplateVersion | None  # the newest installed version of the name, if any
    already: int | None  # the version that holds this very text, if it is installed


@dataclass(frozen=True)
class Installed:
    key: str
    version: int
    template: Template
    new: bool  # False: this very text was installed already (a second click, a retry)


def digest_of(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def decode(data: bytes, source_name: str) -> str:
    """The file's text; TemplateProblems when it is too large or not UTF-8."""
    if len(data) > MAX_TEMPLATE_SOURCE:
        raise TemplateProblems(
            source_name,
            [Problem(None, "file", f"larger than {MAX_TEMPLATE_SOURCE // 1000} KB")],
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        text = data[: error.start].decode("utf-8")
        raise TemplateProblems(
            source_name,
            [
                Problem(
                    text.count("\n") + 1,
                    "file",
                    "not UTF-8 text; save it as UTF-8 and share it again",
                )
            ],
        ) from None


def check_text(text: str, source_name: str) -> Template:
    """The template, checked as the shipped ones are, and installable under its name;
    TemplateProblems names each problem with its line."""
    template = parse_template(text, source_name)
    if template.name in templates():
        where = line_of(text, ("name",))
        raise TemplateProblems(
            source_name,
            [
                Problem(
                    where,
                    "name",
                    f"{template.name!r} is a built-in template, which stays as it is; "
                    "give yours another name",
                )
            ],
        )
    if len(template.name) > MAX_NAME:
        raise TemplateProblems(
            source_name,
            [Problem(line_of(text, ("name",)), "name", f"keep it to {MAX_NAME} characters")],
        )
    return template


async def _refuse_unless_admin(session: store.AsyncSession, user_id: str) -> None:
    if user_id not in await admin_rows.admin_ids(session):
        raise NotAllowed(ADMINS_ONLY)


async def preview(
    db: Database, *, user_id: str, source_name: str, data: bytes, operator: bool = False
) -> Checked:
    """What installing the file would do. Raises NotAllowed (not an admin) or
    TemplateProblems (each problem with its line); writes nothing."""
    async with db.reader() as session:
        if not operator:
            await _refuse_unless_admin(session, user_id)
        source = decode(data, source_name)
        template = check_text(source, source_name)
        previous = await template_rows.latest_version(session, name=template.name)
    already = previous.version if previous and previous.source == source else None
    return Checked(
        template,
        source,
        digest_of(source),
        (previous.version if previous else 0) + 1,
        previous,
        already,
    )


async def install(
    db: Database,
    *,
    user_id: str,
    source_name: str,
    data: bytes,
    now: datetime,
    digest: str | None = None,
    expected_version: int | None = None,
    operator: bool = False,
) -> Installed:
    """Install the file as the next version of its name, once: the same text again (a
    double click) installs nothing and says which version holds it. `digest` and
    `expected_version` are what the preview showed; when the file or the versions have
    changed since, NotAllowed says what changed. Raises TemplateProblems as preview does."""
    source = decode(data, source_name)
    template = check_text(source, source_name)
    if digest is not None and digest != digest_of(source):
        raise NotAllowed(
            "That file changed since the preview, so nothing was installed. Share it again."
        )
    async with db.transaction() as session:
        if not operator:
            await _refuse_unless_admin(session, user_id)
        for _ in range(2):  # a second pass only after another install took the number
            previous = await template_rows.latest_version(session, name=template.name)
            if previous is not None and previous.source == source:
                return Installed(
                    installed_key(template.name, previous.version),
                    previous.version,
                    template,
                    False,
                )
            version = (previous.version if previous else 0) + 1
            if expected_version is not None and version != expected_version and previous:
                raise NotAllowed(
                    f"{template.name} v{previous.version} was installed since this preview, "
                    "so nothing was installed. Share the file again to see it against "
                    f"v{previous.version}."
                )
            if await template_rows.add_version(
                session,
                name=template.name,
                version=version,
                source=source,
                installed_by=user_id,
                now=now,
            ):
                break
        else:
            raise NotAllowed("Someone else is installing this template right now. Try again.")
        key = installed_key(template.name, version)
        await store.changes.record_change(
            session,
            actor_id=user_id,
            kind="template_installed",
            summary=f"installed scorecard template {key} ({template.title})",
            now=now,
        )
    register_installed(key, template)
    return Installed(key, version, template, True)


async def load_installed(db: Database) -> int:
    """Read every installed version into this process (at start); how many were read."""
    async with db.reader() as session:
        return await template_rows.load_installed(session)


async def ensure(db: Database, keys: Iterable[str | None]) -> None:
    """Make sure the installed templates among `keys` are read before they are looked up."""
    async with db.reader() as session:
        await template_rows.ensure_templates(session, keys)


async def choices(db: Database) -> dict[str, Template]:
    """What a role may use, by the key a role stores: the shipped templates, then the
    newest version of each installed one (older versions stay with the roles that have them)."""
    async with db.reader() as session:
        newest = await template_rows.latest_versions(session)
        await template_rows.ensure_templates(
            session, [installed_key(v.name, v.version) for v in newest]
        )
    found = dict(templates())
    for row in newest:
        key = installed_key(row.name, row.version)
        if is_registered(key):  # one a later release finds unusable is not offered
            found[key] = template_named(key)
    return found


async def installed(db: Database) -> list[TemplateVersion]:
    """Every installed version, by name, newest first."""
    async with db.reader() as session:
        return await template_rows.all_versions(session)
