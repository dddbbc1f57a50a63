"""Changing what was set up: edit, close and reopen a role; edit a candidate and move them
to another role. The buttons, the `/hire role edit|close|reopen <title>` answers and the
forms' submissions; who may do what is the use cases' to decide (roles.manage_refusal,
candidates.edit_refusal), asked when a form opens and again when it is saved."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.numbers import record_id
from bot.domain.stages import SCHEDULABLE
from bot.slack import notify
from bot.slack.blocks import closeout as closeout_blocks
from bot.slack.blocks import edits as edit_blocks
from bot.slack.blocks import home as home_blocks
from bot.slack.blocks import roles as role_blocks
from bot.slack.blocks.common import esc
from bot.slack.blocks.edits import CandidateEditMetadata, RoleMetadata
from bot.usecases import admin as admin_cases
from bot.usecases import candidates, closeout, interviews, roles
from bot.usecases import templates as template_cases
from handlers import forms
from handlers.render import call_off, redraw_kits, refresh_home
from handlers.replies import CommandReply, Modal, Reply, on_click
from handlers.submissions import submission

log = logging.getLogger(__name__)

ROLE_VERBS = ("edit", "close", "reopen", "history", "reject-rest")
EXAMPLE_TITLE = "Data Scientist"


def _id_of(action: dict[str, Any]) -> int:
    """The record a button is about (its value); 0, which is nobody's, if none."""
    return record_id(action.get("value")) or 0


async def _edit_form(reply: Reply | CommandReply, role_id: int) -> None:
    """Open the role form filled in, or say why not (a stale click on a closed role too)."""
    found = await reply.unless_refused(
        roles.role_to_change(
            reply.deps.db,
            user_id=reply.user_id,
            admins=await admin_cases.admin_ids(reply.deps.db),
            role_id=role_id,
        )
    )
    if found is not None:
        view = role_blocks.create_role_modal(
            creator_id=reply.user_id,
            templates=await template_cases.choices(reply.deps.db),
            editing=found.role,
            recruiter_ids=found.team.recruiter_ids,
            seen=roles.role_fingerprint(found),
        )
        await reply.open(view)


async def _close(reply: Reply | CommandReply, role_id: int) -> roles.RoleStatusChanged | None:
    done = await reply.unless_refused(
        roles.close_role(
            reply.deps.db,
            actor_id=reply.user_id,
            admins=await admin_cases.admin_ids(reply.deps.db),
            role_id=role_id,
            now=reply.deps.clock.now(),
        )
    )
    if done is not None:
        await reply.show(*role_blocks.role_closed_message(done))
        _tell_channel(reply, done)
    return done


async def _reopen(reply: Reply | CommandReply, role_id: int) -> roles.RoleStatusChanged | None:
    done = await reply.unless_refused(
        roles.reopen_role(
            reply.deps.db,
            actor_id=reply.user_id,
            admins=await admin_cases.admin_ids(reply.deps.db),
            role_id=role_id,
            now=reply.deps.clock.now(),
        )
    )
    if done is not None:
        await reply.show(*role_blocks.role_reopened_message(done))
        _tell_channel(reply, done)
    return done


async def _history(reply: Reply | CommandReply, role_id: int) -> None:
    history = await reply.unless_refused(
        roles.role_history(
            reply.deps.db,
            user_id=reply.user_id,
            admins=await admin_cases.admin_ids(reply.deps.db),
            role_id=role_id,
        )
    )
    if history is not None:
        await reply.show(*role_blocks.role_history_message(history))


async def _reject_rest_form(reply: Reply | CommandReply, role_id: int) -> None:
    """Open Reject the rest… on who is left, or say why not (nobody left included)."""
    rest = await reply.unless_refused(
        closeout.rest_of(reply.deps.db, user_id=reply.user_id, role_id=role_id)
    )
    if rest is not None:
        await reply.open(closeout_blocks.reject_rest_modal(rest))


def _tell_channel(reply: Reply | CommandReply, done: roles.RoleStatusChanged) -> None:
    """The team hears of a close or a reopen in the role's channel, as of an edit (Slack
    refusing that is logged)."""
    text, blocks = role_blocks.role_status_post(done, actor_id=reply.user_id)
    reply.deps.background.run(
        _send(reply.client, [done.role.channel_id], text, blocks), name="role-status"
    )


# `/hire role edit|close|reopen|history <title>` --------------------------------------------


