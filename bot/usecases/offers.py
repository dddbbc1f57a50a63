"""Offers, Slack-free: extend one, revise it, record the answer, give the candidate more
time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import store
from bot.domain import access
from bot.domain.clocks import (
    CLOCK_OF,
    CLOCK_STAGES,
    Kind,
    candidate_facts,
    deadlines,
    limits,
    of_role,
    squeeze,
)
from bot.domain.declines import Decline
from bot.domain.limits import MAX_NOTE, too_long
from bot.domain.mentions import mention
from bot.domain.stages import Stage, plan_move
from bot.domain.zones import in_utc
from bot.store.engine import Database
from bot.store.tables import Alert, Offer, StageEvent
from bot.usecases.candidates import (
    CalledOff,
    CandidateCard,
    Moved,
    Released,
    allowed_card,
    call_off_ahead,
    card_in,
    owed_feedback,
)
from bot.usecases.errors import NOT_FOUND, FormErrors, FutureWords, NotAllowed, future_problem

MAX_WINDOW = timedelta(days=30)
EXTENSION = timedelta(hours=24)
NOT_YOURS = "Only the role's recruiters and hiring manager handle offers."
EXPIRY_WORDS = FutureWords(
    missing="Pick when the offer expires.",
    past="The offer must expire in the future.",
    too_far="Keep the offer window under 30 days: the best candidates decide fast.",
)
SNOOZABLE = frozenset({"loop", "feedback", "decision", "idle"})
SNOOZED = "snoozed 24h"  # a snooze's pause, told apart from the pauses moves record


# What to do when the candidate's own deadline holds a clock (or the offer) where it is.
MOVE_THEIR_DEADLINE = (
    "If they have more time, move their deadline first (Set candidate deadline on their "
    "card, or /hire deadline)."
)


@dataclass(frozen=True)
class OfferCard:
    card: CandidateCard
    offer: Offer
    # False: this click found the change already made (a double click, a teammate's
    # click on the same message): nothing was changed again.
    changed: bool = True
    revision: str = ""  # what a revision changed, as the history says it
    # An answer closes the candidate: their interviews still to come are off.
    called_off: list[CalledOff] = field(default_factory=list)
    # Extended from decision or before: feedback still owed is closed, and its writers told.
    released: list[Released] = field(default_factory=list)

    @property
    def moved(self) -> Moved:
        return Moved(self.card, self.called_off, self.released)


@dataclass(frozen=True)
class Snoozed:
    """What a Snooze click did: moved the clock, or found it moved already by this
    alert's snooze (`repeated`), by whom and when."""

    card: CandidateCard
    clock: str
    deadline: datetime  # the deadline the alert was about, moved
    repeated: bool
    actor_id: str
    at: datetime
    capped: bool = False  # moved less than 24 h: the candidate's own deadline stops it


def offer_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not extend this candidate an offer, or None: asked when the
    form opens and again when it is submitted. Every open stage but offer itself may
    move to offer (bot.domain.stages)."""
    if not access.can_move_candidates(user_id, card.team):
        return "Only the role's recruiters and hiring manager extend offers."
    if card.stage.is_closed:
        return f"{card.candidate.name} is in {card.stage.value}: no new offer can go out."
    return None


def check_offer(
    terms: str, expires_at: datetime | None, *, now: datetime, card: CandidateCard
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not terms.strip():
        errors["terms"] = "Summarise the offer: title, level, salary, start date."
    elif problem := too_long("summary", terms.strip(), MAX_NOTE):
        errors["terms"] = problem
    problem = future_problem(expires_at, now=now, within=MAX_WINDOW, words=EXPIRY_WORDS)
    if problem or (problem := deadline_passed(card, now)):
        errors["expires"] = problem
    elif (by := card.candidate.deadline_at) is not None and expires_at and expires_at > by:
        # Taken, it would expire at the deadline anyway, while the team is told a later time.
        errors["expires"] = (
            f"{card.candidate.name} decides by {in_utc(by)} (their own deadline): the offer "
            "can't run past it. Pick that time or earlier, or move their deadline first."
        )
    return errors


def deadline_passed(card: CandidateCard, now: datetime) -> str | None:
    """Why no offer of this candidate can be open: their own deadline has passed, and an
    offer expires at it at the latest (its clock is squeezed to it). Saying yes to a
    window that expires at once would tell the team a time nobody gets."""
    by = card.candidate.deadline_at
    if by is None or by > now:
        return None
    return (
        f"{card.candidate.name}'s own deadline ({in_utc(by)}) has passed, and an offer "
        "can't run past it. If they have more time, move or clear their deadline first "
        "(Set candidate deadline on their card, or /hire deadline), then come back to the offer."
    )


def answer_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not record the candidate's answer to an offer, nor give them
    more time, or None."""
    return None if access.can_move_candidates(user_id, card.team) else NOT_YOURS


