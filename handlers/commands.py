"""`/hire` and its subcommands. Answers are ephemeral: only the asker sees them.

Each subcommand reads what was typed, calls use cases and answers through a CommandReply
(handlers/replies.py). Who may do what is the use cases' to decide: a refusal comes back
as words to show (a refusal function's answer, or NotAllowed).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.grammar import CommandError, parse, parse_days, parse_move, typed
from bot.domain.limits import MAX_NOTE
from bot.domain.scorecards import template_named
from bot.domain.stages import IllegalMove
from bot.readmodels import schedule as schedule_reads
from bot.readmodels.pipelines import pipelines
from bot.slack.blocks import admins as admin_blocks
from bot.slack.blocks import alerts as alert_blocks
from bot.slack.blocks import candidates as cards
from bot.slack.blocks import days_away as day_away_blocks
from bot.slack.blocks import days_off as day_off_blocks
from bot.slack.blocks import deadlines as deadline_blocks
from bot.slack.blocks import edits as edit_blocks
from bot.slack.blocks import imports as import_blocks
from bot.slack.blocks import interviews as interview_blocks
from bot.slack.blocks import notes as note_blocks
from bot.slack.blocks import offers as offer_blocks
from bot.slack.blocks import schedule as schedule_blocks
from bot.slack.blocks.common import esc, not_picked, plural
from bot.slack.blocks.help import help_blocks, help_text
from bot.slack.blocks.pipeline import pipeline_message
from bot.slack.blocks.roles import create_role_modal
from bot.slack.blocks.takehomes import to_grade_blocks
from bot.slack.notify import UNREACHABLE, dm, full_names, refusal, time_zone, time_zones_in_time
from bot.usecases import admin as admin_cases
from bot.usecases import (
    candidates,
    days_away,
    days_off,
    deadlines,
    exports,
    feedback,
    notes,
    roles,
    takehomes,
)
from bot.usecases import interviews as interview_cases
from bot.usecases import templates as template_cases
from bot.usecases.candidates import CandidateCard, Refusal
from bot.usecases.errors import FormErrors, StaleMove
from bot.usecases.notes import MAX_NOTE_TEXT
from handlers import actions, edits, erasure
from handlers.render import (
    announce,
    call_off,
    redraw_kits,
    refresh_home,
    status_answer,
    status_card,
)
from handlers.replies import CommandReply, Reply, on_click

log = logging.getLogger(__name__)

NUL = "That command holds a hidden NUL character that can't be saved. Retype it and try again."


async def hire(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    text = command.get("text", "")
    if isinstance(text, str) and "\x00" in text:  # PostgreSQL cannot store it in text
        await ack(text=NUL, response_type="ephemeral")
        return
    request = parse(typed(text) if isinstance(text, str) else "")
    await SUBCOMMANDS[request.sub](CommandReply.to(ack, command, client, context), request.rest)


async def help_(reply: CommandReply, rest: str) -> None:
    await reply.show(help_text(), help_blocks())


async def status(reply: CommandReply, query: str) -> None:
    text, blocks = await status_answer(reply.deps, reply.user_id, query)
    await reply.show(text, blocks)


# The choose-buttons of commands only a role's hiring team uses.
_TEAM_ONLY = frozenset(
    {
        cards.OPEN_SCHEDULE,
        cards.OPEN_MOVE,
        cards.OPEN_DEADLINE,
        offer_blocks.OPEN_OFFER,
        edit_blocks.OPEN_EDIT_CANDIDATE,
        note_blocks.OPEN_NOTE,
        note_blocks.OPEN_NOTES,
    }
)


async def _one_candidate(
    reply: CommandReply,
    name: str,
    *,
    missing: str,
    action: str,
    not_found: str = "",
    then: str = "",
) -> CandidateCard | None:
    """The one candidate a name means to this person, or None once the answer says why
    not: `missing` when no name was typed, a list to pick from (buttons of `action`), or
    the same words for nobody by that name and nobody they may see (then `not_found`).
    `then`: the rest of a command that acts at once (a move's stage and reason, a note's
    text), for the buttons' forms to open with; such a command is not run on a guess at
    a typo ("Sara Okafor" for Sam Okafor): the list asks "Did you mean …?" first."""
    if not name:
        if action in _TEAM_ONLY and not await roles.roles_for(reply.deps.db, user_id=reply.user_id):
            # "Whose interview? Example: …" to someone who may not schedule at all.
            await reply.tell(
                "That is for a role's recruiters and hiring manager, and you are on no "
                "role's hiring team. `/hire feedback` lists your own interviews and "
                "scorecards; `/hire help` lists every command."
            )
            return None
        await reply.tell(missing)
        return None
    found = await candidates.find(reply.deps.db, user_id=reply.user_id, query=name)
    if len(found.rows) > 1 or (then and found.guessed):
        await reply.show(*cards.choices_message(name, found, action=action, then=then))
        return None
    card = (
        await candidates.card(
            reply.deps.db, user_id=reply.user_id, candidate_id=found.rows[0][0].id or 0
        )
        if found.rows
        else None
    )
    if card is None:
        asked = parse(typed(str(reply.command.get("text") or ""))).sub  # "status" for a name
        answer = cards.not_found_message(name, asked)
        await reply.tell(" ".join(filter(None, [answer, not_found])))
    return card


async def _candidate_form(
    reply: CommandReply, card: CandidateCard, refusal: Refusal, form: Callable[[], View]
) -> None:
    """Open a form about this candidate, or say why not: the use case taking the form
    asks `refusal` again when it is submitted."""
    why_not = refusal(card, reply.user_id)
    if why_not:
        await reply.tell(why_not)
    else:
        await reply.open(form())


async def add(reply: CommandReply, name: str) -> None:
    addable = await reply.unless_refused(roles.add_form_roles(reply.deps.db, user_id=reply.user_id))
    if addable:
        await reply.open(cards.add_candidate_modal(roles=addable, name=name))


async def move(reply: CommandReply, rest: str) -> None:
    try:
        request = parse_move(rest)
    except CommandError as error:  # its message says what to type instead
        await reply.tell(str(error))
        return
    # parse_move has asked for a name already: one is always there.
    then = f":{request.stage.value}\n{request.reason}" if request.stage is not None else ""
    card = await _one_candidate(reply, request.name, missing="", action=cards.OPEN_MOVE, then=then)
    if card is None:
        return
    if request.stage is None:
        await _candidate_form(
            reply, card, candidates.move_form_refusal, lambda: cards.move_modal(card)
        )
        return
    name = card.candidate.name
    try:
        moved = await reply.unless_refused(
            candidates.move(
                reply.deps.db,
                actor_id=reply.user_id,
                candidate_id=card.candidate.id or 0,
                seen_stage=card.stage,
                target=request.stage,
                reason=request.reason,
                now=reply.deps.clock.now(),
            )
        )
    except StaleMove as stale:
        await reply.tell(
            f"{esc(name)} was just moved to {stale.current.candidate.stage} by "
            "someone else; nothing changed. Look again with `/hire status`."
        )
        return
    except IllegalMove as error:
        example = (
            f" Example: `/hire move {name} to {request.stage.value}: <reason>`."
            if error.needs_reason
            else ""
        )
        why = f"I can't move {esc(name)}: {esc(str(error))}{example}"
        if len(request.reason.strip()) > MAX_NOTE:
            await reply.tell_keeping(why, request.reason)
        else:
            await reply.tell(why)
        return
    if moved is not None:
        await reply.show(
            *await status_card(reply.deps, reply.user_id, moved.card, note=cards.moved_note(moved))
        )
        refresh_home(reply.deps, reply.client, reply.user_id)
        call_off(reply.deps, reply.client, moved)
        announce(reply.deps, reply.client, moved, reply.user_id)


async def _named_form(
    reply: CommandReply,
    name: str,
    refusal: Refusal,
    form: Callable[[CandidateCard], View],
    *,
    missing: str,
    action: str,
) -> None:
    """The form about the one candidate `name` means (_one_candidate), if `refusal` lets
    this person open it; else the answer says why not."""
    card = await _one_candidate(reply, name, missing=missing, action=action)
    if card is not None:
        await _candidate_form(reply, card, refusal, lambda: form(card))


async def schedule(reply: CommandReply, name: str) -> None:
    await _named_form(
        reply,
        name,
        feedback.schedule_refusal,
        lambda card: interview_blocks.schedule_modal(card, template_named(card.role.template)),
        missing="Whose interview? Example: `/hire schedule Jane Doe`.",
        action=cards.OPEN_SCHEDULE,
    )


async def feedback_list(reply: CommandReply, rest: str) -> None:
    assignments = await feedback.assignments_for(reply.deps.db, user_id=reply.user_id)
    grading = await takehomes.to_grade(reply.deps.db, user_id=reply.user_id)
    await reply.show(
        *interview_blocks.feedback_list_message(
            assignments,
            reply.deps.clock.now(),
            to_grade=to_grade_blocks(grading, 10),
            grades=len(grading),
        )
    )


async def offer(reply: CommandReply, name: str) -> None:
    """`/hire offer <name>`: a new offer, or the open one to revise."""
    card = await _one_candidate(
        reply, name, missing="Who? Example: `/hire offer Jane Doe`.", action=offer_blocks.OPEN_OFFER
    )
    if card is not None:
        await actions.open_offer_form(reply, card.candidate.id or 0)


async def pipeline(reply: CommandReply, query: str) -> None:
    deps = reply.deps
    boards = await pipelines(deps.db, user_id=reply.user_id, role_query=query, now=deps.clock.now())
    await reply.show(*pipeline_message(boards, query=query))


_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>$")


def mentioned(text: str) -> str | None:
    """The user id of one mention as Slack sends it in a command (`<@U123|jane>`)."""
    found = _MENTION.match(text.strip())
    return found.group(1) if found else None


async def admin(reply: CommandReply, rest: str) -> None:
    db, user_id = reply.deps.db, reply.user_id
    refusal = admin_cases.admin_refusal(user_id, await admin_cases.admin_ids(db))
    if refusal:
        await reply.tell(refusal)
        return
    verb, _, target = rest.strip().partition(" ")
    verb = verb.lower()
    if verb in ("", "list"):
        listed = await reply.unless_refused(admin_cases.list_admins(db, user_id=user_id))
        if listed is not None:
            await reply.show(*admin_blocks.admins_message(listed))
    elif verb in ("add", "remove"):
        person = mentioned(target)
        if person is None:
            typed_name = target.split()[0] if target.strip().startswith("@") else ""
            example = f"`/hire admin {verb} @jane`"
            await reply.tell(
                not_picked(typed_name, example)
                if typed_name
                else admin_blocks.NAME_ONE.format(verb=verb)
            )
            return
        now = reply.deps.clock.now()
        if verb == "add":
            new = await reply.unless_refused(
                admin_cases.add_admin(db, actor_id=user_id, user_id=person, now=now)
            )
            if new is not None:
                await reply.tell(admin_blocks.added(person, new=new))
            if new and person != user_id:  # told, rather than finding out by surprise
                told = admin_blocks.you_were_added(user_id)
                reply.deps.background.run(dm(reply.client, person, *told), name="admin-added")
        else:
            gone = await reply.unless_refused(
                admin_cases.remove_admin(db, actor_id=user_id, user_id=person, now=now)
            )
            if gone is not None:
                await reply.tell(admin_blocks.removed(person, was_admin=gone))
            if gone and person != user_id:
                told = admin_blocks.you_were_removed(user_id)
                reply.deps.background.run(dm(reply.client, person, *told), name="admin-removed")
    elif verb == "deliveries":
        failed = await reply.unless_refused(admin_cases.failed_deliveries(db, user_id=user_id))
        if failed is not None:
            await reply.show(*alert_blocks.deliveries_message(failed.alerts, failed.reports))
    else:
        await reply.tell(admin_blocks.USAGE)


def _verb(rest: str) -> tuple[str, str]:
    """`add 2026-12-24 …` as ("add", "2026-12-24 …"): a sub-command's verb, in lower case
    ("" when none), and what follows it."""
    words = rest.split(maxsplit=1)
    return (words[0].lower() if words else ""), (words[1] if len(words) > 1 else "")


async def holidays(reply: CommandReply, rest: str) -> None:
    """`/hire holidays [add|remove <date>[..<date>] [name]]`: the company days off, which
    anyone may list and admins change."""
    db, user_id = reply.deps.db, reply.user_id
    verb, args = _verb(rest)
    now = reply.deps.clock.now()
    if verb in ("", "list"):
        await reply.show(*day_off_blocks.days_off_message(await days_off.upcoming(db, now=now)))
        return
    if verb not in ("add", "remove"):
        await reply.tell(day_off_blocks.USAGE)
        return
    refusal = days_off.days_off_refusal(user_id, await admin_cases.admin_ids(db))
    if refusal:
        await reply.tell(refusal)
        return
    try:
        request = parse_days(args, verb=verb)
    except CommandError as error:  # its message says what to type instead
        await reply.tell(esc(str(error)))
        return
    if verb == "add":
        added = await reply.unless_refused(
            days_off.add_days_off(
                db, actor_id=user_id, days=request.days, name=request.name, now=now
            )
        )
        if added is not None:
            await reply.tell(day_off_blocks.added(added, request.name))
    else:
        removed = await reply.unless_refused(
            days_off.remove_days_off(db, actor_id=user_id, days=request.days, now=now)
        )
        if removed is not None:
            await reply.tell(day_off_blocks.removed(removed))


async def away(reply: CommandReply, rest: str) -> None:
    """`/hire away [@person] [add|remove <date>[..<date>]]`: the asker's own days away,
    or, for recruiters, hiring managers and admins, those of the person named first."""
    db, user_id = reply.deps.db, reply.user_id
    person, rest = _named_first(rest)
    who = None if person in (None, user_id) else person
    target = who or user_id
    verb, args = _verb(rest)
    if verb.startswith("@"):  # typed, not picked from the list: it names nobody
        await reply.tell(not_picked(verb, day_away_blocks.PICK_EXAMPLE))
        return
    now = reply.deps.clock.now()
    if verb == "team" and who is None and not args:
        await _panels_away(reply, now)
        return
    if verb in ("", "list"):
        days = await reply.unless_refused(
            days_away.upcoming(db, actor_id=user_id, user_id=target, now=now)
        )
        if days is not None:
            await reply.show(*day_away_blocks.days_away_message(days, who))
        return
    if verb not in ("add", "remove"):
        # A name typed without @ ("Ivan Petrov", "ivan add 2026-12-09"), told apart from
        # a mistyped verb ("clear").
        then = args.split(maxsplit=1)[:1]
        before_verb = bool(then) and then[0].lower() in ("add", "remove")
        if who is None and verb.isalpha() and (before_verb or rest.strip()[:1].isupper()):
            typed = verb if before_verb else rest.strip()
            await reply.tell(not_picked(typed, day_away_blocks.PICK_EXAMPLE))
            return
        await reply.tell(day_away_blocks.USAGE)
        return
    try:
        request = parse_days(args, verb=verb, command="away")
    except CommandError as error:  # its message says what to type instead
        await reply.tell(esc(str(error)))
        return
    if verb == "add":
        added = await reply.unless_refused(
            days_away.add_days_away(
                db, actor_id=user_id, user_id=target, days=request.days, now=now
            )
        )
        if added is not None:
            await reply.tell(day_away_blocks.added(added.added, added.already, who))
            reply.deps.background.run(
                _booked_while_away(reply, target, request.days, added.added, now),
                name="booked-while-away",
            )
        return
    removed = await reply.unless_refused(
        days_away.remove_days_away(db, actor_id=user_id, user_id=target, days=request.days, now=now)
    )
    if removed is not None:
        await reply.tell(day_away_blocks.removed(removed.removed, removed.absent, who))
        if removed.removed:
            reply.deps.background.run(
                _back_while_booked(reply, target, removed.removed, now), name="back-while-booked"
            )


def _named_first(rest: str) -> tuple[str | None, str]:
    """The person a command names before its verb or right after it (`@ivan add …`,
    `add @ivan …`), and the rest of it without them."""
    words = rest.split()
    for at in (0, 1):
        if len(words) > at and (person := mentioned(words[at])):
            return person, " ".join(words[:at] + words[at + 1 :])
    return None, rest


async def _panels_away(reply: CommandReply, now: datetime) -> None:
    """`/hire away team`. Whether an interview falls on a day away goes by the date where
    the interviewer is, which only Slack knows: asked for those it could, within the
    time a form's check waits."""
    panels = await reply.unless_refused(
        days_away.panels_away(reply.deps.db, actor_id=reply.user_id, now=now)
    )
    if panels is None:
        return
    zones = await _zones_of_the_away(reply.client, panels.booked, panels.days_away)
    booked = days_away.booked_away(panels.booked, panels.days_away, zones or {})
    await reply.show(*day_away_blocks.panels_message(panels, booked, zones_known=zones is not None))


