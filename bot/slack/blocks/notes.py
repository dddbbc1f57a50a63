"""Notes on a candidate: the forms that add and edit one, and `/hire notes <name>`."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack.blocks.common import clip, context, esc, form_modal, section, typed, user, when
from bot.slack.metadata import CandidateMetadata, NoteMetadata
from bot.store.changes import ERASED_SUMMARY, NOTE_EDITED_SUMMARY
from bot.usecases.candidates import CandidateCard
from bot.usecases.notes import MAX_NOTE_TEXT, SHOWN_NOTES, Notes, NoteToEdit, stamp

OPEN_NOTE = "note_open"  # Add note… on the card, and a name picked from a list
OPEN_NOTES = "notes_open"  # a name picked from `/hire notes`' list
DELETE_NOTE = "note_delete"  # on one's own note in `/hire notes`: value, the note's id
OPEN_EDIT_NOTE = "note_edit"  # Edit… beside Delete: value, the note's id
NOTES_PAGE = "notes_page"  # Older / Newer under the list: value "<candidate id>:<first shown>"
ADD_NOTE = "candidate_note"
EDIT_NOTE = "candidate_note_edit"


def note_modal(card: CandidateCard, *, text: str = "") -> View:
    """`text`: what was typed with `/hire note <name>: …` before the name was picked."""
    return form_modal(
        ADD_NOTE,
        "Add a note",
        "Add note",
        [_about(card), _note_input(text)],
        metadata=CandidateMetadata(card.candidate.id or 0).encode(),
    )


def edit_note_modal(found: NoteToEdit, *, origin: str = "") -> View:
    """`origin`: the response_url of the notes list it was opened from (NoteMetadata)."""
    note = found.note
    return form_modal(
        EDIT_NOTE,
        "Edit your note",
        "Save",
        [
            _about(found.card),
            context(f"Written {when(note.at)}. It keeps its place in the history, marked edited."),
            _note_input(note.reason),
        ],
        metadata=NoteMetadata(note.id or 0, stamp(note), origin).encode(),
    )


def _about(card: CandidateCard) -> SectionBlock:
    candidate = card.candidate
    return section(f"*{esc(candidate.name)}* · {esc(card.role.title)} · now in {candidate.stage}")


def _note_input(text: str = "") -> InputBlock:
    return InputBlock(
        block_id="note",
        label="Note",
        hint="Kept in the candidate's history with your name. Only the role's "
        "recruiters and hiring manager read notes; interviewers never see them.",
        element=PlainTextInputElement(
            action_id="value",
            multiline=True,
            max_length=MAX_NOTE_TEXT,
            initial_value=text or None,
            placeholder="Spoke on the phone: expects an offer by Friday.",
        ),
    )


def note_added(card: CandidateCard) -> str:
    return f":memo: Your note is in {card.candidate.name}'s history."


def note_edited(card: CandidateCard) -> str:
    return f":pencil2: Your note on {card.candidate.name} is edited."


def notes_message(found: Notes, viewer_id: str, *, note: str = "") -> tuple[str, list[Block]]:
    """`/hire notes <name>`: a page of the notes whole, latest first, the viewer's own
    with Edit… and Delete; under `note` (what just happened), if any."""
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
        if each.summary == NOTE_EDITED_SUMMARY:
            head += " · edited"
        # An erased candidate's notes keep who and when; their words are gone.
        words = "_(erased)_" if each.summary == ERASED_SUMMARY else typed(each.reason)
        blocks.append(section(clip(f"{head}\n{words}", 3000)))
        if each.actor_id == viewer_id:
            blocks.append(_own_note_actions(each.id or 0, each.reason))
    shown = f"{found.start + 1} to {found.start + len(found.notes)}"
    tail = "Only the role's recruiters and hiring manager see these."
    if found.newer or found.more:
        tail = f"Notes {shown}, latest first. " + tail
    blocks.append(context(tail))
    pages = _page_buttons(found)
    if pages:
        blocks.append(ActionsBlock(elements=pages))
    return esc(text), blocks


def _own_note_actions(note_id: int, words: str) -> ActionsBlock:
    # Action ids carry the note's id: they are unique in the list, as Slack requires.
    return ActionsBlock(
        elements=[
            ButtonElement(
                text="Edit…", action_id=f"{OPEN_EDIT_NOTE}_{note_id}", value=str(note_id)
            ),
            _delete_button(note_id, words),
        ]
    )


def _page_buttons(found: Notes) -> list[ButtonElement]:
    candidate_id = found.card.candidate.id or 0
    buttons = []
    if found.newer:
        newer = max(0, found.start - SHOWN_NOTES)
        buttons.append(
            ButtonElement(
                text="Newer notes",
                action_id=f"{NOTES_PAGE}_newer",
                value=f"{candidate_id}:{newer}",
            )
        )
    if found.more:
        buttons.append(
            ButtonElement(
                text="Older notes",
                action_id=f"{NOTES_PAGE}_older",
                value=f"{candidate_id}:{found.start + SHOWN_NOTES}",
            )
        )
    return buttons


def _delete_button(note_id: int, words: str) -> ButtonElement:
    # The note quoted: from a list of several, "Delete your note?" did not say which.
    quoted = clip(" ".join(words.split()), 120)
    return ButtonElement(
        text="Delete",
        action_id=f"{DELETE_NOTE}_{note_id}",  # unique in the list
        value=str(note_id),
        confirm=ConfirmObject(
            title="Delete your note?",
            text=f"“{esc(quoted)}”: its text is gone for good; the history keeps that you "
            "deleted a note.",
            confirm="Delete",
            deny="Keep it",
        ),
    )


def deleted_note(found: Notes) -> str:
    return f":wastebasket: Your note on {found.card.candidate.name} is deleted."
