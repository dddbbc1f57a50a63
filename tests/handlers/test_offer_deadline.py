"""An offer under the candidate's own deadline, through signed requests: the offer can't
outlast the deadline, so more time, a revision or a new offer past a deadline that has
passed is refused with what to do instead; moving the deadline opens the offer again;
and every answer gives the expiry the candidate actually has."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.domain.zones import in_utc, local
from bot.slack.blocks.common import when
from bot.store.tables import Offer, StageEvent
from tests.conftest import HM, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    click,
    create_role,
    last_view,
    schedule,
)
from tests.scheduling.test_sweep import extend_offer, offered_jane, sweep
from tests.worlds import built_once

# The offer is a locked read-and-write: the writes and clocks run on both
# databases, the wording of refusals on SQLite.


async def card_of(app: Running, user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command("status Jane", user=user))


async def set_deadline(app: Running, values: dict[str, Any]) -> dict[str, Any]:
    await app.slack.command("deadline Jane Doe", user=RECRUITER)
    response = await app.slack.submit_view(last_view(app), values, user=RECRUITER)
    assert not response.content, response.text
    await app.settle()
    return last_card(app)


def last_card(app: Running, user: str = RECRUITER) -> dict[str, Any]:
    """The card a saved form answered with, privately: where the command that opened the
    form was typed (its response_url), else a DM."""
    return [
        c.args
        for c in app.standin.calls
        if c.method == f"response_url:{user}"
        or (c.method == "chat.postMessage" and c.args.get("channel") == user)
    ][-1]


async def offer_now(app: Running) -> Offer:
    async with app.deps.db.reader() as session:
        return (await session.exec(select(Offer))).one()


async def history(app: Running) -> list[str]:
    async with app.deps.db.reader() as session:
        return [e.detail or "" for e in (await session.exec(select(StageEvent))).all()]


def stamp(moment: datetime) -> str:
    return f"<!date^{int(moment.timestamp())}^"


async def expired_at_the_deadline(app: Running, clock) -> tuple[Offer, datetime]:
    """Jane's 72 h offer, squeezed to her own deadline 5 h away, which then passes."""
    await offered_jane(app)
    offer = await extend_offer(app, hours=72)
    decides = clock.now() + timedelta(hours=5)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})
    clock.set(decides + timedelta(minutes=1))
    await sweep(app)
    assert (await offer_now(app)).status == "expired"
    return offer, decides


async def test_more_time_past_a_passed_deadline_is_refused_with_what_to_do(
    app: Running, clock
) -> None:
    offer, decides = await expired_at_the_deadline(app, clock)
    events = await history(app)

    [answered] = await click(app, await card_of(app, HM), "Extend 24h", user=HM)

    told = answered.args
    assert "Jane Doe's own deadline" in told["text"] and "has passed" in told["text"]
    assert stamp(decides) in told["text"], told["text"]  # in the reader's own zone
    assert "move or clear their deadline first" in told["text"]
    assert "Nothing changed." in told["text"]
    kept = await offer_now(app)
    assert (kept.status, kept.expires_at) == ("expired", offer.expires_at)
    assert await history(app) == events


async def test_revise_after_a_passed_deadline_says_so_before_the_form(app: Running, clock) -> None:
    """The revision would be refused on Save: it is said when Revise is pressed (or
    /hire offer typed), and no form opens to be filled in for nothing."""
    _, decides = await expired_at_the_deadline(app, clock)
    opened = len(app.standin.calls_to("views.open"))

    [answered] = await click(app, await card_of(app, HM), "Revise…", user=HM)
    typed = answer(await app.slack.command("offer Jane", user=RECRUITER))

    for said in (answered.args["text"], typed["text"]):
        assert "Jane Doe's own deadline" in said and "has passed" in said, said
        assert stamp(decides) in said and "move or clear their deadline first" in said
    assert len(app.standin.calls_to("views.open")) == opened


@built_once(offered_jane)
async def test_more_time_that_the_deadline_would_swallow_is_refused(app: Running, clock) -> None:
    """The offer already runs to her deadline: a day more on paper is no time for her."""
    offer = await extend_offer(app, hours=72)
    decides = clock.now() + timedelta(hours=30)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})

    [answered] = await click(app, await card_of(app, HM), "Extend 24h", user=HM)

    told = answered.args
    assert "already runs to their own deadline" in told["text"], told["text"]
    assert (await offer_now(app)).expires_at == offer.expires_at


