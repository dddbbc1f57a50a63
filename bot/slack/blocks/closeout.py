"""Reject the rest…: the form that lets a closed role's remaining candidates go, and
what the person and the role's channel hear when it is done."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.domain.limits import MAX_NOTE
from bot.slack.blocks.common import (
    context,
    esc,
    form_modal,
    line_sections,
    plural,
    section,
    user,
)
from bot.slack.blocks.edits import RoleMetadata
from bot.store.tables import Candidate
from bot.usecases.closeout import Rest, RestRejected

OPEN_REJECT_REST = "role_reject_rest_open"  # on a closed role's buttons: value, its id
REJECT_REST = "role_reject_rest"
DEFAULT_REASON = "The role is filled."
# Sections of names (about 90 each): inside a modal's 100 blocks and a message's 50,
# beside the rest of what they say. Past a thousand or so, /hire export lists them.
MODAL_LIST_SECTIONS = 40
MESSAGE_LIST_SECTIONS = 12


def reject_rest_modal(rest: Rest) -> View:
    count = len(rest.to_reject)
    blocks: list[Block] = [
        section(
            f"*{plural(count, 'candidate')}* left in *{esc(rest.role.title)}* will be "
            "moved to rejected, each with this reason in their history:"
        ),
    ]
    if rest.in_offer:  # before the list, which a long pipeline makes long
        blocks.append(
            context(
                f"Left as they are, in offer: {esc(', '.join(c.name for c in rest.in_offer))}. "
                f"{_closed_by_answers(rest.in_offer)}"
            )
        )
    blocks += [
        # Everyone, however many: a name left out of the list is someone let go unseen.
        *line_sections(_names(rest.to_reject), room=MODAL_LIST_SECTIONS, more=_more),
        context(
            "Their interviews still to come are cancelled and the interviewers told; "
            "their clocks stop. The candidates themselves hear nothing from Loopkeeper."
        ),
    ]
    blocks.append(
        InputBlock(
            block_id="reason",
            label="Reason",
            hint="Kept in each candidate's history, and told to the role's channel.",
            element=PlainTextInputElement(
                action_id="value", initial_value=DEFAULT_REASON, max_length=MAX_NOTE
            ),
        )
    )
    return form_modal(
        REJECT_REST,
        "Reject the rest",
        f"Reject {plural(count, 'candidate')}"[:24],
        blocks,
        metadata=RoleMetadata(rest.role.id or 0, rest.stamp).encode(),
    )


def _more(n: int) -> str:
    return f"…and {n:,} more: `/hire export` lists every candidate of the role."


def _closed_by_answers(in_offer: Sequence[Candidate]) -> str:
    if len(in_offer) == 1:
        return "Their offer's answer (or a move) closes it."
    return "Their offers' answers (or a move) close them."


def _names(people: Sequence[Candidate]) -> list[str]:
    return [f"• {esc(c.name)} ({c.stage})" for c in people]


def rest_rejected_message(done: RestRejected) -> tuple[str, list[Block]]:
    """For the person who let them go: who was, what was cancelled, who was not."""
    role = esc(done.role.title)
    count = plural(len(done.moved), "candidate")
    text = f"Rejected {count} left in {role}."
    lines = [f"• {esc(g.moved.card.candidate.name)} (from {g.from_stage})" for g in done.moved]
    blocks: list[Block] = (
        [
            section(f":wave: Rejected *{count}* left in *{role}*:"),
            *line_sections(lines, room=MESSAGE_LIST_SECTIONS, more=_more),
            context(f"Reason: {esc(done.reason)}"),
        ]
        if done.moved
        else [section(f"Nobody left in *{role}* was rejected by you: nothing was left to do.")]
    )
    if not done.moved:
        text = f"Nothing left to reject in {role}."
    called_off = sum(len(g.moved.called_off) for g in done.moved)
    if called_off:
        blocks.append(
            section(
                f"{plural(called_off, 'interview')} still to come "
                f"{'is' if called_off == 1 else 'are'} cancelled, and the interviewers told."
            )
        )
    if done.skipped:
        meanwhile = [
            f"• {esc(s.name)}: {s.stage}" + (f", by {user(s.actor_id)}" if s.actor_id else "")
            for s in done.skipped
        ]
        blocks.append(section("Moved meanwhile by someone else, so left as they are:"))
        blocks += line_sections(meanwhile, room=MESSAGE_LIST_SECTIONS, more=_more)
    if done.in_offer:
        names = esc(", ".join(c.name for c in done.in_offer))
        blocks.append(section(f"Still in offer: {names}. {_closed_by_answers(done.in_offer)}"))
    if done.failed:
        text = f"Rejecting the rest of {role} stopped half-way."
        blocks.insert(
            0,
            section(
                f":warning: Something went wrong after {count}; the others are as they were. "
                "Use *Reject the rest…* again to finish."
            ),
        )
    return text, blocks


def rest_rejected_post(done: RestRejected, *, actor_id: str) -> tuple[str, list[Block]]:
    """For the role's channel: how many were let go, and by whom; no names."""
    count = plural(len(done.moved), "candidate")
    text = f"{count} left in {esc(done.role.title)} rejected."
    return text, [
        section(f":wave: {user(actor_id)} rejected the {count} left in *{esc(done.role.title)}*."),
        context(f"Reason: {esc(done.reason)}"),
    ]