def snooze_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not snooze this candidate's clocks, or None."""
    if not access.can_move_candidates(user_id, card.team):
        return "Only the role's recruiters and hiring manager can snooze its clocks."
    return None


async def extend(
    db: Database,
    *,
    actor_id: str,
    candidate_id: int,
    terms: str,
    expires_at: datetime | None,
    now: datetime,
) -> OfferCard:
    """Extend an offer: the candidate moves to `offer` and the offer clock starts. One
    already in `offer` without one (imported in that stage) stays there, and the offer
    starts its clock. A candidate whose offer is still open gets no second one: theirs
    is revised (`revise`)."""
    async with db.transaction() as session:
        await store.lock_candidate(session, candidate_id=candidate_id)  # one offer at a time
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=offer_refusal
        )
        errors = check_offer(terms, expires_at, now=now, card=card)
        if errors:
            raise FormErrors(errors)
        if await store.open_offer(session, candidate_id=candidate_id) is not None:
            raise FormErrors({"terms": ALREADY_OPEN.format(name=card.candidate.name)})
        assert expires_at is not None
        offer = Offer(
            candidate_id=candidate_id,
            terms=terms.strip(),
            extended_by=actor_id,
            extended_at=now,
            expires_at=expires_at,
        )
        session.add(offer)
        released = []
        if card.stage == Stage.OFFER:
            session.add(_offer_event(candidate_id, actor_id, "offer extended", now))
        else:
            # Scorecards close as they leave decision (feedback.EDITABLE), as a move does.
            released = await owed_feedback(session, card, now=now)
            await store.move_candidate(
                session,
                candidate=card.candidate,
                move=plan_move(card.stage, Stage.OFFER),  # legal: offer_refusal let it through
                actor_id=actor_id,
                note="offer extended",
                now=now,
            )
        await store.replan_clocks(session, candidate_id=candidate_id, now=now)
        updated = await card_in(session, user_id=actor_id, candidate_id=candidate_id)
        assert updated is not None
        return OfferCard(updated, offer, released=released)


ALREADY_OPEN = (
    "{name} already has an open offer (a teammate extended it while this form was open). "
    "Close this form and open the card: Revise changes that offer."
)
CHANGED_MEANWHILE = (
    "This offer changed while the form was open (revised, or given more time). Close "
    "this form and open it again from the card."
)
UNCHANGED = "That is the offer as it stands: change the summary or when it expires."


def stamp(offer: Offer) -> str:
    """A short fingerprint of what a revision form shows of the offer: its terms and
    expiry. The form carries it, and a revision is refused if the offer no longer has it."""
    seen = f"{offer.terms}\x00{offer.expires_at.isoformat()}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def _offer_event(candidate_id: int, actor_id: str, detail: str, now: datetime) -> StageEvent:
    """A line of the candidate's history for a change to their offer: they stay in offer."""
    return store.history_note(
        candidate_id, Stage.OFFER.value, actor_id=actor_id, detail=detail, now=now
    )


async def offer_form(
    db: Database, *, actor_id: str, candidate_id: int
) -> tuple[CandidateCard, Offer | None]:
    """What `/hire offer` and the offer buttons open for this candidate: the offer still
    awaiting their answer, to revise, or None for a new one (also for one imported in
    `offer`, whose offer starts the clock). Raises NotAllowed with why not."""
    async with db.reader() as session:
        card = await card_in(session, user_id=actor_id, candidate_id=candidate_id)
        if card is None:
            raise NotAllowed(NOT_FOUND)
        offer = None
        if card.stage == Stage.OFFER:
            offer = await store.open_offer(session, candidate_id=candidate_id)
    why = answer_refusal(card, actor_id) if offer else offer_refusal(card, actor_id)
    if why:
        raise NotAllowed(why)
    return card, offer


