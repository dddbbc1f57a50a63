"""`/hire` and its subcommands. Answers are ephemeral: only the asker sees them."""

from __future__ import annotations

import logging

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import store
from bot.domain import access
from bot.domain.grammar import CommandError, parse, parse_move
from bot.domain.scorecards import template_named, templates
from bot.domain.stages import IllegalMove, Stage
from bot.readmodels import overview
from bot.slack.blocks import alerts as alert_blocks
from bot.slack.blocks import candidates as cards
from bot.slack.blocks import imports as import_blocks
from bot.slack.blocks import interviews as interview_blocks
from bot.slack.blocks import offers as offer_blocks
from bot.slack.blocks.common import as_dicts
from bot.slack.blocks.help import help_blocks, help_text
from bot.slack.blocks.pipeline import pipeline_message
from bot.slack.blocks.roles import create_role_modal
from bot.slack.deps import deps_of
from bot.usecases import candidates, exports, feedback, roles
from bot.usecases.errors import NotAllowed, StaleMove
from handlers.render import refresh_team_homes, status_answer, status_card

log = logging.getLogger(__name__)

MODAL_FAILED = (
    "Slack didn't let me open the form in time (it said `{error}`). Please run the command again."
)


async def hire(
    ack: AsyncAck, command: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    request = parse(command.get("text", ""))
    user_id = command["user_id"]
    if request.sub == "help":
        await ack(text=help_text(), blocks=as_dicts(help_blocks()))
    elif request.sub == "status":
        await status(ack, context, user_id=user_id, query=request.rest)
    elif request.sub == "add":
        await add(ack, client, context, command, name=request.rest)
    elif request.sub == "move":
        await move(ack, client, context, command, rest=request.rest)
    elif request.sub == "schedule":
        await schedule(ack, client, context, command, name=request.rest)
    elif request.sub == "feedback":
        await feedback_list(ack, context, user_id=user_id)
    elif request.sub == "pipeline":
        await pipeline(ack, context, user_id=user_id, query=request.rest)
    elif request.sub == "offer":
        await offer(ack, client, context, command, name=request.rest)
    elif request.sub == "admin":
        await admin(ack, context, user_id=user_id, rest=request.rest)
    elif request.sub == "role":
        await role(ack, client, context, command)
    elif request.sub == "export":
        await export(ack, client, context, user_id=user_id, query=request.rest)


async def status(ack: AsyncAck, context: AsyncBoltContext, *, user_id: str, query: str) -> None:
    text, blocks = await status_answer(deps_of(context), user_id, query)
    await ack(text=text, blocks=blocks or None)


async def _open_modal(ack: AsyncAck, client: AsyncWebClient, trigger_id: str, view: View) -> None:
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        await ack(text=MODAL_FAILED.format(error=error.response.get("error", "unknown")))
        return
    except (TimeoutError, OSError, aiohttp.ClientError) as error:
        await ack(text=MODAL_FAILED.format(error=error.__class__.__name__))
        return
    await ack()


async def add(
    ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext, command: dict, *, name: str
) -> None:
    deps = deps_of(context)
    addable = await roles.roles_user_can_add_to(deps.db, user_id=command["user_id"])
    if not addable:
        await ack(
            text="You can add candidates only to roles where you are a recruiter or the "
            "hiring manager, and you are on none yet. An admin creates roles with `/hire role`."
        )
        return
    await _open_modal(
        ack, client, command["trigger_id"], cards.add_candidate_modal(roles=addable, name=name)
    )


async def move(
    ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext, command: dict, *, rest: str
) -> None:
    deps = deps_of(context)
    user_id = command["user_id"]
    try:
        request = parse_move(rest)
    except CommandError as error:
        await ack(text=str(error))
        return
    matches = await candidates.find(deps.db, user_id=user_id, query=request.name)
    if not matches:
        await ack(text=cards.not_found_message(request.name))
        return
    if len(matches) > 1:
        text, blocks = cards.choices_message(request.name, matches, action=cards.OPEN_MOVE)
        await ack(text=text, blocks=as_dicts(blocks))
        return
    candidate = matches[0][0]
    if request.stage is None:
        found = await candidates.card(deps.db, user_id=user_id, candidate_id=candidate.id or 0)
        if found is None:
            await ack(text=cards.not_found_message(request.name))
            return
        if not access.can_move_candidates(user_id, found.team):
            await ack(text="Only the role's recruiters and hiring manager can move candidates.")
            return
        if found.stage.is_closed:
            await ack(text=f"{found.candidate.name} is {found.stage.value}, which is final.")
            return
        await _open_modal(ack, client, command["trigger_id"], cards.move_modal(found))
        return
    try:
        moved = await candidates.move(
            deps.db,
            actor_id=user_id,
            candidate_id=candidate.id or 0,
            seen_stage=Stage(candidate.stage),
            target=request.stage,
            reason=request.reason,
            now=deps.clock.now(),
        )
    except NotAllowed as refusal:
        await ack(text=str(refusal))
        return
    except StaleMove as stale:
        await ack(
            text=f"{candidate.name} was just moved to {stale.current.candidate.stage} by "
            "someone else; nothing changed. Look again with `/hire status`."
        )
        return
    except IllegalMove as error:
        example = (
            f" Example: `/hire move {candidate.name} to {request.stage.value}: <reason>`."
            if "needs a reason" in str(error)
            else ""
        )
        await ack(text=f"I can't move {candidate.name}: {error}{example}")
        return
    text, blocks = await status_card(deps, user_id, moved, note=cards.moved_note(moved))
    await ack(text=text, blocks=blocks)
    refresh_team_homes(deps, client, moved)


async def schedule(
    ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext, command: dict, *, name: str
) -> None:
    deps = deps_of(context)
    user_id = command["user_id"]
    if not name:
        await ack(text="Whose interview? Example: `/hire schedule Jane Doe`.")
        return
    matches = await candidates.find(deps.db, user_id=user_id, query=name)
    if not matches:
        await ack(text=cards.not_found_message(name))
        return
    if len(matches) > 1:
        text, blocks = cards.choices_message(name, matches, action=cards.OPEN_SCHEDULE)
        await ack(text=text, blocks=as_dicts(blocks))
        return
    found = await candidates.card(deps.db, user_id=user_id, candidate_id=matches[0][0].id or 0)
    if found is None:
        await ack(text=cards.not_found_message(name))
        return
    refusal = interview_blocks.schedule_refusal(found, user_id)
    if refusal:
        await ack(text=refusal)
        return
    view = interview_blocks.schedule_modal(found, template_named(found.role.template))
    await _open_modal(ack, client, command["trigger_id"], view)


async def feedback_list(ack: AsyncAck, context: AsyncBoltContext, *, user_id: str) -> None:
    deps = deps_of(context)
    assignments = await feedback.assignments_for(deps.db, user_id=user_id)
    text, blocks = interview_blocks.feedback_list_message(assignments, deps.clock.now())
    await ack(text=text, blocks=as_dicts(blocks))


async def _one_candidate(
    ack: AsyncAck, context: AsyncBoltContext, *, user_id: str, name: str, example: str, action: str
) -> candidates.CandidateCard | None:
    """The one candidate a name means to this person, or an answer saying why not."""
    deps = deps_of(context)
    if not name:
        await ack(text=f"Who? Example: `{example}`.")
        return None
    matches = await candidates.find(deps.db, user_id=user_id, query=name)
    if len(matches) > 1:
        text, blocks = cards.choices_message(name, matches, action=action)
        await ack(text=text, blocks=as_dicts(blocks))
        return None
    found = (
        await candidates.card(deps.db, user_id=user_id, candidate_id=matches[0][0].id or 0)
        if matches
        else None
    )
    if found is None:
        await ack(text=cards.not_found_message(name))
    return found


async def offer(
    ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext, command: dict, *, name: str
) -> None:
    deps = deps_of(context)
    user_id = command["user_id"]
    found = await _one_candidate(
        ack,
        context,
        user_id=user_id,
        name=name,
        example="/hire offer Jane Doe",
        action=offer_blocks.OPEN_OFFER,
    )
    if found is None:
        return
    refusal = offer_blocks.offer_refusal(found, user_id)
    if refusal:
        await ack(text=refusal)
        return
    view = offer_blocks.offer_modal(found, now=deps.clock.now())
    await _open_modal(ack, client, command["trigger_id"], view)


async def pipeline(ack: AsyncAck, context: AsyncBoltContext, *, user_id: str, query: str) -> None:
    deps = deps_of(context)
    found = await overview.pipelines(
        deps.db, user_id=user_id, role_query=query, now=deps.clock.now()
    )
    text, blocks = pipeline_message(found, query=query)
    await ack(text=text, blocks=blocks or None)


async def admin(ack: AsyncAck, context: AsyncBoltContext, *, user_id: str, rest: str) -> None:
    deps = deps_of(context)
    if not access.is_admin(user_id, deps.settings.loopkeeper_admins):
        await ack(text="`/hire admin` is for Loopkeeper admins (LOOPKEEPER_ADMINS).")
        return
    if rest.strip().lower() != "deliveries":
        await ack(
            text="Admin commands: `/hire admin deliveries` lists alerts and weekly reports "
            "Slack refused."
        )
        return
    async with deps.db.reader() as session:
        rows = await store.alerts.failed_deliveries(session)
        reports = await store.reports.failed_reports(session)
    text, blocks = alert_blocks.deliveries_message(rows, reports)
    await ack(text=text, blocks=blocks)


async def role(
    ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext, command: dict
) -> None:
    deps = deps_of(context)
    user_id = command["user_id"]
    if not access.can_create_role(user_id, deps.settings.loopkeeper_admins):
        await ack(
            text="Only Loopkeeper admins can create roles. Ask an admin, or have your user "
            "id added to LOOPKEEPER_ADMINS."
        )
        return
    view = create_role_modal(creator_id=user_id, templates=templates())
    await _open_modal(ack, client, command["trigger_id"], view)


async def _send_export(
    client: AsyncWebClient, user_id: str, data: bytes, comment: str, filename: str
) -> None:
    """The file in the person's DM with the app: a message there gives the DM's id, which
    an upload needs (a user id is not a conversation)."""
    try:
        posted = await client.chat_postMessage(channel=user_id, text=comment)
        await client.files_upload_v2(
            channel=posted["channel"], file=data, filename=filename, title=filename
        )
    except SlackApiError as error:
        log.warning("export to %s failed: %s", user_id, error.response.get("error"))
    except (TimeoutError, OSError, aiohttp.ClientError) as error:
        log.warning("export to %s failed: %s", user_id, error.__class__.__name__)


async def export(
    ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext, *, user_id: str, query: str
) -> None:
    """A CSV of the candidates the person may see, sent to their DM with the app."""
    deps = deps_of(context)
    now = deps.clock.now()
    rows = await exports.rows_for(deps.db, viewer_id=user_id, role_query=query, now=now)
    if not rows:
        scope = f" in roles matching “{query}”" if query else ""
        await ack(
            text=f"You have no candidates to export{scope}. Export shows the candidates "
            "of the roles you hire for and those you interview."
        )
        return
    await ack(text=f"Sending you a CSV of {len(rows):,} candidates in our DM.")
    filename = f"loopkeeper-candidates-{now:%Y-%m-%d}.csv"
    deps.background.run(
        _send_export(
            client,
            user_id,
            exports.csv_bytes(rows),
            import_blocks.export_comment(len(rows), query),
            filename,
        ),
        name="export",
    )


def register(app: AsyncApp) -> None:
    app.command("/hire")(hire)
