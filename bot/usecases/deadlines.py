"""The candidate's own deadline, Slack-free: set, change or clear it, recorded in the
candidate's history. The clocks it compresses are worked out in bot.domain.clocks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import store
from bot.domain import access, clocks
from bot.domain.limits import too_long
from bot.domain.stages import SCHEDULABLE, Stage
from bot.domain.zones import in_utc
from bot.store.engine import Database
from bot.store.tables import Candidate
from bot.usecases.candidates import CandidateCard, allowed_card, card_in
from bot.usecases.errors import FormErrors, FutureWords, future_problem
from bot.usecases.interviews import Changed, as_now

MAX_REASON = 200  # candidate.deadline_reason's column
MAX_AHEAD = timedelta(days=180)  # further out, no clock of ours is near it
NOT_YOURS = "Only the role's recruiters and hiring manager set a candidate's deadline."
DEADLINE_WORDS = FutureWords(
    missing="Pick when the candidate decides.",
    past="That time has passed. Pick when the candidate decides.",
    too_far="That is more than 180 days ahead. Pick a nearer date.",
)


@dataclass(frozen=True)
class DeadlineForm:
    at: datetime | None
    reason: str
    clear: bool = False
    # deadlines.stamp of the candidate the form was opened on ("": not known, taken).
    seen: str = ""


def stamp(candidate: Candidate) -> str:
    """A short mark of the deadline as a form shows it: its time and its reason."""
    at = candidate.deadline_at.isoformat() if candidate.deadline_at else "-"
    raw = f"{at}|{candidate.deadline_reason or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


CHANGED_MEANWHILE = (
    "Someone changed this deadline while the form was open; nothing was saved. Close the "
    "form and open it again to see it as it is now."
)


@dataclass(frozen=True)
class DueMoved:
    """An interviewer whose scorecard is now due at another time: a candidate's deadline
    brings scorecards earlier (clocks.scorecard_limit), and clearing it gives their time
    back."""

    interview_id: int
    interviewer_id: str
    starts_at: datetime  # of the interview, to say which one
    due: datetime
    was: datetime


@dataclass(frozen=True)
class DeadlineSet:
    card: CandidateCard
    cleared: bool
    moved: tuple[DueMoved, ...] = ()
    # The interviews of `moved`, as they are now: their kits give the due time too.
    interviews: tuple[Changed, ...] = ()
    # An offer expired at the old deadline that the new one (or none) opens again: when
    # it expires now.
    offer_reopened: datetime | None = None
    # An offer that stays expired (it ran out at its own time, not at the deadline): when
    # it expired, so the answer says the deadline alone did not open it.
    offer_expired: datetime | None = None
    # False when it changed nothing: cleared already, or set to the date it had.
    changed: bool = True
    # The deadline before this change (None: there was none).
    before: datetime | None = None


def deadline_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not set this candidate's deadline, or None: asked when the form
    opens and again when it is saved. A hired, rejected or withdrawn candidate has no
    clocks left to compress."""
    if not access.can_move_candidates(user_id, card.team):
        return NOT_YOURS
    if card.stage.is_closed:
        return f"{card.candidate.name} is {card.stage.value}, which is final; nothing changed."
    return None


def check_deadline(form: DeadlineForm, *, now: datetime) -> dict[str, str]:
    """Field errors of the form; clearing needs no time, and its reason is optional."""
    errors: dict[str, str] = {}
    reason = form.reason.strip()
    if problem := too_long("reason", reason, MAX_REASON):
        errors["reason"] = problem
    if form.clear:
        return errors
    if not reason:
        errors["reason"] = "Say why in a few words, e.g. competing offer."
    problem = future_problem(form.at, now=now, within=MAX_AHEAD, words=DEADLINE_WORDS)
    if problem:
        errors["deadline"] = problem
    return errors


def _detail(form: DeadlineForm, before: datetime | None) -> str:
    if form.clear or form.at is None:
        return "candidate deadline cleared"
    if before is None:
        return f"candidate deadline set: {in_utc(form.at)}"
    return f"candidate deadline moved: {in_utc(form.at)} instead of {in_utc(before)}"


