"""Why an offer was declined: the form that opens as Declined is recorded, and again from
the button under the card, as signed requests. Declined itself (recorded at the click,
and its race with Accepted) is in tests/scheduling/test_sweep.py."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.domain.declines import DETAILS_FOR_OTHER, PICK_ONE, REASONS
from bot.domain.stages import Stage
from bot.store.tables import Offer
from tests.conftest import HIRING_CHANNEL, HM, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    click,
    create_role,
    events_of,
    extend_offer,
    last_view,
    schedule,
)

WHY = "Say why they declined…"


async def offered(app: Running, name: str = "Jane Doe") -> None:
    role = await create_role(app)
    await add_candidate(app, name, role=role)
    await app.slack.command(f"move {name} to decision", user=RECRUITER)
    await extend_offer(app, name)
    await app.settle()


async def the_offer(app: Running) -> Offer:
    async with app.deps.db.reader() as session:
        return (await session.exec(select(Offer))).one()


async def declined(app: Running, name: str = "Jane Doe", user: str = RECRUITER) -> dict[str, Any]:
    """Declined clicked on the card (its dialog confirmed): the card the click left, with
    the form asking why open."""
    card = answer(await app.slack.command(f"status {name}", user=user))
    await click(app, card, "Declined", user=user, answers="card", ephemeral=True, settle=True)
    [*_, redrawn] = [c.args for c in app.standin.calls if c.method == "response_url:card"]
    assert last_view(app)["callback_id"] == "offer_decline_submit"
    return redrawn


def errors_of(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response_action"] == "errors", body
    return body["errors"]


@pytest.mark.both_databases  # the decline's writes, then the reason's under the row lock
async def test_declined_is_recorded_at_once_and_the_form_asks_why(app: Running) -> None:
    await offered(app)
    card = await declined(app)
    # The answer is in before the form is touched: the card says so, with its button.
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.WITHDRAWN
    assert "Jane Doe declined the offer and is withdrawn." in blocks_text(card["blocks"])
    assert WHY in buttons(card["blocks"])
    form = last_view(app)
    [reason] = [b for b in form["blocks"] if b.get("block_id") == "reason"]
    assert [o["value"] for o in reason["element"]["options"]] == list(REASONS)
    assert form["close"]["text"] == "Skip"

    before = len(app.standin.calls)
    sent = await app.slack.submit_view(
        form, {"reason": "compensation", "details": "  Asked for 15% more base.  "}, user=RECRUITER
    )
    assert not sent.content, sent.text
    await app.settle()

    offer = await the_offer(app)
    assert (offer.status, offer.decline_reason, offer.decline_details) == (
        "declined",
        "compensation",
        "Asked for 15% more base.",
    )
    jane = await candidate_named(app, "Jane Doe")
    [*_, withdrawn, why] = await events_of(app, jane)
    assert (withdrawn.to_stage, withdrawn.note) == ("withdrawn", "declined the offer")
    assert (why.from_stage, why.to_stage, why.actor_id) == ("withdrawn", "withdrawn", RECRUITER)
    assert (why.detail, why.note) == (
        "why they declined the offer",
        "Compensation: Asked for 15% more base.",
    )
    # The card the form came from is drawn again, the reason in its history.
    [redrawn] = [c.args for c in app.standin.calls[before:] if c.method == "response_url:card"]
    assert redrawn["replace_original"] is True
    shown = blocks_text(redrawn["blocks"])
    assert "Saved why Jane Doe declined: Compensation: Asked for 15% more base." in shown
    assert "why they declined the offer" in shown
    # The role's channel heard the decline at the click, and now hears why.
    news = [
        c.args
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == HIRING_CHANNEL and "declined the offer" in c.args["text"]
    ]
    assert [n["text"] for n in news] == [
        "Jane Doe declined the offer for MLOps Engineer.",
        "Why Jane Doe declined the offer for MLOps Engineer: Compensation.",
    ]
    assert "Compensation: Asked for 15% more base." in blocks_text(news[1]["blocks"])


async def test_the_form_says_what_is_missing_and_changes_nothing(app: Running) -> None:
    await offered(app)
    await declined(app)
    form = last_view(app)
    before = len(app.standin.calls)

    assert errors_of(await app.slack.submit_view(form, {}, user=RECRUITER)) == {"reason": PICK_ONE}
    # "Another reason" says nothing on its own.
    other = await app.slack.submit_view(form, {"reason": "other", "details": " "}, user=RECRUITER)
    assert errors_of(other) == {"details": DETAILS_FOR_OTHER}
    long = await app.slack.submit_view(
        form, {"reason": "timing", "details": "x" * 501}, user=RECRUITER
    )
    assert errors_of(long) == {"details": "Keep the details to 500 characters at most."}
    # A reason that is not one of the form's (a forged form) is not stored.
    picked = {"type": "static_select", "selected_option": {"value": "went_quiet"}}
    forged = await app.slack.submit_view(
        form, {}, user=RECRUITER, state={"reason": {"value": picked}}
    )
    assert errors_of(forged) == {"reason": PICK_ONE}

    await app.settle()
    offer = await the_offer(app)
    assert (offer.decline_reason, offer.decline_details) == (None, None)
    assert not [c for c in app.standin.calls[before:] if c.method == "chat.postMessage"]

    # Fixed, the same form goes through; "Another reason" with its words.
    fixed = await app.slack.submit_view(
        form, {"reason": "other", "details": "Moving abroad"}, user=RECRUITER
    )
    assert not fixed.content, fixed.text
    offer = await the_offer(app)
    assert (offer.decline_reason, offer.decline_details) == ("other", "Moving abroad")


async def test_skipped_the_button_asks_again_and_a_second_answer_corrects_the_first(
    app: Running,
) -> None:
    await offered(app)
    card = await declined(app)  # the form is skipped: Slack sends nothing
    assert (await the_offer(app)).decline_reason is None

    # The hiring manager answers later, from the button under the card.
    await click(app, card, WHY, user=HM)
    form = last_view(app)
    sent = await app.slack.submit_view(form, {"reason": "other_offer"}, user=HM)
    assert not sent.content, sent.text
    offer = await the_offer(app)
    assert (offer.decline_reason, offer.decline_details) == ("other_offer", None)

    # Opened again, it shows the answer given, to correct.
    await click(app, card, WHY, user=RECRUITER)
    again = last_view(app)
    [reason] = [b for b in again["blocks"] if b.get("block_id") == "reason"]
    assert reason["element"]["initial_option"]["value"] == "other_offer"
    sent = await app.slack.submit_view(
        again, {"reason": "counteroffer", "details": "Their manager matched it"}, user=RECRUITER
    )
    assert not sent.content, sent.text
    offer = await the_offer(app)
    assert (offer.decline_reason, offer.decline_details) == (
        "counteroffer",
        "Their manager matched it",
    )
    jane = await candidate_named(app, "Jane Doe")
    notes = [
        e.note for e in await events_of(app, jane) if e.detail == "why they declined the offer"
    ]
    assert notes == ["Took another offer", "Stayed with their employer: Their manager matched it"]


async def test_only_a_declined_offer_and_only_its_hiring_team(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", interviewers=(INTERVIEWER,))
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, "Jane Doe")
    offer = await the_offer(app)
    opened = len(app.standin.calls_to("views.open"))

    async def why(user: str, name: str) -> str:
        response = await app.slack.action(
            "offer_decline_why",
            str(offer.id),
            user=user,
            response_url=app.standin.response_url(name),
        )
        assert response.status_code == 200
        await app.settle()
        [told] = [c.args for c in app.standin.calls if c.method == f"response_url:{name}"]
        return told["text"]

    # An offer still open has no decline to explain.
    assert "offer is open, not declined" in await why(RECRUITER, "open")
    await declined(app)
    opened = len(app.standin.calls_to("views.open"))
    # The interviewer, who may not record the answer, may not say why either.
    assert (await why(INTERVIEWER, "interviewer")).strip()
    assert len(app.standin.calls_to("views.open")) == opened
    # Nor by a forged form: the recruiter's, sent as the interviewer.
    form = last_view(app)
    forged = await app.slack.submit_view(form, {"reason": "compensation"}, user=INTERVIEWER)
    assert set(errors_of(forged)) == {"reason"}
    assert (await the_offer(app)).decline_reason is None


async def test_a_reason_saved_after_its_card_expired_confirms_in_the_dm(app: Running) -> None:
    """Slack lets a card's response_url be used for 30 minutes: a form sent later can't
    redraw the card it came from, so the card comes in the person's DM instead."""
    await offered(app)
    await declined(app)
    app.standin.expire_next("card")
    sent = await app.slack.submit_view(last_view(app), {"reason": "location"}, user=RECRUITER)
    assert not sent.content, sent.text
    await app.settle()
    [confirmed] = [
        c.args
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == RECRUITER and "Saved why" in blocks_text(c.args["blocks"])
    ]
    assert "Saved why Jane Doe declined: Location or remote work" in blocks_text(
        confirmed["blocks"]
    )


async def test_the_hiring_numbers_count_why_offers_were_declined(app: Running) -> None:
    """Two of three declines were compensation: the pipeline's hiring numbers say so,
    most first; a decline nobody said why of is not in that count."""
    role = await create_role(app)
    for name in ("Ana Ruiz", "Ben Ode", "Cy Park", "Di Lund"):
        await add_candidate(app, name, role=role)
        await app.slack.command(f"move {name} to decision", user=RECRUITER)
        await extend_offer(app, name)
    for name, reason in (("Ana Ruiz", "timing"), ("Ben Ode", "compensation"), ("Cy Park", "")):
        await declined(app, name)
        if reason:
            sent = await app.slack.submit_view(last_view(app), {"reason": reason}, user=RECRUITER)
            assert not sent.content, sent.text
    await declined(app, "Di Lund")
    sent = await app.slack.submit_view(
        last_view(app), {"reason": "compensation", "details": "Asked for 20k more"}, user=RECRUITER
    )
    assert not sent.content, sent.text

    pipeline = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert (
        "offers accepted 0% (0 of 4) · declines: compensation 2, timing or personal reasons 1"
        in pipeline
    ), pipeline
