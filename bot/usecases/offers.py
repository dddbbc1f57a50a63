"""Offers, Slack-free: extend one, record the answer, give the candidate more time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import store
from bot.domain import access
from bot.domain.clocks import CLOCK_OF, Kind
from bot.domain.stages import IllegalMove, Stage, plan_move
from bot.store.engine import Database
from bot.store.tables import MAX_NOTE, Alert, Offer
from bot.usecases.candidates import CandidateCard, card_in
from bot.usecases.errors import FormErrors, NotAllowed

MAX_WINDOW = timedelta(days=30)
EXTENSION = timedelta(hours=24)
NOT_YOURS = "Only the role's recruiters and hiring manager handle offers."
NOT_FOUND = "I can't find that candidate among the roles you hire for."
SNOOZABLE = frozenset({"loop", "feedback", "decision", "idle"})


@dataclass(frozen=True)
class OfferCard:
    card: CandidateCard
    offer: Offer


def check_offer(terms: str, expires_at: datetime | None, *, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not terms.strip():
        errors["terms"] = "Summarise the offer: title, level, salary, start date."
    elif len(terms.strip()) > MAX_NOTE:
        errors["terms"] = f"Keep the summary under {MAX_NOTE} characters."
    if expires_at is None:
        errors["expires"] = "Pick when the offer expires."
    elif expires_at <= now:
        errors["expires"] = "The offer must expire in the future."
    elif expires_at > now + MAX_WINDOW:
        errors["expires"] = "Keep the offer window under 30 days: the best candidates decide fast."
    return errors


async def _team_card(
    session: store.AsyncSession, actor_id: str, candidate_id: int, refusal: str = NOT_YOURS
) -> CandidateCard:
    found = await card_in(session, user_id=actor_id, candidate_id=candidate_id)
    if found is None:
        raise NotAllowed(NOT_FOUND)
    if not access.can_move_candidates(actor_id, found.team):
        raise NotAllowed(refusal)
    return found


async def extend(
    db: Database,
    *,
    actor_id: str,
    candidate_id: int,
    terms: str,
    expires_at: datetime | None,
    now: datetime,
) -> OfferCard:
    """Extend an offer: the candidate moves to `offer` and the offer clock starts."""
    async with db.transaction() as session:
        found = await _team_card(session, actor_id, candidate_id)
        errors = check_offer(terms, expires_at, now=now)
        try:
            move = plan_move(found.stage, Stage.OFFER)
        except IllegalMove as error:
            errors["terms"] = f"I can't extend an offer: {error}"
        if errors:
            raise FormErrors(errors)
        assert expires_at is not None
        offer = Offer(
            candidate_id=candidate_id,
            terms=terms.strip(),
            extended_by=actor_id,
            extended_at=now,
            expires_at=expires_at,
        )
        session.add(offer)
        await store.move_candidate(
            session,
            candidate=found.candidate,
            move=move,
            actor_id=actor_id,
            note="offer extended",
            now=now,
        )
        await store.touch(session, candidate_id=candidate_id, now=now)
        found = await card_in(session, user_id=actor_id, candidate_id=candidate_id)
        assert found is not None
        return OfferCard(found, offer)


async def _open_offer(
    session: store.AsyncSession, actor_id: str, offer_id: int
) -> tuple[Offer, CandidateCard]:
    offer = await session.get(Offer, offer_id)
    if offer is None:  # the same words as a candidate one may not see
        raise NotAllowed(NOT_FOUND)
    found = await _team_card(session, actor_id, offer.candidate_id)
    if offer.status not in ("open", "expired") or found.stage != Stage.OFFER:
        raise NotAllowed(f"That offer was already {offer.status}; nothing changed.")
    return offer, found


async def decide(
    db: Database, *, actor_id: str, offer_id: int, accepted: bool, now: datetime
) -> OfferCard:
    """The candidate answered: accepted → hired; declined → withdrawn, with the reason."""
    async with db.transaction() as session:
        offer, found = await _open_offer(session, actor_id, offer_id)
        target = Stage.HIRED if accepted else Stage.WITHDRAWN
        note = "accepted the offer" if accepted else "declined the offer"
        await store.move_candidate(
            session,
            candidate=found.candidate,
            move=plan_move(Stage.OFFER, target, reason=note),
            actor_id=actor_id,
            note=note,
            now=now,
        )
        offer.status = "accepted" if accepted else "declined"
        offer.decided_at, offer.decided_by = now, actor_id
        await store.touch(session, candidate_id=offer.candidate_id, now=now)
        updated = await card_in(session, user_id=actor_id, candidate_id=offer.candidate_id)
        assert updated is not None
        return OfferCard(updated, offer)


async def give_more_time(db: Database, *, actor_id: str, offer_id: int, now: datetime) -> OfferCard:
    """Extend the window by 24 h (from now if it had expired), recorded as a pause."""
    async with db.transaction() as session:
        offer, found = await _open_offer(session, actor_id, offer_id)
        offer.expires_at = max(offer.expires_at, now) + EXTENSION
        offer.status = "open"
        await store.add_pause(
            session,
            candidate_id=offer.candidate_id,
            clock="offer",
            subject="",
            seconds=int(EXTENSION.total_seconds()),
            actor_id=actor_id,
            reason="offer window extended 24h",
            now=now,
        )
        await store.touch(session, candidate_id=offer.candidate_id, now=now)
        return OfferCard(found, offer)


async def snooze(
    db: Database, *, actor_id: str, alert_id: int, now: datetime
) -> tuple[CandidateCard, str]:
    """Snooze the clock behind an alert for 24 h from now: its deadline moves, and the
    pause is recorded. Returns the card and the clock's name."""
    async with db.transaction() as session:
        alert = await session.get(Alert, alert_id)
        if alert is None:  # the same words as a candidate one may not see
            raise NotAllowed(NOT_FOUND)
        found = await _team_card(
            session,
            actor_id,
            alert.candidate_id,
            "Only the role's recruiters and hiring manager can snooze its clocks.",
        )
        clock = CLOCK_OF[Kind(alert.kind)]
        if clock not in SNOOZABLE:
            raise NotAllowed("That clock can't be snoozed; extend the offer instead.")
        # 24 h from now: a deadline already passed moves past now, not just a day later.
        new_deadline = max(alert.deadline, now) + EXTENSION
        await store.add_pause(
            session,
            candidate_id=alert.candidate_id,
            clock=clock,
            subject=alert.subject,
            seconds=int((new_deadline - alert.deadline).total_seconds()),
            actor_id=actor_id,
            reason="snoozed 24h",
            now=now,
        )
        await store.touch(session, candidate_id=alert.candidate_id, now=now)
        return found, clock
