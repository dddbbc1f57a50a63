"""Importing candidates from a CSV file, Slack-free: who may import into which roles,
the preview, and the import itself, the whole file in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot import store
from bot.domain import access, candidate_csv
from bot.domain.candidate_csv import Existing, ImportFileError, Parsed, Preview, RoleRef
from bot.domain.names import name_key
from bot.store import admins as admin_rows
from bot.store import roles as role_store
from bot.store.engine import Database
from bot.store.roles import CLOSED_ROLE
from bot.store.tables import Role
from bot.usecases.errors import NotAllowed

__all__ = ["ImportFileError", "Imported", "Importer", "NeedsRole", "preview", "run"]

ALL_CLOSED = (
    "Every role you can import into is closed, and a closed role takes no new candidates. "
    "Reopen one with `/hire role reopen <title>`."
)
NO_ROLES = (
    "You can import candidates only into roles where you are a recruiter or the hiring "
    "manager, and you are on none yet. An admin creates roles with `/hire role`."
)
NO_ROLES_ADMIN = (
    "You can import candidates only into roles where you are a recruiter or the hiring "
    "manager, and you are on none yet, admin as you are. Add yourself to a role's "
    "recruiters with `/hire role edit <title>`, or create one with `/hire role`."
)


@dataclass(frozen=True)
class Importer:
    """Who imports: a Slack user (into the roles they may add candidates to), or an
    operator at the command line (into any role; `actor_id` names them in the history)."""

    actor_id: str
    operator: bool = False

    @property
    def how(self) -> str:
        # The history line names the actor already (a mention, for a Slack user): the
        # note only says an operator's import came from the command line.
        return "from the command line" if self.operator else ""


@dataclass(frozen=True)
class NeedsRole:
    """The file names no role and the person has several: ask which one."""

    roles: list[Role]
    total: int
    has_role_column: bool = False  # with one, some rows leave their role empty


@dataclass(frozen=True)
class Imported:
    preview: Preview  # as it stood inside the import's transaction
    candidate_ids: list[int]
    # Each role imported into: its title, its hiring channel, and how many came in.
    roles: list[tuple[str, str, int]] = field(default_factory=list)


async def _roles(session: store.AsyncSession, importer: Importer) -> list[Role]:
    if importer.operator:
        return [r.role for r in await store.all_roles(session)]
    mine = await store.roles_for_user(session, user_id=importer.actor_id)
    return [r.role for r in mine if access.can_add_candidates(importer.actor_id, r.team)]


def _refs(roles: list[Role]) -> dict[str, RoleRef]:
    return {r.title_key: RoleRef(r.id or 0, r.title, r.status == CLOSED_ROLE) for r in roles}


def _default(roles: list[Role], *, role_id: int | None, role_title: str | None) -> RoleRef | None:
    """The role named by id (the picker) or title (--role); NotAllowed when not among them."""
    if role_id is None and not role_title:
        return None
    for role in roles:
        if role.id == role_id or (role_title and role.title_key == name_key(role_title)):
            return RoleRef(role.id or 0, role.title)
    if role_title:
        raise NotAllowed(
            f"There is no role “{role_title}” among the roles you can add candidates to."
        )
    # A picker's choice: the role closed, or the person left its team, since it was drawn.
    raise NotAllowed(
        "That role no longer takes candidates from you: it was closed, or you are no longer "
        "on its hiring team. Share the file again to pick from the roles you can add to."
    )


async def _existing(session: store.AsyncSession, parsed: Parsed) -> Existing:
    existing = Existing()
    role_ids = sorted({row.role.id for row in parsed.rows})
    for candidate_id, role_id, key, email in await store.candidate_keys(session, role_ids=role_ids):
        existing.add(candidate_id=candidate_id, role_id=role_id, key=key, email=email)
    existing.stages = await store.closed_stages(session, role_ids=role_ids)
    for candidate_id, email_digest, name_digest in await store.erased_keys(
        session, role_ids=role_ids
    ):
        if email_digest:
            existing.erased_emails.setdefault(email_digest, candidate_id)
        if name_digest:  # one of another role never matches: its digest names that role
            existing.erased_names.setdefault(name_digest, candidate_id)
    return existing


async def _parse(
    session: store.AsyncSession,
    importer: Importer,
    data: bytes,
    *,
    role_id: int | None,
    role_title: str | None,
) -> tuple[list[Role], RoleRef | None, Parsed]:
    """The roles the importer may import into, the role for rows naming none (picked, or
    their only one), and the file parsed against them; NotAllowed without any role."""
    roles = await _roles(session, importer)
    if not roles:
        admin = importer.actor_id in await admin_rows.admin_ids(session)
        raise NotAllowed(NO_ROLES_ADMIN if admin else NO_ROLES)
    default = _default(roles, role_id=role_id, role_title=role_title)
    # A closed role takes no new candidates: the file may name only open ones.
    if default is not None and default.id in {r.id for r in roles if r.status == CLOSED_ROLE}:
        raise NotAllowed(_closed_words(default.title))
    # A row naming a closed one is told so (candidate_csv), not that there is no such role.
    refs = _refs(roles)
    roles = [r for r in roles if r.status != CLOSED_ROLE]
    if not roles:
        raise NotAllowed(ALL_CLOSED)
    if default is None and len(roles) == 1:
        default = RoleRef(roles[0].id or 0, roles[0].title)
    return roles, default, candidate_csv.parse(data, roles=refs, default_role=default)


def _closed_words(title: str) -> str:
    return (
        f"{title} is closed and takes no new candidates; nothing was imported. Reopen it "
        f"with `/hire role reopen {title}`, or import into an open role."
    )


async def preview(
    db: Database,
    *,
    importer: Importer,
    data: bytes,
    role_id: int | None = None,
    role_title: str | None = None,
) -> Preview | NeedsRole:
    """What importing the file would do; nothing is written."""
    async with db.reader() as session:
        roles, default, parsed = await _parse(
            session, importer, data, role_id=role_id, role_title=role_title
        )
        if default is None and (
            not parsed.has_role_column
            or any(p.message == candidate_csv.NO_ROLE for p in parsed.problems)
        ):
            # No role column, or rows with an empty role cell (a Greenhouse export's empty
            # Job column): rows naming a role keep theirs, the others take the one picked.
            return NeedsRole(roles, parsed.total, parsed.has_role_column)
        classified = candidate_csv.classify(parsed, await _existing(session, parsed))
        elsewhere = await _elsewhere(session, importer, classified.new)
        return replace(classified, elsewhere=elsewhere)


async def _elsewhere(
    session: store.AsyncSession, importer: Importer, rows: list[candidate_csv.Row]
) -> list[tuple[int, str]]:
    """New rows whose email a candidate of another role has, one the importer may see:
    the same person applying again, or a typo; /hire add names them too."""
    by_email: dict[str, list[tuple[str, int, str]]] = {}
    for email, name, role_id, stage in await store.with_emails(
        session, emails=[r.email for r in rows if r.email]
    ):
        by_email.setdefault(email, []).append((name, role_id, stage))
    titles: dict[int, str | None] = {}
    found = []
    for row in rows:
        for name, role_id, stage in by_email.get((row.email or "").lower(), []):
            if role_id == row.role.id:
                continue
            if role_id not in titles:
                other = await store.role_with_team(session, role_id=role_id)
                seen = other is not None and (
                    importer.operator or access.can_see_candidates(importer.actor_id, other.team)
                )
                titles[role_id] = other.role.title if other is not None and seen else None
            if titles[role_id] is not None:
                found.append((row.line, f"{name}, {titles[role_id]} ({stage})"))
    return found


async def run(
    db: Database,
    *,
    importer: Importer,
    filename: str,
    data: bytes,
    now: datetime,
    role_id: int | None = None,
    role_title: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Imported:
    """Import the file's new rows in one transaction: all of them or, on any failure,
    none. The file is read again and matched inside the transaction, so a second
    import of the same file (a repeated click) finds everyone present and adds nothing."""
    async with db.transaction() as session:
        _, _, parsed = await _parse(session, importer, data, role_id=role_id, role_title=role_title)
        await store.lock_roles(session, role_ids=[row.role.id for row in parsed.rows])
        # Read again under the lock: a role closed since the file was read takes nobody.
        # (Rows naming a role closed when the file was read are told apart by classify.)
        open_rows = [row for row in parsed.rows if row.closed is None]
        closed = await role_store.closed_role_ids(
            session, role_ids=[row.role.id for row in open_rows]
        )
        if closed:
            title = next(row.role.title for row in open_rows if row.role.id in closed)
            raise NotAllowed(_closed_words(title))
        classified = candidate_csv.classify(parsed, await _existing(session, parsed))
        notes = [
            candidate_csv.event_note(r, filename=filename, how=importer.how) for r in classified.new
        ]
        total = len(classified.new)
        ids = await store.add_imported(
            session,
            rows=classified.new,
            notes=notes,
            actor_id=importer.actor_id[:32],
            now=now,
            progress=(lambda done: progress(done, total)) if progress else None,
        )
        counts = Counter(row.role.id for row in classified.new)
        into = []
        for role_id_ in sorted(counts):
            role = await session.get(Role, role_id_)
            if role is not None:
                into.append((role.title, role.channel_id, counts[role_id_]))
        return Imported(classified, ids, into)


def failed_message(error: Exception) -> str:
    """Why a file's import failed; its one transaction rolled back, so nothing stayed."""
    reason = str(getattr(error, "orig", None) or error).splitlines()[0][:300]
    return (
        f"The import failed and nothing was imported ({error.__class__.__name__}: {reason}). "
        "Try again in a moment; if it fails again, tell your Loopkeeper admin."
    )