async def role_command(reply: CommandReply, verb: str, title: str) -> None:
    """The one role of the roles this person may change whose title `title` means, then
    `verb` on it; else a short answer with an example."""
    example = f"Example: `/hire role {verb} {EXAMPLE_TITLE}`."
    if not title:
        await reply.tell(f"Which role? {example}")
        return
    matches = await roles.find_manageable(
        reply.deps.db,
        user_id=reply.user_id,
        admins=await admin_cases.admin_ids(reply.deps.db),
        query=title,
    )
    if not matches:
        like = await roles.titles_like(
            reply.deps.db,
            user_id=reply.user_id,
            admins=await admin_cases.admin_ids(reply.deps.db),
            query=title,
        )
        if like:
            example = f"Did you mean `/hire role {verb} {esc(like[0])}`?"
        await reply.tell(
            f"I can't find a role matching “{esc(title)}” among the roles you can change. "
            f"{example} Roles are changed by admins and by their own hiring team "
            "(`/hire pipeline` lists the roles you recruit or hire for)."
        )
        return
    if len(matches) > 1:
        titles = ", ".join(esc(m.role.title) for m in matches[:10])
        await reply.tell(
            f"“{esc(title)}” matches {len(matches)} roles: {titles}. Type the whole title, "
            f"e.g. `/hire role {verb} {esc(matches[0].role.title)}`."
        )
        return
    role_id = matches[0].role.id or 0
    if verb == "edit":
        await _edit_form(reply, role_id)
    elif verb == "close":
        await _close(reply, role_id)
    elif verb == "history":
        await _history(reply, role_id)
    elif verb == "reject-rest":
        await _reject_rest_form(reply, role_id)
    else:
        await _reopen(reply, role_id)


async def open_candidate_edit(reply: Reply | CommandReply, candidate_id: int) -> None:
    """Open the candidate edit form, or say why not."""
    form = await reply.unless_refused(
        candidates.edit_form(reply.deps.db, user_id=reply.user_id, candidate_id=candidate_id)
    )
    if form is not None:
        await reply.open(edit_blocks.edit_candidate_modal(form))


# Buttons -------------------------------------------------------------------------------------


@on_click
async def open_role_edit(reply: Reply, action: dict[str, Any]) -> None:
    await _edit_form(reply, _id_of(action))


@on_click
async def close_role(reply: Reply, action: dict[str, Any]) -> None:
    await _close(reply, _id_of(action))


@on_click
async def open_reject_rest(reply: Reply, action: dict[str, Any]) -> None:
    await _reject_rest_form(reply, _id_of(action))


@on_click
async def reopen_role(reply: Reply, action: dict[str, Any]) -> None:
    await _reopen(reply, _id_of(action))


@on_click
async def role_history(reply: Reply, action: dict[str, Any]) -> None:
    await _history(reply, _id_of(action))


# The Home tab's role menus: the role picked is the option's value. The answer comes as a
# DM (a Home tab has nowhere to answer in place), and the tab is drawn again.


def _picked_id(action: dict[str, Any]) -> int:
    option = action.get("selected_option")
    return (record_id(option.get("value")) if isinstance(option, dict) else None) or 0


@on_click
async def pick_role_edit(reply: Reply, action: dict[str, Any]) -> None:
    await _edit_form(reply, _picked_id(action))


@on_click
async def pick_role_close(reply: Reply, action: dict[str, Any]) -> None:
    if await _close(reply, _picked_id(action)) is not None:
        refresh_home(reply.deps, reply.client, reply.user_id)


@on_click
async def pick_role_reopen(reply: Reply, action: dict[str, Any]) -> None:
    if await _reopen(reply, _picked_id(action)) is not None:
        refresh_home(reply.deps, reply.client, reply.user_id)


@on_click
async def open_edit_candidate(reply: Reply, action: dict[str, Any]) -> None:
    await open_candidate_edit(reply, _id_of(action))


# Submissions ---------------------------------------------------------------------------------


@submission("title")
async def save_role(ack: AsyncAck, modal: Modal) -> None:
    deps, view = modal.deps, modal.view
    metadata = RoleMetadata.from_view(view)
    form = forms.role(view)
    form = await forms.with_channel_checked(form, modal.client)
    done = await roles.edit_role(
        deps.db,
        actor_id=modal.user_id,
        admins=await admin_cases.admin_ids(deps.db),
        role_id=metadata.role_id,
        seen=metadata.seen,
        form=form,
        now=deps.clock.now(),
        reason=forms.text(view, "reason"),
    )
    await ack()
    text, blocks = role_blocks.role_edited_message(
        done.role,
        done.team.recruiter_ids,
        done.changes,
        editor_id=modal.user_id,
        reason=done.reason,
        stranded=done.stranded,
    )
    # The team hears of it in the role's channel too (Slack refusing that is logged).
    where = [modal.user_id, done.role.channel_id] if done.changes else [modal.user_id]
    modal.later(_send(modal.client, where, text, blocks), name="role-edited")
    for person in done.joined:
        manager = person == done.team.hiring_manager_id
        told = role_blocks.team_joined_message(done.role, modal.user_id, manager=manager)
        modal.later(_send(modal.client, [person], *told), name="team-joined")
    for person in done.left:
        told = role_blocks.team_left_message(done.role, modal.user_id)
        modal.later(_send(modal.client, [person], *told), name="team-left")
    if done.kits_stale:
        modal.later(_redraw_role_kits(modal, done), name="role-kits")


