"""Candidate views: the add and move modals, the status card, and the choice list."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    EmailInputElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.links import is_address, with_scheme
from bot.domain.stages import NEEDS_REASON, PATH, SCHEDULABLE, Stage, next_stage, targets
from bot.domain.zones import in_utc
from bot.readmodels.status import ClockSummary
from bot.slack.blocks.common import (
    clip,
    context,
    duration,
    esc,
    form_modal,
    header_facts,
    line_sections,
    localized,
    note_markup,
    note_mention,
    section,
    typed,
    user,
    users,
    when,
)
from bot.slack.blocks.deadlines import deadline_lines, moved_suffix, offer_line
from bot.slack.blocks.edits import OPEN_EDIT_CANDIDATE
from bot.slack.blocks.notes import OPEN_NOTE
from bot.slack.metadata import MoveMetadata
from bot.store.tables import Candidate, Change, Role, StageEvent
from bot.usecases.candidates import Added, CandidateCard, Found, Moved
from bot.usecases.deadlines import DeadlineSet

ADD_CANDIDATE = "candidate_add"
MOVE_CANDIDATE = "candidate_move"

# Action ids of buttons, handled in handlers/actions.py.
OPEN_STATUS = "status_open"
# An Open status button's value is the candidate's id; with this after it, the card
# opens under the list the button is on rather than in its place (a list people work
# through, one card after another).
BESIDE = "beside"


def card_button(
    candidate_id: int | None, *, key: int | None, text: str = "Open card", beside: bool = False
) -> ButtonElement:
    """The button that shows a candidate's card (handlers/actions.py: open_status). `key`
    makes its action id unique in a message that lists several (Slack refuses two alike);
    `beside`: under the list it is on, rather than in its place."""
    return ButtonElement(
        text=text,
        action_id=f"{OPEN_STATUS}_{key}",
        value=f"{candidate_id}:{BESIDE}" if beside else str(candidate_id),
    )


OPEN_MOVE = "move_open"
ADVANCE = "move_advance"
OPEN_OFFER = "offer_open"  # the offer form (bot.slack.blocks.offers)
OPEN_SCHEDULE = "schedule_open"
OPEN_DEADLINE = "deadline_open"

MAX_ROLE_OPTIONS = 100  # Slack's limit on options in one select


# Add -------------------------------------------------------------------------------


def _role_option(role: Role) -> Option:
    return Option(value=str(role.id), text=clip(role.title, 75))


def add_candidate_modal(*, roles: Sequence[Role], name: str = "") -> View:
    """The add form; its metadata an empty object, which the command that opens it adds
    where it was typed to (handlers.replies.with_typed_in)."""
    options = [_role_option(r) for r in roles[:MAX_ROLE_OPTIONS]]
    role_select = StaticSelectElement(
        action_id="value",
        placeholder="Pick a role",
        options=options,
        initial_option=options[0] if len(options) == 1 else None,
    )
    blocks: list[Block] = [
        InputBlock(
            block_id="name",
            label="Name",
            element=PlainTextInputElement(
                action_id="value",
                placeholder="e.g. Jane Doe",
                initial_value=clip(name, 150) or None,
                max_length=150,
            ),
        ),
        InputBlock(block_id="role", label="Role", element=role_select),
        InputBlock(
            block_id="email",
            label="Email",
            optional=True,
            element=EmailInputElement(action_id="value", placeholder="jane@example.com"),
        ),
        InputBlock(
            block_id="links",
            label="Links",
            optional=True,
            hint="CV, LinkedIn, GitHub: one per line.",
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
        ),
    ]
    return form_modal(
        ADD_CANDIDATE,
        "Add a candidate",
        "Add",
        blocks,
        metadata="{}",
    )


# Move ------------------------------------------------------------------------------


def _stage_option(stage: Stage) -> Option:
    return Option(value=stage.value, text=stage.label)


def move_modal(
    card: CandidateCard, *, preselect: Stage | None = None, reason: str = "", origin: str = ""
) -> View:
    stage = card.stage
    options = [_stage_option(s) for s in targets(stage)]
    chosen = preselect if preselect in targets(stage) else None
    initial = _stage_option(chosen) if chosen else None
    blocks: list[Block] = [
        section(f"*{esc(card.candidate.name)}* · {esc(card.role.title)}\nNow in *{stage.value}*."),
        InputBlock(
            block_id="stage",
            label="Move to",
            element=StaticSelectElement(
                action_id="value",
                placeholder="Pick a stage",
                options=options,
                initial_option=initial,
            ),
        ),
        # Slack marks an optional input "(optional)": opened to reject (the card's Reject),
        # the reason is required, as the move is.
        InputBlock(
            block_id="reason",
            label="Reason",
            optional=not (chosen and reason_needed(chosen)),
            hint="Needed for rejected or withdrawn. Kept in the candidate's history.",
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                max_length=3000,
                initial_value=reason or None,
            ),
        ),
    ]
    rejecting = chosen == Stage.REJECTED
    return form_modal(
        MOVE_CANDIDATE,
        "Reject candidate" if rejecting else "Move candidate",
        "Reject" if rejecting else "Move",
        blocks,
        metadata=MoveMetadata(card.candidate.id or 0, stage, origin).encode(),
    )


# Status -----------------------------------------------------------------------------


def _event_line(event: StageEvent) -> str:
    if event.from_stage is not None and event.from_stage == event.to_stage and event.detail:
        # A note, not a move (readmodels.pipelines.is_note): what happened, by whom, and why.
        # The detail is ours (a note like "take-home graders: added <@U…>"): its mentions
        # show as mentions; the note under it is what a person typed.
        detail = _mentions(esc(event.detail))
        line = f"{when(event.at)}: {detail} by {user(event.actor_id)}"
        if event.note:
            line += f"\n> {typed(clip(event.note, 300))}"
        return "• " + line
    if event.from_stage is None:
        line = f"{when(event.at)}: added in *{event.to_stage}* by {user(event.actor_id)}"
    else:
        line = (
            f"{when(event.at)}: {event.from_stage} → *{event.to_stage}* by {user(event.actor_id)}"
        )
    if event.detail:
        line += f" ({localized(esc(event.detail))})"  # ours: its times in the reader's zone
    if event.note and event.note != "added":
        line += f"\n> {typed(clip(event.note, 300))}"
    return "• " + line


# A mention we wrote into a change's summary, once escaped: shown as a mention again.
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,31})&gt;")


def _mentions(escaped: str) -> str:
    """Text we wrote, once escaped: the mentions in it show as mentions again, and its
    times in each reader's zone."""
    return localized(_MENTION.sub(r"<@\1>", escaped))