async def revise(
    db: Database,
    *,
    actor_id: str,
    offer_id: int,
    seen: str,
    terms: str,
    expires_at: datetime | None,
    now: datetime,
) -> OfferCard:
    """New terms or a new expiry for an offer still awaiting an answer (the candidate
    negotiated): an expired one opens again. The clock follows the new expiry, and the
    history says what changed; the summary itself is kept only on the offer (erasure
    removes it there). Raises FormErrors for bad values, a form opened on an offer that
    changed since (`seen`, from `stamp`), or nothing changed."""
    async with db.transaction() as session:
        offer, card = await _open_offer(session, actor_id, offer_id)
        if stamp(offer) != seen:
            raise FormErrors({"terms": CHANGED_MEANWHILE})
        errors = check_offer(terms, expires_at, now=now, card=card)
        if errors:
            raise FormErrors(errors)
        assert expires_at is not None
        terms = terms.strip()
        changes = []
        if terms != offer.terms:
            changes.append("new summary")
        if expires_at != offer.expires_at:
            changes.append(f"expires {in_utc(expires_at)} instead of {in_utc(offer.expires_at)}")
        if not changes:
            raise FormErrors({"terms": UNCHANGED})
        offer.terms, offer.expires_at, offer.status = terms, expires_at, "open"
        revision = "; ".join(changes)
        session.add(_offer_event(offer.candidate_id, actor_id, f"offer revised: {revision}", now))
        await store.replan_clocks(session, candidate_id=offer.candidate_id, now=now)
        updated = await card_in(session, user_id=actor_id, candidate_id=offer.candidate_id)
        assert updated is not None
        return OfferCard(updated, offer, revision=revision)


async def _open_offer(
    session: store.AsyncSession, actor_id: str, offer_id: int
) -> tuple[Offer, CandidateCard]:
    """The offer, read again under its candidate's lock: of two answers clicked at once
    (accepted and declined), the second sees the first's and is told, not left silent."""
    offer = await session.get(Offer, offer_id)
    if offer is None:  # the same words as a candidate one may not see
        raise NotAllowed(NOT_FOUND)
    await store.lock_candidate(session, candidate_id=offer.candidate_id)
    await session.refresh(offer)
    card = await allowed_card(
        session, user_id=actor_id, candidate_id=offer.candidate_id, refusal=answer_refusal
    )
    if offer.status not in ("open", "expired") or card.stage != Stage.OFFER:
        # Two answers at once, or a double click: who answered first, and when, so the
        # one who lost the race is not left thinking their click failed.
        by = (
            f" by {mention(offer.decided_by)} ({in_utc(offer.decided_at)})"
            if offer.decided_by and offer.decided_at
            else ""
        )
        raise NotAllowed(f"That offer was already {offer.status}{by}; nothing changed.")
    return offer, card


async def decide(
    db: Database, *, actor_id: str, offer_id: int, accepted: bool, now: datetime
) -> OfferCard:
    """The candidate answered: accepted → hired; declined → withdrawn, with the reason."""
    async with db.transaction() as session:
        offer, card = await _open_offer(session, actor_id, offer_id)
        target = Stage.HIRED if accepted else Stage.WITHDRAWN
        note = "accepted the offer" if accepted else "declined the offer"
        await store.move_candidate(
            session,
            candidate=card.candidate,
            move=plan_move(Stage.OFFER, target, reason=note),
            actor_id=actor_id,
            note=note,
            now=now,
        )
        offer.status = "accepted" if accepted else "declined"
        offer.decided_at, offer.decided_by = now, actor_id
        called_off = await call_off_ahead(session, card, actor_id=actor_id, now=now)
        await store.replan_clocks(session, candidate_id=offer.candidate_id, now=now)
        updated = await card_in(session, user_id=actor_id, candidate_id=offer.candidate_id)
        assert updated is not None
        return OfferCard(updated, offer, called_off=called_off)


# The history's line for why an offer was declined (its note: the reason and their words).
DECLINE_DETAIL = "why they declined the offer"


async def decline_form(
    db: Database, *, actor_id: str, offer_id: int
) -> tuple[CandidateCard, Offer]:
    """What the form asking why an offer was declined opens on (right after Declined, or
    from its button later): the declined offer and its candidate. Raises NotAllowed with
    why not (not declined, or not theirs to record)."""
    async with db.reader() as session:
        offer = await session.get(Offer, offer_id)
        card = (
            await card_in(session, user_id=actor_id, candidate_id=offer.candidate_id)
            if offer is not None
            else None
        )
    if offer is None or card is None:
        raise NotAllowed(NOT_FOUND)
    if why := answer_refusal(card, actor_id):
        raise NotAllowed(why)
    if offer.status != "declined":
        raise NotAllowed(_not_declined(card, offer))
    return card, offer