@built_once(offered_jane)
async def test_more_time_up_to_the_deadline_says_the_expiry_she_has(app: Running, clock) -> None:
    """Her offer's own window ran out; her deadline is 10 h away: the extra time stops
    there, and the answer says so rather than "24 hours later"."""
    await extend_offer(app, hours=2)
    decides = clock.now() + timedelta(hours=12)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})
    clock.advance(timedelta(hours=2, minutes=1))
    await sweep(app)
    assert (await offer_now(app)).status == "expired"

    [answered] = await click(app, await card_of(app, HM), "Extend 24h", user=HM)

    shown = blocks_text(answered.args["blocks"])
    # The time alone read as a plain 24 h extension: where it stopped, and why, is said.
    assert f"offer now expires {stamp(decides)}" in shown, shown
    assert f"{in_utc(decides)}>, their own deadline." in shown, shown
    assert (await offer_now(app)).status == "open"
    assert "Offer open*: expires" in blocks_text((await card_of(app))["blocks"])
    # What the answer said is what was recorded, and what stays once the deadline goes:
    # not 24 h past the deadline, appearing silently when it is cleared.
    assert (await offer_now(app)).expires_at == decides
    assert f"offer window extended to their own deadline: now expires {in_utc(decides)}" in (
        await history(app)
    )
    await set_deadline(app, {"clear": ["clear"], "reason": ""})
    assert stamp(decides) in blocks_text((await card_of(app))["blocks"])


@built_once(offered_jane)
async def test_a_revision_past_a_passed_deadline_gets_a_field_error(app: Running, clock) -> None:
    """A form opened while the deadline was ahead, sent once it has passed."""
    offer = await extend_offer(app, hours=72)
    decides = clock.now() + timedelta(hours=5)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})
    await click(app, await card_of(app), "Revise…", user=RECRUITER)
    clock.set(decides + timedelta(minutes=1))
    await sweep(app)

    response = await app.slack.submit_view(
        last_view(app),
        {"terms": "L5, 190k", "expires": clock.now() + timedelta(hours=48)},
        user=RECRUITER,
    )

    body = response.json()
    assert body["response_action"] == "errors"
    assert "own deadline" in body["errors"]["expires"]
    assert "move or clear their deadline first" in body["errors"]["expires"]
    kept = await offer_now(app)
    assert (kept.terms, kept.status) == (offer.terms, "expired")


@built_once(offered_jane)
async def test_a_new_offer_past_a_passed_deadline_gets_a_field_error(app: Running, clock) -> None:
    decides = clock.now() + timedelta(hours=5)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})
    await app.slack.command("offer Jane", user=RECRUITER)  # opened while it was ahead
    clock.set(decides + timedelta(minutes=1))

    response = await app.slack.submit_view(
        last_view(app),
        {"terms": "L5, 180k", "expires": clock.now() + timedelta(hours=48)},
        user=RECRUITER,
    )

    assert "own deadline" in response.json()["errors"]["expires"]
    async with app.deps.db.reader() as session:
        assert (await session.exec(select(Offer))).all() == []


@built_once(offered_jane)
async def test_the_offer_form_opens_at_the_deadline_when_it_comes_first(
    app: Running, clock
) -> None:
    decides = clock.now() + timedelta(hours=20)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})
    # A hint is plain text, shown as written: in the reader's zone, not UTC.
    app.standin.set_user(RECRUITER, tz="Europe/Berlin", tz_offset=3600)

    await app.slack.command("offer Jane", user=RECRUITER)

    [expires] = [b for b in last_view(app)["blocks"] if b.get("block_id") == "expires"]
    assert expires["element"]["initial_date_time"] == int(decides.timestamp())
    assert expires["hint"]["text"] == (
        f"Their own deadline, {local(decides, 'Europe/Berlin')}: the offer can't run past it."
    )


@pytest.mark.both_databases
async def test_moving_the_deadline_opens_the_offer_again(app: Running, clock) -> None:
    """It was her deadline, not the offer, that ran out: once she has longer, the offer
    is open again until the earlier of its own expiry and the new deadline."""
    offer, _ = await expired_at_the_deadline(app, clock)
    later = clock.now() + timedelta(hours=20)

    card = await set_deadline(app, {"deadline": later, "reason": "they gave her a week"})

    assert "Their offer is open again" in blocks_text(card["blocks"])
    assert (await offer_now(app)).status == "open"
    shown = blocks_text((await card_of(app))["blocks"])
    assert f"Offer open*: expires {stamp(later)}" in shown, shown
    assert {"Accepted", "Declined", "Extend 24h"} <= set(buttons((await card_of(app))["blocks"]))
    assert any(d.startswith("offer open again") for d in await history(app))

    # Cleared, the offer runs to its own expiry.
    card = await set_deadline(app, {"clear": ["clear"], "reason": ""})
    shown = blocks_text((await card_of(app))["blocks"])
    assert f"Offer open*: expires {stamp(offer.expires_at)}" in shown, shown