async def _redraw_role_kits(modal: Modal, done: roles.RoleEdited) -> None:
    """A renamed role: the kits of scorecards still owed name it, so they are drawn again,
    as a candidate's rename redraws theirs. Read as the hiring manager, who sees every
    candidate of the role (an admin editing it may see none)."""
    for candidate_id in done.kits_stale:
        owed = await interviews.owed_kits(
            modal.deps.db, actor_id=done.team.hiring_manager_id, candidate_id=candidate_id
        )
        for changed, people in owed:
            await redraw_kits(modal.deps, modal.client, changed, people)


async def _send(
    client: AsyncWebClient, channels: list[str], text: str, blocks: Sequence[Block]
) -> None:
    for channel in channels:
        await notify.dm(client, channel, text, blocks)


@submission("name")
async def save_candidate(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    metadata = CandidateEditMetadata.from_view(view)
    role_id = forms.option(view, "role")
    form = candidates.CandidateEdit(
        name=forms.text(view, "name"),
        role_id=record_id(role_id) if role_id else None,
        email=forms.text(view, "email"),
        links=forms.text(view, "links"),
    )
    done = await candidates.edit_candidate(
        modal.deps.db,
        actor_id=modal.user_id,
        candidate_id=metadata.candidate_id,
        seen=metadata.seen,
        form=form,
        now=modal.deps.clock.now(),
    )
    await ack()
    modal.confirm(done.card, edit_blocks.edited_note(done), name="confirm-edit")
    if done.kits_stale and done.card.stage in SCHEDULABLE:  # past decision, kits are closed
        modal.later(_redraw_kits(modal, done), name="edit-kits")


async def _redraw_kits(modal: Modal, done: candidates.CandidateEdited) -> None:
    """The kits of interviews whose scorecards are still owed name the candidate and the
    role: drawn again with the new ones, where the interviewers will look."""
    owed = await interviews.owed_kits(
        modal.deps.db, actor_id=modal.user_id, candidate_id=done.card.candidate.id or 0
    )
    for changed, people in owed:
        await redraw_kits(modal.deps, modal.client, changed, people)


@submission("reason")
async def reject_rest(ack: AsyncAck, modal: Modal) -> None:
    """Checked before the ack (a pipeline changed meanwhile is a field error); the moves,
    one candidate at a time, after it, with the answer by DM."""
    metadata = RoleMetadata.from_view(modal.view)
    rest, reason = await closeout.confirm_rest(
        modal.deps.db,
        user_id=modal.user_id,
        role_id=metadata.role_id,
        reason=forms.text(modal.view, "reason"),
        seen=metadata.seen,
    )
    await ack()
    modal.later(_reject_rest(modal, rest, reason), name="reject-rest")


async def _reject_rest(modal: Modal, rest: closeout.Rest, reason: str) -> None:
    deps = modal.deps
    done = await closeout.reject_rest(
        deps.db, actor_id=modal.user_id, rest=rest, reason=reason, now=deps.clock.now()
    )
    for let_go in done.moved:
        call_off(deps, modal.client, let_go.moved)
    if done.already and not done.moved and not done.skipped:
        return  # the form sent twice: its other sending moved them, and says so
    await notify.dm(modal.client, modal.user_id, *closeout_blocks.rest_rejected_message(done))
    if done.moved:
        text, blocks = closeout_blocks.rest_rejected_post(done, actor_id=modal.user_id)
        await notify.dm(modal.client, done.role.channel_id, text, blocks)
    refresh_home(deps, modal.client, modal.user_id)


def register(app: AsyncApp) -> None:
    app.action(role_blocks.OPEN_EDIT_ROLE)(open_role_edit)
    app.action(role_blocks.CLOSE_ROLE)(close_role)
    app.action(role_blocks.ROLE_HISTORY)(role_history)
    app.action(home_blocks.EDIT_ROLE_PICK)(pick_role_edit)
    app.action(home_blocks.CLOSE_ROLE_PICK)(pick_role_close)
    app.action(home_blocks.REOPEN_ROLE_PICK)(pick_role_reopen)
    app.action(role_blocks.REOPEN_ROLE)(reopen_role)
    app.action(closeout_blocks.OPEN_REJECT_REST)(open_reject_rest)
    app.view(closeout_blocks.REJECT_REST)(reject_rest)
    app.action(re.compile(rf"^{edit_blocks.OPEN_EDIT_CANDIDATE}(_\d+)?$"))(open_edit_candidate)
    app.view(role_blocks.EDIT_ROLE)(save_role)
    app.view(edit_blocks.EDIT_CANDIDATE)(save_candidate)
