"""Retention, a step of the sweep: rejected and withdrawn candidates are erased
RETENTION_DAYS after they closed. A week before, each of the role's recruiters gets one
DM listing theirs; the notice is recorded before it goes, so it goes once, and erasure
waits until a week after it, however late the sweep or however RETENTION_DAYS changed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from bot.scheduling.messenger import Messenger
from bot.slack import notify
from bot.slack.blocks.erasure import erased_kit, retention_notice
from bot.store import erasure as erasure_rows
from bot.store import interviews as interview_rows
from bot.store.engine import Database
from bot.store.tables import Candidate
from bot.usecases import erasure

log = logging.getLogger(__name__)

NOTICE = timedelta(days=7)
# Erasures per sweep: each is a transaction of its own (about 30 ms), and the first
# sweeps over a store with years of closed candidates would otherwise hold the sweep
# (and its alerts) for minutes; 200 held it 6 s in make bench. The rest go in the sweeps
# after, a minute apart: 50,000 in under a day.
ERASE_PER_SWEEP = 50
ACTOR = "retention"  # who the change record names for an erasure nobody clicked


async def run(db: Database, messenger: Messenger, now: datetime, *, days: int) -> None:
    limit = timedelta(days=days)
    await _notify(db, messenger, now, limit)
    await _erase(db, messenger, now, limit)


async def dry_run(db: Database, now: datetime, *, days: int) -> list[str]:
    """What `run` would do at `now`, doing nothing: whom it would notify about which
    candidates, and whom it would erase. Erasure is the one step of a sweep that cannot
    be undone, so an operator trying a sweep sees it before it happens."""
    limit = timedelta(days=days)
    cutoff = _notice_cutoff(now, limit)
    async with db.reader() as session:
        noticed = await erasure_rows.due_for_notice(session, closed_before=cutoff)
        role_ids = sorted({c.role_id for c in noticed})
        recruiters = await erasure_rows.recruiters_of(session, role_ids=role_ids) if noticed else {}
    erased = await _due_for_erasure(db, now, limit)
    lines = [
        f"would tell {person} that {_candidates([c.id or 0 for c in theirs])} will be erased "
        "in a week (retention)"
        for person, theirs in _per_recruiter(noticed, recruiters).items()
    ]
    closed = f"closed over {days} days ago"
    lines += [f"would erase candidate #{i} (retention: {closed})" for i in erased]
    return lines


def _per_recruiter(
    due: list[Candidate], recruiters: dict[int, list[str]]
) -> dict[str, list[Candidate]]:
    """Each recruiter's candidates among `due`: those of the roles they recruit for."""
    theirs: dict[str, list[Candidate]] = {}
    for candidate in due:
        for person in recruiters.get(candidate.role_id, []):
            theirs.setdefault(person, []).append(candidate)
    return theirs


def _candidates(ids: list[int]) -> str:
    return ("candidate " if len(ids) == 1 else "candidates ") + ", ".join(f"#{i}" for i in ids)


def _notice_cutoff(now: datetime, limit: timedelta) -> datetime:
    """Candidates closed before this are due for their notice. A day's worth at once:
    those whose week of notice starts before the end of this UTC day, so a recruiter gets
    at most one notice a day, not one a sweep as each candidate's time comes (erasure
    waits for both the limit and a week from notice)."""
    day_ends = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), UTC)
    return day_ends - limit + NOTICE


async def _due_for_erasure(db: Database, now: datetime, limit: timedelta) -> list[int]:
    async with db.reader() as session:
        return await erasure_rows.due_for_erasure(
            session, closed_before=now - limit, noticed_before=now - NOTICE, limit=ERASE_PER_SWEEP
        )


async def _notify(db: Database, messenger: Messenger, now: datetime, limit: timedelta) -> None:
    async with db.transaction() as session:
        due = await erasure_rows.due_for_notice(session, closed_before=_notice_cutoff(now, limit))
        if not due:
            return
        role_ids = sorted({c.role_id for c in due})
        roles = await erasure_rows.roles_by_id(session, role_ids=role_ids)
        recruiters = await erasure_rows.recruiters_of(session, role_ids=role_ids)
        messages = {
            person: retention_notice(
                [
                    # Never sooner than a week from this notice (see the module's docstring).
                    (c, roles[c.role_id], max(c.stage_entered_at + limit, now + NOTICE))
                    for c in theirs
                ],
                retention_days=limit.days,
            )
            for person, theirs in _per_recruiter(due, recruiters).items()
        }
        await erasure_rows.mark_notified(session, candidate_ids=[c.id or 0 for c in due], now=now)
    for person, (text, blocks) in messages.items():
        failed = await messenger.post(person, text, blocks)
        if failed is not None:
            log.warning("retention notice to %s failed: %s", person, failed[1])


async def _erase(db: Database, messenger: Messenger, now: datetime, limit: timedelta) -> None:
    # One transaction each: one candidate's failure stops no other.
    for candidate_id in await _due_for_erasure(db, now, limit):
        async with db.transaction() as session:
            if await interview_rows.lock_candidate(session, candidate_id=candidate_id) is None:
                continue
            held = await erasure_rows.held_about(session, candidate_id=candidate_id)
            if held is None or erasure.erase_refusal(held.candidate) is not None:
                continue  # erased by an admin meanwhile
            done = await erasure.erase_in(
                session, held=held, actor_id=ACTOR, now=now, at_their_request=False
            )
        log.info("retention erased candidate #%d", candidate_id)
        text, kit = erased_kit(done.name)
        for channel, ts in done.kits:
            await notify.edit(messenger.client, channel, ts, text, kit)
