"""Roles: create one, and the roles a person works on."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from bot import store
from bot.domain import access
from bot.domain.access import Team
from bot.domain.limits import MAX_NAME
from bot.domain.names import clean_name, name_key
from bot.domain.numbers import small_int
from bot.domain.scorecards import templates
from bot.store.engine import Database
from bot.store.tables import ClockSettings, Role
from bot.usecases.errors import FormErrors, NotAllowed


@dataclass(frozen=True)
class NewRole:
    title: str
    hiring_manager_id: str | None
    recruiter_ids: list[str]
    channel_id: str | None
    template: str | None
    clocks: dict[str, str | None]


def check_new_role(form: NewRole) -> tuple[ClockSettings, dict[str, str]]:
    errors: dict[str, str] = {}
    title = clean_name(form.title)
    if not name_key(title):
        errors["title"] = "Give the role a title, e.g. Senior MLOps Engineer."
    elif len(title) > MAX_NAME:
        errors["title"] = f"Keep the title under {MAX_NAME} characters."
    if not form.hiring_manager_id:
        errors["hiring_manager"] = "Pick the hiring manager who will make the decision."
    if not form.recruiter_ids:
        errors["recruiters"] = "Pick at least one recruiter to receive the stall alerts."
    if not form.channel_id:
        errors["channel"] = "Pick the role's private hiring channel."
    if form.template not in templates():
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


def create_refusal(user_id: str, admins: Collection[str]) -> str | None:
    """Why this person may not create a role, or None: asked by `/hire role` before the
    form opens and again when it is submitted."""
    if access.can_create_role(user_id, admins):
        return None
    return (
        "Only Loopkeeper admins can create roles. Ask an admin, or have your user id "
        "added to LOOPKEEPER_ADMINS."
    )


async def create_role(
    db: Database, *, actor_id: str, admins: Collection[str], form: NewRole, now: datetime
) -> Role:
    refusal = create_refusal(actor_id, admins)
    if refusal:
        raise NotAllowed(refusal)
    clocks, errors = check_new_role(form)
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


async def team_of(db: Database, *, role_id: int) -> Team | None:
    async with db.reader() as session:
        role_with_team = await store.role_with_team(session, role_id=role_id)
    return role_with_team.team if role_with_team else None


async def roles_user_can_add_to(db: Database, *, user_id: str) -> list[Role]:
    return [
        r.role
        for r in await roles_for(db, user_id=user_id)
        if access.can_add_candidates(user_id, r.team)
    ]


async def add_form_roles(db: Database, *, user_id: str) -> list[Role]:
    """The roles the add form offers this person; NotAllowed when there are none, so the
    form does not open empty. Its submission checks the one role picked (add_candidate)."""
    addable = await roles_user_can_add_to(db, user_id=user_id)
    if not addable:
        raise NotAllowed(
            "You can add candidates only to roles where you are a recruiter or the "
            "hiring manager, and you are on none yet. An admin creates roles with `/hire role`."
        )
    return addable
