"""Notes on a candidate: what the hiring team wants to remember about them (a call, what
they expect, who referred them), kept with who wrote it and when. Only the hiring team
reads them: an interviewer's feedback stays independent of what the team thinks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import store
from bot.domain import access
from bot.store.changes import NOTE_DELETED_KIND, NOTE_KIND
from bot.store.engine import Database
from bot.store.tables import Change
from bot.usecases.candidates import CandidateCard, allowed_card, card_in
from bot.usecases.errors import NOT_FOUND, FormErrors, NotAllowed

MAX_NOTE_TEXT = 2000  # under a change record's reason (MAX_NOTE) and a section's 3000
SHOWN_NOTES = 40  # `/hire notes`: the latest, each a section of a message of 50 blocks
TEAM_ONLY = "Only the role's hiring team (its recruiters and hiring manager) keeps notes."


def note_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not read or write this candidate's notes, or None. A closed
    candidate takes notes too: why they were let go is worth keeping."""
    return None if access.can_see_candidates(user_id, card.team) else TEAM_ONLY


def check_note(text: str) -> tuple[str, dict[str, str]]:
    note = text.strip()
    if not note:
        return "", {"note": "Write the note, e.g. Spoke on the phone: expects an offer by Friday."}
    if len(note) > MAX_NOTE_TEXT:
        return "", {"note": f"Keep a note under {MAX_NOTE_TEXT} characters."}
    return note, {}


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
            session, user_id=actor_id, candidate_id=candidate_id, refusal=note_refusal
        )
        await store.changes.record_change(
            session,
            actor_id=actor_id,
            kind=NOTE_KIND,
            summary="note",
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
    card: CandidateCard
    notes: list[Change]  # latest first, at most SHOWN_NOTES
    more: bool  # older ones exist past those


async def notes_of(db: Database, *, viewer_id: str, candidate_id: int) -> Notes:
    """The candidate's notes for the hiring team; NotAllowed for anyone else."""
    async with db.reader() as session:
        card = await allowed_card(
            session, user_id=viewer_id, candidate_id=candidate_id, refusal=note_refusal
        )
        found = await store.changes.notes_of_candidate(
            session, candidate_id=candidate_id, limit=SHOWN_NOTES + 1
        )
    return Notes(card, found[:SHOWN_NOTES], len(found) > SHOWN_NOTES)


GONE = "That note was deleted already."
NOT_YOUR_NOTE = "Only whoever wrote a note deletes it."


async def delete_note(db: Database, *, actor_id: str, note_id: int, now: datetime) -> Notes:
    """Its author takes a note back: its text goes for good, and the history says a note
    was deleted, and by whom. NotAllowed for anyone else, or a note gone already. The
    candidate's notes come back as they are now."""
    async with db.transaction() as session:
        note = await store.changes.change_by_id(session, change_id=note_id)
        if note is None or note.kind not in (NOTE_KIND, NOTE_DELETED_KIND):
            raise NotAllowed(NOT_FOUND)
        assert note.candidate_id is not None
        candidate_id = note.candidate_id
        await store.lock_candidate(session, candidate_id=candidate_id)  # one change at a time
        note = await store.changes.change_by_id(session, change_id=note_id)  # under the lock
        assert note is not None  # notes are never removed, only taken back
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=note_refusal
        )
        if note.actor_id != actor_id:
            raise NotAllowed(NOT_YOUR_NOTE)
        if note.kind == NOTE_DELETED_KIND:
            raise NotAllowed(GONE)  # a double click, or a second list's Delete
        await store.changes.take_back_note(session, note=note, now=now)
        found = await store.changes.notes_of_candidate(
            session, candidate_id=candidate_id, limit=SHOWN_NOTES + 1
        )
    return Notes(card, found[:SHOWN_NOTES], len(found) > SHOWN_NOTES)
