"""Buttons: on status cards, choice lists, interview kits, the Home tab and summaries."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import access
from bot.domain.numbers import record_id
from bot.domain.scorecards import template_named
from bot.domain.stages import IllegalMove, parse_stage
from bot.readmodels import overview
from bot.slack import notify
from bot.slack.blocks import alerts as alert_blocks
from bot.slack.blocks import candidates as cards
from bot.slack.blocks import deadlines as deadline_blocks
from bot.slack.blocks import interviews as interview_blocks
from bot.slack.blocks import offers as offer_blocks
from bot.slack.blocks import takehomes as takehome_blocks
from bot.slack.deps import Deps, deps_of
from bot.usecases import candidates, feedback, offers, takehomes
from bot.usecases.errors import NotAllowed, StaleMove
from handlers.render import refresh_team_homes, render_status, status_card

NOT_FOUND = "I can't find that candidate among the roles you hire for."


def _parts(action: dict) -> list[str]:
    """A button value is `id[:stage[:stage]]`; anything else reads as empty."""
    value = action.get("value")
    return value.split(":") if isinstance(value, str) else []


def _first_id(parts: list[str]) -> int:
    return (record_id(parts[0]) or 0) if parts else 0


async def _tell(
    deps: Deps, client: AsyncWebClient, body: dict[str, Any], respond: AsyncRespond, text: str
) -> None:
    """A short private answer: in place when the click came from a message, else by DM
    (buttons on the Home tab or in a modal have no response_url)."""
    if body.get("response_url"):
        await respond(text=text, replace_original=False)
    else:
        deps.background.run(notify.dm(client, body["user"]["id"], text, []), name="tell")


async def _open(
    deps: Deps,
    client: AsyncWebClient,
    body: dict[str, Any],
    respond: AsyncRespond,
    view: View,
) -> None:
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except (SlackApiError, TimeoutError, OSError, aiohttp.ClientError) as error:
        reason = (
            error.response.get("error")
            if isinstance(error, SlackApiError)
            else error.__class__.__name__
        )
        await _tell(
            deps,
            client,
            body,
            respond,
            f"Slack didn't let me open the form (it said `{reason}`). Please click again.",
        )


# Status and moves ---------------------------------------------------------------------------


async def _show(
    deps: Deps,
    client: AsyncWebClient,
    body: dict[str, Any],
    respond: AsyncRespond,
    text: str,
    blocks: list[dict],
) -> None:
    """A card where the click came from: replacing an ephemeral list or card, as a new
    private message under a digest, or by DM from the Home tab (no response_url)."""
    if not body.get("response_url"):
        deps.background.run(notify.dm(client, body["user"]["id"], text, blocks), name="card")
        return
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    await respond(text=text, blocks=blocks, replace_original=bool(container.get("is_ephemeral")))


async def _show_changed(
    deps: Deps,
    client: AsyncWebClient,
    body: dict[str, Any],
    respond: AsyncRespond,
    card: candidates.CandidateCard,
    note: str,
) -> None:
    """After a button changed a candidate: the team's Home tabs redrawn, and the card
    with what happened, in place of the clicked message, else by DM (Home, modal)."""
    user_id = body["user"]["id"]
    refresh_team_homes(deps, client, card)
    text, blocks = await status_card(deps, user_id, card, note=note)
    if body.get("response_url"):
        await respond(text=text, blocks=blocks, replace_original=True)
    else:
        deps.background.run(notify.dm(client, user_id, text, blocks), name="card-changed")


async def open_status(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    now = deps.clock.now()
    status = await overview.status_of(
        deps.db, viewer_id=user_id, candidate_id=_first_id(_parts(action)), now=now
    )
    if status is None:
        await _tell(deps, client, body, respond, NOT_FOUND)
        return
    text, blocks = render_status(user_id, status, now=now)
    await _show(deps, client, body, respond, text, blocks)


async def open_move(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    parts = _parts(action)
    preselect = parse_stage(parts[1]) if len(parts) > 1 and parts[1] else None
    found = await candidates.card(deps.db, user_id=user_id, candidate_id=_first_id(parts))
    if found is None:
        await _tell(deps, client, body, respond, NOT_FOUND)
    elif not access.can_move_candidates(user_id, found.team):
        await _tell(
            deps,
            client,
            body,
            respond,
            "Only the role's recruiters and hiring manager can move candidates.",
        )
    elif found.stage.is_closed:
        await _tell(
            deps,
            client,
            body,
            respond,
            f"{found.candidate.name} is {found.stage.value}, which is final.",
        )
    else:
        await _open(deps, client, body, respond, cards.move_modal(found, preselect=preselect))


async def advance(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    parts = _parts(action)
    seen = parse_stage(parts[1]) if len(parts) == 3 else None
    target = parse_stage(parts[2]) if len(parts) == 3 else None
    if seen is None or target is None or not _first_id(parts):
        await _tell(deps, client, body, respond, "That button is out of date; ask again.")
        return
    try:
        moved = await candidates.move(
            deps.db,
            actor_id=user_id,
            candidate_id=_first_id(parts),
            seen_stage=seen,
            target=target,
            reason="",
            now=deps.clock.now(),
        )
    except NotAllowed as refusal:
        await _tell(deps, client, body, respond, str(refusal))
        return
    except StaleMove as stale:
        # A second click, or a teammate was faster: show where the candidate is now.
        note = cards.stale_note(stale.current)
        text, blocks = await status_card(deps, user_id, stale.current, note=note)
        await _show(deps, client, body, respond, text, blocks)
        return
    except IllegalMove as error:
        await _tell(deps, client, body, respond, f"I can't make that move: {error}")
        return
    text, blocks = await status_card(deps, user_id, moved, note=cards.moved_note(moved))
    await _show(deps, client, body, respond, text, blocks)
    refresh_team_homes(deps, client, moved)


# Interviews and scorecards ------------------------------------------------------------------


async def _candidate_modal(
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    *,
    refusal: Callable[[candidates.CandidateCard, str], str | None],
    modal: Callable[[Deps, candidates.CandidateCard], View],
) -> None:
    """A button that opens a form about one candidate, if the clicker may use it."""
    deps = deps_of(context)
    user_id = body["user"]["id"]
    found = await candidates.card(deps.db, user_id=user_id, candidate_id=_first_id(_parts(action)))
    if found is None:
        await _tell(deps, client, body, respond, NOT_FOUND)
        return
    why_not = refusal(found, user_id)
    if why_not:
        await _tell(deps, client, body, respond, why_not)
        return
    await _open(deps, client, body, respond, modal(deps, found))


async def open_schedule(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    await _candidate_modal(
        action,
        body,
        client,
        respond,
        context,
        refusal=interview_blocks.schedule_refusal,
        modal=lambda _, found: interview_blocks.schedule_modal(
            found, template_named(found.role.template)
        ),
    )


async def open_deadline(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Set candidate deadline, on the status card: a stale click (the candidate closed
    meanwhile) gets a short private answer instead of the form."""
    await ack()
    await _candidate_modal(
        action,
        body,
        client,
        respond,
        context,
        refusal=deadline_blocks.deadline_refusal,
        modal=lambda _, found: deadline_blocks.deadline_modal(found),
    )