async def _zones_of_the_away(
    client: AsyncWebClient,
    seats: Sequence[days_away.Seated],
    days: Mapping[str, frozenset[date]],
) -> dict[str, str | None] | None:
    """The time zones of the interviewers who may be away on one of `seats`, the only
    ones whose date needs it: asked of Slack within the time a form's check waits. {}
    when nobody needs asking; None when Slack did not say in time (dates go by UTC)."""
    asked = days_away.may_be_booked_away(seats, days)
    return await time_zones_in_time(client, asked) if asked else {}


async def _booked_while_away(
    reply: CommandReply, person: str, days: list[date], added: list[date], now: datetime
) -> None:
    """After the answer. Someone else marked away hears who did it. Then the interviews
    the person is booked for on those days (their dates go by their own zone, which
    Slack is asked for) go by DM to them, to whoever marked them, and to the recruiters
    of those interviews, who would otherwise learn only when the day came."""
    actor = reply.user_id
    if person != actor and added:
        await dm(reply.client, person, *day_away_blocks.marked_away(actor, added))
    tz = await time_zone(reply.client, person)
    db = reply.deps.db
    seats = await days_away.booked_on(db, user_id=person, days=days, tz_name=tz, now=now)
    if not seats:
        return
    await _redraw_their_kits(reply, person, {seat.interview_id for seat in seats})
    await dm(reply.client, person, *day_away_blocks.booked_while_away(seats))
    if person != actor:
        told = day_away_blocks.booked_on_their_days(person, seats, by=actor, reader=actor)
        await dm(reply.client, actor, *told)
    # The recruiters hear of the days just added: those already away were told before.
    fresh = days_away.starting_on(seats, added, tz_name=tz, now=now)
    recruiters = await days_away.who_books(db, fresh, besides={person, actor}) if fresh else {}
    for recruiter, theirs in recruiters.items():
        told = day_away_blocks.booked_on_their_days(person, theirs, by=actor, reader=recruiter)
        await dm(reply.client, recruiter, *told)