async def set_deadline(
    db: Database, *, actor_id: str, candidate_id: int, form: DeadlineForm, now: datetime
) -> DeadlineSet:
    """Set, change or clear the deadline; raises NotAllowed or FormErrors. The clocks are
    re-planned from the new facts on the next sweep (store.replan_clocks)."""
    async with db.transaction() as session:
        await store.lock_candidate(session, candidate_id=candidate_id)  # one change at a time
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=deadline_refusal
        )
        if form.seen and form.seen != stamp(card.candidate):
            raise FormErrors({"deadline": CHANGED_MEANWHILE})
        errors = check_deadline(form, now=now)
        if form.clear and form.at is not None and form.at != card.candidate.deadline_at:
            # A new date typed and Clear ticked: which was meant is not ours to guess.
            errors["clear"] = (
                "You ticked Clear and gave a new date. Untick this to move the deadline to "
                "that date, or put the date back to clear it."
            )
        if errors:
            raise FormErrors(errors)
        reason = form.reason.strip() or None
        if form.clear and card.candidate.deadline_at is None:
            # Cleared already (a teammate, a double click).
            return DeadlineSet(card, cleared=True, changed=False)
        same = (form.at, reason) == (card.candidate.deadline_at, card.candidate.deadline_reason)
        if not form.clear and same:
            # Saved as it opened: no history line "moved to X instead of X".
            return DeadlineSet(card, cleared=False, changed=False)
        before, reason_before = card.candidate.deadline_at, card.candidate.deadline_reason
        dues_before = await _dues(session, card, before)
        # The history keeps the why, of a clearing too; but the form opens on the reason
        # the deadline was set for, and a clearing that kept it gave no new one.
        kept = form.clear and reason == card.candidate.deadline_reason
        await store.set_deadline(
            session,
            candidate=card.candidate,
            at=None if form.clear else form.at,
            reason=None if form.clear else reason,  # a cleared deadline keeps no reason
            actor_id=actor_id,
            note="" if kept else reason or "",
            detail=_detail(form, before),
            now=now,
        )
        reopened, expired = await _reopen_offer(session, card, actor_id, before, now)
        await store.replan_clocks(session, candidate_id=candidate_id, now=now)
        dues = await _dues(session, card, None if form.clear else form.at)
        moved = tuple(
            DueMoved(key[0], key[1], starts_at, due, dues_before[key][1])
            for key, (starts_at, due) in dues.items()
            if dues_before[key][1] != due
        )
        interviews = tuple(
            [
                await as_now(session, actor_id=actor_id, interview_id=interview_id)
                for interview_id in sorted({m.interview_id for m in moved})
            ]
        )
        updated = await card_in(session, user_id=actor_id, candidate_id=candidate_id)
        assert updated is not None
        return DeadlineSet(
            updated,
            cleared=form.clear,
            moved=moved,
            interviews=interviews,
            offer_reopened=reopened,
            offer_expired=expired,
            changed=form.clear or before != form.at or reason != reason_before,
            before=before,
        )


async def _reopen_offer(
    session: store.AsyncSession,
    card: CandidateCard,
    actor_id: str,
    before: datetime | None,
    now: datetime,
) -> tuple[datetime | None, datetime | None]:
    """An offer that expired at the candidate's old deadline (`before`) is open again
    when the new one (or none) leaves it time: it was the deadline, not the offer, that
    ran out. One stored as expiring at the deadline itself (the form opens there when
    the deadline comes first) gets back its own time: the role's window from when it was
    made, or, when that has gone by too, until the new deadline (the candidate decides by
    then), or a whole window from now once the deadline is cleared. (Its expiry under
    the new deadline, None), or (None, when it expired) for an expired offer that stays
    so; (None, None) without one."""
    if card.stage != Stage.OFFER:
        return None, None
    offer = await store.open_offer(session, candidate_id=card.candidate.id or 0)
    if offer is None or offer.status != "expired":
        return None, None
    own = offer.expires_at
    if before is not None and own == before:
        window = timedelta(hours=card.role.offer_hours)
        own = max(own, offer.extended_at + window)
        if own <= now:
            own = card.candidate.deadline_at or now + window
    expires = clocks.squeeze(own, card.candidate.deadline_at)
    if expires <= now:
        return None, offer.expires_at
    offer.expires_at = own
    offer.status = "open"
    session.add(
        store.history_note(
            card.candidate.id or 0,
            Stage.OFFER.value,
            actor_id=actor_id,
            detail=f"offer open again: the candidate's deadline moved; expires {in_utc(expires)}",
            now=now,
        )
    )
    return expires, None


async def _dues(
    session: store.AsyncSession, card: CandidateCard, by: datetime | None
) -> dict[tuple[int, str], tuple[datetime, datetime]]:
    """(interview, interviewer) -> (the interview's start, when their scorecard is due)
    under the deadline `by`, for each scorecard still owed. Past decision none is owed:
    scorecards close then (feedback.EDITABLE), so no due time moves."""
    if card.stage not in SCHEDULABLE:
        return {}
    role_clocks = clocks.of_role(card.role)
    candidate_id = card.candidate.id or 0
    pauses = await store.pauses.pauses_of_candidate(session, candidate_id=candidate_id)
    return {
        (interview.id or 0, seat.interviewer_id): (
            interview.starts_at,
            clocks.scorecard_due(
                seat.feedback_due_at,
                by,
                role_clocks,
                interview.ends_at,
                clocks.seat_paused(pauses, interview.id, seat.interviewer_id),
            ),
        )
        for interview, seat in await store.seats_owing(session, candidate_id=candidate_id)
    }
