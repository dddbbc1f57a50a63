"""The status card as one person may see it: the candidate, and their loop."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import access
from bot.domain.grammar import meant_command
from bot.domain.scorecards import template_named
from bot.domain.stages import Stage
from bot.readmodels.status import Status, ask_status, status_detail
from bot.slack import notify
from bot.slack.blocks import candidates as cards
from bot.slack.blocks.common import Rendered, esc
from bot.slack.blocks.interview_changes import cant_make_it_settled
from bot.slack.blocks.interviews import loop_blocks
from bot.slack.blocks.jsonify import as_json
from bot.slack.blocks.offers import decided_post, no_offer_blocks, offer_blocks
from bot.slack.blocks.takehomes import takehome_blocks
from bot.slack.deps import Deps
from bot.store.tables import CantMakeItAlert
from bot.usecases import feedback, interviews, offers, takehomes
from bot.usecases.candidates import CandidateCard, Moved, move_refusal


async def status_card(
    deps: Deps, user_id: str, card: CandidateCard, *, note: str | None = None
) -> tuple[str, list[Block]]:
    """The status card of a candidate just read or changed: the rest is read here."""
    now = deps.clock.now()
    detail = await status_detail(deps.db, viewer_id=user_id, card=card, now=now)
    return render_status(user_id, Status(card, detail), now=now, note=note)


def shown_status(
    deps: Deps, user_id: str, status: Status, *, now: datetime
) -> tuple[str, list[Block]]:
    """render_status, kept: a status read from the store's kept rows (Status.read) is
    drawn once a minute for each person and sent as Slack's JSON after that. Its rows
    are the store's as of now; its clock words ("3 hours left") are at most a minute
    old, which nobody reading a card can tell."""
    if status.read is None:
        return render_status(user_id, status, now=now)
    minute = now.replace(second=0, microsecond=0).isoformat()
    kept: tuple[str, list[Block]] | None = deps.cards.get((user_id, status.read), minute)
    if kept is None:
        text, blocks = render_status(user_id, status, now=now)
        kept = (text, [Rendered(as_json(block)) for block in blocks])
        deps.cards.put((user_id, status.read), minute, kept)
    return kept


def render_status(
    user_id: str, status: Status, *, now: datetime, note: str | None = None
) -> tuple[str, list[Block]]:
    card, detail = status.card, status.detail
    extra: list[Block] = loop_blocks(detail.loop, viewer_id=user_id, now=now) if detail.loop else []
    if detail.loop is not None:
        extra += _takehome(user_id, card, detail.loop.takehome, now=now)
    # The offer's section says when the candidate answers by: its clock's line would
    # say it twice.
    team = access.can_see_candidates(user_id, card.team)
    offer_shown = detail.offer is not None and team
    if detail.clocks is not None:
        # The offer's window is in its section for the team, and an interviewer's card
        # leaves the offer out (its expiry, as the history's offer lines).
        apart = frozenset({"offer"}) if offer_shown or not team else frozenset()
        summary = detail.clocks
        if not team:
            # Why they decide by then (a competing offer, often) is the hiring team's, as
            # its notes are: an interviewer's feedback should not lean on it.
            summary = replace(summary, deadline_reason="")
        blocks = cards.clock_blocks(summary, now=now, shown_apart=apart, for_team=team)
        extra = [*blocks, *extra]
    if detail.offer is not None and offer_shown:
        # The buttons show when the use case behind them would take the click.
        can_act = offers.answer_refusal(card, user_id) is None
        offer = offer_blocks(
            detail.offer, now=now, can_act=can_act, candidate_deadline=card.candidate.deadline_at
        )
        extra = [*offer, *extra]
    elif card.stage == Stage.OFFER and offers.offer_refusal(card, user_id) is None:
        extra = [*no_offer_blocks(card), *extra]
    text, blocks = cards.status_message(
        card,
        now=now,
        can_move=move_refusal(card, user_id) is None,
        extra=extra,
        note=note,
    )
    return text, blocks


def _takehome(
    user_id: str, card: CandidateCard, view: takehomes.TakehomeView | None, *, now: datetime
) -> list[Block]:
    """The card's take-home section, with Send take-home when this viewer may send one."""
    latest = view.takehome if view is not None else None
    grading = view is not None and not view.complete
    can_send = takehomes.send_refusal(card, user_id, latest, grading=grading) is None
    spec = template_named(card.role.template).takehome
    return takehome_blocks(
        view, card=card, viewer_id=user_id, can_send=can_send, spec=spec, now=now
    )