async def _back_while_booked(
    reply: CommandReply, person: str, removed: list[date], now: datetime
) -> None:
    """After the answer. Someone else took back hears who did it. The recruiters of the
    interviews the person is booked for on those days, who were told they were away
    then, hear those interviews stand."""
    actor = reply.user_id
    if person != actor:
        await dm(reply.client, person, *day_away_blocks.unmarked_away(actor, removed))
    tz = await time_zone(reply.client, person)
    db = reply.deps.db
    seats = await days_away.booked_on(db, user_id=person, days=removed, tz_name=tz, now=now)
    await _redraw_their_kits(reply, person, {seat.interview_id for seat in seats})
    recruiters = await days_away.who_books(db, seats, besides={person, actor}) if seats else {}
    for recruiter, theirs in recruiters.items():
        told = day_away_blocks.back_on_their_days(person, theirs, by=actor)
        await dm(reply.client, recruiter, *told)


async def _redraw_their_kits(reply: CommandReply, person: str, interview_ids: set[int]) -> None:
    """The person's kits of these interviews, drawn again: a day away added says so at
    the top of the kit, one taken back no longer does."""
    for interview_id in sorted(interview_ids):
        changed = await interview_cases.kit_now(
            reply.deps.db, actor_id=person, interview_id=interview_id
        )
        await redraw_kits(reply.deps, reply.client, changed, [person])


