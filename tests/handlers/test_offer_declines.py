"""Declined…: the offer's answer with why, through the form its button opens, as signed
requests. The race with Accepted is in tests/scheduling/test_sweep.py."""

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


async def offered(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, "Jane Doe")
    await app.settle()


async def the_offer(app: Running) -> Offer:
    async with app.deps.db.reader() as session:
        return (await session.exec(select(Offer))).one()


async def decline_form(app: Running, user: str = RECRUITER) -> tuple[dict[str, Any], str]:
    """The card's Declined… clicked: the form it opened, and the name of the card's
    response_url (the card the form redraws)."""
    card = answer(await app.slack.command("status Jane Doe", user=user))
    opened = app.standin.calls_to("views.open")
    await click(app, card, "Declined…", user=user, answers="card", ephemeral=True)
    assert len(app.standin.calls_to("views.open")) == len(opened) + 1, "no form opened"
    return last_view(app), "response_url:card"


def errors_of(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response_action"] == "errors", body
    return body["errors"]


@pytest.mark.both_databases  # the answer's writes: offer, stage, history, interviews called off
async def test_declined_asks_why_and_records_it_everywhere_the_team_looks(app: Running) -> None:
    await offered(app)
    form, card_url = await decline_form(app)
    # The form asks why, from a short list, with their words beside it; opening it
    # records nothing (Cancel is the old confirmation's "no").
    assert form["callback_id"] == "offer_decline_submit"
    [reason] = [b for b in form["blocks"] if b.get("block_id") == "reason"]
    assert [o["value"] for o in reason["element"]["options"]] == list(REASONS)
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.OFFER

    sent = await app.slack.submit_view(
        form, {"reason": "compensation", "details": "  Asked for 15% more base.  "}, user=RECRUITER
    )
    assert not sent.content, sent.text
    await app.settle()

    jane = await candidate_named(app, "Jane Doe")
    offer = await the_offer(app)
    assert jane.stage == Stage.WITHDRAWN
    assert (offer.status, offer.decline_reason, offer.decline_details) == (
        "declined",
        "compensation",
        "Asked for 15% more base.",
    )
    assert offer.decided_by == RECRUITER
    said = "declined the offer: Compensation: Asked for 15% more base."
    assert (await events_of(app, jane))[-1].note == said
    # The card the button was on is drawn again, spent buttons gone, with what happened.
    [redrawn] = [c.args for c in app.standin.calls if c.method == card_url]
    assert redrawn["replace_original"] is True
    shown = blocks_text(redrawn["blocks"])
    assert "Jane Doe declined the offer and is withdrawn." in shown
    assert "Declined…" not in buttons(redrawn["blocks"])
    assert said in shown  # the card's history
    # The role's channel hears it with why: the team's news.
    [news] = [
        c.args
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == HIRING_CHANNEL and "declined the offer" in c.args["text"]
    ]
    assert news["text"] == "Jane Doe declined the offer for MLOps Engineer."
    assert "Compensation: Asked for 15% more base." in blocks_text(news["blocks"])


async def test_the_decline_form_says_what_is_missing_and_changes_nothing(app: Running) -> None:
    await offered(app)
    form, _ = await decline_form(app)
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
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.OFFER
    offer = await the_offer(app)
    assert (offer.status, offer.decline_reason) == ("open", None)
    assert not [c for c in app.standin.calls[before:] if c.method == "chat.postMessage"]

    # Fixed, the same form goes through; "Another reason" with its words.
    fixed = await app.slack.submit_view(
        form, {"reason": "other", "details": "Moving abroad"}, user=RECRUITER
    )
    assert not fixed.content, fixed.text
    offer = await the_offer(app)
    assert (offer.status, offer.decline_reason, offer.decline_details) == (
        "declined",
        "other",
        "Moving abroad",
    )


async def test_a_decline_without_their_words_is_the_reason_alone(app: Running) -> None:
    await offered(app)
    form, _ = await decline_form(app, user=HM)  # the hiring manager records answers too
    sent = await app.slack.submit_view(form, {"reason": "other_offer"}, user=HM)
    assert not sent.content, sent.text
    jane = await candidate_named(app, "Jane Doe")
    assert (await events_of(app, jane))[-1].note == "declined the offer: Took another offer"
    offer = await the_offer(app)
    assert (offer.decline_reason, offer.decline_details, offer.decided_by) == (
        "other_offer",
        None,
        HM,
    )


async def test_a_decline_form_sent_after_the_offer_was_answered_says_so(app: Running) -> None:
    await offered(app)
    form, card_url = await decline_form(app)
    card = answer(await app.slack.command("status Jane Doe", user=HM))
    await click(app, card, "Accepted", user=HM, ephemeral=True)

    refused = await app.slack.submit_view(form, {"reason": "compensation"}, user=RECRUITER)
    [said] = errors_of(refused).values()
    assert said.startswith(f"That offer was already accepted by User {HM} ("), said
    assert said.endswith("; nothing changed.")
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.HIRED
    assert (await the_offer(app)).decline_reason is None
    assert not [c for c in app.standin.calls if c.method == card_url]  # nothing redrawn

    # A click on a card drawn before the answer no longer opens the form: it says why.
    [told] = await click(app, card, "Declined…", user=RECRUITER)
    assert told.args["text"].startswith(f"That offer was already accepted by <@{HM}> (")


async def test_only_the_hiring_team_sees_declined_and_a_forged_click_is_refused(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe", interviewers=(INTERVIEWER,))
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, "Jane Doe")
    offer = await the_offer(app)
    # The team's card has the button; the interviewer's has no offer section at all.
    assert "Declined…" in buttons(
        answer(await app.slack.command("status Jane Doe", user=RECRUITER))["blocks"]
    )
    assert "Declined…" not in buttons(
        answer(await app.slack.command("status Jane Doe", user=INTERVIEWER))["blocks"]
    )
    opened = len(app.standin.calls_to("views.open"))
    response = await app.slack.action(
        "offer_declined",
        str(offer.id),
        user=INTERVIEWER,
        response_url=app.standin.response_url("forged"),
    )
    assert response.status_code == 200
    await app.settle()
    assert len(app.standin.calls_to("views.open")) == opened
    [refusal] = [c.args for c in app.standin.calls if c.method == "response_url:forged"]
    assert refusal["text"].strip()
    assert (await the_offer(app)).status == "open"


async def test_a_decline_sent_after_its_card_expired_confirms_in_the_dm(app: Running) -> None:
    """Slack lets a card's response_url be used for 30 minutes: a form left open longer
    can't redraw the card it came from, so the card comes in the person's DM instead."""
    await offered(app)
    form, _ = await decline_form(app)
    app.standin.expire_next("card")
    sent = await app.slack.submit_view(form, {"reason": "location"}, user=RECRUITER)
    assert not sent.content, sent.text
    await app.settle()
    [confirmed] = [
        c.args
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == RECRUITER and "is withdrawn" in blocks_text(c.args["blocks"])
    ]
    shown = blocks_text(confirmed["blocks"])
    assert "Jane Doe declined the offer and is withdrawn." in shown
    assert "declined the offer: Location or remote work" in shown


async def test_the_hiring_numbers_count_why_offers_were_declined(app: Running) -> None:
    """Two of three declines were compensation: the pipeline's hiring numbers say so,
    most first."""
    role = await create_role(app)
    for name in ("Ana Ruiz", "Ben Ode", "Cy Park", "Di Lund"):
        await add_candidate(app, name, role=role)
        await app.slack.command(f"move {name} to decision", user=RECRUITER)
        await extend_offer(app, name)
    for name, reason in (("Ana Ruiz", "timing"), ("Ben Ode", "compensation")):
        card = answer(await app.slack.command(f"status {name}", user=RECRUITER))
        await click(app, card, "Declined…", user=RECRUITER)
        sent = await app.slack.submit_view(last_view(app), {"reason": reason}, user=RECRUITER)
        assert not sent.content, sent.text
    card = answer(await app.slack.command("status Cy Park", user=RECRUITER))
    await click(app, card, "Declined…", user=RECRUITER)
    sent = await app.slack.submit_view(
        last_view(app), {"reason": "compensation", "details": "Asked for 20k more"}, user=RECRUITER
    )
    assert not sent.content, sent.text

    pipeline = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert (
        "offers accepted 0% (0 of 3) · declines: compensation 2, timing or personal reasons 1"
        in (pipeline)
    ), pipeline
