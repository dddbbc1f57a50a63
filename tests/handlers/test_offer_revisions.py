"""Revising an offer the candidate is still deciding on (new terms, a new expiry), and
starting the offer of a candidate imported in `offer`: through signed requests."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.runtime.timesource import ManualClock
from bot.slack.blocks.common import when
from bot.store.tables import Offer, StageEvent
from bot.usecases import importer
from bot.usecases.importer import Importer
from bot.usecases.offers import CHANGED_MEANWHILE, NOT_YOURS, UNCHANGED
from tests.conftest import HM, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    click,
    create_role,
    extend_offer,
    last_view,
    schedule,
)
from tests.scheduling.test_sweep import digests_to, messages_to, sweep
from tests.worlds import built_once

# The revision is a locked read-and-write of the offer: the writes, clocks and
# races run on both databases, wording and who may on SQLite.


async def offered(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, "Jane Doe")  # "L5, 180k", 48 h
    await app.settle()


async def the_offer(app: Running) -> Offer:
    async with app.deps.db.reader() as session:
        return (await session.exec(select(Offer))).one()


async def card_of(app: Running, user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command("status Jane Doe", user=user))


async def revise(app: Running, view: dict[str, Any], **values: Any) -> Any:
    return await app.slack.submit_view(view, values, user=RECRUITER)


@pytest.mark.both_databases
@built_once(offered)
async def test_revise_from_the_card_changes_terms_and_expiry_and_the_clock_follows(
    app: Running, clock: ManualClock
) -> None:
    start = clock.now()
    before = len(app.standin.calls)

    assert await click(app, await card_of(app), "Revise…", user=RECRUITER) == []
    form = last_view(app)
    assert form["callback_id"] == "offer_revise"
    fields = {b.get("block_id"): b for b in form["blocks"]}
    assert fields["terms"]["element"]["initial_value"] == "L5, 180k"
    assert fields["expires"]["element"]["initial_date_time"] == int(
        (start + timedelta(hours=48)).timestamp()
    )

    later = start + timedelta(hours=96)
    submitted = await revise(app, form, terms="L5, 195k, remote", expires=later)
    assert submitted.status_code == 200 and not submitted.content, submitted.text
    await app.settle()

    offer = await the_offer(app)
    assert (offer.terms, offer.expires_at, offer.status) == ("L5, 195k, remote", later, "open")
    [confirmed] = messages_to(app, RECRUITER, before)
    assert confirmed["text"].startswith("Jane Doe's offer is revised.")
    # The hiring manager decided on the offer as it was: they hear what changed.
    [told] = messages_to(app, HM, before)
    assert told["text"] == (
        f"<@{RECRUITER}> revised Jane Doe's offer (MLOps Engineer): new summary; expires "
        f"{when(later)} instead of {when(later - timedelta(days=2))}."
    )
    assert "L5, 195k, remote" in blocks_text(told["blocks"])
    [card] = await click(app, told, "Open card", user=HM)
    assert card.args["text"].startswith("Jane Doe: MLOps Engineer")
    shown = blocks_text((await card_of(app, HM))["blocks"])
    assert "L5, 195k, remote" in shown and "(4 days left)" in shown
    assert (
        f"offer revised: new summary; expires {when(later)} instead of "
        f"{when(later - timedelta(days=2))}"
    ) in shown

    # The old expiry passes quietly; the new one warns a day ahead.
    clock.set(start + timedelta(hours=48, minutes=1))
    await sweep(app)
    assert digests_to(app, RECRUITER, before) == []
    clock.set(later - timedelta(hours=23, minutes=59))
    await sweep(app)
    [warning] = digests_to(app, RECRUITER, before)
    assert "23 hours 59 minutes left" in warning


@built_once(offered)
async def test_the_offer_command_opens_the_revision_for_a_candidate_in_offer(
    app: Running,
) -> None:
    response = await app.slack.command("offer Jane Doe", user=HM)
    assert response.status_code == 200 and not response.content, response.text
    form = last_view(app)
    assert form["callback_id"] == "offer_revise"
    assert "L5, 180k" in str(form["blocks"])


@pytest.mark.both_databases
@built_once(offered)
async def test_bad_unchanged_or_stale_revisions_are_refused_on_the_form(
    app: Running, clock: ManualClock
) -> None:
    kept = await the_offer(app)
    await app.slack.command("offer Jane Doe", user=RECRUITER)
    form = last_view(app)

    bad = (await revise(app, form, terms=" ", expires=clock.now() - timedelta(hours=1))).json()
    assert set(bad["errors"]) == {"terms", "expires"}
    same = (await revise(app, form, terms="L5, 180k", expires=kept.expires_at)).json()
    assert same["errors"] == {"terms": UNCHANGED}

    # A teammate gives more time while the form is open: the form is out of date.
    card = await card_of(app, HM)
    await click(app, card, "Extend 24h", user=HM)
    stale = (await revise(app, form, terms="L6", expires=kept.expires_at)).json()
    assert stale["errors"] == {"terms": CHANGED_MEANWHILE}
    offer = await the_offer(app)
    assert offer.terms == "L5, 180k" and offer.expires_at == kept.expires_at + timedelta(hours=24)


async def test_a_revision_sent_after_the_answer_names_who_answered_in_plain_words(
    app: Running, clock: ManualClock
) -> None:
    """A field error is plain text: the teammate who answered first is named as Slack
    names them (the stand-in's users.info says "User <id>"), not as a mention that would
    show as its raw id, and not as the hidden marker the refusal carries."""
    await offered(app)
    await app.slack.command("offer Jane Doe", user=RECRUITER)
    form = last_view(app)
    await click(app, await card_of(app, HM), "Accepted", user=HM)
    refused = (await revise(app, form, terms="L6", expires=clock.now() + timedelta(days=1))).json()
    said = refused["errors"]["terms"]
    assert said.startswith(f"That offer was already accepted by User {HM} ("), said
    assert "\x00" not in said and "<@" not in said
    # Slack not answering in time leaves a word for them, never the marker.
    app.standin.delay_next("users.info", 2.0)
    refused = (await revise(app, form, terms="L7", expires=clock.now() + timedelta(days=1))).json()
    said = refused["errors"]["terms"]
    assert said.startswith("That offer was already accepted by a teammate ("), said


@pytest.mark.both_databases
@built_once(offered)
async def test_an_expired_offer_revised_is_open_again(app: Running, clock: ManualClock) -> None:
    clock.advance(timedelta(hours=49))
    await sweep(app)
    assert (await the_offer(app)).status == "expired"

    await app.slack.command("offer Jane Doe", user=RECRUITER)
    form = last_view(app)
    # An expired offer's form opens on the role's window from now.
    fields = {b.get("block_id"): b for b in form["blocks"]}
    again = clock.now() + timedelta(hours=48)
    assert fields["expires"]["element"]["initial_date_time"] == int(again.timestamp())
    submitted = await revise(app, form, terms="L5, 180k", expires=again)
    assert not submitted.content, submitted.text

    offer = await the_offer(app)
    assert (offer.status, offer.expires_at) == ("open", again)
    assert "Offer open*: expires" in blocks_text((await card_of(app))["blocks"])


async def test_only_the_hiring_team_revises(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane Doe")  # the interviewer sees her card, not her offer's controls
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, "Jane Doe")
    offer = await the_offer(app)

    said = answer(await app.slack.command("offer Jane Doe", user=INTERVIEWER))
    assert said["text"] == NOT_YOURS
    # A forged submission of the form is refused on it, and changes nothing.
    await app.slack.command("offer Jane Doe", user=RECRUITER)
    forged = await app.slack.submit_view(
        last_view(app), {"terms": "L9", "expires": offer.expires_at}, user=INTERVIEWER
    )
    assert forged.json()["errors"] == {"terms": NOT_YOURS}
    assert (await the_offer(app)).terms == "L5, 180k"


async def test_a_candidate_imported_in_offer_gets_their_offer_started(
    app: Running, clock: ManualClock
) -> None:
    await create_role(app)
    data = b"Name,Email,Role,Stage\nJane Doe,jane@example.com,MLOps Engineer,offer\n"
    await importer.run(
        app.deps.db, importer=Importer(RECRUITER), filename="team.csv", data=data, now=clock.now()
    )

    await app.slack.command("offer Jane Doe", user=RECRUITER)
    form = last_view(app)
    assert form["callback_id"] == "offer_submit"  # a new offer, not a revision
    done = await app.slack.submit_view(
        form, {"terms": "L5", "expires": clock.now() + timedelta(hours=48)}, user=RECRUITER
    )
    assert not done.content, done.text

    offer = await the_offer(app)
    assert offer.status == "open"
    async with app.deps.db.reader() as session:
        last = (await session.exec(select(StageEvent).order_by(col(StageEvent.id).desc()))).first()
    assert last is not None
    assert (last.from_stage, last.to_stage, last.detail) == ("offer", "offer", "offer extended")
    assert "Offer open*: expires" in blocks_text((await card_of(app))["blocks"])


@pytest.mark.both_databases
async def test_two_offer_forms_submitted_together_make_one_offer(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("offer Jane Doe", user=RECRUITER)
    first = last_view(app)
    await app.slack.command("offer Jane Doe", user=HM)
    second = last_view(app)
    expires = app.deps.clock.now() + timedelta(hours=48)

    answers = await asyncio.gather(
        app.slack.submit_view(first, {"terms": "L5", "expires": expires}, user=RECRUITER),
        app.slack.submit_view(second, {"terms": "L6", "expires": expires}, user=HM),
    )

    async with app.deps.db.reader() as session:
        offers = (await session.exec(select(Offer))).all()
    assert len(offers) == 1
    refused = [a.json() for a in answers if a.content]
    assert len(refused) == 1
    assert "already has an open offer" in refused[0]["errors"]["terms"]


@pytest.mark.parametrize(
    ("move", "status"),
    [
        ("to hired", "accepted"),
        ("to withdrawn: took another offer", "declined"),
        ("to rejected: budget frozen", "rescinded"),
        ("to decision: one more interview first", "rescinded"),
    ],
)
@built_once(offered)
async def test_moving_a_candidate_out_of_offer_closes_their_offer(
    app: Running, move: str, status: str
) -> None:
    said = answer(await app.slack.command(f"move Jane Doe {move}", user=RECRUITER))
    assert said["text"].startswith("Jane Doe is now in"), said

    offer = await the_offer(app)
    assert (offer.status, offer.decided_by) == (status, RECRUITER)
    assert "Offer open" not in blocks_text((await card_of(app))["blocks"])


@pytest.mark.both_databases
@built_once(offered)
async def test_an_offer_taken_back_makes_room_for_a_new_one(app: Running) -> None:
    await app.slack.command("move Jane Doe to decision: one more interview first", user=RECRUITER)
    await app.slack.command("offer Jane Doe", user=RECRUITER)
    assert last_view(app)["callback_id"] == "offer_submit"  # a new offer, not the old one
    await extend_offer(app, "Jane Doe")
    async with app.deps.db.reader() as session:
        statuses = [
            o.status for o in (await session.exec(select(Offer).order_by(col(Offer.id)))).all()
        ]
    assert statuses == ["rescinded", "open"]


async def test_a_candidate_moved_to_offer_without_one_gets_it_from_the_card(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await app.slack.command("move Jane Doe to offer", user=RECRUITER)  # the Move… way

    card = await card_of(app)
    assert "None recorded yet" in blocks_text(card["blocks"])
    assert await click(app, card, "Extend offer…", user=RECRUITER) == []
    form = last_view(app)
    assert form["callback_id"] == "offer_submit"
    assert "Extending it moves them" not in str(form["blocks"])  # in offer already
    expires = app.deps.clock.now() + timedelta(hours=48)
    done = await app.slack.submit_view(form, {"terms": "L5", "expires": expires}, user=RECRUITER)
    assert not done.content, done.text

    shown = blocks_text((await card_of(app))["blocks"])
    assert "Offer open*: expires" in shown and "None recorded yet" not in shown


async def test_advance_to_offer_on_the_card_opens_the_offer_form_and_moves_with_it(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe to decision", user=HM)

    card = await card_of(app, HM)
    advance = buttons(card["blocks"])["Advance to offer…"]
    assert advance["action_id"] == "offer_open" and "confirm" not in advance  # the form asks
    assert await click(app, card, "Advance to offer…", user=HM) == []
    form = last_view(app)
    assert form["callback_id"] == "offer_submit"
    assert "Extending it moves them to *offer*" in str(form["blocks"])
    async with app.deps.db.reader() as session:
        assert (await session.exec(select(Offer))).all() == []  # nothing yet: only a form

    expires = app.deps.clock.now() + timedelta(hours=48)
    done = await app.slack.submit_view(form, {"terms": "L6, 210k", "expires": expires}, user=HM)
    assert not done.content, done.text
    offer = await the_offer(app)
    assert (offer.terms, offer.expires_at, offer.extended_by) == ("L6, 210k", expires, HM)
    shown = blocks_text((await card_of(app))["blocks"])
    assert "Offer open*: expires" in shown and "Stage*\nOffer" in shown


async def test_advance_to_offer_on_a_card_gone_stale_says_why(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    card = await card_of(app)
    await app.slack.command("move Jane Doe to rejected: went elsewhere", user=RECRUITER)

    [said] = await click(app, card, "Advance to offer…", user=RECRUITER)
    assert "rejected" in said.args["text"] and "no new offer" in said.args["text"]
    async with app.deps.db.reader() as session:
        assert (await session.exec(select(Offer))).all() == []
