"""Notes on a candidate: what the hiring team wants to remember about them (a call, what
they expect, who referred them), kept with who wrote it and when. Only the hiring team
reads them: an interviewer's feedback stays independent of what the team thinks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot import store
from bot.domain import access
from bot.domain.limits import MAX_CANDIDATE_NOTE, required_text
from bot.store.changes import NOTE_DELETED_KIND, NOTE_KIND, NOTE_SUMMARY
from bot.store.engine import Database
from bot.store.tables import Change
from bot.usecases.candidates import CandidateCard, allowed_card, card_in
from bot.usecases.errors import NOT_FOUND, FormErrors, NotAllowed

MAX_NOTE_TEXT = MAX_CANDIDATE_NOTE  # under a change record's reason and a section's 3000
# `/hire notes`: a page of the latest, each note a section and, for its author, a row of
# buttons, in a message of at most 50 blocks.
SHOWN_NOTES = 20
TEAM_ONLY = "Only the role's hiring team (its recruiters and hiring manager) keeps notes."
ERASED = (
    "This candidate's personal data was erased, so no note can be added or changed: "
    "nothing personal may come back. Nothing was saved."
)


def note_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not read or write this candidate's notes, or None. A closed
    candidate takes notes too: why they were let go is worth keeping."""
    return None if access.can_see_candidates(user_id, card.team) else TEAM_ONLY


def write_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not add or edit a note on this candidate, or None: as reading,
    and never on a candidate whose personal data was erased, or a note would bring it
    back (a name, a phone number) where nothing erases it again."""
    refusal = note_refusal(card, user_id)
    if refusal is None and card.candidate.erased_at is not None:
        return ERASED
    return refusal


def check_note(text: str) -> tuple[str, dict[str, str]]:
    return required_text(
        text,
        field="note",
        limit=MAX_NOTE_TEXT,
        missing="Write the note, e.g. Spoke on the phone: expects an offer by Friday.",
    )


async def add_note(
    db: Database, *, actor_id: str, candidate_id: int, text: str, now: datetime
) -> CandidateCard:
    """The note goes into the candidate's history; FormErrors (on `note`) for an empty or
    too long one, NotAllowed for someone not on the team. The card comes back with it."""
    note, errors = check_note(text)
    if errors:
        raise FormErrors(errors)
    async with db.transaction() as session:
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=write_refusal
        )
        await store.changes.record_change(
            session,
            actor_id=actor_id,
            kind=NOTE_KIND,
            summary=NOTE_SUMMARY,
            now=now,
            role_id=card.role.id,
            candidate_id=candidate_id,
            reason=note,
        )
        updated = await card_in(session, user_id=actor_id, candidate_id=candidate_id)
    assert updated is not None
    return updated


@dataclass(frozen=True)
class Notes:
    """A page of a candidate's notes, latest first: the `start`-th to the
    `start + len(notes)`-th."""

    card: CandidateCard
    notes: list[Change]
    start: int
    more: bool  # older ones exist past these

    @property
    def newer(self) -> bool:
        return self.start > 0


async def notes_of(db: Database, *, viewer_id: str, candidate_id: int, start: int = 0) -> Notes:
    """A page of the candidate's notes for the hiring team (the last page when `start` is
    past the end: notes deleted since the page was shown); NotAllowed for anyone else."""
    async with db.reader() as session:
        card = await allowed_card(
            session, user_id=viewer_id, candidate_id=candidate_id, refusal=note_refusal
        )
        return await _page(session, card, start=start)


async def _page(session: store.AsyncSession, card: CandidateCard, *, start: int) -> Notes:
    candidate_id = card.candidate.id or 0
    start = max(0, start)
    found = await store.changes.notes_of_candidate(
        session, candidate_id=candidate_id, limit=SHOWN_NOTES + 1, offset=start
    )
    if not found and start > 0:
        count = await store.changes.note_count(session, candidate_id=candidate_id)
        start = max(0, (count - 1) // SHOWN_NOTES * SHOWN_NOTES)
        found = await store.changes.notes_of_candidate(
            session, candidate_id=candidate_id, limit=SHOWN_NOTES + 1, offset=start
        )
    return Notes(card, found[:SHOWN_NOTES], start, len(found) > SHOWN_NOTES)


GONE = "That note was deleted already."
NOT_YOUR_NOTE = "Only whoever wrote a note changes or deletes it."
CHANGED_MEANWHILE = (
    "This note was edited since you opened it (in another window). Close this form and "
    "open it again to edit the latest."
)
UNCHANGED = "The note reads the same: change its text, or close the form."


def stamp(note: Change) -> str:
    """A short fingerprint of the text an edit form shows: an edit is refused if the note
    no longer has it."""
    return hashlib.sha256(note.reason.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class NoteToEdit:
    card: CandidateCard
    note: Change


async def note_to_edit(db: Database, *, actor_id: str, note_id: int) -> NoteToEdit:
    """The note its author is about to edit; NotAllowed for anyone else, or a note gone."""
    async with db.reader() as session:
        own = await _own_note(session, actor_id=actor_id, note_id=note_id)
    if own.note.kind == NOTE_DELETED_KIND:
        raise NotAllowed(GONE)
    if own.card.candidate.erased_at is not None:
        raise NotAllowed(ERASED)
    return own


async def _own_note(
    session: store.AsyncSession, *, actor_id: str, note_id: int, lock: bool = False
) -> NoteToEdit:
    """The note, if `actor_id` wrote it and is still on the hiring team (deleted or not);
    NotAllowed otherwise. `lock`: under the candidate's lock, read again."""
    note = await store.changes.change_by_id(session, change_id=note_id)
    if note is None or note.kind not in (NOTE_KIND, NOTE_DELETED_KIND):
        raise NotAllowed(NOT_FOUND)
    candidate_id = note.candidate_id
    assert candidate_id is not None
    if lock:  # one change to the candidate at a time
        await store.lock_candidate(session, candidate_id=candidate_id)
        note = await store.changes.change_by_id(session, change_id=note_id)
        assert note is not None  # notes are never removed, only taken back
    card = await allowed_card(
        session, user_id=actor_id, candidate_id=candidate_id, refusal=note_refusal
    )
    if note.actor_id != actor_id:
        raise NotAllowed(NOT_YOUR_NOTE)
    return NoteToEdit(card, note)