async def role(reply: CommandReply, rest: str) -> None:
    words = rest.split(maxsplit=1)
    # /hire role edit|close|reopen|history <title>
    if words and words[0].lower() in edits.ROLE_VERBS:
        await edits.role_command(
            reply, words[0].lower(), words[1].strip() if len(words) > 1 else ""
        )
        return
    db = reply.deps.db
    refusal = roles.create_refusal(reply.user_id, await admin_cases.admin_ids(db))
    if refusal:
        await reply.tell(refusal)
        return
    choices = await template_cases.choices(db)
    await reply.open(create_role_modal(creator_id=reply.user_id, templates=choices))


async def edit(reply: CommandReply, name: str) -> None:
    """`/hire edit <name>`: the candidate's edit form (name, email, links, role)."""
    card = await _one_candidate(
        reply,
        name,
        missing="Whom? Example: `/hire edit Jane Doe`.",
        action=edit_blocks.OPEN_EDIT_CANDIDATE,
    )
    if card is not None:
        await edits.open_candidate_edit(reply, card.candidate.id or 0)


async def deadline(reply: CommandReply, name: str) -> None:
    """`/hire deadline <name>`: the candidate's deadline form, as on their card."""
    card = await _one_candidate(
        reply,
        name,
        missing="Whose deadline? Example: `/hire deadline Jane Doe`.",
        action=cards.OPEN_DEADLINE,
    )
    if card is not None:
        await _candidate_form(
            reply, card, deadlines.deadline_refusal, lambda: deadline_blocks.deadline_modal(card)
        )


