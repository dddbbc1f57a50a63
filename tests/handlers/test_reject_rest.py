"""Reject the rest…: a closed role's remaining candidates let go in one step, through
signed Slack requests: the button under a closed role and `/hire role reject-rest`, the
form, who may, and what everyone is told."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.runtime.timesource import ManualClock
from bot.slack.blocks import closeout as closeout_blocks
from bot.store.tables import Candidate, Change, Interview, Offer, Role, StageEvent
from bot.usecases import closeout
from tests import cases
from tests.conftest import ADMIN, HIRING_CHANNEL, HM, OUTSIDER, RECRUITER, Running
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
    press,
    schedule,
    stored,
)
from tests.scheduling.test_sweep import messages_to

# Each candidate moves in a transaction of their own, under their lock: the moves
# and races run on both databases, the form's wording on SQLite.

THURSDAY_10 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)


async def filled_role(app: Running) -> Role:
    """MLOps Engineer with four open candidates, one in offer and one with an interview
    still to come, then closed: the closing answer."""
    role = await create_role(app)
    for name in ("Ann Able", "Ben Best", "Cy Cole", "Dee Deal"):
        await add_candidate(app, name, role=role)
    await app.slack.command("move Ben Best to screening", user=RECRUITER)
    await schedule(app, "Cy Cole", starts=THURSDAY_10)
    await app.slack.command("move Dee Deal to decision", user=RECRUITER)
    await extend_offer(app, "Dee Deal")
    return role


async def by_name(app: Running) -> dict[str, Candidate]:
    return {c.name: c for c in await stored(app, Candidate)}


async def close(app: Running, user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command("role close MLOps Engineer", user=user))


@pytest.mark.both_databases
async def test_the_rest_are_rejected_and_everyone_is_told(app: Running, clock: ManualClock) -> None:
    await filled_role(app)
    closed = await close(app)
    assert "*Reject the rest…* lets them all go at once" in blocks_text(closed["blocks"])

    assert await click(app, closed, "Reject the rest…", user=RECRUITER) == []
    form = last_view(app)
    assert form["callback_id"] == "role_reject_rest"
    assert form["submit"]["text"] == "Reject 3 candidates"
    shown = blocks_text(form["blocks"])
    assert "*3 candidates* left in *MLOps Engineer* will be moved to rejected" in shown
    for line in ("• Ann Able (sourced)", "• Ben Best (screening)", "• Cy Cole (interviewing)"):
        assert line in shown
    assert "Left as they are, in offer: Dee Deal." in shown
    [reason] = [b for b in form["blocks"] if b.get("block_id") == "reason"]
    assert reason["element"]["initial_value"] == "The role is filled."

    before = len(app.standin.calls)
    done = await app.slack.submit_view(form, {"reason": "We hired Sam for it."}, user=RECRUITER)
    assert not done.content, done.text
    await app.settle()

    stages = {name: c.stage for name, c in (await by_name(app)).items()}
    assert stages == {
        "Ann Able": "rejected",
        "Ben Best": "rejected",
        "Cy Cole": "rejected",
        "Dee Deal": "offer",
    }
    rejections = [e for e in await stored(app, StageEvent) if e.to_stage == "rejected"]
    assert {(e.actor_id, e.note) for e in rejections} == {(RECRUITER, "We hired Sam for it.")}
    [offer] = await stored(app, Offer)
    assert offer.status == "open"  # Dee's offer awaits her answer
    [interview] = await stored(app, Interview)
    assert interview.status == "cancelled"
    assert any(
        m["text"].startswith("Interview cancelled") for m in messages_to(app, INTERVIEWER, before)
    )

    [summary] = [m for m in messages_to(app, RECRUITER, before) if "Rejected" in m["text"]]
    said = blocks_text(summary["blocks"])
    assert summary["text"] == "Rejected 3 candidates left in MLOps Engineer."
    assert "• Cy Cole (from interviewing)" in said and "Reason: We hired Sam for it." in said
    assert "1 interview still to come is cancelled, and the interviewers told." in said
    assert "Still in offer: Dee Deal. Their offer's answer (or a move) closes it." in said
    [post] = messages_to(app, HIRING_CHANNEL, before)
    assert post["text"] == "3 candidates left in MLOps Engineer rejected."
    assert "Ann" not in blocks_text(post["blocks"])  # no names in the channel
    [change] = [c for c in await stored(app, Change) if c.kind == "role_rest_rejected"]
    assert (change.actor_id, change.summary, change.reason) == (
        RECRUITER,
        "rejected the 3 candidates left in its pipeline",
        "We hired Sam for it.",
    )

    # Nobody left now but the one in offer: the button says so instead of a form.
    [again] = await click(app, closed, "Reject the rest…", user=RECRUITER)
    assert again.args["text"] == (
        "MLOps Engineer has nobody left to reject (1 candidate in offer, left to their "
        "offers' answers)."
    )


async def test_the_command_opens_the_form_for_the_hiring_manager(app: Running) -> None:
    await filled_role(app)
    await close(app)
    response = await app.slack.command("role reject-rest mlops engineer", user=HM)
    assert response.status_code == 200 and not response.content, response.text
    assert last_view(app)["callback_id"] == "role_reject_rest"
    which = answer(await app.slack.command("role reject-rest", user=HM))
    assert which["text"] == "Which role? Example: `/hire role reject-rest Data Scientist`."


async def test_an_open_role_is_closed_first_and_only_its_team_may(app: Running) -> None:
    role = await filled_role(app)
    said = answer(await app.slack.command("role reject-rest MLOps Engineer", user=RECRUITER))
    assert said["text"].startswith("MLOps Engineer is still open. Close it first")
    await close(app)
    value = str(role.id)
    [interviewer] = await press(app, "role_reject_rest_open", value, user=INTERVIEWER)
    assert interviewer.args["text"] == closeout.TEAM_ONLY
    # An admin may close a role, but does not see its candidates: nor reject them.
    [admin] = await press(app, "role_reject_rest_open", value, user=ADMIN)
    assert admin.args["text"] == closeout.TEAM_ONLY
    [outsider] = await press(app, "role_reject_rest_open", value, user=OUTSIDER)
    assert "Ann" not in outsider.args["text"]
    # A form opened by the team, submitted by someone else, is refused on the field.
    await click(app, await close_answer(app), "Reject the rest…", user=RECRUITER)
    form = last_view(app)
    refused = await app.slack.submit_view(form, {"reason": "gone"}, user=INTERVIEWER)
    assert refused.json()["errors"]["reason"] == closeout.TEAM_ONLY
    assert {c.stage for c in await stored(app, Candidate)} == {
        "sourced",
        "screening",
        "interviewing",
        "offer",
    }


async def close_answer(app: Running) -> dict[str, Any]:
    """The closed role's buttons, as `/hire pipeline` shows them."""
    return answer(await app.slack.command("pipeline", user=RECRUITER))