async def record_decline(
    db: Database, *, actor_id: str, offer_id: int, decline: Decline, now: datetime
) -> OfferCard:
    """Why a declined offer was declined: kept on the offer (the hiring numbers count it;
    a second answer replaces the first) and as a line of the candidate's history."""
    async with db.transaction() as session:
        offer = await session.get(Offer, offer_id)
        if offer is None:
            raise NotAllowed(NOT_FOUND)
        await store.lock_candidate(session, candidate_id=offer.candidate_id)
        await session.refresh(offer)
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=offer.candidate_id, refusal=answer_refusal
        )
        if offer.status != "declined":
            raise NotAllowed(_not_declined(card, offer))
        offer.decline_reason, offer.decline_details = decline.reason, decline.details or None
        session.add(offer)
        session.add(
            store.history_note(
                offer.candidate_id,
                card.candidate.stage,
                actor_id=actor_id,
                detail=DECLINE_DETAIL,
                note=decline.said,
                now=now,
            )
        )
        updated = await card_in(session, user_id=actor_id, candidate_id=offer.candidate_id)
        assert updated is not None
        return OfferCard(updated, offer)


def _not_declined(card: CandidateCard, offer: Offer) -> str:
    return (
        f"{card.candidate.name}'s offer is {offer.status}, not declined: there is no "
        "decline to say why of; nothing changed."
    )


async def give_more_time(
    db: Database,
    *,
    actor_id: str,
    offer_id: int,
    now: datetime,
    seen_expiry: datetime | None = None,
) -> OfferCard:
    """Extend the window by 24 h (from now if it had expired), recorded as a pause.

    `seen_expiry`: the expiry the clicked button was drawn with. Once per click: if the
    offer no longer expires then, this click's extension was made already (a double
    click, two people on one message), and nothing is added."""
    async with db.transaction() as session:
        offer, card = await _open_offer(session, actor_id, offer_id)
        if seen_expiry is not None and offer.expires_at != seen_expiry:
            return OfferCard(card, offer, changed=False)
        extended = max(offer.expires_at, now) + EXTENSION
        if problem := _capped(card, offer, extended, now):
            raise NotAllowed(problem)
        # No further than their own deadline: what the answer, the card and the history
        # say it runs to is what it runs to, even once that deadline is cleared.
        by = card.candidate.deadline_at
        given = squeeze(extended, by)
        added = given - max(offer.expires_at, now)
        offer.expires_at = given
        offer.status = "open"
        await store.add_pause(
            session,
            candidate_id=offer.candidate_id,
            clock="offer",
            subject="",
            seconds=int(added.total_seconds()),
            actor_id=actor_id,
            reason="offer window extended 24h",
            now=now,
        )
        detail = f"offer window extended 24h: now expires {in_utc(offer.expires_at)}"
        if given < extended:
            detail = (
                f"offer window extended to their own deadline: now expires "
                f"{in_utc(offer.expires_at)}"
            )
        session.add(_offer_event(offer.candidate_id, actor_id, detail, now))
        await store.replan_clocks(session, candidate_id=offer.candidate_id, now=now)
        updated = await card_in(session, user_id=actor_id, candidate_id=offer.candidate_id)
        assert updated is not None
        return OfferCard(updated, offer)


def _capped(card: CandidateCard, offer: Offer, extended: datetime, now: datetime) -> str | None:
    """Why more time would give the candidate none: the offer expires at their own
    deadline at the latest, and it is already there (or passed)."""
    if problem := deadline_passed(card, now):
        return f"{problem} Nothing changed."
    by = card.candidate.deadline_at
    if by is None or squeeze(extended, by) > squeeze(offer.expires_at, by):
        return None
    return (
        f"{card.candidate.name}'s offer already runs to their own deadline ({in_utc(by)}), "
        f"and can't run past it. {MOVE_THEIR_DEADLINE} Nothing changed."
    )