HISTORY_LINES = 6


def _change_line(change: Change) -> str:
    """A recorded change: what, when, by whom, and why."""
    summary = _mentions(esc(change.summary))
    # "<@ana> can't make …" says who already: not "… by <@ana>" again.
    by = "" if change.summary.startswith(user(change.actor_id)) else f" by {user(change.actor_id)}"
    line = f"• {when(change.at)}: {summary}{by}"
    if change.reason:
        line += f"\n> {typed(clip(change.reason, 300))}"
    return line


def _history(card: CandidateCard, limit: int = HISTORY_LINES) -> list[str]:
    """Stage events and recorded changes merged, latest first, the latest `limit`."""
    dated = [(e.at, _event_line(e)) for e in card.events]
    dated += [(c.at, _change_line(c)) for c in card.changes]
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [line for _, line in dated[:limit]]


def _more_history(card: CandidateCard) -> bool:
    """Whether the card's history leaves lines out (it reads the latest few of each)."""
    return len(card.events) + len(card.changes) > HISTORY_LINES or len(card.events) >= 5


OPEN_HISTORY = "history_open"  # a name picked from `/hire history`'s list


def history_message(card: CandidateCard) -> tuple[str, list[Block]]:
    """`/hire history <name>`: every move and change, latest first, in as many sections
    as it takes (a message holds 50 blocks; the oldest beyond that are said, not cut)."""
    candidate = card.candidate
    lines = _history(card, limit=len(card.events) + len(card.changes))
    title = f"History of {esc(candidate.name)} ({esc(card.role.title)}), latest first"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(text=f"*{title}*"),
            accessory=card_button(candidate.id, key=candidate.id),
        ),
        *line_sections(
            lines, room=47, limit=3000, more=lambda n: f"…and {n} older lines, not shown here."
        ),
    ]
    if not lines:
        blocks.append(context("Nothing recorded yet."))
    return f"History of {esc(candidate.name)}", blocks


def _whole_items(items: list[str], limit: int) -> str:
    """The items joined, as many whole ones as fit `limit`, then how many more: a link's
    markup cut in half would show as broken text."""
    if len(whole := " · ".join(items)) <= limit:
        return whole
    shown: list[str] = []
    for n, item in enumerate(items):
        more = f"and {len(items) - n} more on the edit form"
        if len(" · ".join([*shown, item, more])) > limit:
            return " · ".join([*shown, more])
        shown.append(item)
    return " · ".join(shown)  # not reached: the whole did not fit