async def test_bad_reason_or_a_changed_pipeline_is_refused_and_nothing_moves(
    app: Running,
) -> None:
    await filled_role(app)
    closed = await close(app)
    await click(app, closed, "Reject the rest…", user=RECRUITER)
    form = last_view(app)

    empty = await app.slack.submit_view(form, {"reason": "  "}, user=RECRUITER)
    assert empty.json()["errors"]["reason"].startswith("Say why in a few words")
    long = await app.slack.submit_view(form, {"reason": "x" * 3001}, user=RECRUITER)
    assert long.json()["errors"]["reason"] == "Keep the reason to 3,000 characters at most."

    # Someone moves Ann while the form is open: it no longer shows who is left.
    await app.slack.command("move Ann Able to screening", user=HM)
    stale = await app.slack.submit_view(form, {"reason": "filled"}, user=RECRUITER)
    assert stale.json()["errors"]["reason"] == closeout.CHANGED_MEANWHILE
    await app.settle()
    assert "rejected" not in {c.stage for c in await stored(app, Candidate)}


@pytest.mark.both_databases
async def test_one_moved_in_between_is_left_where_they_are(
    app: Running, clock: ManualClock
) -> None:
    """Checked on submit, moved after the ack: one moved by someone else in that moment
    stays where they were put, and the DM names them."""
    role = await filled_role(app)
    await close(app)
    rest, reason = await closeout.confirm_rest(
        app.deps.db,
        user_id=RECRUITER,
        role_id=role.id or 0,
        reason="filled",
        seen=(await closeout.rest_of(app.deps.db, user_id=RECRUITER, role_id=role.id or 0)).stamp,
    )
    await app.slack.command("move Ben Best to interviewing", user=HM)
    done = await closeout.reject_rest(
        app.deps.db, actor_id=RECRUITER, rest=rest, reason=reason, now=clock.now()
    )
    assert [g.moved.card.candidate.name for g in done.moved] == ["Ann Able", "Cy Cole"]
    assert done.skipped == [closeout.MovedMeanwhile("Ben Best", "interviewing", HM)]
    assert not done.failed
    said = blocks_text([b.to_dict() for b in closeout_blocks.rest_rejected_message(done)[1]])
    assert "Moved meanwhile by someone else, so left as they are:" in said
    assert f"• Ben Best: interviewing, by <@{HM}>" in said
    stages = {name: c.stage for name, c in (await by_name(app)).items()}
    assert stages["Ben Best"] == "interviewing"