async def note(reply: CommandReply, rest: str) -> None:
    """`/hire note <name>: <text>` keeps the note at once; `/hire note <name>` opens the
    form (also from the list of names, when several match)."""
    name, colon, text = rest.partition(":")
    card = await _one_candidate(
        reply,
        name.strip(),
        missing=f"Whom about? Example: `{NOTE_EXAMPLE}`.",
        action=note_blocks.OPEN_NOTE,
        # "/hire note Jane Doe expects an offer": the whole line was read as a name.
        not_found=""
        if colon
        else f"A note in one line needs a colon after the name: `{NOTE_EXAMPLE}`.",
        then=f"\n{text.strip()}" if text.strip() else "",
    )
    if card is None:
        return
    if not text.strip():
        await _candidate_form(
            reply, card, notes.write_refusal, lambda: note_blocks.note_modal(card)
        )
        return
    try:
        noted = await reply.unless_refused(
            notes.add_note(
                reply.deps.db,
                actor_id=reply.user_id,
                candidate_id=card.candidate.id or 0,
                text=text,
                now=reply.deps.clock.now(),
            )
        )
    except FormErrors as invalid:
        why = f"{esc(invalid.errors['note'])} Example: `{NOTE_EXAMPLE}`."
        if len(text.strip()) > MAX_NOTE_TEXT:
            await reply.tell_keeping(why, text)
        else:
            await reply.tell(why)
        return
    if noted is not None:
        await reply.show(
            *await status_card(reply.deps, reply.user_id, noted, note=note_blocks.note_added(noted))
        )