def _link(line: str) -> str:
    """A link of the candidate's, one a click opens (pasted without https://, as people
    do, it would not be); words an import kept as typed stay words."""
    text = line.strip()
    if not is_address(text) or any(c in text for c in "<>|"):
        return esc(text)
    return f"<{esc(with_scheme(text))}|{esc(text)}>"


def status_blocks(
    card: CandidateCard, *, now: datetime, can_move: bool, extra: Sequence[Block] = ()
) -> list[Block]:
    """The card: who, where, how long, history; `extra` (the loop) goes before the buttons."""
    candidate, role = card.candidate, card.role
    stage = card.stage
    in_stage = duration(now - candidate.stage_entered_at)
    blocks: list[Block] = header_facts(
        candidate.name,
        [
            f"*Role*\n{esc(role.title)}",
            f"*Stage*\n{stage.label}" + ("" if stage.is_closed else f" for {in_stage}"),
            f"*Hiring manager*\n{user(role.hiring_manager_id)}",
            f"*Recruiters*\n{users(card.team.recruiter_ids)}",
        ],
    )
    contact = [esc(candidate.email)] if candidate.email else []
    contact += [_link(line) for line in (candidate.links or "").splitlines() if line.strip()]
    if contact:
        blocks.append(context(_whole_items(contact, 2000)))
    history = _history(card)
    if history:
        lines = "\n".join(history)
        whole = (
            f" · all of it: `/hire history {esc(candidate.name)}`" if _more_history(card) else ""
        )
        blocks.append(section(clip(f"*History* (latest first{whole})\n{lines}", 3000)))
    blocks.extend(extra)
    if can_move and not stage.is_closed:
        blocks.append(move_actions(candidate))
    return blocks


def move_actions(candidate: Candidate) -> ActionsBlock:
    stage = Stage(candidate.stage)
    buttons: list[ButtonElement] = []
    upcoming = next_stage(stage)
    if upcoming == Stage.OFFER:
        # An offer is what moves someone to `offer`: its form moves them and starts the
        # offer's clock in one step. (The Move… form still moves without one.)
        buttons.append(
            ButtonElement(
                text="Advance to offer…",
                action_id=OPEN_OFFER,
                value=str(candidate.id),
                style="primary",
            )
        )
    elif upcoming is not None and upcoming in targets(stage):
        buttons.append(
            ButtonElement(
                text=f"Advance to {upcoming.value}",
                action_id=ADVANCE,
                value=f"{candidate.id}:{stage.value}:{upcoming.value}",
                style="primary",
                confirm=ConfirmObject(
                    title="Advance candidate?",
                    text=f"Move {esc(clip(candidate.name, 150))} from {stage.value} to "
                    f"{upcoming.value}?",
                    confirm="Advance",
                    deny="Cancel",
                ),
            )
        )
    if stage in SCHEDULABLE:
        buttons.append(
            ButtonElement(
                text="Schedule interview", action_id=OPEN_SCHEDULE, value=str(candidate.id)
            )
        )
    buttons.append(
        ButtonElement(
            text="Set candidate deadline", action_id=OPEN_DEADLINE, value=str(candidate.id)
        )
    )
    buttons.append(ButtonElement(text="Add note…", action_id=OPEN_NOTE, value=str(candidate.id)))
    buttons.append(ButtonElement(text="Move…", action_id=OPEN_MOVE, value=f"{candidate.id}:"))
    # Name, email, links, or another role: bot/slack/blocks/edits.py.
    buttons.append(
        ButtonElement(text="Edit", action_id=OPEN_EDIT_CANDIDATE, value=str(candidate.id))
    )
    buttons.append(
        ButtonElement(
            text="Reject",
            action_id=f"{OPEN_MOVE}_reject",
            value=f"{candidate.id}:{Stage.REJECTED.value}",
            style="danger",
        )
    )
    return ActionsBlock(block_id=f"move_{candidate.id}", elements=buttons)


def added_note(added: Added) -> str:
    card = added.card
    note = f":white_check_mark: Added {card.candidate.name} to {card.role.title} in sourced."
    if added.same_person:
        others = "; ".join(
            f"{p.name}, {p.role_title} ({p.stage})" for p in added.same_person[:MAX_SAME_SHOWN]
        )
        more = len(added.same_person) - MAX_SAME_SHOWN
        others += f"; and {more} more" if more > 0 else ""
        note += (
            f" On file already, by email or name: {others}. If that is the same person, "
            "their earlier history is on that card."
        )
    return note


