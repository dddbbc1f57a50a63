"""Notes on a candidate: the form that adds one, and `/hire notes <name>`."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack.blocks.common import clip, context, esc, form_modal, section, user, when
from bot.slack.metadata import CandidateMetadata
from bot.usecases.candidates import CandidateCard
from bot.usecases.notes import MAX_NOTE_TEXT, Notes

OPEN_NOTE = "note_open"  # Add note… on the card, and a name picked from a list
OPEN_NOTES = "notes_open"  # a name picked from `/hire notes`' list
DELETE_NOTE = "note_delete"  # on one's own note in `/hire notes`: value, the note's id
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


def notes_message(found: Notes, viewer_id: str, *, note: str = "") -> tuple[str, list[Block]]:
    """`/hire notes <name>`: the latest notes whole, latest first, the viewer's own with
    Delete; under `note` (what just happened), if any."""
    name = found.card.candidate.name
    blocks: list[Block] = [section(esc(note)), DividerBlock()] if note else []
    if not found.notes:
        text = f"No notes on {name} yet."
        return esc(text), [
            *blocks,
            section(esc(text)),
            context(
                f"Add one: `/hire note {esc(name)}: <what to remember>`, or *Add note…* "
                "on the card."
            ),
        ]
    text = f"Notes on {name}, latest first."
    blocks.append(section(f"*Notes on {esc(name)}* · {esc(found.card.role.title)}"))
    for each in found.notes:
        head = f"*{when(each.at)}* · {user(each.actor_id)}"
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=clip(f"{head}\n{esc(each.reason)}", 3000)),
                accessory=_delete_button(each.id or 0) if each.actor_id == viewer_id else None,
            )
        )
    tail = "Only the role's recruiters and hiring manager see these."
    if found.more:
        tail = f"The latest {len(found.notes)} are shown; older ones are kept. " + tail
    blocks.append(context(tail))
    return esc(text), blocks


def _delete_button(note_id: int) -> ButtonElement:
    return ButtonElement(
        text="Delete",
        action_id=f"{DELETE_NOTE}_{note_id}",  # unique in the list
        value=str(note_id),
        confirm=ConfirmObject(
            title="Delete your note?",
            text="Its text is gone for good; the history keeps that you deleted a note.",
            confirm="Delete",
            deny="Keep it",
        ),
    )


def deleted_note(found: Notes) -> str:
    return f":wastebasket: Your note on {found.card.candidate.name} is deleted."