NOTE_EXAMPLE = "/hire note Jane Doe: expects an offer by Friday"


async def notes_(reply: CommandReply, name: str) -> None:
    """`/hire notes <name>`: the candidate's notes, whole, latest first."""
    card = await _one_candidate(
        reply,
        name,
        missing="Whose? Example: `/hire notes Jane Doe`.",
        action=note_blocks.OPEN_NOTES,
    )
    if card is not None:
        await actions.show_notes(reply, card.candidate.id or 0)


async def history(reply: CommandReply, name: str) -> None:
    """`/hire history <name>`: every move and change of the candidate, latest first."""
    card = await _one_candidate(
        reply,
        name,
        missing="Whose? Example: `/hire history Jane Doe`.",
        action=cards.OPEN_HISTORY,
    )
    if card is not None:
        await actions.show_history(reply, card.candidate.id or 0)


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
        log.warning("export to %s failed: %s", user_id, refusal(error))
    except UNREACHABLE as error:
        log.warning("export to %s failed: %s", user_id, error.__class__.__name__)


async def export(reply: CommandReply, query: str) -> None:
    """A CSV of the candidates the person may see, sent to their DM with the app."""
    deps, user_id = reply.deps, reply.user_id
    now = deps.clock.now()
    rows = await exports.rows_for(deps.db, viewer_id=user_id, role_query=query, now=now)
    if not rows:
        scope = f" in roles matching “{esc(query)}”" if query else ""
        await reply.tell(
            f"You have no candidates to export{scope}. Export shows the candidates "
            "of the roles you hire for and those you interview."
        )
        return
    await reply.tell(f"Sending you a CSV of {plural(len(rows), 'candidate')} in our DM.")
    deps.background.run(_named_export(reply, rows, query, now), name="export")


