"""Changing an interview after it is booked: the status card's interview menu, the buttons
in DMs that open the same forms, the forms' submissions, and "I can't make it" on a kit.

Who may do what, and whether the interview still takes the change, is the use case's to
say (bot/usecases/interviews.py): a refusal comes back as NotAllowed or FormErrors and is
told as it is. What the interviewers are told goes after the answer, in the background.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.numbers import record_id, small_int
from bot.slack import notify
from bot.slack.blocks import interview_changes as blocks
from bot.slack.blocks import interviews as interview_blocks
from bot.slack.blocks.interview_changes import (
    CANCEL,
    CANT_MAKE_IT,
    CANT_MAKE_IT_SUBMIT,
    CHANGE_PANEL,
    MENU,
    NO_SHOW,
    OPEN_PANEL,
    OPEN_RESCHEDULE,
    RESCHEDULE,
)
from bot.slack.deps import Deps
from bot.slack.metadata import MAX_VERSION, InterviewMetadata
from bot.usecases import feedback, interviews
from bot.usecases.feedback import Scheduled
from bot.usecases.interviews import Changed, Verb
from handlers import forms
from handlers.render import mark_settled, redraw_kits, tell_recruiters
from handlers.replies import Modal, Reply, Zones, on_click
from handlers.submissions import OPEN_AGAIN, submission

OUT_OF_DATE = "That menu is out of date. Look at the card again."
_FORMS = {
    Verb.RESCHEDULE: blocks.reschedule_modal,
    Verb.PANEL: blocks.panel_modal,
    Verb.CANCEL: blocks.cancel_modal,
}


def _picked(action: dict[str, Any]) -> tuple[Verb, int, int] | None:
    """The menu's `verb:interview:version`, or None for anything we did not write."""
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) != 3 or parts[0] not in {v.value for v in Verb}:
        return None
    interview_id = record_id(parts[1])
    version = small_int(parts[2], low=1, high=MAX_VERSION)
    if interview_id is None or version is None:
        return None
    return Verb(parts[0]), interview_id, version


def _interview_id(action: dict[str, Any]) -> int:
    return record_id(action.get("value")) or 0  # 0 is nobody's: refused as not found


# Opening the forms ---------------------------------------------------------------------------


async def _open(reply: Reply, verb: Verb, interview_id: int) -> None:
    context = await reply.unless_refused(
        interviews.change_context(
            reply.deps.db,
            actor_id=reply.user_id,
            interview_id=interview_id,
            verb=verb,
            now=reply.deps.clock.now(),
        )
    )
    if context is not None:
        now = reply.deps.clock.now()
        form = (
            blocks.cancel_modal(context, now=now) if verb == Verb.CANCEL else _FORMS[verb](context)
        )
        await reply.open(form)


@on_click
async def interview_menu(reply: Reply, action: dict[str, Any]) -> None:
    """The card's menu: a form to open. A no-show's form confirms what the card showed: a
    card drawn before another change is told so, and opens nothing."""
    picked = _picked(action)
    if picked is None:
        await reply.tell(OUT_OF_DATE)
        return
    verb, interview_id, version = picked
    if verb != Verb.NO_SHOW:
        await _open(reply, verb, interview_id)
        return
    context = await reply.unless_refused(
        interviews.change_context(
            reply.deps.db,
            actor_id=reply.user_id,
            interview_id=interview_id,
            verb=verb,
            now=reply.deps.clock.now(),
            card_version=version,
        )
    )
    if context is not None:
        await reply.open(blocks.no_show_modal(context, version))