MAX_SAME_SHOWN = 3


def moved_note(moved: Moved) -> str:
    card = moved.card
    return (
        f":arrow_right: {card.candidate.name} is now in {card.candidate.stage}."
        + called_off_note(moved)
    )


def called_off_note(moved: Moved) -> str:
    """What a move out of the process did to the interviews still to come, if any."""
    off = len(moved.called_off)
    if not off:
        return ""
    which = (
        "Their interview still to come is"
        if off == 1
        else f"Their {off} interviews still to come are"
    )
    return f" {which} cancelled, and the interviewers told."


def stale_note(card: CandidateCard) -> str:
    """A click on a stage the candidate has left: who moved them first, and when (the
    card's latest move), so "nothing changed" does not read as the click failing."""
    latest = card.latest_move
    by = (
        f" by {note_mention(latest.actor_id)} ({in_utc(latest.at)})"
        if latest is not None and latest.to_stage == card.candidate.stage
        else ""
    )
    return (
        f":information_source: {card.candidate.name} was already moved to "
        f"{card.candidate.stage}{by}; nothing changed."
    )


def status_message(
    card: CandidateCard,
    *,
    now: datetime,
    can_move: bool,
    extra: Sequence[Block] = (),
    note: str | None = None,
) -> tuple[str, list[Block]]:
    """The status card, optionally under a one-line note (what just happened)."""
    if note:
        text = note_markup(note.split(" ", 1)[1] if note.startswith(":") else note)
        head: list[Block] = [section(note_markup(note)), DividerBlock()]
    else:
        text = f"{esc(card.candidate.name)}: {esc(card.role.title)}, {card.candidate.stage}"
        head = []
    return text, [*head, *status_blocks(card, now=now, can_move=can_move, extra=extra)]


def choices_message(
    query: str, found: Found, *, action: str, then: str = ""
) -> tuple[str, list[Block]]:
    """The candidates a name may mean, a button each, so the asker picks without
    retyping: several match, or the one found is a guess at a typo (found.guessed),
    which nothing acts on unasked. `then`: what else was typed (the button's value after
    the candidate's id, `:stage` and a line of text), so the form it opens has it."""
    asked = esc(clip(query, 100))
    if found.guessed:
        text = f"No candidate is called “{asked}”. " + (
            "Did you mean this one?" if len(found.rows) == 1 else "Did you mean one of these?"
        )
    else:
        text = f"Several candidates match “{asked}”. Which one?"
    blocks: list[Block] = [section(text)]
    for candidate, role in found.rows:
        value = f"{candidate.id}{then}"
        blocks.append(
            SectionBlock(
                text=f"*{esc(candidate.name)}* · {esc(role.title)} · {candidate.stage}",
                accessory=ButtonElement(
                    text="Choose",
                    action_id=f"{action}_{candidate.id}",
                    # Slack takes 2,000 characters: a longer text is typed again.
                    value=value if len(value) <= 2000 else str(candidate.id),
                ),
            )
        )
    if found.more:
        blocks.append(context("More names match: type more of the name to narrow it down."))
    return text, blocks


def guessed_note(query: str, name: str) -> str:
    """Above a card found by a guess at a typo: whose card it is."""
    return (
        f":mag: No candidate is called “{esc(clip(query, 100))}”: this is the closest "
        f"name, {esc(name)}."
    )


def deadline_news(done: DeadlineSet, actor_id: str) -> tuple[str, list[Block]]:
    """To the rest of the hiring team: the candidate's deadline, which every clock of
    theirs now fits before, was set, moved or cleared (with why), as offers' news is."""
    card = done.card
    candidate = card.candidate
    name, title = esc(candidate.name), esc(card.role.title)
    if done.cleared or candidate.deadline_at is None:
        line = (
            f":white_check_mark: <@{actor_id}> cleared {name}'s own deadline ({title}): "
            "their clocks run by the role's settings again."
        )
    else:
        reason = f": {esc(candidate.deadline_reason)}" if candidate.deadline_reason else ""
        was = done.before
        moved = was is not None and was != candidate.deadline_at
        what = f"{name}'s own deadline"
        if moved:
            assert was is not None
            what = f"moved {what} {'earlier' if candidate.deadline_at < was else 'later'}"
        else:
            what = f"set {what}"
        instead = f" (was {when(was)})" if moved and was is not None else ""
        line = (
            f":stopwatch: <@{actor_id}> {what} ({title}): they decide by "
            f"*{when(candidate.deadline_at)}*{instead}{reason}. Their clocks now fit before it."
        )
    line += offer_line(done, when)
    return line, [
        SectionBlock(
            text=MarkdownTextObject(text=clip(line, 3000)),
            accessory=card_button(candidate.id, key=candidate.id),
        )
    ]


