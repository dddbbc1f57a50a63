"""Roles: create one, and the roles a person works on."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from bot import store
from bot.domain import access
from bot.domain.access import Team
from bot.domain.limits import MAX_NAME, MAX_REASON, too_long
from bot.domain.names import clean_name, name_key
from bot.domain.numbers import small_int
from bot.domain.scorecards import is_known_template, template_label
from bot.domain.stages import SCHEDULABLE, Stage
from bot.store import roles as store_roles
from bot.store import templates as template_rows
from bot.store.engine import Database
from bot.store.tables import Candidate, Change, ClockSettings, Role
from bot.usecases import feedback
from bot.usecases.errors import FormErrors, NotAllowed


@dataclass(frozen=True)
class NewRole:
    title: str
    hiring_manager_id: str | None
    recruiter_ids: list[str]
    channel_id: str | None
    template: str | None
    clocks: dict[str, str | None]
    # Slack said the picked channel is public (bot.slack.notify.is_public_channel).
    channel_is_public: bool = False


# A channel shared with another team's role is judged on a team that is all there.
TEAM_FIELDS = {"channel", "hiring_manager", "recruiters"}
NOT_A_CHANNEL = (
    "That is a direct message, not a channel: candidate news goes to the whole hiring "
    "team. Pick the role's private channel."
)
PUBLIC_CHANNEL = (
    "That channel is public: everyone in the workspace could read candidate news there. "
    "Pick a private channel (or make this one private in Slack first)."
)


def check_new_role(
    form: NewRole, *, current_template: str | None = None
) -> tuple[ClockSettings, dict[str, str]]:
    """Clock settings and field errors of the role form; an edit may keep the role's
    `current_template` even when it is not one of the listed templates."""
    errors: dict[str, str] = {}
    title = clean_name(form.title)
    if not name_key(title):
        errors["title"] = "Give the role a title, e.g. Senior MLOps Engineer."
    elif problem := too_long("title", title, MAX_NAME):
        errors["title"] = problem
    if not form.hiring_manager_id:
        errors["hiring_manager"] = "Pick the hiring manager who will make the decision."
    if not form.recruiter_ids:
        errors["recruiters"] = "Pick at least one recruiter to receive the stall alerts."
    if not form.channel_id:
        errors["channel"] = "Pick the role's private hiring channel."
    elif form.channel_id.startswith("D"):
        # A direct message (a forged form's: the picker offers none): news would go to
        # one person, and the team would lose its channel.
        errors["channel"] = NOT_A_CHANNEL
    elif form.channel_is_public:
        errors["channel"] = PUBLIC_CHANNEL
    kept = current_template is not None and form.template == current_template
    if not is_known_template(form.template or "") and not kept:
        errors["template"] = "Pick one of the listed scorecard templates."
    clocks: dict[str, int] = {}
    for name, spec in ClockSettings.model_fields.items():
        raw = (form.clocks.get(name) or "").strip()
        if not raw:
            continue
        bounds = {m.__class__.__name__: m for m in spec.metadata}
        low, high = bounds["Ge"].ge, bounds["Le"].le
        value = small_int(raw, low=low, high=high)  # "²", "1e9", 5,000 digits: all refused
        if value is None:
            errors[name] = f"Enter a whole number from {low} to {high}."
        else:
            clocks[name] = value
    return ClockSettings(**clocks), errors


async def shared_channel_problem(
    session: store.AsyncSession, form: NewRole, *, role_id: int | None = None
) -> str | None:
    """Why the picked channel can't be this role's, or None: it is another open role's,
    whose hiring team is not this one's, so each role's news (hires, reports, who was
    let go) would reach people outside it. One team hiring for two roles may share."""
    if not form.channel_id or not form.hiring_manager_id:
        return None
    team = {form.hiring_manager_id, *form.recruiter_ids}
    others = await store_roles.open_roles_in_channel(
        session, channel_id=form.channel_id, other_than=role_id
    )
    apart = [o for o in others if {o.team.hiring_manager_id, *o.team.recruiter_ids} != team]
    if not apart:
        return None
    titles = ", ".join(o.role.title for o in apart)
    return (
        f"That channel is already the hiring channel of {titles}, whose hiring team is "
        "not this one: each role's news would reach the other's team. Pick a private "
        "channel of this role's own."
    )


def create_refusal(user_id: str, admins: Collection[str]) -> str | None:
    """Why this person may not create a role, or None: asked by `/hire role` before the
    form opens and again when it is submitted."""
    if access.can_create_role(user_id, admins):
        return None
    if not admins:
        # Nobody to ask: the way in is the server's, said to whoever tries first.
        return (
            "Only Loopkeeper admins can create roles, and there is no admin yet. Whoever "
            "runs Loopkeeper sets LOOPKEEPER_ADMINS to your Slack member id before its first "
            "start, or runs `loopkeeper admin add <your member id>` on the server."
        )
    return (
        "Only Loopkeeper admins can create roles. Ask an admin to create it, or to make "
        "you an admin with `/hire admin add @you`."
    )


async def create_role(
    db: Database, *, actor_id: str, admins: Collection[str], form: NewRole, now: datetime
) -> Role:
    refusal = create_refusal(actor_id, admins)
    if refusal:
        raise NotAllowed(refusal)
    async with db.reader() as session:
        # A version installed through another worker is read before the form is checked.
        await template_rows.ensure_templates(session, [form.template])
        shared = await shared_channel_problem(session, form)
    clocks, errors = check_new_role(form)
    if shared and not errors.keys() & TEAM_FIELDS:
        errors["channel"] = shared
    if errors:
        raise FormErrors(errors)
    assert form.hiring_manager_id and form.channel_id and form.template
    async with db.transaction() as session:
        try:
            return await store.create_role(
                session,
                title=form.title,
                hiring_manager_id=form.hiring_manager_id,
                recruiter_ids=form.recruiter_ids,
                channel_id=form.channel_id,
                template=form.template,
                clocks=clocks,
                actor_id=actor_id,
                now=now,
            )
        except store.DuplicateRole as dup:
            raise FormErrors(
                {
                    "title": f"A role called {dup.title} exists already. Add a team "
                    "or level to tell them apart."
                }
            ) from None


async def roles_for(db: Database, *, user_id: str) -> list[store.RoleWithTeam]:
    async with db.reader() as session:
        return await store.roles_for_user(session, user_id=user_id)


async def roles_user_can_add_to(db: Database, *, user_id: str) -> list[Role]:
    """The open roles this person may add candidates to: a closed role takes none."""
    return [
        r.role
        for r in await roles_for(db, user_id=user_id)
        if access.can_add_candidates(user_id, r.team) and is_open(r.role)
    ]


async def add_form_roles(db: Database, *, user_id: str) -> list[Role]:
    """The roles the add form offers this person; NotAllowed when there are none, so the
    form does not open empty. Its submission checks the one role picked (add_candidate)."""
    addable = await roles_user_can_add_to(db, user_id=user_id)
    if not addable and any(
        access.can_add_candidates(user_id, r.team) for r in await roles_for(db, user_id=user_id)
    ):
        raise NotAllowed(
            "Every role you recruit for is closed, and a closed role takes no new "
            "candidates. Reopen one with `/hire role reopen <title>`."
        )
    if not addable:
        raise NotAllowed(
            "You can add candidates only to roles where you are a recruiter or the "
            "hiring manager, and you are on none yet. An admin creates roles with `/hire role`."
        )
    return addable


# Editing, closing and reopening a role -------------------------------------------------------

ROLE_NOT_FOUND = "I can't find that role among the roles you can change."
NOT_ON_TEAM = (
    "Only Loopkeeper admins and the role's hiring manager and recruiters can change a role."
)
STALE_ROLE = (
    "Someone changed this role while the form was open; nothing was saved. "
    "Close the form and open it again to see the change."
)
# Field -> how a change of it reads in the role's history: name, unit.
CLOCK_WORDS: dict[str, tuple[str, str]] = {
    "loop_days": ("interview loop", " days"),
    "feedback_hours": ("scorecards due", " h"),
    "decision_hours": ("decision window", " h"),
    "offer_hours": ("offer window", " h"),
    "idle_hours": ("stage idle alert", " h"),
    "reminder_minutes": ("interview reminder", " min"),
}


def is_open(role: Role) -> bool:
    return role.status != store_roles.CLOSED_ROLE


def manage_refusal(role: store.RoleWithTeam, user_id: str, admins: Collection[str]) -> str | None:
    """Why this person may not edit, close or reopen the role, or None: asked when a form
    or a button opens and again when it is submitted."""
    if access.is_admin(user_id, admins) or access.can_add_candidates(user_id, role.team):
        return None
    return NOT_ON_TEAM


def edit_refusal(role: store.RoleWithTeam, user_id: str, admins: Collection[str]) -> str | None:
    """As manage_refusal; and a closed role is reopened before it is edited."""
    refusal = manage_refusal(role, user_id, admins)
    if refusal is None and not is_open(role.role):
        return closed_words(role.role)
    return refusal


def closed_words(role: Role) -> str:
    since = f" on {role.closed_at:%d %b %Y}" if role.closed_at else ""
    return (
        f"{role.title} was closed{since}; nothing changed. Reopen it first with "
        f"`/hire role reopen {role.title}`."
    )


def _facts(role: store.RoleWithTeam) -> dict[str, object]:
    """What the role form shows: the fingerprint of a form and the before of a change."""
    r = role.role
    return {
        "title": r.title,
        "hiring_manager": r.hiring_manager_id,
        "recruiters": sorted(role.team.recruiter_ids),
        "channel": r.channel_id,
        "template": r.template,
        "status": r.status,
        **{name: getattr(r, name) for name in ClockSettings.model_fields},
    }


def role_fingerprint(role: store.RoleWithTeam) -> str:
    """A short mark of the role as an edit form shows it: the form carries it, and its
    submission is refused when the role no longer has it (someone else saved meanwhile)."""
    raw = json.dumps(_facts(role), sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _person(user_id: object) -> str:
    return f"<@{user_id}>"


def _amount(value: object, unit: str) -> str:
    # A reminder of 0 minutes is no reminder: "30 min → off", not "→ 0 min".
    return "off" if value == 0 else f"{value}{unit}"


def describe_role_change(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """Each change in words, for the history: `title: A → B`, `recruiters: added <@x>`.
    People are Slack mentions (`<@U…>`); the rest is plain text."""
    parts: list[str] = []
    if before["title"] != after["title"]:
        parts.append(f"title: {before['title']} → {after['title']}")
    if before["hiring_manager"] != after["hiring_manager"]:
        parts.append(
            f"hiring manager: {_person(before['hiring_manager'])} → "
            f"{_person(after['hiring_manager'])}"
        )
    old = set(cast(list[str], before["recruiters"]))
    new = set(cast(list[str], after["recruiters"]))
    if old != new:
        moved = [f"added {_person(u)}" for u in sorted(new - old)]
        moved += [f"removed {_person(u)}" for u in sorted(old - new)]
        parts.append("recruiters: " + ", ".join(moved))
    if before["channel"] != after["channel"]:
        parts.append(f"channel: <#{before['channel']}> → <#{after['channel']}>")
    if before["template"] != after["template"]:
        was, now = (template_label(str(t)) for t in (before["template"], after["template"]))
        parts.append(f"template: {was} → {now}")
    for name, (words, unit) in CLOCK_WORDS.items():
        if before[name] != after[name]:
            parts.append(f"{words} {_amount(before[name], unit)} → {_amount(after[name], unit)}")
    return parts


@dataclass(frozen=True)
class Stranded:
    """An interview still to come that ends after its candidate's loop, now shorter."""

    candidate_name: str
    stage_name: str
    ends_at: datetime
    loop_ends_at: datetime