async def status_answer(
    deps: Deps, user_id: str, query: str, *, own_work: bool = False
) -> tuple[str, list[Block]]:
    """The one answer to "where is <name>?", however it was asked. `own_work`: a question
    that may be about the asker's own interviews (bot.domain.questions.Question)."""
    if not query.strip():
        return "Whose status? Example: `/hire status Jane Doe`, or ask me `where is Jane?`.", []
    now = deps.clock.now()
    asked = await ask_status(deps.db, viewer_id=user_id, query=query, now=now)
    if len(asked.choices.rows) > 1:
        text, blocks = cards.choices_message(query, asked.choices, action=cards.OPEN_STATUS)
        return text, blocks
    if asked.status is None:  # nobody by that name, or not one the asker may see: the same words
        if own_work:
            # A question about their own work: what is left of it is rarely a name, so the
            # pointer comes first, and the name search only as an afterthought.
            return (
                f"Looking for your own interviews? `/hire feedback` lists them: those coming "
                f"up, your scorecards to submit, and take-homes to grade. (If you meant a "
                f"candidate: none called “{esc(query[:100])}” among those you can see.)"
            ), []
        meant = meant_command(query)
        if meant == "feedback":
            return cards.not_found_message(query) + (
                " Looking for your own interviews? `/hire feedback` lists them: those "
                "coming up, your scorecards to submit, and take-homes to grade."
            ), []
        if meant is not None:
            rest = query.strip().split(maxsplit=1)[1:] or ["…"]
            hint = f" Did you mean `/hire {meant} {esc(rest[0])}`?"
            return cards.not_found_message(query) + hint, []
        return cards.not_found_message(query), []
    if asked.guessed:
        # Only reading: the card shows at once, saying it is the closest name.
        guess = cards.guessed_note(query, asked.status.card.candidate.name)
        return render_status(user_id, asked.status, now=now, note=guess)
    return shown_status(deps, user_id, asked.status, now=now)


def refresh_home(deps: Deps, client: AsyncWebClient, user_id: str) -> None:
    """After a change: the Home tab of the person who made it, redrawn. Everyone else's
    tab is drawn fresh each time they open it (app_home_opened): redrawing the whole
    hiring team's tabs on every change cost a scorecard some 75 redraws, each a read of
    a person's whole pipeline, for tabs mostly nobody was looking at."""
    deps.background.run(
        deps.homes.redraw(client, deps.db, [user_id], deps.clock.now), name="refresh-home"
    )


async def redraw_kits(
    deps: Deps, client: AsyncWebClient, changed: interviews.Changed, people: list[str]
) -> None:
    """Each of these people's kits of the interview, drawn again in place (the DM they
    were sent), as the interview and its candidate are now."""
    if changed.context.stage is None:  # a stage its template no longer has: no kit
        return
    zones = await notify.time_zones(client, people)
    kit = await feedback.with_local_warnings(deps.db, changed.kit(people), zones)
    sent = {k.interviewer_id: (k.channel, k.ts) for k in changed.kits}
    await notify.send_kits(client, deps.db, kit, zones, sent=sent)