@submission("note")
async def no_show(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    metadata = InterviewMetadata.from_view(view)
    done = await interviews.no_show(
        modal.deps.db,
        actor_id=modal.user_id,
        interview_id=metadata.interview_id,
        base_version=metadata.version,
        note=forms.text(view, "note"),
        now=modal.deps.clock.now(),
    )
    await ack()
    modal.later(_after_no_show(modal, done), name="no-show")


async def _after_no_show(modal: Modal, done: Changed) -> None:
    deps, client = modal.deps, modal.client
    await modal.show_card(done.card, blocks.changed_note(done))
    await _settle(modal, done)
    text, prompt = blocks.no_show_prompt(done)
    await notify.dm(client, modal.user_id, text, prompt)
    await _close_kits(deps, client, done, "the candidate did not come, so no scorecard is due.")
    await _summary(deps, client, done)


@on_click
async def open_reschedule(reply: Reply, action: dict[str, Any]) -> None:
    await _open(reply, Verb.RESCHEDULE, _interview_id(action))


@on_click
async def open_panel(reply: Reply, action: dict[str, Any]) -> None:
    await _open(reply, Verb.PANEL, _interview_id(action))


@on_click
async def open_cant_make_it(reply: Reply, action: dict[str, Any]) -> None:
    found = await reply.unless_refused(
        interviews.cant_make_it_context(
            reply.deps.db,
            user_id=reply.user_id,
            interview_id=_interview_id(action),
            now=reply.deps.clock.now(),
        )
    )
    if found is not None:
        await reply.open(blocks.cant_make_it_modal(*found))


# The submissions ---------------------------------------------------------------------------------


@submission("starts")
async def reschedule(ack: AsyncAck, modal: Modal) -> None:
    """Move it, unless the new time would warn (a clash, a day off, past the loop): then
    the form again, with the warnings, to change or to send as it is."""
    view = modal.view
    metadata = InterviewMetadata.from_view(view)
    form = interviews.NewTime(forms.datetime_utc(view, "starts"), forms.text(view, "minutes"))

    async def move(*, dry_run: bool = False) -> Changed:
        return await interviews.reschedule(
            modal.deps.db,
            actor_id=modal.user_id,
            interview_id=metadata.interview_id,
            base_version=metadata.version,
            form=form,
            now=modal.deps.clock.now(),
            dry_run=dry_run,
        )

    zones = None  # asked for the form's check, kept for the kits
    if metadata.confirmed != form.key():
        tried = await move(dry_run=True)
        lines, zones = await modal.warnings_for(tried.kit([k.interviewer_id for k in tried.kits]))
        if lines:
            warned = interview_blocks.before_you(
                lines,
                "move it",
                "Change the time, or press *Reschedule anyway* to move it as it is.",
            )
            await ack(
                response_action="update",
                view=blocks.reschedule_warned_modal(tried, form, metadata, warned),
            )
            return
    done = await move()
    await ack()
    modal.later(_after_reschedule(modal, done, zones), name="interview-moved")


async def _warn_who_changed(
    modal: Modal, kit: Scheduled, *, moved: bool, zones: Zones | None
) -> tuple[Scheduled, Zones]:
    """A DM to whoever moved the interview (`moved`) or added its interviewers (`kit`'s),
    if there is something they should know (Changed.warnings, and a day off where one of
    them is); the kit so warned, and the interviewers' zones, asked once (here, unless
    the form's check has them), for their kits."""
    if zones is None:
        zones = await notify.time_zones(modal.client, kit.interviewer_ids)
    warned = await feedback.with_local_warnings(modal.deps.db, kit, zones)
    message = interview_blocks.change_warnings_message(warned, moved=moved)
    if message is not None:
        await notify.dm(modal.client, modal.user_id, *message)
    return warned, zones


async def _after_reschedule(modal: Modal, done: Changed, zones: Zones | None) -> None:
    """The card for the person who moved it, and a DM of what they should know of the
    new time if anything (as a new booking's confirmation warns); the kits edited in
    place (or sent anew), then one short DM each: the new time only."""
    deps, client = modal.deps, modal.client
    await modal.show_card(done.card, blocks.changed_note(done))
    await _settle(modal, done)
    people = [kit.interviewer_id for kit in done.kits]
    moved, zones = await _warn_who_changed(modal, done.kit(people), moved=True, zones=zones)
    sent = {kit.interviewer_id: (kit.channel, kit.ts) for kit in done.kits}
    await notify.send_kits(client, deps.db, moved, zones, sent=sent)
    for person in people:
        text, message = blocks.moved_message(done, tz_name=zones.get(person))
        await notify.dm(client, person, text, message)
    await tell_recruiters(client, done.card, modal.user_id, blocks.change_news(done, modal.user_id))


@submission("interviewers")
async def change_panel(ack: AsyncAck, modal: Modal) -> None:
    """Change the panel, unless someone added would be warned about (another interview
    then, a day off): then the form again, with the warnings."""
    view = modal.view
    metadata = InterviewMetadata.from_view(view)
    people = forms.users(view, "interviewers")

    async def change(*, dry_run: bool = False) -> Changed:
        return await interviews.change_panel(
            modal.deps.db,
            actor_id=modal.user_id,
            interview_id=metadata.interview_id,
            base_version=metadata.version,
            interviewer_ids=people,
            now=modal.deps.clock.now(),
            dry_run=dry_run,
        )

    zones = None  # the added people's, asked for the form's check, kept for their kits
    if metadata.confirmed != interviews.panel_key(people):
        tried = await change(dry_run=True)
        lines, zones = (
            await modal.warnings_for(tried.kit(tried.added)) if tried.added else ([], None)
        )
        if lines:
            warned = interview_blocks.before_you(
                lines,
                "save",
                "Change the interviewers, or press *Save anyway* to keep them as they are.",
            )
            await ack(
                response_action="update",
                view=blocks.panel_warned_modal(tried, people, metadata, warned),
            )
            return
    done = await change()
    await ack()
    modal.later(_after_panel(modal, done, zones), name="panel-changed")


async def _after_panel(modal: Modal, done: Changed, zones: Zones | None) -> None:
    """New people get the kit, and whoever added them a DM if one of them is already
    interviewing then or off that day; removed ones' kits say so, and those who could
    still turn up for it (it has not ended) get a DM too."""
    deps, client = modal.deps, modal.client
    await modal.show_card(done.card, blocks.changed_note(done))
    await _settle(modal, done)
    if done.added:
        added, zones = await _warn_who_changed(
            modal, done.kit(done.added), moved=False, zones=zones
        )
        await notify.send_kits(client, deps.db, added, zones)
    why = "you are no longer on this interview's panel. Nothing more is due from you."
    text, message = blocks.closed_kit(done, why)
    for kit in done.removed:
        if kit.channel and kit.ts:
            await notify.edit(client, kit.channel, kit.ts, text, message)
        if done.interview.ends_at > deps.clock.now():
            await notify.dm(client, kit.interviewer_id, *blocks.off_panel_message(done))
    await tell_recruiters(client, done.card, modal.user_id, blocks.change_news(done, modal.user_id))
    await _summary(deps, client, done)


@submission("reason")
async def cancel(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    metadata = InterviewMetadata.from_view(view)
    reason = forms.text(view, "reason")
    done = await interviews.cancel(
        modal.deps.db,
        actor_id=modal.user_id,
        interview_id=metadata.interview_id,
        base_version=metadata.version,
        reason=reason,
        now=modal.deps.clock.now(),
    )
    await ack()
    modal.later(_after_cancel(modal, done, reason.strip()), name="interview-cancelled")


async def _after_cancel(modal: Modal, done: Changed, reason: str) -> None:
    deps, client = modal.deps, modal.client
    await modal.show_card(done.card, blocks.changed_note(done))
    await _settle(modal, done)
    await _close_kits(deps, client, done, "cancelled, so no scorecard is due.")
    for kit in done.kits:
        scored = kit.interviewer_id in done.scored
        text, message = blocks.cancelled_message(done, reason, scored=scored)
        await notify.dm(client, kit.interviewer_id, text, message)
    news = blocks.change_news(done, modal.user_id, cancelled=reason)
    await tell_recruiters(client, done.card, modal.user_id, news)
    await _summary(deps, client, done)


SCORED_KIT = "cancelled; the scorecard you sent stays with the candidate's feedback."


async def _close_kits(deps: Deps, client: AsyncWebClient, done: Changed, why: str) -> None:
    """Each kit of the interview says it is off (its Submit button gone); each
    interviewer's Home tab drops it when next opened."""
    for kit in done.kits:
        if kit.channel and kit.ts:
            # A scorecard already sent stays with the candidate's feedback: its writer is
            # told so, not that none is due.
            said = SCORED_KIT if kit.interviewer_id in done.scored else why
            text, message = blocks.closed_kit(done, said)
            await notify.edit(client, kit.channel, kit.ts, text, message)


async def _settle(modal: Modal, done: Changed) -> None:
    """The "can't make it" alerts this change settled say what was done, buttons gone."""
    settled = await interviews.settled_alerts(modal.deps.db, interview_id=done.interview.id or 0)
    name, how = done.card.candidate.name, blocks.settled_by(done, modal.user_id)
    await mark_settled(modal.client, settled, done.context.stage_name, name, how)


async def _summary(deps: Deps, client: AsyncWebClient, done: Changed) -> None:
    """The change completed the loop: the ratings summary, as a last scorecard sends it."""
    if done.completed is not None:
        await notify.send_loop_summary(client, done.completed, completed_at=deps.clock.now())


@submission("reason", out_of_date=OPEN_AGAIN)
async def cant_make_it(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    done = await interviews.cant_make_it(
        modal.deps.db,
        user_id=modal.user_id,
        interview_id=InterviewMetadata.from_view(view).interview_id,
        reason=forms.text(view, "reason"),
        now=modal.deps.clock.now(),
        proposed={field: forms.datetime_utc(view, field) for field in blocks.PROPOSAL_FIELDS},
    )
    await ack()
    modal.later(_after_cant_make_it(modal, done), name="cant-make-it")


async def _after_cant_make_it(modal: Modal, done: interviews.CantMakeIt) -> None:
    client = modal.client
    await notify.dm(client, modal.user_id, blocks.cant_make_it_noted(done), [])
    if not done.first:
        return  # the recruiters were told the first time
    text, message = blocks.cant_make_it_alert(done, modal.user_id)
    sent = [
        posted
        for person in done.tell
        if (posted := await notify.post(client, person, text, message)) is not None
    ]
    interview_id = done.interview.id or 0
    settled = await interviews.cant_make_it_alerted(
        modal.deps.db, interview_id=interview_id, interviewer_id=modal.user_id, sent=sent
    )
    # Fixed while the alerts were on their way: the change found none to edit.
    how = "the interview changed since; its candidate's status card has it as it is now."
    await mark_settled(client, settled, done.stage_name, done.candidate.name, how)
    # Their kit promised a reminder: it now says none comes.
    changed = await interviews.kit_now(
        modal.deps.db, actor_id=modal.user_id, interview_id=done.interview.id or 0
    )
    await redraw_kits(modal.deps, client, changed, [modal.user_id])


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{MENU}_\d+$"))(interview_menu)
    app.action(re.compile(rf"^{OPEN_RESCHEDULE}(_\d+)?$"))(open_reschedule)
    app.action(OPEN_PANEL)(open_panel)
    app.action(CANT_MAKE_IT)(open_cant_make_it)
    app.view(RESCHEDULE)(reschedule)
    app.view(CHANGE_PANEL)(change_panel)
    app.view(CANCEL)(cancel)
    app.view(NO_SHOW)(no_show)
    app.view(CANT_MAKE_IT_SUBMIT)(cant_make_it)
