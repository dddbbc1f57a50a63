"""Modal submissions: validate, store, then ack. Field errors keep the modal open."""

from __future__ import annotations

import json
import logging

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.numbers import record_id
from bot.domain.scorecards import GradeForm, ScorecardForm, evidence_field, rate_field
from bot.domain.stages import IllegalMove, parse_stage
from bot.slack import notify
from bot.slack.blocks import candidates as cards
from bot.slack.blocks import deadlines as deadline_blocks
from bot.slack.blocks import interviews as interview_blocks
from bot.slack.blocks import offers as offer_blocks
from bot.slack.blocks import roles as role_blocks
from bot.slack.blocks import takehomes as takehome_blocks
from bot.slack.blocks.common import as_dicts
from bot.slack.deps import Deps, deps_of
from bot.store.tables import Role
from bot.usecases import candidates, deadlines, feedback, offers, roles, takehomes
from bot.usecases.candidates import CandidateCard
from bot.usecases.errors import FormErrors, NotAllowed, StaleMove
from handlers import forms
from handlers.render import refresh_team_homes, status_card

log = logging.getLogger(__name__)


def _metadata(view: dict, key: str) -> tuple[int, str]:
    """The record id a modal carries, and its one-time request key; ValueError if absent."""
    try:
        data = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        raise ValueError("unreadable metadata") from None
    found = record_id(data.get(key)) if isinstance(data, dict) else None
    if found is None:
        raise ValueError(f"no {key} in the form's metadata")
    request = data.get("request")
    return found, request if isinstance(request, str) else ""


async def _field_errors(ack: AsyncAck, errors: dict[str, str]) -> None:
    await ack(response_action="errors", errors=errors)


# Create role -----------------------------------------------------------------------