@dataclass(frozen=True)
class RoleEdited:
    role: Role
    team: Team
    changes: list[str]  # empty: the form was saved as it was
    reason: str = ""  # why, if the editor said (kept in the role's history)
    # Renamed: its open candidates whose interview kits name the role (still to redraw).
    kits_stale: list[int] = field(default_factory=list)
    # Who the edit put on the hiring team, and who it took off (the editor left out):
    # each is told.
    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    stranded: list[Stranded] = field(default_factory=list)


@dataclass(frozen=True)
class RoleStatusChanged:
    role: Role
    team: Team
    open_candidates: list[Candidate]  # those the role still has, by stage entered


async def manageable_roles(
    db: Database, *, user_id: str, admins: Collection[str]
) -> list[store.RoleWithTeam]:
    """The roles this person may change: every role for an admin, else their team's."""
    async with db.reader() as session:
        if access.is_admin(user_id, admins):
            return await store.all_roles(session)
        mine = await store.roles_for_user(session, user_id=user_id)
    return [r for r in mine if manage_refusal(r, user_id, admins) is None]


async def find_manageable(
    db: Database, *, user_id: str, admins: Collection[str], query: str
) -> list[store.RoleWithTeam]:
    """The roles of `query` this person may change: the one titled so, else every role
    whose title holds it (as `/hire pipeline <role>` finds them)."""
    wanted = name_key(query)
    if not wanted:
        return []
    roles = await manageable_roles(db, user_id=user_id, admins=admins)
    exact = [r for r in roles if r.role.title_key == wanted]
    return exact or [r for r in roles if wanted in r.role.title_key]