@pytest.mark.both_databases
@built_once(offered_jane)
async def test_an_offer_made_to_the_deadline_opens_again_when_it_is_cleared(
    app: Running, clock
) -> None:
    """Her deadline came first, so the offer form opened at it and the offer was sent as
    it opened: it expired at the deadline. Cleared, the deadline no longer holds it: it
    is open again until the role's window from when it was made (48 h)."""
    decides = clock.now() + timedelta(hours=5)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})
    made = clock.now()
    await app.slack.command("offer Jane", user=RECRUITER)
    view = last_view(app)
    [expires] = [b for b in view["blocks"] if b.get("block_id") == "expires"]
    assert expires["element"]["initial_date_time"] == int(decides.timestamp())
    sent = await app.slack.submit_view(
        view, {"terms": "L5, 180k", "expires": decides}, user=RECRUITER
    )
    assert not sent.content, sent.text
    await app.settle()
    clock.set(decides + timedelta(hours=1))
    await sweep(app)
    assert (await offer_now(app)).status == "expired"

    card = await set_deadline(app, {"clear": ["clear"], "reason": ""})

    assert "Their offer is open again" in blocks_text(card["blocks"])
    offer = await offer_now(app)
    assert offer.status == "open" and offer.expires_at == made + timedelta(hours=48)
    shown = blocks_text((await card_of(app))["blocks"])
    assert f"Offer open*: expires {stamp(made + timedelta(hours=48))}" in shown, shown


@pytest.mark.both_databases
@built_once(offered_jane)
async def test_an_offer_whose_own_window_ran_out_stays_expired_when_the_deadline_moves(
    app: Running, clock
) -> None:
    await extend_offer(app, hours=2)
    clock.advance(timedelta(hours=3))
    await sweep(app)

    card = await set_deadline(app, {"deadline": clock.now() + timedelta(days=3), "reason": "x"})

    assert "open again" not in blocks_text(card["blocks"])
    assert (await offer_now(app)).status == "expired"
    # The answer says so: "the clocks now fit" alone read as if the offer ran again.
    assert "Their offer is still expired (it ran out " in blocks_text(card["blocks"])
    assert "*Extend 24h* or *Revise…* on their card gives it time." in blocks_text(card["blocks"])


@pytest.mark.both_databases
@built_once(offered_jane)
async def test_an_offer_sent_to_her_deadline_opens_to_the_new_one_once_its_window_passed_too(
    app: Running, clock
) -> None:
    """Her deadline was the offer's expiry (the form opens there); it passed, and so did
    the role's 48 h from when the offer was made. The hiring manager moved her deadline
    to next week: the answer said the clocks fit, and the card still said the offer had
    expired. It was her deadline that ran out: the offer runs to the new one."""
    decides = clock.now() + timedelta(hours=5)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})
    await app.slack.command("offer Jane", user=RECRUITER)
    sent = await app.slack.submit_view(
        last_view(app), {"terms": "L5, 180k", "expires": decides}, user=RECRUITER
    )
    assert not sent.content, sent.text
    await app.settle()
    clock.set(decides + timedelta(days=3))  # past the offer's own 48 h as well
    await sweep(app)
    assert (await offer_now(app)).status == "expired"
    later = clock.now() + timedelta(days=3)

    card = await set_deadline(app, {"deadline": later, "reason": "they gave her a week"})

    assert f"Their offer is open again: it expires {when(later)}." in blocks_text(card["blocks"])
    offer = await offer_now(app)
    assert offer.status == "open" and offer.expires_at == later
    shown = blocks_text((await card_of(app))["blocks"])
    assert f"Offer open*: expires {stamp(later)}" in shown, shown