@pytest.mark.both_databases
async def test_the_form_sent_twice_tells_once_and_blames_nobody(app: Running) -> None:
    """A double click sends the form twice before either's moves are done: the recruiter
    gets one DM of who was let go, not a second saying someone else moved them all."""
    await filled_role(app)
    closed = await close(app)
    await click(app, closed, "Reject the rest…", user=RECRUITER)
    form = last_view(app)
    before = len(app.standin.calls)
    for _ in range(2):
        sent = await app.slack.submit_view(form, {"reason": "Filled."}, user=RECRUITER)
        assert not sent.content, sent.text
    await app.settle()

    told = messages_to(app, RECRUITER, before)
    assert len(told) == 1, [m["text"] for m in told]
    assert "someone else" not in blocks_text(told[0]["blocks"])
    stages = {name: c.stage for name, c in (await by_name(app)).items()}
    assert [stages[n] for n in ("Ann Able", "Ben Best", "Cy Cole")] == ["rejected"] * 3


@pytest.mark.both_databases
async def test_two_teammates_at_once_the_second_is_told_who_did_it(
    app: Running, clock: ManualClock
) -> None:
    """Riya's and Hana's forms, both checked before either's moves began: Hana's DM said
    "Rejected 0 candidates left in MLOps Engineer:" over nothing, then "Left where they
    are, moved by someone else meanwhile: …", as if they were still open and her action
    had failed. It now says nothing was left, and who rejected each."""
    role = await filled_role(app)
    await close(app)
    seen = (await closeout.rest_of(app.deps.db, user_id=RECRUITER, role_id=role.id or 0)).stamp
    rests = [
        await closeout.confirm_rest(
            app.deps.db, user_id=who, role_id=role.id or 0, reason="Filled.", seen=seen
        )
        for who in (RECRUITER, HM)
    ]
    [riyas, hanas] = [
        await closeout.reject_rest(
            app.deps.db, actor_id=who, rest=rest, reason=reason, now=clock.now()
        )
        for who, (rest, reason) in zip((RECRUITER, HM), rests, strict=True)
    ]
    assert len(riyas.moved) == 3
    done = hanas

    assert done.moved == [] and len(done.skipped) == 3
    text, message = closeout_blocks.rest_rejected_message(done)
    said = blocks_text([b.to_dict() for b in message])
    assert text == "Nothing left to reject in MLOps Engineer."
    assert "Rejected *0 candidates*" not in said
    assert f"• Ann Able: rejected, by <@{RECRUITER}>" in said, said


async def test_a_role_closed_with_nobody_in_it_offers_no_reject_the_rest(app: Running) -> None:
    await create_role(app)
    closed = await close(app)
    assert "It has no open candidates." in blocks_text(closed["blocks"])
    assert "Reject the rest…" not in buttons(closed["blocks"])
    assert "Reopen role" in buttons(closed["blocks"])
    pipeline = answer(await app.slack.command("pipeline", user=RECRUITER))
    assert "Reject the rest…" not in buttons(pipeline["blocks"])


@pytest.mark.both_databases
async def test_a_big_role_lists_everyone_it_lets_go(app: Running, clock: ManualClock) -> None:
    """With 150 left, the form named about 60 and then "…and 90 more": people were let go
    that nobody had seen listed. The form and the summary now name everyone."""
    role = await create_role(app)
    names = [f"Candidate Number {n:03d} Longname-Surname" for n in range(150)]
    for name in names:
        await cases.add(app.deps.db, clock, role, name)
    closed = await close(app)

    assert await click(app, closed, "Reject the rest…", user=RECRUITER) == []
    form = last_view(app)
    shown = blocks_text(form["blocks"])
    assert all(f"• {name} (sourced)" in shown for name in names)
    assert "more" not in shown

    before = len(app.standin.calls)
    done = await app.slack.submit_view(form, {"reason": "Filled."}, user=RECRUITER)
    assert not done.content, done.text
    await app.settle()

    [summary] = [m for m in messages_to(app, RECRUITER, before) if "Rejected" in m["text"]]
    said = blocks_text(summary["blocks"])
    assert all(f"• {name} (from sourced)" in said for name in names)
    assert {c.stage for c in await stored(app, Candidate)} == {"rejected"}


async def test_someone_in_offer_without_an_offer_is_let_go_with_the_rest(app: Running) -> None:
    """Erin was imported into offer, so no offer awaits her answer: the summary said
    "Still in offer: Erin Walsh. Their offer's answer (or a move) closes it", an answer
    that can never come, and nothing ever alerted about her."""
    role = await filled_role(app)  # Dee Deal in offer, with her offer out
    await add_candidate(app, "Erin Walsh", role=role)
    await app.slack.command("move Erin Walsh to offer", user=RECRUITER)
    closed = await close(app)

    await click(app, closed, "Reject the rest…", user=RECRUITER)
    form = last_view(app)
    shown = blocks_text(form["blocks"])
    assert form["submit"]["text"] == "Reject 4 candidates"
    assert "• Erin Walsh (offer)" in shown
    assert "Left as they are, in offer: Dee Deal." in shown
    done = await app.slack.submit_view(form, {"reason": "We hired Sam for it."}, user=RECRUITER)
    assert not done.content, done.text
    await app.settle()
    people = await by_name(app)
    assert people["Erin Walsh"].stage == "rejected" and people["Dee Deal"].stage == "offer"