async def create_role(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    form = roles.NewRole(
        title=forms.text(view, "title"),
        hiring_manager_id=forms.user(view, "hiring_manager"),
        recruiter_ids=forms.users(view, "recruiters"),
        channel_id=forms.conversation(view, "channel"),
        template=forms.option(view, "template"),
        clocks={name: forms.text(view, name) for name in role_blocks.CLOCK_FIELDS},
    )
    try:
        role = await roles.create_role(
            deps.db,
            actor_id=user_id,
            admins=deps.settings.loopkeeper_admins,
            form=form,
            now=deps.clock.now(),
        )
    except FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    except NotAllowed as refusal:
        await _field_errors(ack, {"title": str(refusal)})
        return
    await ack()
    recruiters = frozenset(form.recruiter_ids)
    deps.background.run(
        _announce_role(client, role, recruiters, creator_id=user_id), name="announce-role"
    )


async def _announce_role(
    client: AsyncWebClient, role: Role, recruiters: frozenset[str], *, creator_id: str
) -> None:
    text, blocks = role_blocks.role_channel_welcome(role, recruiters)
    problem = None
    try:
        await client.chat_postMessage(channel=role.channel_id, text=text, blocks=as_dicts(blocks))
    except SlackApiError as error:
        problem = str(error.response.get("error", "unknown"))
        log.warning("cannot post in the hiring channel of role %s: %s", role.id, problem)
    text, blocks = role_blocks.role_created_message(role, recruiters, channel_problem=problem)
    await client.chat_postMessage(channel=creator_id, text=text, blocks=as_dicts(blocks))


# Add candidate ------------------------------------------------------------------------


async def add_candidate(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    form = candidates.NewCandidate(
        name=forms.text(view, "name"),
        role_id=forms.int_or_none(forms.option(view, "role")),
        email=forms.text(view, "email"),
        links=forms.text(view, "links"),
    )
    try:
        added = await candidates.add_candidate(
            deps.db, actor_id=user_id, form=form, now=deps.clock.now()
        )
    except FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    await ack()
    deps.background.run(
        _confirm(deps, client, user_id, added, cards.added_note(added)), name="confirm-add"
    )


async def _confirm(
    deps: Deps, client: AsyncWebClient, user_id: str, found: CandidateCard, note: str
) -> None:
    """The card, privately, under a note of what just happened; the team's Home tabs follow."""
    text, blocks = await status_card(deps, user_id, found, note=note)
    await notify.dm(client, user_id, text, blocks)
    refresh_team_homes(deps, client, found)


# Move candidate -----------------------------------------------------------------------


async def move_candidate(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps: Deps = deps_of(context)
    user_id = body["user"]["id"]
    try:
        candidate_id, seen = cards.read_move_metadata(str(view.get("private_metadata", "")))
    except (ValueError, KeyError, TypeError, OverflowError):
        await _field_errors(ack, {"stage": "This form is out of date. Close it and start again."})
        return
    target = parse_stage(forms.option(view, "stage") or "")
    if target is None:
        await _field_errors(ack, {"stage": "Pick the stage to move the candidate to."})
        return
    reason = forms.text(view, "reason")
    try:
        moved = await candidates.move(
            deps.db,
            actor_id=user_id,
            candidate_id=candidate_id,
            seen_stage=seen,
            target=target,
            reason=reason,
            now=deps.clock.now(),
        )
    except NotAllowed as refusal:
        await _field_errors(ack, {"stage": str(refusal)})
        return
    except StaleMove as stale:
        await _field_errors(
            ack,
            {
                "stage": f"{stale.current.candidate.name} was moved to "
                f"{stale.current.candidate.stage} while this form was open. Close it and "
                "look again."
            },
        )
        return
    except IllegalMove as error:
        field = "reason" if cards.reason_needed(target) and not reason.strip() else "stage"
        message = str(error)
        await _field_errors(ack, {field: message[0].upper() + message[1:]})
        return
    await ack()
    deps.background.run(
        _confirm(deps, client, user_id, moved, cards.moved_note(moved)), name="confirm-move"
    )


# The candidate's deadline ----------------------------------------------------------------


async def set_deadline(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    try:
        candidate_id, _ = _metadata(view, "candidate")
    except ValueError:
        await _field_errors(
            ack, {"deadline": "This form is out of date. Close it and start again."}
        )
        return
    form = deadlines.DeadlineForm(
        at=forms.datetime_utc(view, "deadline"),
        reason=forms.text(view, "reason"),
        clear=deadline_blocks.CLEAR in forms.options(view, "clear"),
    )
    try:
        done = await deadlines.set_deadline(
            deps.db, actor_id=user_id, candidate_id=candidate_id, form=form, now=deps.clock.now()
        )
    except FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    except NotAllowed as refusal:
        await _field_errors(ack, {"deadline": str(refusal)})
        return
    await ack()
    note = deadline_blocks.deadline_note(done)
    deps.background.run(_confirm(deps, client, user_id, done.card, note), name="confirm-deadline")


# Schedule an interview ------------------------------------------------------------------


async def schedule_interview(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    try:
        candidate_id, request_key = _metadata(view, "candidate")
    except ValueError:
        await _field_errors(ack, {"plan": "This form is out of date. Close it and start again."})
        return
    starts = forms.datetime_utc(view, "starts")
    form = feedback.NewInterview(
        plan_stage=forms.option(view, "plan"),
        interviewer_ids=forms.users(view, "interviewers"),
        starts_at=starts,
        minutes=forms.text(view, "minutes"),
    )
    try:
        done = await feedback.schedule(
            deps.db,
            actor_id=user_id,
            candidate_id=candidate_id,
            form=form,
            now=deps.clock.now(),
            request_key=request_key,
        )
    except FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    except NotAllowed as refusal:
        await _field_errors(ack, {"plan": str(refusal)})
        return
    await ack()
    if not done.repeated:
        deps.background.run(_after_schedule(deps, client, user_id, done), name="send-kits")


async def _after_schedule(
    deps: Deps, client: AsyncWebClient, user_id: str, done: feedback.Scheduled
) -> None:
    text, blocks = interview_blocks.scheduled_message(done)
    await notify.dm(client, user_id, text, blocks)
    await notify.send_kits(client, deps.db, done, deps.clock.now())
    found = await candidates.card(deps.db, user_id=user_id, candidate_id=done.candidate.id or 0)
    if found is not None:
        refresh_team_homes(deps, client, found)


# Submit a scorecard ---------------------------------------------------------------------


async def submit_scorecard(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    try:
        interview_id, base = interview_blocks.read_scorecard_metadata(
            str(view.get("private_metadata") or "")
        )
    except (ValueError, KeyError, TypeError, OverflowError):
        await _field_errors(
            ack, {"summary": "This form is out of date. Close it and open it again."}
        )
        return
    keys = [block_id.removeprefix("rate_") for block_id in forms.block_ids(view, prefix="rate_")]
    form = ScorecardForm(
        ratings={key: forms.option(view, rate_field(key)) for key in keys},
        evidence={key: forms.text(view, evidence_field(key)) for key in keys},
        recommendation=forms.option(view, "recommendation"),
        summary=forms.text(view, "summary"),
    )
    now = deps.clock.now()
    try:
        saved = await feedback.submit(
            deps.db,
            user_id=user_id,
            interview_id=interview_id,
            base_version=base,
            form=form,
            now=now,
        )
    except FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    except NotAllowed as refusal:
        await _field_errors(ack, {"summary": str(refusal)})
        return
    await ack()
    if not saved.repeated:
        deps.background.run(_after_scorecard(deps, client, user_id, saved), name="scorecard-saved")


async def _after_scorecard(
    deps: Deps, client: AsyncWebClient, user_id: str, saved: feedback.Submitted
) -> None:
    text, blocks = interview_blocks.scorecard_saved_message(saved.context, saved.scorecard.version)
    await notify.dm(client, user_id, text, blocks)
    role = saved.context.role
    team = await roles.team_of(deps.db, role_id=role.id or 0)
    # The interviewer's own Home too: coalesced with the team's, one redraw each.
    people = {user_id, role.hiring_manager_id, *(team.recruiter_ids if team else [])}
    await deps.homes.redraw(client, deps.db, people, deps.clock.now)
    if saved.completed is not None:
        await notify.send_loop_summary(
            client, saved.completed, completed_at=saved.scorecard.submitted_at
        )


# Extend an offer -------------------------------------------------------------------------


async def extend_offer(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    try:
        candidate_id, _ = _metadata(view, "candidate")
    except ValueError:
        await _field_errors(ack, {"terms": "This form is out of date. Close it and start again."})
        return
    try:
        done = await offers.extend(
            deps.db,
            actor_id=user_id,
            candidate_id=candidate_id,
            terms=forms.text(view, "terms"),
            expires_at=forms.datetime_utc(view, "expires"),
            now=deps.clock.now(),
        )
    except FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    except NotAllowed as refusal:
        await _field_errors(ack, {"terms": str(refusal)})
        return
    await ack()
    note = f":envelope_with_arrow: Offer extended to {done.card.candidate.name}."
    deps.background.run(_confirm(deps, client, user_id, done.card, note), name="confirm-offer")


# Take-homes: send, received, grade ---------------------------------------------------------


def _takehome_id(view: dict, key: str) -> int | None:
    try:
        return takehome_blocks.read_metadata(str(view.get("private_metadata") or ""), key)
    except (ValueError, TypeError, OverflowError):
        return None


async def send_takehome(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    candidate_id = _takehome_id(view, "candidate")
    if candidate_id is None:
        await _field_errors(ack, {"graders": "This form is out of date. Close it and start again."})
        return
    form = takehomes.NewTakehome(
        grader_ids=forms.users(view, "graders"),
        due_at=forms.datetime_utc(view, "due"),
        note=forms.text(view, "note"),
    )
    try:
        sent = await takehomes.send(
            deps.db, actor_id=user_id, candidate_id=candidate_id, form=form, now=deps.clock.now()
        )
    except FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    except NotAllowed as refusal:
        await _field_errors(ack, {"graders": str(refusal)})
        return
    await ack()
    note = takehome_blocks.sent_note(sent)
    deps.background.run(_confirm(deps, client, user_id, sent.card, note), name="takehome-sent")


async def takehome_received(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    takehome_id = _takehome_id(view, "takehome")
    if takehome_id is None:
        await _field_errors(ack, {"url": "This form is out of date. Close it and start again."})
        return
    try:
        recorded = await takehomes.record(
            deps.db,
            actor_id=user_id,
            takehome_id=takehome_id,
            received=True,
            url=forms.text(view, "url"),
            now=deps.clock.now(),
        )
    except FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    except NotAllowed as refusal:
        await _field_errors(ack, {"url": str(refusal)})
        return
    await ack()
    deps.background.run(_after_received(deps, client, user_id, recorded), name="takehome-in")


async def _after_received(
    deps: Deps, client: AsyncWebClient, user_id: str, recorded: takehomes.Recorded
) -> None:
    """Each grader: the brief, the parts and their rubric, with a Grade button."""
    text, blocks = takehome_blocks.grader_message(recorded)
    for grader in recorded.grader_ids:
        await notify.dm(client, grader, text, blocks)
    await _confirm(deps, client, user_id, recorded.card, takehome_blocks.recorded_note(recorded))


async def grade_takehome(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    takehome_id = _takehome_id(view, "takehome")
    if takehome_id is None:
        await _field_errors(
            ack, {"summary": "This form is out of date. Close it and open it again."}
        )
        return
    keys = [block_id.removeprefix("rate_") for block_id in forms.block_ids(view, prefix="rate_")]
    form = GradeForm(
        ratings={key: forms.option(view, rate_field(key)) for key in keys},
        evidence={key: forms.text(view, evidence_field(key)) for key in keys},
        summary=forms.text(view, "summary"),
    )
    try:
        graded = await takehomes.submit_grade(
            deps.db, user_id=user_id, takehome_id=takehome_id, form=form, now=deps.clock.now()
        )
    except FormErrors as invalid:
        await _field_errors(ack, invalid.errors)
        return
    except NotAllowed as refusal:
        await _field_errors(ack, {"summary": str(refusal)})
        return
    await ack()
    deps.background.run(_after_grade(deps, client, user_id, graded), name="takehome-graded")


async def _after_grade(
    deps: Deps, client: AsyncWebClient, user_id: str, graded: takehomes.Graded
) -> None:
    text, blocks = takehome_blocks.graded_message(graded)
    await notify.dm(client, user_id, text, blocks)
    role, team = graded.context.role, graded.context.team
    people = {user_id, role.hiring_manager_id, *team.recruiter_ids}
    await deps.homes.redraw(client, deps.db, people, deps.clock.now)
    if graded.completed:
        loop = await feedback.loop_of(
            deps.db, viewer_id=role.hiring_manager_id, candidate_id=graded.context.candidate.id or 0
        )
        if loop is not None:
            await notify.send_loop_summary(client, loop, completed_at=graded.grade.submitted_at)


def register(app: AsyncApp) -> None:
    app.view(role_blocks.CREATE_ROLE)(create_role)
    app.view(cards.ADD_CANDIDATE)(add_candidate)
    app.view(cards.MOVE_CANDIDATE)(move_candidate)
    app.view(interview_blocks.SCHEDULE)(schedule_interview)
    app.view(deadline_blocks.SET_DEADLINE)(set_deadline)
    app.view(interview_blocks.SUBMIT_SCORECARD)(submit_scorecard)
    app.view(offer_blocks.EXTEND_OFFER)(extend_offer)
    app.view(takehome_blocks.SEND)(send_takehome)
    app.view(takehome_blocks.RECEIVED)(takehome_received)
    app.view(takehome_blocks.GRADE)(grade_takehome)