async def open_scorecard(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    try:
        ctx = await feedback.scorecard_context(
            deps.db, user_id=body["user"]["id"], interview_id=_first_id(_parts(action))
        )
    except NotAllowed as refusal:
        await _tell(deps, client, body, respond, str(refusal))
        return
    await _open(deps, client, body, respond, interview_blocks.scorecard_modal(ctx))


async def view_scorecard(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    detail = await feedback.scorecard_detail(
        deps.db, viewer_id=body["user"]["id"], scorecard_id=_first_id(_parts(action))
    )
    if detail is None:
        await _tell(
            deps,
            client,
            body,
            respond,
            "You can read others' scorecards once you have submitted your own.",
        )
        return
    await _open(deps, client, body, respond, interview_blocks.scorecard_read_modal(detail))


# Offers --------------------------------------------------------------------------------------


async def open_offer(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    await _candidate_modal(
        action,
        body,
        client,
        respond,
        context,
        refusal=offer_blocks.offer_refusal,
        modal=lambda deps, found: offer_blocks.offer_modal(found, now=deps.clock.now()),
    )


async def _offer_change(
    change: Callable[..., Awaitable[offers.OfferCard]],
    note: Callable[[offers.OfferCard], str],
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    deps = deps_of(context)
    user_id = body["user"]["id"]
    try:
        done = await change(
            deps.db, actor_id=user_id, offer_id=_first_id(_parts(action)), now=deps.clock.now()
        )
    except NotAllowed as refusal:
        await _tell(deps, client, body, respond, str(refusal))
        return
    await _show_changed(deps, client, body, respond, done.card, note(done))


async def offer_accepted(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    await _offer_change(
        partial(offers.decide, accepted=True),
        lambda d: f":tada: {d.card.candidate.name} accepted the offer and is hired.",
        action,
        body,
        client,
        respond,
        context,
    )


async def offer_declined(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    await _offer_change(
        partial(offers.decide, accepted=False),
        lambda d: f"{d.card.candidate.name} declined the offer and is withdrawn.",
        action,
        body,
        client,
        respond,
        context,
    )


async def offer_more_time(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    await _offer_change(
        offers.give_more_time,
        lambda d: f":hourglass_flowing_sand: {d.card.candidate.name}'s offer now expires later.",
        action,
        body,
        client,
        respond,
        context,
    )


# Digest buttons ---------------------------------------------------------------------------


async def snooze(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    try:
        found, clock = await offers.snooze(
            deps.db,
            actor_id=body["user"]["id"],
            alert_id=_first_id(_parts(action)),
            now=deps.clock.now(),
        )
    except NotAllowed as refusal:
        await _tell(deps, client, body, respond, str(refusal))
        return
    await _tell(
        deps,
        client,
        body,
        respond,
        f":zzz: Snoozed {found.candidate.name}'s {clock} clock for 24 hours. The pause is "
        "recorded, and the alert comes back then if it is still due.",
    )


async def nudge(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    candidate_id = _first_id(_parts(action))
    found = await candidates.card(deps.db, user_id=user_id, candidate_id=candidate_id)
    loop = await feedback.loop_of(deps.db, viewer_id=user_id, candidate_id=candidate_id)
    if found is None or loop is None or not access.can_move_candidates(user_id, found.team):
        await _tell(deps, client, body, respond, NOT_FOUND)
        return
    waiting = [(i, s) for i in loop.interviews for s in i.seats if not s.submitted]
    if not waiting:
        await _tell(
            deps, client, body, respond, f"Every scorecard for {found.candidate.name} is in."
        )
        return
    for item, seat in waiting:
        text, blocks = alert_blocks.reminder_message(
            found.candidate,
            found.role,
            item.interview,
            item.stage_name,
            due_at=seat.feedback_due_at,
            asked_by=user_id,
        )
        deps.background.run(notify.dm(client, seat.interviewer_id, text, blocks), name="nudge")
    people = ", ".join(f"<@{s.interviewer_id}>" for _, s in waiting)
    await _tell(deps, client, body, respond, f"Nudged {people} about {found.candidate.name}.")


# Take-homes ---------------------------------------------------------------------------------


async def _takehome_modal(
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    form: Callable[[Deps, int], Awaitable[View]],
) -> None:
    """A take-home button that opens a form, or says privately why it does not."""
    deps = deps_of(context)
    try:
        view = await form(deps, _first_id(_parts(action)))
    except NotAllowed as refusal:
        await _tell(deps, client, body, respond, str(refusal))
        return
    await _open(deps, client, body, respond, view)


async def open_send_takehome(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    user_id = body["user"]["id"]

    async def form(deps: Deps, candidate_id: int) -> View:
        found, spec = await takehomes.send_form(deps.db, user_id=user_id, candidate_id=candidate_id)
        return takehome_blocks.send_modal(found, spec, now=deps.clock.now())

    await _takehome_modal(action, body, client, respond, context, form)


async def open_takehome_received(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    user_id = body["user"]["id"]

    async def form(deps: Deps, takehome_id: int) -> View:
        takehome, found = await takehomes.answer_form(
            deps.db, user_id=user_id, takehome_id=takehome_id
        )
        return takehome_blocks.received_modal(takehome, found.candidate.name)

    await _takehome_modal(action, body, client, respond, context, form)


async def takehome_not_received(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    deps = deps_of(context)
    user_id = body["user"]["id"]
    try:
        recorded = await takehomes.record(
            deps.db,
            actor_id=user_id,
            takehome_id=_first_id(_parts(action)),
            received=False,
            now=deps.clock.now(),
        )
    except NotAllowed as refusal:
        await _tell(deps, client, body, respond, str(refusal))
        return
    note = takehome_blocks.recorded_note(recorded)
    await _show_changed(deps, client, body, respond, recorded.card, note)


async def open_grade(
    ack: AsyncAck,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    user_id = body["user"]["id"]

    async def form(deps: Deps, takehome_id: int) -> View:
        ctx = await takehomes.grade_context(deps.db, user_id=user_id, takehome_id=takehome_id)
        return takehome_blocks.grade_modal(ctx)

    await _takehome_modal(action, body, client, respond, context, form)


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{cards.OPEN_STATUS}(_\d+)?$"))(open_status)
    app.action(re.compile(rf"^{cards.OPEN_MOVE}(_\w+)?$"))(open_move)
    app.action(cards.ADVANCE)(advance)
    app.action(re.compile(rf"^{cards.OPEN_SCHEDULE}(_\d+)?$"))(open_schedule)
    app.action(cards.OPEN_DEADLINE)(open_deadline)
    app.action(re.compile(rf"^{interview_blocks.OPEN_SCORECARD}(_\d+)?$"))(open_scorecard)
    app.action(re.compile(rf"^{interview_blocks.VIEW_SCORECARD}(_\d+)?$"))(view_scorecard)
    app.action(re.compile(rf"^{offer_blocks.OPEN_OFFER}(_\d+)?$"))(open_offer)
    app.action(offer_blocks.ACCEPTED)(offer_accepted)
    app.action(offer_blocks.DECLINED)(offer_declined)
    app.action(offer_blocks.MORE_TIME)(offer_more_time)
    app.action(re.compile(rf"^{alert_blocks.SNOOZE}(_\d+)?$"))(snooze)
    app.action(re.compile(rf"^{alert_blocks.NUDGE}(_\d+)?$"))(nudge)
    app.action(takehome_blocks.OPEN_SEND)(open_send_takehome)
    app.action(takehome_blocks.OPEN_RECEIVED)(open_takehome_received)
    app.action(takehome_blocks.NOT_RECEIVED)(takehome_not_received)
    app.action(takehome_blocks.OPEN_GRADE)(open_grade)