async def _named_export(
    reply: CommandReply, rows: list[exports.ExportRow], query: str, now: datetime
) -> None:
    """After the answer: the people in the file asked of Slack, so the file names them
    (a spreadsheet shows no mentions), and the rows built again with those names."""
    deps, user_id = reply.deps, reply.user_id
    people = frozenset().union(*(row.people for row in rows))
    names = await full_names(reply.client, people) if people else {}
    if names:
        rows = await exports.rows_for(
            deps.db,
            viewer_id=user_id,
            role_query=query,
            now=now,
            name_of=lambda who: names.get(who, who),
        )
    await _send_export(
        reply.client,
        user_id,
        exports.csv_bytes(rows),
        import_blocks.export_comment(len(rows), query),
        f"loopkeeper-candidates-{now:%Y-%m-%d}.csv",
    )


async def interviews(reply: CommandReply, query: str) -> None:
    """`/hire interviews [role]`: the team's interviews to come."""
    await _interviews_from(reply, query, 0)


@on_click
async def interviews_page(reply: Reply, action: dict[str, Any]) -> None:
    """Earlier / Next under the list: the same question again, read afresh, from another
    interview on; the list is replaced in place."""
    start, _, query = str(action.get("value") or "").partition(":")
    if not start.isdigit():
        await reply.tell("That button is out of date; ask again with `/hire interviews`.")
        return
    await _interviews_from(reply, query, int(start))


async def _interviews_from(reply: CommandReply | Reply, query: str, start: int) -> None:
    """Whether an interview falls on an interviewer's day away goes by the date where
    they are: Slack is asked for those it could, within the time a form's check waits."""
    now = reply.deps.clock.now()
    ahead = await reply.unless_refused(
        schedule_reads.interviews_ahead(
            reply.deps.db, user_id=reply.user_id, role_query=query, now=now
        )
    )
    if ahead is None:
        return
    zones = await _zones_of_the_away(reply.client, ahead.seats, ahead.days_away)
    listed = schedule_reads.by_interview(ahead, zones or {})
    answer = schedule_blocks.interviews_message(
        ahead, listed, zones_known=zones is not None, start=start
    )
    if isinstance(reply, Reply):
        await reply.replace(*answer)
    else:
        await reply.show(*answer)


# Every word bot.domain.grammar.parse can return as `sub`, and what answers it.
SUBCOMMANDS: dict[str, Callable[[CommandReply, str], Awaitable[None]]] = {
    "help": help_,
    "status": status,
    "add": add,
    "move": move,
    "schedule": schedule,
    "feedback": feedback_list,
    "offer": offer,
    "pipeline": pipeline,
    "role": role,
    "admin": admin,
    "export": export,
    "edit": edit,
    "erase": erasure.erase,
    "export-person": erasure.export_person,
    "holidays": holidays,
    "away": away,
    "interviews": interviews,
    "note": note,
    "notes": notes_,
    "history": history,
    "deadline": deadline,
}


def register(app: AsyncApp) -> None:
    app.command("/hire")(hire)
    app.action(re.compile(rf"^{schedule_blocks.PAGE}_(earlier|next)$"))(interviews_page)
    erasure.register(app)  # its Choose buttons and confirmation modal
