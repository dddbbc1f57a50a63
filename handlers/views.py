"""Modal submissions: validate, store, then ack. Field errors keep the modal open: each
listener raises what it will not do, and @submission (handlers/submissions.py) answers."""

from __future__ import annotations

import logging
from typing import Any

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
from bot.slack.deps import Deps, deps_of
from bot.slack.metadata import (
    CandidateMetadata,
    MoveMetadata,
    ScorecardMetadata,
    TakehomeMetadata,
)
from bot.store.tables import Role
from bot.usecases import candidates, deadlines, feedback, offers, roles, takehomes
from bot.usecases.candidates import CandidateCard
from bot.usecases.errors import FormErrors
from handlers import forms
from handlers.render import refresh_team_homes, status_card
from handlers.submissions import OPEN_AGAIN, submission

log = logging.getLogger(__name__)


# Create role -----------------------------------------------------------------------


@submission("title")
async def create_role(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
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
    role = await roles.create_role(
        deps.db,
        actor_id=user_id,
        admins=deps.settings.loopkeeper_admins,
        form=form,
        now=deps.clock.now(),
    )
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
        await client.chat_postMessage(channel=role.channel_id, text=text, blocks=blocks)
    except SlackApiError as error:
        problem = str(error.response.get("error", "unknown"))
        log.warning("cannot post in the hiring channel of role %s: %s", role.id, problem)
    text, blocks = role_blocks.role_created_message(role, recruiters, channel_problem=problem)
    await client.chat_postMessage(channel=creator_id, text=text, blocks=blocks)


# Add candidate ------------------------------------------------------------------------


@submission()  # only field errors: anyone may add, to the roles they recruit for
async def add_candidate(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    form = candidates.NewCandidate(
        name=forms.text(view, "name"),
        role_id=record_id(forms.option(view, "role")),
        email=forms.text(view, "email"),
        links=forms.text(view, "links"),
    )
    added = await candidates.add_candidate(
        deps.db, actor_id=user_id, form=form, now=deps.clock.now()
    )
    await ack()
    deps.background.run(
        _confirm(deps, client, user_id, added, cards.added_note(added)), name="confirm-add"
    )


async def _confirm(
    deps: Deps, client: AsyncWebClient, user_id: str, card: CandidateCard, note: str
) -> None:
    """The card, privately, under a note of what just happened; the team's Home tabs follow."""
    text, blocks = await status_card(deps, user_id, card, note=note)
    await notify.dm(client, user_id, text, blocks)
    refresh_team_homes(deps, client, card)


# Move candidate -----------------------------------------------------------------------


@submission("stage")
async def move_candidate(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    deps: Deps = deps_of(context)
    user_id = body["user"]["id"]
    metadata = MoveMetadata.from_view(view)
    target = parse_stage(forms.option(view, "stage") or "")
    if target is None:
        raise FormErrors({"stage": "Pick the stage to move the candidate to."})
    reason = forms.text(view, "reason")
    try:
        moved = await candidates.move(
            deps.db,
            actor_id=user_id,
            candidate_id=metadata.candidate_id,
            seen_stage=metadata.seen_stage,
            target=target,
            reason=reason,
            now=deps.clock.now(),
        )
    except IllegalMove as error:
        # The stage machine's words, under the field to fix: the missing reason, or the stage.
        field = "reason" if cards.reason_needed(target) and not reason.strip() else "stage"
        message = str(error)
        raise FormErrors({field: message[0].upper() + message[1:]}) from error
    await ack()
    deps.background.run(
        _confirm(deps, client, user_id, moved, cards.moved_note(moved)), name="confirm-move"
    )


# The candidate's deadline ----------------------------------------------------------------


@submission("deadline")
async def set_deadline(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    candidate_id = CandidateMetadata.from_view(view).candidate_id
    form = deadlines.DeadlineForm(
        at=forms.datetime_utc(view, "deadline"),
        reason=forms.text(view, "reason"),
        clear=deadline_blocks.CLEAR in forms.options(view, "clear"),
    )
    done = await deadlines.set_deadline(
        deps.db, actor_id=user_id, candidate_id=candidate_id, form=form, now=deps.clock.now()
    )
    await ack()
    note = deadline_blocks.deadline_note(done)
    deps.background.run(_confirm(deps, client, user_id, done.card, note), name="confirm-deadline")


# Schedule an interview ------------------------------------------------------------------


@submission("plan")
async def schedule_interview(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    metadata = CandidateMetadata.from_view(view)
    starts = forms.datetime_utc(view, "starts")
    form = feedback.NewInterview(
        plan_stage=forms.option(view, "plan"),
        interviewer_ids=forms.users(view, "interviewers"),
        starts_at=starts,
        minutes=forms.text(view, "minutes"),
    )
    done = await feedback.schedule(
        deps.db,
        actor_id=user_id,
        candidate_id=metadata.candidate_id,
        form=form,
        now=deps.clock.now(),
        request_key=metadata.request,
    )
    await ack()
    if not done.repeated:
        deps.background.run(_after_schedule(deps, client, user_id, done), name="send-kits")


async def _after_schedule(
    deps: Deps, client: AsyncWebClient, user_id: str, done: feedback.Scheduled
) -> None:
    text, blocks = interview_blocks.scheduled_message(done)
    await notify.dm(client, user_id, text, blocks)
    await notify.send_kits(client, deps.db, done, deps.clock.now())
    card = await candidates.card(deps.db, user_id=user_id, candidate_id=done.candidate.id or 0)
    if card is not None:
        refresh_team_homes(deps, client, card)


# Submit a scorecard ---------------------------------------------------------------------


@submission("summary", out_of_date=OPEN_AGAIN)
async def submit_scorecard(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    metadata = ScorecardMetadata.from_view(view)
    keys = [block_id.removeprefix("rate_") for block_id in forms.block_ids(view, prefix="rate_")]
    form = ScorecardForm(
        ratings={key: forms.option(view, rate_field(key)) for key in keys},
        evidence={key: forms.text(view, evidence_field(key)) for key in keys},
        recommendation=forms.option(view, "recommendation"),
        summary=forms.text(view, "summary"),
    )
    saved = await feedback.submit(
        deps.db,
        user_id=user_id,
        interview_id=metadata.interview_id,
        base_version=metadata.base_version,
        form=form,
        now=deps.clock.now(),
    )
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


@submission("terms")
async def extend_offer(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    candidate_id = CandidateMetadata.from_view(view).candidate_id
    done = await offers.extend(
        deps.db,
        actor_id=user_id,
        candidate_id=candidate_id,
        terms=forms.text(view, "terms"),
        expires_at=forms.datetime_utc(view, "expires"),
        now=deps.clock.now(),
    )
    await ack()
    note = f":envelope_with_arrow: Offer extended to {done.card.candidate.name}."
    deps.background.run(_confirm(deps, client, user_id, done.card, note), name="confirm-offer")


# Take-homes: send, received, grade ---------------------------------------------------------


@submission("graders")
async def send_takehome(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    candidate_id = CandidateMetadata.from_view(view).candidate_id
    form = takehomes.NewTakehome(
        grader_ids=forms.users(view, "graders"),
        due_at=forms.datetime_utc(view, "due"),
        note=forms.text(view, "note"),
    )
    sent = await takehomes.send(
        deps.db, actor_id=user_id, candidate_id=candidate_id, form=form, now=deps.clock.now()
    )
    await ack()
    note = takehome_blocks.sent_note(sent)
    deps.background.run(_confirm(deps, client, user_id, sent.card, note), name="takehome-sent")


@submission("url")
async def takehome_received(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    takehome_id = TakehomeMetadata.from_view(view).takehome_id
    recorded = await takehomes.record(
        deps.db,
        actor_id=user_id,
        takehome_id=takehome_id,
        received=True,
        url=forms.text(view, "url"),
        now=deps.clock.now(),
    )
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


@submission("summary", out_of_date=OPEN_AGAIN)
async def grade_takehome(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    takehome_id = TakehomeMetadata.from_view(view).takehome_id
    keys = [block_id.removeprefix("rate_") for block_id in forms.block_ids(view, prefix="rate_")]
    form = GradeForm(
        ratings={key: forms.option(view, rate_field(key)) for key in keys},
        evidence={key: forms.text(view, evidence_field(key)) for key in keys},
        summary=forms.text(view, "summary"),
    )
    graded = await takehomes.submit_grade(
        deps.db, user_id=user_id, takehome_id=takehome_id, form=form, now=deps.clock.now()
    )
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
