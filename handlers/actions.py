"""Buttons: on status cards, choice lists, interview kits, the Home tab and summaries.

Each listener acks, reads the button's value, calls one use case and answers through a
Reply (handlers/replies.py). Who may do what is the use case's to decide: a refusal
comes back as NotAllowed, with its words, and is told to the person as it is.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain import clocks
from bot.domain.numbers import record_id
from bot.domain.scorecards import template_named
from bot.domain.stages import IllegalMove, parse_stage
from bot.domain.zones import local
from bot.readmodels.status import status_of
from bot.slack import notify
from bot.slack.blocks import alerts as alert_blocks
from bot.slack.blocks import candidates as cards
from bot.slack.blocks import deadlines as deadline_blocks
from bot.slack.blocks import interviews as interview_blocks
from bot.slack.blocks import notes as note_blocks
from bot.slack.blocks import offers as offer_blocks
from bot.slack.blocks import takehomes as takehome_blocks
from bot.slack.blocks.common import esc, localized, when
from bot.store.tables import Offer
from bot.usecases import candidates, days_away, deadlines, feedback, notes, offers, takehomes
from bot.usecases.candidates import CandidateCard, Refusal
from bot.usecases.errors import NOT_FOUND, StaleMove
from handlers.render import announce, call_off, refresh_home, shown_status, tell_team
from handlers.replies import CommandReply, Reply, on_click


def _parts(action: dict[str, Any]) -> list[str]:
    """A button value is `id[:stage[:stage]]`, then perhaps a line of text (_typed);
    anything else reads as empty."""
    value = action.get("value")
    return value.split("\n", 1)[0].split(":") if isinstance(value, str) else []


def _typed(action: dict[str, Any]) -> str:
    """What a person typed with a command whose name the button picks (a move's reason,
    a note's text): the button's value after its first line."""
    value = action.get("value")
    return value.partition("\n")[2] if isinstance(value, str) else ""


def _id_of(action: dict[str, Any]) -> int:
    """The record a button is about (its value's first part); 0, which is nobody's, if none."""
    parts = _parts(action)
    return (record_id(parts[0]) or 0) if parts else 0


async def _candidate_card(
    reply: Reply, action: dict[str, Any], refusal: Refusal
) -> candidates.CandidateCard | None:
    """The card of the candidate a form-opening button is about, or None once the person
    has been told why the form does not open (the use case asks the same on submit)."""
    return await reply.unless_refused(
        candidates.form_card(
            reply.deps.db, user_id=reply.user_id, candidate_id=_id_of(action), refusal=refusal
        )
    )


# Status and moves ---------------------------------------------------------------------------


@on_click
async def open_status(reply: Reply, action: dict[str, Any]) -> None:
    now = reply.deps.clock.now()
    status = await status_of(
        reply.deps.db, viewer_id=reply.user_id, candidate_id=_id_of(action), now=now
    )
    if status is None:
        await reply.tell(NOT_FOUND)
        return
    text, blocks = shown_status(reply.deps, reply.user_id, status, now=now)
    await reply.show(text, blocks, beside=cards.BESIDE in _parts(action)[1:])


@on_click
async def open_move(reply: Reply, action: dict[str, Any]) -> None:
    parts = _parts(action)
    preselect = parse_stage(parts[1]) if len(parts) > 1 and parts[1] else None
    card = await _candidate_card(reply, action, candidates.move_form_refusal)
    if card is not None:
        # Pressed on a card in a message: that card is drawn again once the move is made.
        origin = str(reply.body.get("response_url") or "")
        await reply.open(
            cards.move_modal(card, preselect=preselect, reason=_typed(action), origin=origin)
        )


@on_click
async def advance(reply: Reply, action: dict[str, Any]) -> None:
    parts = _parts(action)
    seen = parse_stage(parts[1]) if len(parts) == 3 else None
    target = parse_stage(parts[2]) if len(parts) == 3 else None
    if seen is None or target is None or not _id_of(action):
        await reply.tell("That button is out of date; ask again.")
        return
    try:
        moved = await reply.unless_refused(
            candidates.move(
                reply.deps.db,
                actor_id=reply.user_id,
                candidate_id=_id_of(action),
                seen_stage=seen,
                target=target,
                reason="",
                now=reply.deps.clock.now(),
            )
        )
    except StaleMove as stale:
        # A second click, or a teammate was faster: show where the candidate is now.
        await reply.show_card(stale.current, cards.stale_note(stale.current))
        return
    except IllegalMove as error:
        await reply.tell(f"I can't make that move: {error}")
        return
    if moved is not None:
        await reply.show_card(moved.card, cards.moved_note(moved))
        refresh_home(reply.deps, reply.client, reply.user_id)
        call_off(reply.deps, reply.client, moved)
        announce(reply.deps, reply.client, moved, reply.user_id)


# Interviews and scorecards ------------------------------------------------------------------


@on_click
async def open_schedule(reply: Reply, action: dict[str, Any]) -> None:
    card = await _candidate_card(reply, action, feedback.schedule_refusal)
    if card is not None:
        template = template_named(card.role.template)
        await reply.open(interview_blocks.schedule_modal(card, template))


@on_click
async def open_deadline(reply: Reply, action: dict[str, Any]) -> None:
    """Set candidate deadline, on the status card: a stale click (the candidate closed
    meanwhile) gets a short private answer instead of the form."""
    card = await _candidate_card(reply, action, deadlines.deadline_refusal)
    if card is not None:
        await reply.open(deadline_blocks.deadline_modal(card))


@on_click
async def open_note(reply: Reply, action: dict[str, Any]) -> None:
    """Add note… on the card, or a name picked from `/hire note`'s list."""
    card = await _candidate_card(reply, action, notes.write_refusal)
    if card is not None:
        await reply.open(note_blocks.note_modal(card, text=_typed(action)))


@on_click
async def open_notes(reply: Reply, action: dict[str, Any]) -> None:
    """A name picked from `/hire notes`' list: that candidate's notes, in its place."""
    await show_notes(reply, _id_of(action))


async def show_notes(reply: Reply | CommandReply, candidate_id: int) -> None:
    """The candidate's notes, whole, latest first (`/hire notes`, or a name picked)."""
    found = await reply.unless_refused(
        notes.notes_of(reply.deps.db, viewer_id=reply.user_id, candidate_id=candidate_id)
    )
    if found is not None:
        await reply.show(*note_blocks.notes_message(found, reply.user_id))


@on_click
async def open_history(reply: Reply, action: dict[str, Any]) -> None:
    """A name picked from `/hire history`'s list: that candidate's whole history."""
    await show_history(reply, _id_of(action))


async def show_history(reply: Reply | CommandReply, candidate_id: int) -> None:
    """The candidate's whole history (`/hire history`, or a name picked)."""
    whole = await reply.unless_refused(
        candidates.history(reply.deps.db, user_id=reply.user_id, candidate_id=candidate_id)
    )
    if whole is not None:
        await reply.show(*cards.history_message(whole))


@on_click
async def open_edit_note(reply: Reply, action: dict[str, Any]) -> None:
    """Edit… on one's own note in `/hire notes`: the form, filled in with its text."""
    found = await reply.unless_refused(
        notes.note_to_edit(reply.deps.db, actor_id=reply.user_id, note_id=_id_of(action))
    )
    if found is not None:
        origin = str(reply.body.get("response_url") or "")
        await reply.open(note_blocks.edit_note_modal(found, origin=origin))


@on_click
async def notes_page(reply: Reply, action: dict[str, Any]) -> None:
    """Older / Newer under `/hire notes`: another page, read afresh, in the list's place."""
    parts = _parts(action)
    if len(parts) != 2 or not parts[1].isdigit() or _id_of(action) == 0:
        await reply.tell("That button is out of date; ask again with `/hire notes <name>`.")
        return
    found = await reply.unless_refused(
        notes.notes_of(
            reply.deps.db,
            viewer_id=reply.user_id,
            candidate_id=_id_of(action),
            start=int(parts[1]),
        )
    )
    if found is not None:
        await reply.replace(*note_blocks.notes_message(found, reply.user_id))


@on_click
async def delete_note(reply: Reply, action: dict[str, Any]) -> None:
    """Delete on one's own note: the list again, without it (Slack asked to confirm)."""
    found = await reply.unless_refused(
        notes.delete_note(
            reply.deps.db,
            actor_id=reply.user_id,
            note_id=_id_of(action),
            now=reply.deps.clock.now(),
        )
    )
    if found is not None:
        note = note_blocks.deleted_note(found)
        await reply.replace(*note_blocks.notes_message(found, reply.user_id, note=note))


@on_click
async def open_scorecard(reply: Reply, action: dict[str, Any]) -> None:
    now = reply.deps.clock.now()
    ctx = await reply.unless_refused(
        feedback.scorecard_context(
            reply.deps.db, user_id=reply.user_id, interview_id=_id_of(action), now=now
        )
    )
    if ctx is not None:
        await reply.open(interview_blocks.scorecard_modal(ctx, opened=now))


@on_click
async def view_scorecard(reply: Reply, action: dict[str, Any]) -> None:
    detail = await reply.unless_refused(
        feedback.read_scorecard(reply.deps.db, viewer_id=reply.user_id, scorecard_id=_id_of(action))
    )
    if detail is not None:
        await reply.open(interview_blocks.scorecard_read_modal(detail))


@on_click
async def nudge(reply: Reply, action: dict[str, Any]) -> None:
    """Remind the interviewers whose scorecards are still out, each by DM, after the ack."""
    reminders = await reply.unless_refused(
        feedback.nudge(
            reply.deps.db,
            actor_id=reply.user_id,
            candidate_id=_id_of(action),
            now=reply.deps.clock.now(),
        )
    )
    if reminders is None:
        return
    card = reminders.card
    if not reminders.booked:
        name = esc(card.candidate.name)
        await reply.tell(
            f"No interview is booked for {name}, so there is no scorecard to nudge for "
            f"(and none is in). Book one with *Schedule interview* on their card, or "
            f"`/hire schedule {name}`."
        )
        return
    if reminders.next_interview is not None and not reminders.graders:
        await reply.tell(
            f"No scorecard for {esc(card.candidate.name)} is due yet: their next interview "
            f"is {when(reminders.next_interview)}. Nobody was nudged."
        )
        return
    already = alert_blocks.nudged_already(
        reminders.nudged, user_id=reply.user_id, now=reply.deps.clock.now()
    )
    if reminders.absent:
        who = ", ".join(f"<@{user_id}>" for user_id in reminders.absent)
        said = "says" if len(reminders.absent) == 1 else "say"
        already = (
            f"{who} {said} they can't make it, so no nudge went to them: if they did not "
            "interview, change that interview's interviewers (their scorecard is then not due). "
            + already
        ).strip()
    if not reminders.anyone and (reminders.nudged or reminders.absent):
        await reply.tell(f"{already} Nobody was nudged{' again' if reminders.nudged else ''}.")
        return
    if not reminders.anyone:
        await reply.tell(f"Every scorecard for {esc(card.candidate.name)} is in.")
        return
    now = reply.deps.clock.now()
    assert reminders.loop is not None  # always read when someone is waiting
    for item, seat in reminders.waiting:
        # Due when the card and the clock's own nudges say: snoozes added, sooner under
        # her deadline.
        due = reminders.loop.due_of(item, seat)
        text, blocks = alert_blocks.reminder_message(
            card.candidate,
            card.role,
            item.interview,
            item.stage_name,
            due_at=due,
            asked_by=reply.user_id,
            candidate_by=card.candidate.deadline_at if due < seat.feedback_due_at else None,
            now=now,
        )
        reply.deps.background.run(
            notify.dm(reply.client, seat.interviewer_id, text, blocks), name="nudge"
        )
    takehome = reminders.loop.takehome
    for grader in reminders.graders:
        assert takehome is not None  # graders owe only a received take-home's grade
        told = takehome_blocks.grade_reminder(card, takehome.takehome, asked_by=reply.user_id)
        reply.deps.background.run(notify.dm(reply.client, grader, *told), name="nudge")
    waiting = [seat.interviewer_id for _, seat in reminders.waiting]
    ids = list(dict.fromkeys([*waiting, *reminders.graders]))
    people = ", ".join(f"<@{user_id}>" for user_id in ids)
    said = f"Nudged {people} about {esc(card.candidate.name)}."
    if already:
        said += f" {already}"
    # The clock's own nudges wait for someone away; one asked for goes, and who asked
    # hears they are away.
    zones = await notify.time_zones_in_time(reply.client, ids) or {}
    away = await days_away.away_now(reply.deps.db, user_ids=ids, zones=zones, now=now)
    if away:
        who = ", ".join(f"<@{user_id}>" for user_id in sorted(away))
        said += f" {who} {'is' if len(away) == 1 else 'are'} away today, and will see it when back."
    # It goes at once, as asked: whoever asked hears it is someone's night or weekend
    # (the clock's own nudges wait for working hours), rather than find out later.
    late = [
        f"{local(now, zones[user_id])} for <@{user_id}>"
        for user_id in ids
        if user_id in zones
        and user_id not in away
        and clocks.working_moment(now, zones[user_id]) != now
    ]
    if late:
        said += f" It is outside working hours where they are ({'; '.join(late)})."
    await reply.tell(said)


# Offers --------------------------------------------------------------------------------------


@on_click
async def open_offer(reply: Reply, action: dict[str, Any]) -> None:
    """The offer form (from a list of names, the card's stage buttons, or Revise…)."""
    await open_offer_form(reply, _id_of(action))


async def open_offer_form(reply: Reply | CommandReply, candidate_id: int) -> None:
    """A new offer's form, or, for a candidate whose offer awaits their answer, that offer
    to revise; else why this person may not."""
    opened = await reply.unless_refused(
        offers.offer_form(reply.deps.db, actor_id=reply.user_id, candidate_id=candidate_id)
    )
    if opened is None:
        return
    card, offer = opened
    now = reply.deps.clock.now()
    # Sent, it would be refused for it: said now, not after the form is filled in.
    if (passed := offers.deadline_passed(card, now)) is not None:
        await reply.tell(localized(esc(passed)))
        return
    if offer is None:
        # The hint gives their deadline as plain text: in the reader's own zone, if
        # Slack says it in time (a second; else in UTC).
        zones = (
            await notify.time_zones_in_time(reply.client, [reply.user_id])
            if card.candidate.deadline_at is not None
            else None
        )
        tz = (zones or {}).get(reply.user_id)
        await reply.open(offer_blocks.offer_modal(card, now=now, tz_name=tz))
    else:
        await reply.open(offer_blocks.revise_modal(card, offer, now=now))


async def _offer_change(
    change: Callable[..., Awaitable[offers.OfferCard]],
    note: Callable[[offers.OfferCard], str],
    reply: Reply,
    action: dict[str, Any],
) -> offers.OfferCard | None:
    done = await reply.unless_refused(
        change(
            reply.deps.db,
            actor_id=reply.user_id,
            offer_id=_id_of(action),
            now=reply.deps.clock.now(),
        )
    )
    if done is not None:
        await reply.changed(done.card, note(done) + cards.called_off_note(done.moved))
        call_off(reply.deps, reply.client, done.moved)
    return done


@on_click
async def offer_accepted(reply: Reply, action: dict[str, Any]) -> None:
    """Accepted: the card for whoever recorded it, and the news in the role's channel for
    the rest of the team."""
    done = await _offer_change(
        partial(offers.decide, accepted=True),
        lambda d: f":tada: {d.card.candidate.name} accepted the offer and is hired.",
        reply,
        action,
    )
    if done is not None:
        text, blocks = offer_blocks.decided_post(done.card, accepted=True, actor_id=reply.user_id)
        reply.deps.background.run(
            notify.dm(reply.client, done.card.role.channel_id, text, blocks), name="offer-decided"
        )


@on_click
async def offer_declined(reply: Reply, action: dict[str, Any]) -> None:
    """Declined: recorded at the click, as the card's dialog said; then the form asking
    why opens (its trigger lives three seconds), and a button under the card opens it
    again for whoever skipped it (handlers.views.record_decline saves it)."""
    done = await reply.unless_refused(
        offers.decide(
            reply.deps.db,
            actor_id=reply.user_id,
            offer_id=_id_of(action),
            accepted=False,
            now=reply.deps.clock.now(),
        )
    )
    if done is None:
        return
    await _ask_why(reply, done.card, done.offer)  # first: its trigger is running out
    note = f"{done.card.candidate.name} declined the offer and is withdrawn."
    await reply.changed(
        done.card,
        note + cards.called_off_note(done.moved),
        below=[offer_blocks.decline_reason_button(done.offer)],
    )
    call_off(reply.deps, reply.client, done.moved)
    text, blocks = offer_blocks.decided_post(done.card, accepted=False, actor_id=reply.user_id)
    reply.deps.background.run(
        notify.dm(reply.client, done.card.role.channel_id, text, blocks), name="offer-decided"
    )


@on_click
async def open_decline_reason(reply: Reply, action: dict[str, Any]) -> None:
    """Say why they declined…: the form again, under the card of a decline."""
    opened = await reply.unless_refused(
        offers.decline_form(reply.deps.db, actor_id=reply.user_id, offer_id=_id_of(action))
    )
    if opened is not None:
        await _ask_why(reply, *opened)


async def _ask_why(reply: Reply, card: CandidateCard, offer: Offer) -> None:
    # Pressed on a card in a message: that card is drawn again once the reason is saved.
    origin = str(reply.body.get("response_url") or "")
    await reply.open(offer_blocks.decline_modal(card, offer, origin=origin))


@on_click
async def offer_more_time(reply: Reply, action: dict[str, Any]) -> None:
    """Extend 24h, once per click: the button carries the expiry it was drawn with."""
    done = await _offer_change(
        partial(offers.give_more_time, seen_expiry=offer_blocks.seen_expiry(action.get("value"))),
        partial(offer_blocks.more_time_note, clicker=reply.user_id),
        reply,
        action,
    )
    if done is not None and done.changed:
        told = offer_blocks.more_time_message(done, reply.user_id)
        reply.deps.background.run(
            tell_team(reply.client, done.card, reply.user_id, told), name="offer-more-time"
        )


# Digest buttons ---------------------------------------------------------------------------


@on_click
async def snooze(reply: Reply, action: dict[str, Any]) -> None:
    snoozed = await reply.unless_refused(
        offers.snooze(
            reply.deps.db,
            actor_id=reply.user_id,
            alert_id=_id_of(action),
            now=reply.deps.clock.now(),
        )
    )
    if snoozed is None:
        return
    name = esc(snoozed.card.candidate.name)
    if snoozed.repeated:
        await reply.tell(
            f":zzz: {name}'s {snoozed.clock} clock was already snoozed for this alert by "
            f"<@{snoozed.actor_id}> {when(snoozed.at)}: it is due {when(snoozed.deadline)}. "
            "Nothing changed."
        )
        return
    capped = (
        f", not a day later: {name}'s own deadline ({when(by)}) leaves no more"
        if snoozed.capped and (by := snoozed.card.candidate.deadline_at) is not None
        else ""
    )
    await reply.tell(
        f":zzz: Snoozed {name}'s {snoozed.clock} clock: it is now due "
        f"{when(snoozed.deadline)}{capped}. The pause is recorded, and the alert comes back "
        "then if it is still due."
    )


# Take-homes ---------------------------------------------------------------------------------


@on_click
async def open_send_takehome(reply: Reply, action: dict[str, Any]) -> None:
    form = await reply.unless_refused(
        takehomes.send_form(reply.deps.db, user_id=reply.user_id, candidate_id=_id_of(action))
    )
    if form is not None:
        card, spec = form
        await reply.open(takehome_blocks.send_modal(card, spec, now=reply.deps.clock.now()))


@on_click
async def open_takehome_received(reply: Reply, action: dict[str, Any]) -> None:
    form = await reply.unless_refused(
        takehomes.answer_form(reply.deps.db, user_id=reply.user_id, takehome_id=_id_of(action))
    )
    if form is not None:
        takehome, card = form
        await reply.open(takehome_blocks.received_modal(takehome, card.candidate.name))


@on_click
async def open_takehome_graders(reply: Reply, action: dict[str, Any]) -> None:
    form = await reply.unless_refused(
        takehomes.graders_form(reply.deps.db, user_id=reply.user_id, takehome_id=_id_of(action))
    )
    if form is not None:
        takehome, card, graders = form
        await reply.open(takehome_blocks.graders_modal(takehome, card.candidate.name, graders))


@on_click
async def open_takehome_due(reply: Reply, action: dict[str, Any]) -> None:
    """Change due time…: the same take-home still out, and the same people, as Received."""
    form = await reply.unless_refused(
        takehomes.answer_form(reply.deps.db, user_id=reply.user_id, takehome_id=_id_of(action))
    )
    if form is not None:
        takehome, card = form
        now = reply.deps.clock.now()
        await reply.open(takehome_blocks.due_modal(takehome, card.candidate.name, now=now))


@on_click
async def takehome_not_received(reply: Reply, action: dict[str, Any]) -> None:
    recorded = await reply.unless_refused(
        takehomes.record(
            reply.deps.db,
            actor_id=reply.user_id,
            takehome_id=_id_of(action),
            received=False,
            now=reply.deps.clock.now(),
        )
    )
    if recorded is not None:
        await reply.changed(recorded.card, takehome_blocks.recorded_note(recorded))


@on_click
async def open_grade(reply: Reply, action: dict[str, Any]) -> None:
    ctx = await reply.unless_refused(
        takehomes.grade_context(reply.deps.db, user_id=reply.user_id, takehome_id=_id_of(action))
    )
    if ctx is not None:
        await reply.open(takehome_blocks.grade_modal(ctx))


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{cards.OPEN_STATUS}(_\d+)?$"))(open_status)
    app.action(re.compile(rf"^{cards.OPEN_MOVE}(_\w+)?$"))(open_move)
    app.action(cards.ADVANCE)(advance)
    app.action(re.compile(rf"^{cards.OPEN_SCHEDULE}(_\d+)?$"))(open_schedule)
    app.action(re.compile(rf"^{cards.OPEN_DEADLINE}(_\d+)?$"))(open_deadline)
    app.action(re.compile(rf"^{note_blocks.OPEN_NOTE}(_\d+)?$"))(open_note)
    app.action(re.compile(rf"^{note_blocks.OPEN_NOTES}(_\d+)?$"))(open_notes)
    app.action(re.compile(rf"^{cards.OPEN_HISTORY}(_\d+)?$"))(open_history)
    app.action(re.compile(rf"^{note_blocks.DELETE_NOTE}(_\d+)?$"))(delete_note)
    app.action(re.compile(rf"^{note_blocks.OPEN_EDIT_NOTE}(_\d+)?$"))(open_edit_note)
    app.action(re.compile(rf"^{note_blocks.NOTES_PAGE}_(older|newer)$"))(notes_page)
    app.action(re.compile(rf"^{interview_blocks.OPEN_SCORECARD}(_\d+)?$"))(open_scorecard)
    app.action(re.compile(rf"^{interview_blocks.VIEW_SCORECARD}(_\d+)?$"))(view_scorecard)
    app.action(re.compile(rf"^{offer_blocks.OPEN_OFFER}(_\d+)?$"))(open_offer)
    app.action(offer_blocks.ACCEPTED)(offer_accepted)
    app.action(offer_blocks.DECLINED)(offer_declined)
    app.action(offer_blocks.OPEN_DECLINE_REASON)(open_decline_reason)
    app.action(offer_blocks.MORE_TIME)(offer_more_time)
    app.action(re.compile(rf"^{alert_blocks.SNOOZE}(_\d+)?$"))(snooze)
    app.action(re.compile(rf"^{interview_blocks.NUDGE}(_\d+)?$"))(nudge)
    app.action(takehome_blocks.OPEN_SEND)(open_send_takehome)
    app.action(takehome_blocks.OPEN_RECEIVED)(open_takehome_received)
    app.action(takehome_blocks.OPEN_DUE)(open_takehome_due)
    app.action(takehome_blocks.OPEN_GRADERS)(open_takehome_graders)
    app.action(takehome_blocks.NOT_RECEIVED)(takehome_not_received)
    app.action(takehome_blocks.OPEN_GRADE)(open_grade)