async def titles_like(
    db: Database, *, user_id: str, admins: Collection[str], query: str
) -> list[str]:
    """Titles of the roles this person may change that `query` looks like a typo of
    (`Data Scienist`): for an answer that found none, to suggest."""
    wanted = name_key(query)
    roles = {
        r.role.title_key: r.role.title
        for r in await manageable_roles(db, user_id=user_id, admins=admins)
    }
    close = difflib.get_close_matches(wanted, list(roles), n=3, cutoff=0.8)
    return [roles[key] for key in close]


async def role_to_change(
    db: Database,
    *,
    user_id: str,
    admins: Collection[str],
    role_id: int,
    refusal: Callable[[store.RoleWithTeam, str, Collection[str]], str | None] = edit_refusal,
) -> store.RoleWithTeam:
    """The role a form or button is about; NotAllowed with `refusal`'s why when it should
    not open, or ROLE_NOT_FOUND. The use case taking it asks the same again."""
    async with db.reader() as session:
        found = await store.role_with_team(session, role_id=role_id)
    if found is None:
        raise NotAllowed(ROLE_NOT_FOUND)
    why = refusal(found, user_id, admins)
    if why:
        raise NotAllowed(why)
    return found


async def _locked(
    session: store.AsyncSession,
    *,
    role_id: int,
    user_id: str,
    admins: Collection[str],
    refusal: Callable[[store.RoleWithTeam, str, Collection[str]], str | None],
) -> store.RoleWithTeam:
    await store_roles.lock_role(session, role_id=role_id)
    found = await store.role_with_team(session, role_id=role_id)
    if found is None:
        raise NotAllowed(ROLE_NOT_FOUND)
    why = refusal(found, user_id, admins)
    if why:
        raise NotAllowed(why)
    return found