async def snooze(db: Database, *, actor_id: str, alert_id: int, now: datetime) -> Snoozed:
    """Snooze the clock behind an alert for 24 h from now: its deadline moves, and the
    pause is recorded. Once per alert: a clock already snoozed since this alert was
    raised (a second click, or a teammate's click on their copy) is not moved again."""
    async with db.transaction() as session:
        alert = await session.get(Alert, alert_id)
        if alert is None:  # the same words as a candidate one may not see
            raise NotAllowed(NOT_FOUND)
        # Two clicks at once: the second waits here, then finds the first one's pause.
        await store.lock_candidate(session, candidate_id=alert.candidate_id)
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=alert.candidate_id, refusal=snooze_refusal
        )
        clock = CLOCK_OF[Kind(alert.kind)]
        if clock not in SNOOZABLE:
            raise NotAllowed("That clock can't be snoozed; extend the offer instead.")
        if card.stage not in CLOCK_STAGES[clock]:
            raise NotAllowed(
                f"{card.candidate.name} is in {card.stage.value} now: their {clock} clock "
                "has stopped, so there is nothing to snooze. Nothing changed."
            )
        done = await store.pauses.pause_since(
            session,
            candidate_id=alert.candidate_id,
            clock=clock,
            subject=alert.subject,
            since=alert.created_at,
            reason=SNOOZED,
        )
        cap = _snooze_cap(card, clock, alert.deadline)
        if done is not None:
            moved = squeeze(alert.deadline + timedelta(seconds=done.seconds), cap)
            return Snoozed(card, clock, moved, True, done.actor_id, done.at)
        if clock != "feedback":  # a seat's clock is its own, checked by its stage
            await _still_due(session, card, clock, alert)
        # 24 h from now: a deadline already passed moves past now, not just a day later.
        new_deadline = max(alert.deadline, now) + EXTENSION
        if cap is not None and cap <= alert.deadline:
            by = card.candidate.deadline_at
            assert by is not None
            raise NotAllowed(
                f"{card.candidate.name}'s {clock} clock already ends where their own deadline "
                f"({in_utc(by)}) leaves it, so a snooze can't move it. {MOVE_THEIR_DEADLINE} "
                "Nothing changed."
            )
        await store.add_pause(
            session,
            candidate_id=alert.candidate_id,
            clock=clock,
            subject=alert.subject,
            seconds=int((new_deadline - alert.deadline).total_seconds()),
            actor_id=actor_id,
            reason=SNOOZED,
            now=now,
        )
        await store.replan_clocks(session, candidate_id=alert.candidate_id, now=now)
        moved = squeeze(new_deadline, cap)
        # The card's "given more time" says by whom and until when, in the history.
        await store.changes.record_change(
            session,
            actor_id=actor_id,
            kind=store.changes.SNOOZE_KIND,
            summary=f"snoozed the {clock} clock: now due {in_utc(moved)}",
            now=now,
            candidate_id=alert.candidate_id,
        )
        return Snoozed(card, clock, moved, False, actor_id, now, capped=moved < new_deadline)


async def _still_due(
    session: store.AsyncSession, card: CandidateCard, clock: str, alert: Alert
) -> None:
    """NotAllowed unless the clock still runs to the alert's deadline. A move since (back
    to interviewing for one more interview, an offer taken back) may have closed the
    decision window or opened a new one: a snooze of the old deadline would move a
    deadline that no longer exists, or give the new window more than a day."""
    candidate = card.candidate
    pauses = await store.pauses.pauses_of_candidate(session, candidate_id=candidate.id or 0)
    facts = candidate_facts(
        card.stage,
        candidate.stage_entered_at,
        candidate.feedback_complete_at,
        None,  # the offer's clock is never snoozed: extended instead
        pauses,
        candidate_deadline=candidate.deadline_at,
    )
    due = next((d.at for d in deadlines(facts, of_role(card.role)) if d.clock == clock), None)
    if due is None:
        raise NotAllowed(
            f"{candidate.name}'s decision window is not open now: it opens when every "
            "scorecard of the loop is in. Nothing to snooze; nothing changed."
        )
    if due != alert.deadline:
        raise NotAllowed(
            f"That alert is out of date: {candidate.name}'s {clock} deadline has changed "
            f"since, and is now {in_utc(due)}. Nothing changed."
        )


def _snooze_cap(card: CandidateCard, clock: str, deadline: datetime) -> datetime | None:
    """The latest the clock may end under the candidate's own deadline (None: no cap).
    A scorecard's limit is the loop's, but never before its alert's own deadline: one
    for an interview ending late is already due as soon as it can be written up."""
    by = card.candidate.deadline_at
    if by is None:
        return None
    bounds = limits(by, of_role(card.role))
    if clock == "feedback":
        return max(bounds.loop, deadline)
    return bounds.of(clock)
