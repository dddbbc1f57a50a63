"""Each refusal is decided once: the function a button or command asks before opening a
form is the one the use case asks again when the form comes back, word for word. Also
the small use cases listeners call instead of opening sessions: admin deliveries, event
receipts and nudges."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.stages import Stage
from bot.runtime.timesource import ManualClock
from bot.store.engine import Database
from bot.usecases import admin, candidates, deadlines, feedback, offers, receipts
from bot.usecases.candidates import CandidateCard, Refusal
from bot.usecases.errors import NOT_FOUND, NotAllowed
from tests.cases import jane, move
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER

pytestmark = pytest.mark.both_databases


async def moved(db: Database, clock: ManualClock, card: CandidateCard, to: Stage) -> CandidateCard:
    return await move(
        db, card.candidate.id or 0, card.stage, to, now=clock.now(), reason="took another offer"
    )


async def opening_refusal(db: Database, user_id: str, card: CandidateCard, rule: Refusal) -> str:
    with pytest.raises(NotAllowed) as refused:
        await candidates.form_card(
            db, user_id=user_id, candidate_id=card.candidate.id or 0, refusal=rule
        )
    return str(refused.value)


async def test_scheduling_is_refused_in_the_same_words_when_opened_and_submitted(
    db: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    card = await moved(db, clock, card, Stage.OFFER)
    on_open = await opening_refusal(db, RECRUITER, card, feedback.schedule_refusal)
    form = feedback.NewInterview("phone", [HM], clock.now() + timedelta(days=1), None)
    with pytest.raises(NotAllowed) as on_submit:
        await feedback.schedule(
            db, actor_id=RECRUITER, candidate_id=card.candidate.id or 0, form=form, now=clock.now()
        )
    assert on_open == str(on_submit.value) == "Jane Doe is in offer: interviews are over for them."


async def test_an_offer_is_refused_in_the_same_words_when_opened_and_submitted(
    db: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    card = await moved(db, clock, card, Stage.REJECTED)
    for person, words in [
        (HM, "Jane Doe is in rejected: no new offer can go out."),
        (OUTSIDER, NOT_FOUND),
    ]:
        on_open = await opening_refusal(db, person, card, offers.offer_refusal)
        with pytest.raises(NotAllowed) as on_submit:
            await offers.extend(
                db,
                actor_id=person,
                candidate_id=card.candidate.id or 0,
                terms="L5",
                expires_at=clock.now() + timedelta(days=2),
                now=clock.now(),
            )
        assert on_open == str(on_submit.value) == words


async def test_a_deadline_is_refused_in_the_same_words_when_opened_and_submitted(
    db: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    card = await moved(db, clock, card, Stage.WITHDRAWN)
    on_open = await opening_refusal(db, RECRUITER, card, deadlines.deadline_refusal)
    form = deadlines.DeadlineForm(at=clock.now() + timedelta(days=3), reason="competing offer")
    with pytest.raises(NotAllowed) as on_submit:
        await deadlines.set_deadline(
            db, actor_id=RECRUITER, candidate_id=card.candidate.id or 0, form=form, now=clock.now()
        )
    assert on_open == str(on_submit.value)
    assert on_open == "Jane Doe is withdrawn, which is final; nothing changed."


async def test_the_move_form_does_not_open_for_a_closed_candidate(
    db: Database, clock: ManualClock
) -> None:
    _, card = await jane(db, clock)
    assert await opening_refusal(db, OUTSIDER, card, candidates.move_form_refusal) == NOT_FOUND
    card = await moved(db, clock, card, Stage.REJECTED)
    on_open = await opening_refusal(db, HM, card, candidates.move_form_refusal)
    assert on_open == "Jane Doe is rejected, which is final."


async def test_only_admins_list_failed_deliveries(db: Database, clock: ManualClock) -> None:
    assert admin.admin_refusal(RECRUITER, {ADMIN}) == admin.ADMINS_ONLY
    await admin.seed_admins(db, user_ids={ADMIN}, now=clock.now())
    with pytest.raises(NotAllowed, match="for Loopkeeper admins"):
        await admin.failed_deliveries(db, user_id=RECRUITER)
    failed = await admin.failed_deliveries(db, user_id=ADMIN)
    assert failed == admin.FailedDeliveries([], [])


async def test_an_event_is_answered_once(db: Database, clock: ManualClock) -> None:
    assert await receipts.first_delivery(db, event_id="Ev0001", now=clock.now())
    assert not await receipts.first_delivery(db, event_id="Ev0001", now=clock.now())
    # Nothing to tell the retries of an event without an id by: each is answered.
    event_ids: tuple[object, ...] = (None, "", 42)
    for event_id in event_ids:
        assert await receipts.first_delivery(db, event_id=event_id, now=clock.now())


async def test_only_the_hiring_team_nudges(db: Database, clock: ManualClock) -> None:
    _, card = await jane(db, clock)
    candidate_id = card.candidate.id or 0
    with pytest.raises(NotAllowed) as refused:
        await feedback.nudge(db, actor_id=OUTSIDER, candidate_id=candidate_id, now=clock.now())
    assert str(refused.value) == NOT_FOUND
    nudge = await feedback.nudge(db, actor_id=HM, candidate_id=candidate_id, now=clock.now())
    assert nudge.card.candidate.name == "Jane Doe"
    assert nudge.waiting == []  # no interviews yet: nobody to remind