async def edit_role(
    db: Database,
    *,
    actor_id: str,
    admins: Collection[str],
    role_id: int,
    seen: str,
    form: NewRole,
    now: datetime,
    reason: str = "",
) -> RoleEdited:
    """Save the edit form in one transaction: the role and its recruiters, every open
    candidate's clocks re-planned (the new settings apply from now on), the change
    recorded with `reason`, if given. Raises NotAllowed, or FormErrors (bad values, a
    title clash, a stale form)."""
    async with db.transaction() as session:
        current = await _locked(
            session, role_id=role_id, user_id=actor_id, admins=admins, refusal=edit_refusal
        )
        if role_fingerprint(current) != seen:
            raise FormErrors({"title": STALE_ROLE})
        role = current.role
        await template_rows.ensure_templates(session, [form.template])
        clocks, errors = check_new_role(form, current_template=role.template)
        shared = await shared_channel_problem(session, form, role_id=role_id)
        if shared and not errors.keys() & TEAM_FIELDS:
            errors["channel"] = shared
        reason = reason.strip()
        if problem := too_long("reason", reason, MAX_REASON):
            errors["reason"] = problem
        if errors:
            raise FormErrors(errors)
        assert form.hiring_manager_id and form.channel_id and form.template
        before, before_title = _facts(current), role.title
        if form.template != role.template:
            await store_roles.pin_interview_templates(
                session, role_id=role_id, template=role.template
            )
        try:
            await store_roles.update_role(
                session,
                role=role,
                title=form.title,
                hiring_manager_id=form.hiring_manager_id,
                recruiter_ids=form.recruiter_ids,
                channel_id=form.channel_id,
                template=form.template,
                clocks=clocks,
            )
        except store.DuplicateRole as dup:
            raise FormErrors(
                {"title": f"Another role is called {dup.title}. Pick a title of its own."}
            ) from None
        updated = await store.role_with_team(session, role_id=role_id)
        assert updated is not None
        changes = describe_role_change(before, _facts(updated))
        kits_stale: list[int] = []
        stranded: list[Stranded] = []
        if changes:
            open_ones = await store.pipelines.open_candidates_of(session, role_id=role_id)
            for candidate in open_ones:
                assert candidate.id is not None
                await store.replan_clocks(session, candidate_id=candidate.id, now=now)
                if updated.role.title != before_title and Stage(candidate.stage) in SCHEDULABLE:
                    kits_stale.append(candidate.id)
            if updated.role.loop_days < cast(int, before["loop_days"]):
                # A shorter loop can end before interviews booked already: said now, not
                # first as a loop breach with an interview still to come.
                late = await feedback.stranded_interviews(session, open_ones, updated.role, now)
                stranded = [
                    Stranded(c.name, view.stage_name, view.interview.ends_at, ends)
                    for c, view, ends in late
                ]
            await store.changes.record_change(
                session,
                actor_id=actor_id,
                kind="role_edited",
                summary="; ".join(changes),
                now=now,
                role_id=role_id,
                reason=reason,
            )
        was, now_on = set(current.team.members), set(updated.team.members)
        return RoleEdited(
            updated.role,
            updated.team,
            changes,
            reason if changes else "",
            kits_stale,
            joined=sorted(now_on - was - {actor_id}),
            left=sorted(was - now_on - {actor_id}),
            stranded=stranded,
        )