def announce(deps: Deps, client: AsyncWebClient, moved: Moved, actor_id: str) -> None:
    """A move out of offer to hired, or to withdrawn from an offer awaiting an answer,
    is the news the offer's Accepted and Declined post in the role's channel: the team
    hears it however it was recorded (a move, the card's Advance to hired). An offer
    taken back is DM'd to the rest of the hiring team, and any other move by someone who
    is not a recruiter to the recruiters."""
    stage = moved.card.stage
    hired = stage == Stage.HIRED
    if moved.closed_offer and stage not in (Stage.HIRED, Stage.WITHDRAWN):
        # Taken back: whoever was told it went out must not think it still open.
        news = cards.move_news(moved.card, actor_id, offer_taken_back=True)
        deps.background.run(tell_team(client, moved.card, actor_id, news), name="offer-back")
        return
    if actor_id not in moved.card.team.recruiter_ids and not (moved.from_offer and hired):
        # The recruiters run the process and tell the candidate: a move the hiring
        # manager made (a rejection, a withdrawal, back a stage for one more interview)
        # is theirs to hear of, as it happens. A hire is the channel's news, below.
        news = cards.move_news(moved.card, actor_id, offer_taken_back=False)
        deps.background.run(tell_recruiters(client, moved.card, actor_id, news), name="move-news")
        if stage != Stage.WITHDRAWN or not moved.closed_offer:
            return
    if not moved.from_offer or not (hired or (stage == Stage.WITHDRAWN and moved.closed_offer)):
        return
    reason = None
    if stage == Stage.WITHDRAWN:
        latest = moved.card.latest_move
        reason = latest.note if latest is not None else ""
    text, blocks = decided_post(
        moved.card, accepted=hired, actor_id=actor_id, offer=moved.closed_offer, withdrew=reason
    )
    deps.background.run(
        notify.dm(client, moved.card.role.channel_id, text, blocks), name="offer-decided"
    )


def call_off(deps: Deps, client: AsyncWebClient, moved: Moved) -> None:
    """After a move out of the process: the interviewers of the interviews it called off
    are told, and their kits say so, after the answer; after a move back into it, those
    whose feedback it opened again."""
    if moved.called_off or moved.released or moved.reopened:
        deps.background.run(_called_off(deps, client, moved), name="called-off")


async def _called_off(deps: Deps, client: AsyncWebClient, moved: Moved) -> None:
    await notify.called_off(client, moved)
    name = moved.card.candidate.name
    how = f"it is cancelled, as {esc(name)} is no longer in the process."
    for off in moved.called_off:
        settled = await interviews.settled_alerts(deps.db, interview_id=off.interview_id)
        await mark_settled(client, settled, off.stage_name, name, how)
    for reopened in moved.reopened:  # the kit that said "no longer needed", whole again
        if reopened.interview_id is not None and reopened.kit is not None:
            changed = await interviews.kit_now(
                deps.db, actor_id=reopened.user_id, interview_id=reopened.interview_id
            )
            await redraw_kits(deps, client, changed, [reopened.user_id])


async def _tell(client: AsyncWebClient, people: list[str], told: tuple[str, list[Block]]) -> None:
    for person in sorted(people):
        await notify.dm(client, person, *told)


async def tell_recruiters(
    client: AsyncWebClient, card: CandidateCard, actor_id: str, told: tuple[str, list[Block]]
) -> None:
    """A DM to each of the role's recruiters, of what someone who is not one of them (the
    hiring manager, an admin) did: they run the process and tell the candidate."""
    if actor_id not in card.team.recruiter_ids:
        await _tell(client, list(card.team.recruiter_ids), told)


async def tell_team(
    client: AsyncWebClient, card: CandidateCard, actor_id: str, told: tuple[str, list[Block]]
) -> None:
    """A DM to each of the role's hiring team but whoever did it."""
    await _tell(client, [p for p in card.team.members if p != actor_id], told)


async def mark_settled(
    client: AsyncWebClient,
    settled: Sequence[CantMakeItAlert],
    stage_name: str,
    candidate_name: str,
    how: str,
) -> None:
    """Edit each settled "can't make it" alert to say what was done (`how`, mrkdwn)."""
    for alert in settled:
        text, message = cant_make_it_settled(alert.interviewer_id, stage_name, candidate_name, how)
        await notify.edit(client, alert.channel, alert.ts, text, message)