def move_news(
    card: CandidateCard, actor_id: str, *, offer_taken_back: bool
) -> tuple[str, list[Block]]:
    """To those of the hiring team who must act on a move they did not make: an offer
    taken back (rejected, or moved to an earlier stage: the DM that said it went out
    still reads as open), or the hiring manager's move the recruiters act on (a
    rejection or withdrawal they tell the candidate of, a step back or forward)."""
    candidate = card.candidate
    name, title = esc(candidate.name), esc(card.role.title)
    # The move itself: a note-only event at the same moment (the offer it closed) has no
    # reason of the mover's.
    latest = card.latest_move
    why = latest.note if latest is not None and latest.to_stage == candidate.stage else ""
    reason = f"\n> {typed(clip(why, 300))}" if why else ""
    if offer_taken_back:
        line = (
            f":leftwards_arrow_with_hook: <@{actor_id}> moved {name} ({title}) to "
            f"*{candidate.stage}*: their offer is taken back, and no longer awaits "
            f"their answer.{reason}"
        )
        text = f"{name}'s offer is taken back"
    elif candidate.stage == Stage.REJECTED:
        line = f":no_entry_sign: <@{actor_id}> rejected {name} ({title}).{reason}"
        text = f"{name} was rejected"
    elif candidate.stage == Stage.WITHDRAWN:
        line = f":wave: <@{actor_id}> marked {name} ({title}) as *withdrawn*.{reason}"
        text = f"{name} withdrew"
    else:
        was = latest.from_stage if latest is not None else None
        back = was in PATH and PATH.index(Stage(was)) > PATH.index(card.stage)
        line = (
            f":arrow_right: <@{actor_id}> moved {name} ({title})"
            + (f" {'back ' if back else ''}from {was}" if was else "")
            + f" to *{candidate.stage}*.{reason}"
        )
        text = f"{name} moved to {candidate.stage}"
    return text, [
        SectionBlock(
            text=MarkdownTextObject(text=clip(line, 3000)),
            accessory=card_button(candidate.id, key=candidate.id),
        )
    ]


def not_found_message(query: str, command: str = "status") -> str:
    # Same words whether the name does not exist or the asker may not see it; the example
    # is of the command that was asked (`/hire edit Jane` after `/hire edit …`).
    return (
        f"I couldn't find a candidate called “{esc(clip(query, 100))}” among those you can see. "
        f"Check the spelling, or try part of the name, e.g. `/hire {command} Jane`."
    )


def reason_needed(stage: Stage) -> bool:
    return stage in NEEDS_REASON


def clock_blocks(
    summary: ClockSummary,
    *,
    now: datetime,
    shown_apart: frozenset[str] = frozenset(),
    for_team: bool = True,
) -> list[Block]:
    """The candidate's own deadline, if any; loop day x of 7; and each running deadline
    with its time left, but for the clocks `shown_apart` (the offer's, in its section, or
    kept from an interviewer); not `for_team`, the deadline's date only (deadline_lines)."""
    lines = deadline_lines(summary, now=now, for_team=for_team)
    if summary.loop_day is not None:
        day, of = summary.loop_day, summary.loop_days
        if any(d.clock == "loop" and d.moved_from is not None for d in summary.deadlines):
            # "of 7" would promise days their own deadline took away: the loop's line below
            # says when it ends now.
            lines.append(f"*Loop day {day}* (of {of}, cut short by their deadline)")
        elif day > of and any(d.clock == "loop" and d.at > now for d in summary.deadlines):
            # Snoozed past its days: "day 8 of 7" beside time left reads as a contradiction.
            lines.append(f"*Loop day {day}* (of {of}, given more time: see below)")
        else:
            lines.append(f"*Loop day {day} of {of}*")
    for deadline in summary.deadlines:
        if deadline.clock in shown_apart:
            continue
        if deadline.at <= now:
            lines.append(
                f":rotating_light: {deadline.what}: was due {when(deadline.at)}, "
                f"overdue by {duration(now - deadline.at)}{moved_suffix(deadline.moved_from)}"
            )
        else:
            lines.append(
                f":hourglass_flowing_sand: {deadline.what} by {when(deadline.at)} "
                f"({duration(deadline.at - now)} left){moved_suffix(deadline.moved_from)}"
            )
    return [section("\n".join(lines))] if lines else []
