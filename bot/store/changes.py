"""The change record: who changed what on a role, a candidate or an interview, and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, bindparam, func
from sqlalchemy import select as select_rows
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.limits import MAX_NOTE
from bot.store.chunks import in_chunks
from bot.store.prepared import Prepared, objects
from bot.store.tables import Change, table_of


async def record_change(
    session: AsyncSession,
    *,
    actor_id: str,
    kind: str,
    summary: str,
    now: datetime,
    role_id: int | None = None,
    candidate_id: int | None = None,
    interview_id: int | None = None,
    reason: str = "",
) -> Change:
    """Append one change; part of the caller's transaction, so it lands with the change."""
    change = Change(
        at=now,
        actor_id=actor_id,
        role_id=role_id,
        candidate_id=candidate_id,
        interview_id=interview_id,
        kind=kind,
        summary=summary[:1000],
        reason=reason[:MAX_NOTE],
    )
    session.add(change)
    await session.flush()
    return change


async def changes_of_candidate(
    session: AsyncSession, *, candidate_id: int, limit: int = 50
) -> list[Change]:
    """The candidate's changes (and their interviews'), latest first."""
    found: list[Change] = await objects(
        session, CHANGES_OF_CANDIDATE, Change, {"candidate_id": candidate_id, "limit": limit}
    )
    return found


# On the driver (bot.store.prepared): every status card reads it.
_CHANGE_T = table_of(Change)
CHANGES_OF_CANDIDATE = Prepared(
    select_rows(_CHANGE_T)
    .where(_CHANGE_T.c.candidate_id == bindparam("candidate_id"))
    .order_by(_CHANGE_T.c.at.desc(), _CHANGE_T.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)


# Someone on the hiring team reminded an interviewer of a scorecard (the digest's Nudge
# interviewers): kept so that a second press, theirs or a teammate's, does not send it
# again (bot.usecases.feedback.nudge), and shown in the candidate's history.
NUDGE_KIND = "scorecard_nudged"
# A snooze of a clock (its pause is in clock_pause): the history says who gave the time.
SNOOZE_KIND = "clock_snoozed"


async def nudges_since(
    session: AsyncSession, *, candidate_id: int, since: datetime
) -> list[Change]:
    """The candidate's nudges recorded after `since`, latest first."""
    result = await session.exec(
        select(Change)
        .where(
            Change.candidate_id == candidate_id,
            Change.kind == NUDGE_KIND,
            col(Change.at) > since,
        )
        .order_by(col(Change.at).desc(), col(Change.id).desc())
    )
    return list(result.all())


# A note someone on the hiring team wrote on a candidate (bot.usecases.notes): a change
# record of its own kind, its text in `reason`, so history, erasure and export take it.
NOTE_KIND = "candidate_note"
NOTE_DELETED_KIND = "candidate_note_deleted"  # its author took it back; the text is gone
NOTE_KINDS = frozenset({NOTE_KIND, NOTE_DELETED_KIND})  # the hiring team's only
NOTE_SUMMARY = "note"
# What an erasure leaves of a change's words, a note's text included (store.erasure).
ERASED_SUMMARY = "(erased)"
NOTE_EDITED_SUMMARY = "note (edited)"  # its author changed its text since


async def notes_of_candidate(
    session: AsyncSession, *, candidate_id: int, limit: int = 50, offset: int = 0
) -> list[Change]:
    """The candidate's notes, latest first, from the `offset`-th."""
    result = await session.exec(
        select(Change)
        .where(Change.candidate_id == candidate_id, Change.kind == NOTE_KIND)
        .order_by(col(Change.at).desc(), col(Change.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(result.all())


async def notes_of_many(session: AsyncSession, *, candidate_ids: Sequence[int]) -> list[Change]:
    """The candidates' notes, latest first (an export's)."""
    out: list[Change] = []
    for ids in in_chunks(candidate_ids):
        result = await session.exec(
            select(Change)
            .where(
                col(Change.candidate_id).in_(ids),
                Change.kind == NOTE_KIND,
            )
            .order_by(col(Change.at).desc(), col(Change.id).desc())
        )
        out += list(result.all())
    return out


async def note_count(session: AsyncSession, *, candidate_id: int) -> int:
    result = await session.exec(
        select(func.count())
        .select_from(Change)
        .where(Change.candidate_id == candidate_id, Change.kind == NOTE_KIND)
    )
    return int(result.one())


async def changes_of_role(session: AsyncSession, *, role_id: int, limit: int = 50) -> list[Change]:
    """Changes to the role itself (not to its candidates), latest first."""
    result = await session.exec(
        select(Change)
        .where(Change.role_id == role_id, col(Change.candidate_id).is_(None))
        .order_by(col(Change.at).desc(), col(Change.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def change_by_id(session: AsyncSession, *, change_id: int) -> Change | None:
    """The change as stored now (not as the session read it before a lock)."""
    result = await session.exec(
        select(Change).where(Change.id == change_id).execution_options(populate_existing=True)
    )
    return result.first()


async def edit_note(session: AsyncSession, *, note: Change, text: str) -> None:
    """Its author's new text for a note. It keeps its place and time in the history,
    which says it was edited."""
    note.summary, note.reason = NOTE_EDITED_SUMMARY, text
    session.add(note)
    await session.flush()


async def take_back_note(session: AsyncSession, *, note: Change, now: datetime) -> None:
    """A note its author took back: the same row says a note was deleted, and when, with
    its text gone for good. (Deleting the row would free its id, which SQLite hands to
    the next row, and a second click on the old Delete would find that one.)"""
    note.kind, note.summary, note.reason, note.at = NOTE_DELETED_KIND, "note deleted", "", now
    session.add(note)
    await session.flush()