def close_refusal(role: store.RoleWithTeam, user_id: str, admins: Collection[str]) -> str | None:
    refusal = manage_refusal(role, user_id, admins)
    if refusal is None and not is_open(role.role):
        return f"{role.role.title} is closed already; nothing changed."
    return refusal


def reopen_refusal(role: store.RoleWithTeam, user_id: str, admins: Collection[str]) -> str | None:
    refusal = manage_refusal(role, user_id, admins)
    if refusal is None and is_open(role.role):
        return f"{role.role.title} is open already; nothing changed."
    return refusal


async def _set_status(
    db: Database,
    *,
    actor_id: str,
    admins: Collection[str],
    role_id: int,
    close: bool,
    now: datetime,
) -> RoleStatusChanged:
    async with db.transaction() as session:
        current = await _locked(
            session,
            role_id=role_id,
            user_id=actor_id,
            admins=admins,
            refusal=close_refusal if close else reopen_refusal,
        )
        status = store_roles.CLOSED_ROLE if close else store_roles.OPEN
        await store_roles.set_role_status(
            session, role=current.role, status=status, actor_id=actor_id, now=now
        )
        still = await store.pipelines.open_candidates_of(session, role_id=role_id)
        count = f"{len(still)} open candidate{'s' if len(still) != 1 else ''}"
        await store.changes.record_change(
            session,
            actor_id=actor_id,
            kind="role_closed" if close else "role_reopened",
            summary=f"role closed with {count}" if close else "role reopened",
            now=now,
            role_id=role_id,
        )
        return RoleStatusChanged(current.role, current.team, still)


async def close_role(
    db: Database, *, actor_id: str, admins: Collection[str], role_id: int, now: datetime
) -> RoleStatusChanged:
    """Close the role: it takes no new candidates; those it has go on until moved."""
    return await _set_status(
        db, actor_id=actor_id, admins=admins, role_id=role_id, close=True, now=now
    )


async def reopen_role(
    db: Database, *, actor_id: str, admins: Collection[str], role_id: int, now: datetime
) -> RoleStatusChanged:
    return await _set_status(
        db, actor_id=actor_id, admins=admins, role_id=role_id, close=False, now=now
    )


# A role's history ------------------------------------------------------------------------------

HISTORY_SHOWN = 20  # the latest changes; the card of each candidate keeps theirs


@dataclass(frozen=True)
class RoleHistory:
    role: Role
    changes: list[Change]  # latest first, at most HISTORY_SHOWN


async def role_history(
    db: Database, *, user_id: str, admins: Collection[str], role_id: int
) -> RoleHistory:
    """Who changed the role, when, what and why: for the people who may change it."""
    found = await role_to_change(
        db, user_id=user_id, admins=admins, role_id=role_id, refusal=manage_refusal
    )
    async with db.reader() as session:
        changes = await store.changes.changes_of_role(session, role_id=role_id, limit=HISTORY_SHOWN)
    return RoleHistory(found.role, changes)