async def edit_note(
    db: Database, *, actor_id: str, note_id: int, text: str, seen: str
) -> CandidateCard:
    """Its author's new text for a note, which keeps its place in the history. FormErrors
    (on `note`) for bad text, the same text, or a note edited or deleted since the form
    opened; NotAllowed for anyone but its author. The card comes back with it."""
    text, errors = check_note(text)
    if errors:
        raise FormErrors(errors)
    async with db.transaction() as session:
        own = await _own_note(session, actor_id=actor_id, note_id=note_id, lock=True)
        if own.note.kind == NOTE_DELETED_KIND:
            raise FormErrors({"note": GONE})
        if own.card.candidate.erased_at is not None:
            raise FormErrors({"note": ERASED})
        if stamp(own.note) != seen:
            raise FormErrors({"note": CHANGED_MEANWHILE})
        if own.note.reason == text:
            raise FormErrors({"note": UNCHANGED})
        await store.changes.edit_note(session, note=own.note, text=text)
        updated = await card_in(session, user_id=actor_id, candidate_id=own.card.candidate.id or 0)
    assert updated is not None
    return updated


async def delete_note(db: Database, *, actor_id: str, note_id: int, now: datetime) -> Notes:
    """Its author takes a note back: its text goes for good, and the history says a note
    was deleted, and by whom. NotAllowed for anyone else, or a note gone already. The
    candidate's notes come back as they are now."""
    async with db.transaction() as session:
        own = await _own_note(session, actor_id=actor_id, note_id=note_id, lock=True)
        if own.note.kind == NOTE_DELETED_KIND:
            raise NotAllowed(GONE)  # a double click, or a second list's Delete
        await store.changes.take_back_note(session, note=own.note, now=now)
        return await _page(session, own.card, start=0)