@built_once(offered_jane)
async def test_a_revision_past_the_deadline_ahead_is_refused_and_the_form_opens_at_it(
    app: Running, clock
) -> None:
    """Her offer would expire at her deadline whatever it says: a revision running past
    it is refused on the field (the team would be told a time nobody gets), and the
    form opens on the deadline."""
    offer = await extend_offer(app, hours=24)
    decides = clock.now() + timedelta(hours=20)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})
    before = len(app.standin.calls)

    await click(app, await card_of(app), "Revise…", user=RECRUITER)
    form = last_view(app)
    [expires] = [b for b in form["blocks"] if b.get("block_id") == "expires"]
    assert expires["element"]["initial_date_time"] == int(decides.timestamp())
    # A field error is plain text (no date token works there): her time in the reader's zone.
    app.standin.set_user(RECRUITER, tz="Europe/Berlin", tz_offset=3600)
    refused = await app.slack.submit_view(
        form, {"terms": "L5, 190k", "expires": clock.now() + timedelta(hours=72)}, user=RECRUITER
    )
    error = refused.json()["errors"]["expires"]
    assert error == (
        f"Jane Doe decides by {local(decides, 'Europe/Berlin')} (their own deadline): the "
        "offer can't run past it. Pick that time or earlier, or move their deadline first."
    ), error
    assert (await offer_now(app)).terms == offer.terms

    taken = await app.slack.submit_view(form, {"terms": "L5, 190k"}, user=RECRUITER)
    assert not taken.content, taken.text
    await app.settle()
    [to_hm] = [
        c.args
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["channel"] == HM
    ]
    assert f"Expires {when(decides)}" in blocks_text(to_hm["blocks"])
    assert (await offer_now(app)).expires_at == decides


@pytest.mark.both_databases
async def test_a_deadline_in_offer_with_a_scorecard_never_sent_is_taken(
    app: Running, clock
) -> None:
    """An interviewer never sent their scorecard, and the team went on to an offer: its
    scorecard is closed, so the deadline moves no due time and is saved, as the offer's
    refusals tell the recruiter to do."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane", starts=clock.now() + timedelta(hours=2))
    clock.advance(timedelta(hours=4))  # held; the scorecard never comes
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, hours=72)
    # The offer closed the scorecard never sent: its interviewer hears it is not needed.
    [released] = [
        c.args
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == INTERVIEWER and c.args["text"].startswith("No need to send")
    ]
    assert "is no longer needed" in blocks_text(released["blocks"])
    before = len(app.standin.calls)
    decides = clock.now() + timedelta(hours=20)

    card = await set_deadline(app, {"deadline": decides, "reason": "competing offer"})

    assert (await candidate_named(app, "Jane Doe")).deadline_at == decides
    assert "decides by" in blocks_text(card["blocks"])
    told = [
        c.args["channel"]
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["channel"] not in (RECRUITER, HM)
    ]
    assert told == []  # no interviewer hears of a due time: none is owed


@built_once(offered_jane)
async def test_an_interviewer_s_card_gives_the_deadline_s_date_and_nothing_of_the_offer(
    app: Running, clock
) -> None:
    """Jane, interviewed by Ivan, has an offer and a deadline of her own that moved its
    expiry earlier. Ivan's card gives when she decides, and no more: not the offer's
    expiry, not that the team is at risk of losing her, not what the team should do once
    her date has passed (ask her, move the deadline: the offer can't run past it)."""
    await app.slack.command("move Jane Doe to interviewing", user=RECRUITER)
    await schedule(app, "Jane", starts=clock.now() - timedelta(hours=3))
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, hours=72)
    decides = clock.now() + timedelta(hours=5)
    await set_deadline(app, {"deadline": decides, "reason": "exploding offer"})

    team = ""
    for hours in (1, 6):  # at risk, then her date has passed
        clock.set(clock.now() + timedelta(hours=hours))
        await sweep(app)
        team = blocks_text((await card_of(app))["blocks"])
        theirs = blocks_text((await card_of(app, INTERVIEWER))["blocks"])
        assert f"*Candidate decides by {stamp(decides)}" in theirs
        assert "exploding offer" in team and "exploding offer" not in theirs
        for said in ("answers the offer", "At risk", "Their own deadline has passed", "offer."):
            assert said not in theirs, (said, theirs)
    assert "Their own deadline has passed" in team


@built_once(offered_jane)
async def test_an_interview_still_to_come_is_not_too_late_for_a_loop_that_is_over(
    app: Running, clock
) -> None:
    await app.slack.command("move Jane Doe to interviewing", user=RECRUITER)
    await schedule(app, "Jane", starts=clock.now() + timedelta(hours=6))
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, hours=72)
    await set_deadline(app, {"deadline": clock.now() + timedelta(hours=5), "reason": "x"})
    assert "Booked too late" not in blocks_text((await card_of(app))["blocks"])
