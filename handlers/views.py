"""Modal submissions: validate, store, then ack. Field errors keep the modal open: each
listener raises what it will not do, and @submission (handlers/submissions.py) answers."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.declines import Decline, checked_decline
from bot.domain.limits import MAX_NOTE
from bot.domain.numbers import record_id
from bot.domain.scorecards import GradeForm, ScorecardForm, template_named
from bot.domain.stages import IllegalMove, parse_stage
from bot.slack import notify
from bot.slack.blocks import candidates as cards
from bot.slack.blocks import deadlines as deadline_blocks
from bot.slack.blocks import interviews as interview_blocks
from bot.slack.blocks import notes as note_blocks
from bot.slack.blocks import offers as offer_blocks
from bot.slack.blocks import roles as role_blocks
from bot.slack.blocks import takehomes as takehome_blocks
from bot.slack.blocks.jsonify import as_json_list
from bot.slack.metadata import (
    CandidateMetadata,
    DeclineMetadata,
    MoveMetadata,
    NoteMetadata,
    OfferMetadata,
    ScorecardMetadata,
    TakehomeDueMetadata,
    TakehomeGradersMetadata,
    TakehomeMetadata,
)
from bot.store.tables import Role
from bot.usecases import admin as admin_cases
from bot.usecases import candidates, deadlines, feedback, notes, offers, roles, takehomes
from bot.usecases.candidates import CandidateCard, Moved
from bot.usecases.errors import FormErrors
from handlers import forms
from handlers.render import (
    announce,
    call_off,
    redraw_kits,
    refresh_home,
    status_card,
    tell_team,
)
from handlers.replies import Modal, Zones
from handlers.submissions import OPEN_AGAIN, submission

log = logging.getLogger(__name__)


# Create role -----------------------------------------------------------------------


@submission("title")
async def create_role(ack: AsyncAck, modal: Modal) -> None:
    deps, view = modal.deps, modal.view
    form = forms.role(view)
    form = await forms.with_channel_checked(form, modal.client)
    role = await roles.create_role(
        deps.db,
        actor_id=modal.user_id,
        admins=await admin_cases.admin_ids(deps.db),
        form=form,
        now=deps.clock.now(),
    )
    await ack()
    recruiters = frozenset(form.recruiter_ids)
    modal.later(
        _announce_role(modal.client, role, recruiters, creator_id=modal.user_id),
        name="announce-role",
    )


async def _announce_role(
    client: AsyncWebClient, role: Role, recruiters: frozenset[str], *, creator_id: str
) -> None:
    text, blocks = role_blocks.role_channel_welcome(role, recruiters)
    problem = None
    try:
        await client.chat_postMessage(
            channel=role.channel_id, text=text, blocks=as_json_list(blocks)
        )
    except SlackApiError as error:
        problem = notify.refusal(error)
        log.warning("cannot post in the hiring channel of role %s: %s", role.id, problem)
    text, blocks = role_blocks.role_created_message(role, recruiters, channel_problem=problem)
    await client.chat_postMessage(channel=creator_id, text=text, blocks=as_json_list(blocks))
    # Everyone else the role put on its hiring team hears what that means for them.
    for person in sorted({role.hiring_manager_id, *recruiters} - {creator_id}):
        manager = person == role.hiring_manager_id
        await notify.dm(
            client, person, *role_blocks.team_joined_message(role, creator_id, manager=manager)
        )


# Add candidate ------------------------------------------------------------------------


@submission()  # only field errors: anyone may add, to the roles they recruit for
async def add_candidate(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    form = candidates.NewCandidate(
        name=forms.text(view, "name"),
        role_id=record_id(forms.option(view, "role")),
        email=forms.text(view, "email"),
        links=forms.text(view, "links"),
    )
    added = await candidates.add_candidate(
        modal.deps.db, actor_id=modal.user_id, form=form, now=modal.deps.clock.now()
    )
    await ack()
    modal.confirm(added.card, cards.added_note(added), name="confirm-add")


# Move candidate -----------------------------------------------------------------------


@submission("stage")
async def move_candidate(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    metadata = MoveMetadata.from_view(view)
    target = parse_stage(forms.option(view, "stage") or "")
    if target is None:
        raise FormErrors({"stage": "Pick the stage to move the candidate to."})
    reason = forms.text(view, "reason")
    try:
        moved = await candidates.move(
            modal.deps.db,
            actor_id=modal.user_id,
            candidate_id=metadata.candidate_id,
            seen_stage=metadata.seen_stage,
            target=target,
            reason=reason,
            now=modal.deps.clock.now(),
        )
    except IllegalMove as error:
        # The stage machine's words, under the field to fix: the missing reason, or the stage.
        about_reason = (cards.reason_needed(target) and not reason.strip()) or (
            len(reason.strip()) > MAX_NOTE
        )
        field = "reason" if about_reason else "stage"
        message = str(error)
        raise FormErrors({field: message[0].upper() + message[1:]}) from error
    await ack()
    modal.confirm(moved.card, cards.moved_note(moved), name="confirm-move")
    if metadata.origin:
        modal.later(_redraw_origin(modal, moved, metadata.origin), name="move-origin")
    call_off(modal.deps, modal.client, moved)
    announce(modal.deps, modal.client, moved, modal.user_id)


async def _redraw_origin(modal: Modal, moved: Moved, url: str) -> None:
    """The card the form was opened from, as it is now: left as it was, it showed the
    old stage and buttons for a move already made."""
    text, blocks = await status_card(modal.deps, modal.user_id, moved.card)
    await notify.respond(
        modal.client,
        url,
        {"replace_original": True, "text": text, "blocks": as_json_list(blocks)},
    )


# The candidate's deadline ----------------------------------------------------------------


@submission("deadline")
async def set_deadline(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    metadata = CandidateMetadata.from_view(view)
    form = deadlines.DeadlineForm(
        at=forms.datetime_utc(view, "deadline"),
        reason=forms.text(view, "reason"),
        clear=deadline_blocks.CLEAR in forms.options(view, "clear"),
        seen=metadata.seen,
    )
    done = await deadlines.set_deadline(
        modal.deps.db,
        actor_id=modal.user_id,
        candidate_id=metadata.candidate_id,
        form=form,
        now=modal.deps.clock.now(),
    )
    await ack()
    note = deadline_blocks.deadline_note(done, now=modal.deps.clock.now())
    modal.confirm(done.card, note, name="confirm-deadline")
    if done.changed:
        told = cards.deadline_news(done, modal.user_id)
        modal.later(tell_team(modal.client, done.card, modal.user_id, told), name="deadline-team")
    if done.moved:
        modal.later(_tell_due_moved(modal, done), name="due-moved")


async def _tell_due_moved(modal: Modal, done: deadlines.DeadlineSet) -> None:
    """Each kit gives the new due time (edited first: the DM's notification points there),
    then each interviewer hears of it."""
    for changed in done.interviews:
        people = [m.interviewer_id for m in done.moved if m.interview_id == changed.interview.id]
        await redraw_kits(modal.deps, modal.client, changed, people)
    now = modal.deps.clock.now()
    for moved in done.moved:
        message = deadline_blocks.due_moved_message(done.card, moved, now=now)
        if message is not None:
            await notify.dm(modal.client, moved.interviewer_id, *message)


# A note on a candidate ---------------------------------------------------------------


@submission("note")
async def add_note(ack: AsyncAck, modal: Modal) -> None:
    card = await notes.add_note(
        modal.deps.db,
        actor_id=modal.user_id,
        candidate_id=CandidateMetadata.from_view(modal.view).candidate_id,
        text=forms.text(modal.view, "note"),
        now=modal.deps.clock.now(),
    )
    await ack()
    modal.confirm(card, note_blocks.note_added(card), name="confirm-note")


@submission("note")
async def edit_note(ack: AsyncAck, modal: Modal) -> None:
    metadata = NoteMetadata.from_view(modal.view)
    card = await notes.edit_note(
        modal.deps.db,
        actor_id=modal.user_id,
        note_id=metadata.note_id,
        text=forms.text(modal.view, "note"),
        seen=metadata.seen,
    )
    await ack()
    modal.confirm(card, note_blocks.note_edited(card), name="confirm-note-edit")
    if metadata.origin:  # the list it was opened from shows the new text
        modal.later(_redraw_notes(modal, card, metadata.origin), name="notes-origin")


async def _redraw_notes(modal: Modal, card: CandidateCard, url: str) -> None:
    found = await notes.notes_of(
        modal.deps.db, viewer_id=modal.user_id, candidate_id=card.candidate.id or 0, start=0
    )
    text, blocks = note_blocks.notes_message(found, modal.user_id)
    await notify.respond(
        modal.client, url, {"replace_original": True, "text": text, "blocks": as_json_list(blocks)}
    )


# Schedule an interview ------------------------------------------------------------------


@submission("plan")
async def schedule_interview(ack: AsyncAck, modal: Modal) -> None:
    """Book, unless booking would warn (a clash, a day off, past the loop): then the
    form again, with the warnings, to change or to send as it is ("Schedule anyway")."""
    view, deps = modal.view, modal.deps
    metadata = CandidateMetadata.from_view(view)
    starts = forms.datetime_utc(view, "starts")
    form = feedback.NewInterview(
        plan_stage=forms.option(view, "plan"),
        interviewer_ids=forms.users(view, "interviewers"),
        starts_at=starts,
        minutes=forms.text(view, "minutes"),
    )

    async def book(*, dry_run: bool = False) -> feedback.Scheduled:
        return await feedback.schedule(
            deps.db,
            actor_id=modal.user_id,
            candidate_id=metadata.candidate_id,
            form=form,
            now=deps.clock.now(),
            request_key=metadata.request,
            dry_run=dry_run,
        )

    zones: dict[str, str | None] | None = None  # asked for the form's check, kept for the kits
    if metadata.confirmed != form.key():
        tried = await book(dry_run=True)
        lines, zones = await modal.warnings_for(tried)
        if lines and not tried.repeated:
            template = template_named(tried.role.template)
            await ack(
                response_action="update",
                view=interview_blocks.schedule_warned_modal(tried, template, form, metadata, lines),
            )
            return
    done = await book()
    await ack()
    if not done.repeated:
        modal.later(_after_schedule(modal, done, zones), name="send-kits")


async def _after_schedule(
    modal: Modal, done: feedback.Scheduled, zones: Zones | None = None
) -> None:
    deps, client, user_id = modal.deps, modal.client, modal.user_id
    # Each interviewer's zone, asked once (unless the form's check has them): a day off is
    # a date where they are, and their kit is written in it.
    if zones is None:
        zones = await notify.time_zones(client, done.interviewer_ids)
    warned = await feedback.with_local_warnings(deps.db, done, zones)
    text, blocks = interview_blocks.scheduled_message(warned)
    await notify.dm(client, user_id, text, blocks)
    await notify.send_kits(client, deps.db, warned, zones)
    refresh_home(deps, client, user_id)


# Scorecards and take-home grades: feedback on a candidate's loop ---------------------------


@submission("summary", out_of_date=OPEN_AGAIN)
async def submit_scorecard(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    metadata = ScorecardMetadata.from_view(view)
    ratings, evidence = forms.ratings(view)
    form = ScorecardForm(
        ratings=ratings,
        evidence=evidence,
        recommendation=forms.option(view, "recommendation"),
        summary=forms.text(view, "summary"),
    )
    saved = await feedback.submit(
        modal.deps.db,
        user_id=modal.user_id,
        interview_id=metadata.interview_id,
        base_version=metadata.base_version,
        form=form,
        now=modal.deps.clock.now(),
        opened_at=metadata.opened_at,
        read_loop=False,  # after the answer, below
    )
    await ack()
    if not saved.repeated:
        modal.later(_after_scorecard(modal, saved), name="scorecard-saved")


async def _after_scorecard(modal: Modal, saved: feedback.Submitted) -> None:
    saved = await feedback.with_loop(modal.deps.db, saved)
    text, blocks = interview_blocks.scorecard_saved_message(
        saved.context, saved.scorecard.version, late=saved.late
    )
    await notify.dm(modal.client, modal.user_id, text, blocks)
    refresh_home(modal.deps, modal.client, modal.user_id)
    if saved.completed is not None:
        await notify.send_loop_summary(
            modal.client, saved.completed, completed_at=saved.scorecard.submitted_at
        )
    if saved.revised is not None and saved.was is not None:
        await notify.send_loop_revised(
            modal.client,
            saved.revised,
            editor_id=modal.user_id,
            was=saved.was,
            now=saved.scorecard,
            revision=saved.revision,
        )


@submission("summary", out_of_date=OPEN_AGAIN)
async def grade_takehome(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    ratings, evidence = forms.ratings(view)
    form = GradeForm(ratings, evidence, summary=forms.text(view, "summary"))
    metadata = TakehomeMetadata.from_view(view)
    graded = await takehomes.submit_grade(
        modal.deps.db,
        user_id=modal.user_id,
        takehome_id=metadata.takehome_id,
        form=form,
        now=modal.deps.clock.now(),
        base_version=metadata.base_version,
    )
    await ack()
    modal.later(_after_grade(modal, graded), name="takehome-graded")


async def _after_grade(modal: Modal, graded: takehomes.Graded) -> None:
    text, blocks = takehome_blocks.graded_message(graded)
    await notify.dm(modal.client, modal.user_id, text, blocks)
    refresh_home(modal.deps, modal.client, modal.user_id)
    if graded.completed:
        loop = await feedback.loop_of(
            modal.deps.db,
            viewer_id=graded.context.role.hiring_manager_id,
            candidate_id=graded.context.candidate.id or 0,
        )
        if loop is not None:
            await notify.send_loop_summary(
                modal.client, loop, completed_at=graded.grade.submitted_at
            )


# Extend an offer -------------------------------------------------------------------------


@submission("terms")
async def extend_offer(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    done = await offers.extend(
        modal.deps.db,
        actor_id=modal.user_id,
        candidate_id=CandidateMetadata.from_view(view).candidate_id,
        terms=forms.text(view, "terms"),
        expires_at=forms.datetime_utc(view, "expires"),
        now=modal.deps.clock.now(),
    )
    await ack()
    note = f":envelope_with_arrow: Offer extended to {done.card.candidate.name}."
    modal.confirm(done.card, note, name="confirm-offer")
    call_off(modal.deps, modal.client, done.moved)  # feedback still owed is closed
    told = offer_blocks.extended_message(done, modal.user_id)
    modal.later(tell_team(modal.client, done.card, modal.user_id, told), name="offer-extended")


@submission("terms")
async def revise_offer(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    form = OfferMetadata.from_view(view)
    done = await offers.revise(
        modal.deps.db,
        actor_id=modal.user_id,
        offer_id=form.offer_id,
        seen=form.seen,
        terms=forms.text(view, "terms"),
        expires_at=forms.datetime_utc(view, "expires"),
        now=modal.deps.clock.now(),
    )
    await ack()
    note = f":pencil2: {done.card.candidate.name}'s offer is revised."
    modal.confirm(done.card, note, name="confirm-offer-revision")
    modal.later(_offer_revised(modal, done), name="offer-revised")


async def _offer_revised(modal: Modal, done: offers.OfferCard) -> None:
    """The rest of the hiring team: the offer they decided on is not the one out now."""
    told = offer_blocks.revised_message(done, modal.user_id)
    await tell_team(modal.client, done.card, modal.user_id, told)


@submission("reason")
async def record_decline(ack: AsyncAck, modal: Modal) -> None:
    """Why they declined: saved on the declined offer."""
    view = modal.view
    metadata = DeclineMetadata.from_view(view)
    decline, errors = checked_decline(forms.option(view, "reason"), forms.text(view, "details"))
    if decline is None:
        raise FormErrors(errors)
    done = await offers.record_decline(
        modal.deps.db,
        actor_id=modal.user_id,
        offer_id=metadata.offer_id,
        decline=decline,
        now=modal.deps.clock.now(),
    )
    await ack()
    modal.later(_decline_recorded(modal, done, decline, metadata.origin), name="decline-why")


async def _decline_recorded(
    modal: Modal, done: offers.OfferCard, decline: Decline, origin: str
) -> None:
    """The card the form was opened from, drawn again with the reason in its history (its
    button stays, to correct it), else the card in the person's DM; and the role's
    channel, which heard of the decline, hears why."""
    note = f"Saved why {done.card.candidate.name} declined: {decline.said}"
    text, blocks = await status_card(modal.deps, modal.user_id, done.card, note=note)
    blocks = [*blocks, offer_blocks.decline_reason_button(done.offer)]
    answer = {"replace_original": True, "text": text, "blocks": as_json_list(blocks)}
    if not (origin and await notify.respond(modal.client, origin, answer)):
        await notify.dm(modal.client, modal.user_id, text, blocks)
    refresh_home(modal.deps, modal.client, modal.user_id)
    told = offer_blocks.decline_reason_post(done.card, decline, modal.user_id)
    await notify.dm(modal.client, done.card.role.channel_id, *told)


# Take-homes: send and received ---------------------------------------------------------------


@submission("graders")
async def send_takehome(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    form = takehomes.NewTakehome(
        grader_ids=forms.users(view, "graders"),
        due_at=forms.datetime_utc(view, "due"),
        note=forms.text(view, "note"),
    )
    sent = await takehomes.send(
        modal.deps.db,
        actor_id=modal.user_id,
        candidate_id=CandidateMetadata.from_view(view).candidate_id,
        form=form,
        now=modal.deps.clock.now(),
    )
    await ack()
    modal.confirm(sent.card, takehome_blocks.sent_note(sent), name="takehome-sent")


@submission("url")
async def takehome_received(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    recorded = await takehomes.record(
        modal.deps.db,
        actor_id=modal.user_id,
        takehome_id=TakehomeMetadata.from_view(view).takehome_id,
        received=True,
        url=forms.text(view, "url"),
        now=modal.deps.clock.now(),
    )
    await ack()
    modal.later(_after_received(modal, recorded), name="takehome-in")


@submission("due")
async def takehome_due(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    form = TakehomeDueMetadata.from_view(view)
    moved = await takehomes.move_due(
        modal.deps.db,
        actor_id=modal.user_id,
        takehome_id=form.takehome_id,
        seen_due=form.seen_due,
        due_at=forms.datetime_utc(view, "due"),
        reason=forms.text(view, "reason"),
        now=modal.deps.clock.now(),
    )
    await ack()
    modal.confirm(moved.card, takehome_blocks.moved_note(moved), name="takehome-due")


@submission("graders")
async def takehome_graders(ack: AsyncAck, modal: Modal) -> None:
    view = modal.view
    form = TakehomeGradersMetadata.from_view(view)
    changed = await takehomes.change_graders(
        modal.deps.db,
        actor_id=modal.user_id,
        takehome_id=form.takehome_id,
        seen=form.seen,
        grader_ids=forms.users(view, "graders"),
        now=modal.deps.clock.now(),
    )
    await ack()
    modal.later(_after_graders(modal, changed), name="takehome-graders")


async def _after_graders(modal: Modal, changed: takehomes.GradersChanged) -> None:
    """A received take-home: whoever was added gets what graders get, whoever was taken
    off is told. Then the card; and the loop's summary if that completed it."""
    if changed.takehome.status == "received" and changed.spec is not None:
        recorded = takehomes.Recorded(changed.card, changed.takehome, changed.spec, changed.added)
        text, blocks = takehome_blocks.grader_message(recorded)
        for grader in changed.added:
            await notify.dm(modal.client, grader, text, blocks)
        for grader in changed.removed:
            await notify.dm(modal.client, grader, *takehome_blocks.ungrade_message(changed))
    await modal.show_card(changed.card, takehome_blocks.graders_note(changed))
    if changed.completed:
        role = changed.card.role
        loop = await feedback.loop_of(
            modal.deps.db,
            viewer_id=role.hiring_manager_id,
            candidate_id=changed.card.candidate.id or 0,
        )
        if loop is not None:
            await notify.send_loop_summary(modal.client, loop, completed_at=changed.at)


async def _after_received(modal: Modal, recorded: takehomes.Recorded) -> None:
    """Each grader: the brief, the parts and their rubric, with a Grade button."""
    text, blocks = takehome_blocks.grader_message(recorded)
    for grader in recorded.grader_ids:
        await notify.dm(modal.client, grader, text, blocks)
    await modal.show_card(recorded.card, takehome_blocks.recorded_note(recorded))


def register(app: AsyncApp) -> None:
    app.view(role_blocks.CREATE_ROLE)(create_role)
    app.view(cards.ADD_CANDIDATE)(add_candidate)
    app.view(cards.MOVE_CANDIDATE)(move_candidate)
    app.view(interview_blocks.SCHEDULE)(schedule_interview)
    app.view(deadline_blocks.SET_DEADLINE)(set_deadline)
    app.view(note_blocks.ADD_NOTE)(add_note)
    app.view(note_blocks.EDIT_NOTE)(edit_note)
    app.view(interview_blocks.SUBMIT_SCORECARD)(submit_scorecard)
    app.view(offer_blocks.EXTEND_OFFER)(extend_offer)
    app.view(offer_blocks.REVISE_OFFER)(revise_offer)
    app.view(offer_blocks.DECLINE_REASON)(record_decline)
    app.view(takehome_blocks.SEND)(send_takehome)
    app.view(takehome_blocks.RECEIVED)(takehome_received)
    app.view(takehome_blocks.DUE)(takehome_due)
    app.view(takehome_blocks.GRADERS)(takehome_graders)
    app.view(takehome_blocks.GRADE)(grade_takehome)
