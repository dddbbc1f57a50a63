"""Notes on a candidate: the form that adds one, and `/hire notes <name>`."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.slack.blocks.common import clip, context, esc, form_modal, section, user, when
from bot.slack.metadata import CandidateMetadata
from bot.usecases.candidates import CandidateCard
from bot.usecases.notes import MAX_NOTE_TEXT, Notes

OPEN_NOTE = "note_open"  # Add note… on the card, and a name picked from a list
ADD_NOTE = "candidate_note"


def note_modal(card: CandidateCard) -> View:
    candidate = card.candidate
    return form_modal(
        ADD_NOTE,
        "Add a note",
        "Add note",
        [
            section(f"*{esc(candidate.name)}* · {esc(card.role.title)} · now in {candidate.stage}"),
            InputBlock(
                block_id="note",
                label="Note",
                hint="Kept in the candidate's history with your name. Only the role's "
                "recruiters and hiring manager read notes; interviewers never see them.",
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=MAX_NOTE_TEXT,
                    placeholder="Spoke on the phone: expects an offer by Friday.",
                ),
            ),
        ],
        metadata=CandidateMetadata(candidate.id or 0).encode(),
    )


def note_added(card: CandidateCard) -> str:
    return f":memo: Your note is in {card.candidate.name}'s history."


def notes_message(found: Notes) -> tuple[str, list[Block]]:
    """`/hire notes <name>`: the latest notes whole, latest first."""
    name = found.card.candidate.name
    if not found.notes:
        text = f"No notes on {name} yet."
        return esc(text), [
            section(esc(text)),
            context(
                f"Add one: `/hire note {esc(name)}: <what to remember>`, or *Add note…* "
                "on the card."
            ),
        ]
    text = f"Notes on {name}, latest first."
    blocks: list[Block] = [section(f"*Notes on {esc(name)}* · {esc(found.card.role.title)}")]
    for note in found.notes:
        head = f"*{when(note.at)}* · {user(note.actor_id)}"
        blocks.append(section(clip(f"{head}\n{esc(note.reason)}", 3000)))
    tail = "Only the role's recruiters and hiring manager see these."
    if found.more:
        tail = f"The latest {len(found.notes)} are shown; older ones are kept. " + tail
    blocks.append(context(tail))
    return esc(text), blocks
