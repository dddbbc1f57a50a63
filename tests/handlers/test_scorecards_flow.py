"""Interviews and scorecards end to end: schedule → kit DM → button → modal → submit →
stored → summary, through signed requests against the Slack stand-in."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.domain.stages import Stage
from bot.runtime.timesource import ManualClock
from bot.store.tables import Candidate, Rating, Scorecard, Seat
from bot.usecases import feedback
from tests.conftest import HM, OUTSIDER, RECRUITER, RECRUITER_2, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    click,
    create_role,
    events_of,
    good_scorecard,
    home_of,
    kit_for,
    last_view,
    open_scorecard,
    opens,
    press,
    schedule,
    stored,
    submit_scorecard,
)
from tests.worlds import built_once


async def setup(app: Running, *, recruiters: tuple[str, ...] = (RECRUITER,)) -> Candidate:
    role = await create_role(app, recruiters=recruiters)
    return await add_candidate(app, "Jane Doe", role=role, user=recruiters[0])


def dms_to(app: Running, user: str) -> list[dict[str, Any]]:
    return [c.args for c in app.standin.calls_to("chat.postMessage") if c.args["channel"] == user]


# Scheduling ------------------------------------------------------------------------------


async def test_scheduling_moves_to_interviewing_and_sends_each_interviewer_a_kit(
    app: Running, clock
) -> None:
    jane = await setup(app)
    await opens(app, RECRUITER, "home")
    app.standin.set_user(INTERVIEWER, tz="Europe/Berlin", real_name="Ana Ruiz")
    starts = clock.now() + timedelta(days=1, hours=4)  # Tue 13:00 UTC = 14:00 Berlin

    interview = await schedule(
        app, "Jane", interviewers=(INTERVIEWER, INTERVIEWER_2), starts=starts
    )

    assert (interview.plan_stage, interview.starts_at, interview.ends_at) == (
        "incident",
        starts,
        starts + timedelta(minutes=45),
    )
    moved = await candidate_named(app, "Jane Doe")
    assert moved.stage == Stage.INTERVIEWING
    last = (await events_of(app, jane))[-1]
    assert (last.from_stage, last.to_stage) == ("sourced", "interviewing")
    assert last.detail == "jumped from sourced to interviewing, skipping screening"
    assert last.note == "Production incident interview scheduled"

    kit = kit_for(app, INTERVIEWER)
    shown = blocks_text(kit["blocks"])
    assert "Tue 17 Nov, 14:00 to 14:45 (Europe/Berlin)" in shown
    assert "Scorecard due*\nWed 18 Nov, 14:45 (Europe/Berlin)" in shown
    for competency in ("Production incident response", "Model monitoring", "Rollback strategy"):
        assert competency in shown
    assert "Cross-functional" not in shown  # not probed in this interview
    assert "names the drift thresholds" in shown.lower()  # the strong signal
    assert buttons(kit["blocks"])["Submit scorecard"]["value"] == str(interview.id)
    assert "(UTC)" in blocks_text(kit_for(app, INTERVIEWER_2)["blocks"])
    # Only the scheduler's Home tab, which they last looked at, is redrawn; an
    # interviewer's shows the interview when they open it.
    published = {c.args["user_id"] for c in app.standin.calls_to("views.publish")}
    assert published == {RECRUITER}
    assert "Upcoming interviews* (1)" in blocks_text((await home_of(app, INTERVIEWER_2))["blocks"])
    assert any(
        "Scheduled Production incident interview" in m["text"] for m in dms_to(app, RECRUITER)
    )


@built_once(setup)
async def test_seats_carry_the_feedback_due_time_of_the_role(app: Running, clock) -> None:
    starts = clock.now() + timedelta(days=2)
    await schedule(app, "Jane", plan="audit", starts=starts, minutes="50")
    async with app.deps.db.reader() as session:
        [seat] = (await session.exec(select(Seat))).all()
    assert seat.feedback_due_at == starts + timedelta(minutes=50, hours=24)


@built_once(setup)
async def test_schedule_form_errors_are_on_their_fields(app: Running, clock) -> None:
    await app.slack.command("schedule Jane", user=RECRUITER)
    view = last_view(app)

    empty = await app.slack.submit_view(view, {"minutes": "5"}, user=RECRUITER)
    errors = empty.json()["errors"]
    assert set(errors) == {"plan", "interviewers", "starts", "minutes"}
    past = await app.slack.submit_view(
        view,
        {"plan": "audit", "interviewers": [INTERVIEWER], "starts": clock.now() - timedelta(days=8)},
        user=RECRUITER,
    )
    assert "more than a week ago" in past.json()["errors"]["starts"]
    crowd = [f"UINT{i:04d}" for i in range(7)]
    too_many = await app.slack.submit_view(
        view, {"plan": "audit", "interviewers": crowd, "starts": clock.now()}, user=RECRUITER
    )
    assert "at most 6" in too_many.json()["errors"]["interviewers"]
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.SOURCED
    kits = [c for c in app.standin.calls_to("chat.postMessage") if c.args["channel"] == INTERVIEWER]
    assert kits == []


@built_once(setup)
async def test_only_the_hiring_team_schedules(app: Running) -> None:
    await schedule(app, "Jane")

    by_interviewer = answer(await app.slack.command("schedule Jane", user=INTERVIEWER))
    by_outsider = answer(await app.slack.command("schedule Jane", user=OUTSIDER))

    assert "Only the role's recruiters and hiring manager" in by_interviewer["text"]
    assert "couldn't find a candidate" in by_outsider["text"]


@built_once(setup)
async def test_no_interviews_once_an_offer_is_out(app: Running) -> None:
    await app.slack.command("move Jane Doe to offer", user=RECRUITER)
    body = answer(await app.slack.command("schedule Jane", user=RECRUITER))
    assert "interviews are over" in body["text"]


# The scorecard modal ---------------------------------------------------------------------


@built_once(setup)
async def test_kit_button_opens_the_scorecard_of_that_interview(app: Running) -> None:
    interview = await schedule(app, "Jane")

    await open_scorecard(app, interview, INTERVIEWER)

    view = last_view(app)
    assert (view["callback_id"], view["title"]["text"], view["submit"]["text"]) == (
        "scorecard_submit",
        "Scorecard",
        "Submit",
    )
    inputs = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert inputs == [
        "rate_monitoring",
        "evidence_monitoring",
        "rate_rollback",
        "evidence_rollback",
        "rate_incidents",
        "evidence_incidents",
        "recommendation",
        "summary",
    ]
    rating = next(b for b in view["blocks"] if b.get("block_id") == "rate_rollback")
    assert [o["text"]["text"] for o in rating["element"]["options"]] == [
        "4 · Strong yes",
        "3 · Yes",
        "2 · No",
        "1 · Strong no",
        "Not assessed",
    ]
    assert "traffic shifting" in rating["hint"]["text"]  # rate against the signals


@built_once(setup)
async def test_scorecard_validation_errors_store_nothing(app: Running) -> None:
    interview = await schedule(app, "Jane")
    await open_scorecard(app, interview, INTERVIEWER)
    view = last_view(app)

    missing = (await app.slack.submit_view(view, {}, user=INTERVIEWER)).json()
    assert missing["response_action"] == "errors"
    assert {"recommendation", "summary", "rate_monitoring"} <= set(missing["errors"])
    nothing_rated = good_scorecard(view, rating="0")
    nothing_rated["recommendation"] = "3"
    blind = (await app.slack.submit_view(view, nothing_rated, user=INTERVIEWER)).json()
    assert "Rate at least one competency" in blind["errors"]["rate_monitoring"]
    blank_summary = {**good_scorecard(view), "summary": "   "}
    empty = (await app.slack.submit_view(view, blank_summary, user=INTERVIEWER)).json()
    assert list(empty["errors"]) == ["summary"]
    assert await stored(app, Scorecard) == []


@built_once(setup)
async def test_a_submitted_scorecard_is_stored_with_every_rating(app: Running, clock) -> None:
    interview = await schedule(app, "Jane")
    await open_scorecard(app, interview, INTERVIEWER)
    view = last_view(app)
    values = {
        **good_scorecard(view),
        "rate_rollback": "0",
        "evidence_incidents": "Found the feature-store outage from alert to fix.",
        "recommendation": "4",
    }

    response = await app.slack.submit_view(view, values, user=INTERVIEWER)
    await app.settle()

    assert response.status_code == 200 and not response.content
    [card] = await stored(app, Scorecard)
    assert (card.interviewer_id, card.version, card.recommendation) == (INTERVIEWER, 1, 4)
    assert card.submitted_at == clock.now()
    async with app.deps.db.reader() as session:
        ratings = {
            r.competency: (r.rating, r.evidence) for r in (await session.exec(select(Rating))).all()
        }
    assert ratings == {
        "monitoring": (3, ""),
        "rollback": (0, ""),
        "incidents": (3, "Found the feature-store outage from alert to fix."),
    }
    assert any("scorecard for Jane Doe is submitted" in m["text"] for m in dms_to(app, INTERVIEWER))


@built_once(setup)
async def test_only_the_assigned_interviewer_can_open_or_submit(app: Running) -> None:
    interview = await schedule(app, "Jane")
    opened = len(app.standin.calls_to("views.open"))
    kit = kit_for(app, INTERVIEWER)

    [refusal] = await click(app, kit, "Submit scorecard", user=INTERVIEWER_2)
    assert "not on that interview's panel" in refusal.args["text"]
    assert len(app.standin.calls_to("views.open")) == opened

    await open_scorecard(app, interview, INTERVIEWER)
    view = last_view(app)
    forged = await app.slack.submit_view(view, good_scorecard(view), user=RECRUITER)
    assert "not on that interview's panel" in forged.json()["errors"]["summary"]
    assert await stored(app, Scorecard) == []


@built_once(setup)
async def test_a_double_submit_stores_one_scorecard(app: Running) -> None:
    interview = await schedule(app, "Jane")
    await open_scorecard(app, interview, INTERVIEWER)
    view = last_view(app)

    first = await app.slack.submit_view(view, good_scorecard(view), user=INTERVIEWER)
    again = await app.slack.submit_view(view, good_scorecard(view), user=INTERVIEWER)
    await app.settle()

    assert not first.content and not again.content  # both close the modal
    assert len(await stored(app, Scorecard)) == 1
    confirmations = [m for m in dms_to(app, INTERVIEWER) if "is submitted" in m["text"]]
    assert len(confirmations) == 1


@built_once(setup)
async def test_editing_keeps_every_version_and_the_status_says_edited(app: Running) -> None:
    interview = await schedule(app, "Jane")
    await submit_scorecard(app, interview, rating="2")

    await open_scorecard(app, interview, INTERVIEWER)
    view = last_view(app)
    assert (view["title"]["text"], view["submit"]["text"]) == ("Edit scorecard", "Save")
    summary = next(b for b in view["blocks"] if b.get("block_id") == "summary")
    assert summary["element"]["initial_value"].startswith("Walked through")
    recommendation = next(b for b in view["blocks"] if b.get("block_id") == "recommendation")
    assert recommendation["element"]["initial_option"]["value"] == "2"
    response = await app.slack.submit_view(view, {"recommendation": "4"}, user=INTERVIEWER)
    await app.settle()

    assert not response.content
    assert [(c.version, c.recommendation) for c in await stored(app, Scorecard)] == [(1, 2), (2, 4)]
    status = blocks_text(answer(await app.slack.command("status Jane", user=HM))["blocks"])
    assert "scorecard in (edited), recommends *Strong yes*" in status


@pytest.mark.both_databases  # PostgreSQL checks the version in SQL (add_scorecard_at_once)
@built_once(setup)
async def test_an_edit_after_the_summary_went_out_tells_who_decides(app: Running) -> None:
    """The hiring manager and recruiters decide on the "Feedback complete" summary: a
    scorecard changed after it is news to them, with the table as it stands now. An edit
    before the loop is complete is not (the summary will carry it)."""
    interview = await schedule(app, "Jane", interviewers=(INTERVIEWER, INTERVIEWER_2))
    await submit_scorecard(app, interview, rating="3")
    await open_scorecard(app, interview, INTERVIEWER)
    await app.slack.submit_view(last_view(app), {"recommendation": "2"}, user=INTERVIEWER)
    await app.settle()
    assert not [m for m in dms_to(app, HM) if "revised their scorecard" in m["text"]]
    await submit_scorecard(app, interview, user=INTERVIEWER_2, rating="3")
    assert [m["text"] for m in dms_to(app, HM)].count(
        "All scorecards for Jane Doe (MLOps Engineer) are in."
    ) == 1
    # The summary leads to the card, to act on it: it was a dead end without /hire status.
    [summary] = [m for m in dms_to(app, RECRUITER) if m["text"].startswith("All scorecards")]
    [card] = await click(app, summary, "Open card", user=RECRUITER)
    assert card.args["text"].startswith("Jane Doe: MLOps Engineer"), card.args

    await open_scorecard(app, interview, INTERVIEWER_2)
    form = last_view(app)
    first = next(b for b in form["blocks"] if b.get("block_id", "").startswith("rate_"))
    await app.slack.submit_view(
        form,
        {"recommendation": "1", first["block_id"]: "1", "summary": "Rethought after the debrief."},
        user=INTERVIEWER_2,
    )
    await app.settle()

    for person in (HM, RECRUITER):
        [told] = [m for m in dms_to(app, person) if "revised their scorecard" in m["text"]]
        shown = blocks_text(told["blocks"])
        assert f"<@{INTERVIEWER_2}> revised their scorecard for Jane Doe" in shown, shown
        assert "recommendation *Yes* → *Strong no*; " in shown
        label = first["label"]["text"].replace("&", "&amp;")  # escaped in mrkdwn
        assert f"{label} 3 → 1; the summary." in shown, shown
        assert f"<@{INTERVIEWER_2}>: *Strong no* (edited)" in shown  # the table as it is now
        assert f"<@{INTERVIEWER}>: *No* (edited)" in shown
    assert not [m for m in dms_to(app, INTERVIEWER_2) if "revised their scorecard" in m["text"]]


@pytest.mark.both_databases  # PostgreSQL checks the version in SQL (add_scorecard_at_once)
@built_once(setup)
async def test_an_edit_that_changes_nothing_is_refused_on_the_form(app: Running) -> None:
    interview = await schedule(app, "Jane")
    await submit_scorecard(app, interview, rating="2")
    await open_scorecard(app, interview, INTERVIEWER)
    same = await app.slack.submit_view(last_view(app), {}, user=INTERVIEWER)
    assert same.json()["errors"]["summary"].startswith("This reads the same as the scorecard")
    # An evidence note alone is a change (it is taken, and the team told): say so.
    assert "change a rating or its evidence, the recommendation" in same.text
    assert len(await stored(app, Scorecard)) == 1


@pytest.mark.both_databases  # the "no newer version" filter is SQL
@built_once(setup)
async def test_the_hiring_managers_home_shows_each_scorecard_once_as_it_is_now(
    app: Running,
) -> None:
    """Recent scorecards on the Home tab: an edited scorecard is one line, with its latest
    verdict, not one line per version (which read as two verdicts of one person)."""
    interview = await schedule(app, "Jane", interviewers=(INTERVIEWER, INTERVIEWER_2))
    await submit_scorecard(app, interview, rating="3")
    await submit_scorecard(app, interview, user=INTERVIEWER_2, rating="2")
    await open_scorecard(app, interview, INTERVIEWER)
    await app.slack.submit_view(last_view(app), {"recommendation": "1"}, user=INTERVIEWER)
    await app.settle()

    home = blocks_text((await home_of(app, HM))["blocks"])
    recent = home[home.index("*Recent scorecards*") :]
    assert recent.count(f"<@{INTERVIEWER}>") == 1, recent
    assert f"<@{INTERVIEWER}>, *Strong no* (edited)" in recent
    assert f"<@{INTERVIEWER_2}>, *No*" in recent and "*Yes*" not in recent
    # Which interview: one person may sit on two of the loop's panels.
    assert "*Jane Doe* (MLOps Engineer): Production incident interview, " in recent
    # Rejected, she says so: a namesake added later would otherwise read as her.
    await app.slack.command("move Jane Doe to rejected: not this time", user=HM)
    home = blocks_text((await home_of(app, HM))["blocks"])
    assert "*Jane Doe* (MLOps Engineer, rejected): " in home, home


@pytest.mark.both_databases  # PostgreSQL checks the version in SQL (add_scorecard_at_once)
@built_once(setup)
async def test_an_edit_from_a_stale_form_is_refused(app: Running) -> None:
    interview = await schedule(app, "Jane")
    await submit_scorecard(app, interview)
    await open_scorecard(app, interview, INTERVIEWER)
    first_window = last_view(app)
    await open_scorecard(app, interview, INTERVIEWER)
    second_window = last_view(app)

    await app.slack.submit_view(first_window, {"recommendation": "4"}, user=INTERVIEWER)
    late = await app.slack.submit_view(second_window, {"recommendation": "1"}, user=INTERVIEWER)

    assert "changed since you opened it" in late.json()["errors"]["summary"]
    assert [c.recommendation for c in await stored(app, Scorecard)] == [3, 4]


@built_once(setup)
async def test_feedback_lists_no_scorecard_that_can_no_longer_be_written(app: Running) -> None:
    """Once a candidate is in offer their scorecards are closed: `/hire feedback` and the
    Home tab offer no button that would only say so."""
    interview = await schedule(app, "Jane")
    await submit_scorecard(app, interview)
    listed = blocks_text(answer(await app.slack.command("feedback", user=INTERVIEWER))["blocks"])
    assert "Jane Doe" in listed
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await app.slack.command("move Jane Doe to offer", user=RECRUITER)
    listed = blocks_text(answer(await app.slack.command("feedback", user=INTERVIEWER))["blocks"])
    assert "Jane Doe" not in listed
    assert "Jane Doe" not in blocks_text((await home_of(app, INTERVIEWER))["blocks"])


@built_once(setup)
async def test_scorecards_lock_when_the_candidate_leaves_decision(app: Running) -> None:
    interview = await schedule(app, "Jane")
    await submit_scorecard(app, interview)
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await open_scorecard(app, interview, INTERVIEWER)
    assert last_view(app)["title"]["text"] == "Edit scorecard"  # still editable in decision
    stale_view = last_view(app)
    await app.slack.command("move Jane Doe to offer", user=RECRUITER)
    opened = len(app.standin.calls_to("views.open"))

    await open_scorecard(app, interview, INTERVIEWER)

    # Opened after the move: closed.
    assert len(app.standin.calls_to("views.open")) == opened
    [refusal] = app.standin.calls_to(f"response_url:kit-{INTERVIEWER}")[-1:]
    assert refusal.args["text"].endswith("are closed: the hiring team has moved on.")
    assert "offer" not in refusal.args["text"]  # where she went stays with the team
    # Opened before it (a correction of a slip, under way when the offer went out): it
    # is taken, and the team told of it as a revision of what they decided on.
    before = len(app.standin.calls)
    late = await app.slack.submit_view(stale_view, {"recommendation": "1"}, user=INTERVIEWER)
    await app.settle()
    assert not late.content, late.text
    assert [s.version for s in await stored(app, Scorecard)] == [1, 2]
    told = [
        c.args["text"]
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["channel"] == HM
    ]
    assert any("revised their scorecard" in t for t in told), told


@built_once(setup)
async def test_a_first_scorecard_written_while_the_team_moved_on_is_kept(app: Running) -> None:
    """Ivan opened his scorecard for an interview that took place and wrote it up; the
    recruiter rejected the candidate meanwhile, and Submit answered that scorecards were
    closed: his words were lost, and the record of why with them. A first scorecard
    opened before the move is taken; one opened after is not (an edit likewise:
    test_scorecards_lock_when_the_candidate_leaves_decision)."""
    interview = await schedule(app, "Jane", interviewers=(INTERVIEWER, INTERVIEWER_2))
    await open_scorecard(app, interview, INTERVIEWER)
    writing = last_view(app)
    clock = app.deps.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=20))  # writing it up
    await app.slack.command("move Jane Doe to rejected: went with another", user=RECRUITER)
    await app.settle()
    before = len(app.standin.calls)

    sent = await app.slack.submit_view(writing, good_scorecard(writing), user=INTERVIEWER)
    await app.settle()

    # The DM that said it was no longer needed said a form being written still counts.
    [released] = [
        c.args
        for c in app.standin.calls[:before]
        if c.method == "chat.postMessage"
        and c.args["channel"] == INTERVIEWER
        and c.args["text"].startswith("No need to send your scorecard")
    ]
    assert "Writing it when this came? Send it all the same" in blocks_text(released["blocks"])
    assert not sent.content, sent.text  # the form closes: saved
    [kept] = await stored(app, Scorecard)
    assert (kept.interviewer_id, kept.version) == (INTERVIEWER, 1)
    [thanks] = [
        c.args
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["channel"] == INTERVIEWER
    ]
    assert "The hiring team moved on while you were writing it" in blocks_text(thanks["blocks"])
    assert "rejected" not in str(thanks)  # where she went stays with the team
    # No "feedback complete, decide by…" for someone decided on already.
    assert not [c for c in app.standin.calls[before:] if c.args.get("channel") in (HM, RECRUITER)]
    card = blocks_text(answer(await app.slack.command("status Jane", user=HM))["blocks"])
    assert f"<@{INTERVIEWER}>: scorecard in" in card, card

    # The other interviewer opens theirs only now: closed, as before.
    [refusal] = await open_scorecard(app, interview, INTERVIEWER_2)
    assert refusal.args["text"].endswith("are closed: the hiring team has moved on.")
    assert len(await stored(app, Scorecard)) == 1


# Independent feedback -------------------------------------------------------------------


@built_once(setup)
async def test_interviewers_see_no_ratings_until_they_submit_their_own(app: Running) -> None:
    interview = await schedule(app, "Jane", interviewers=(INTERVIEWER, INTERVIEWER_2))
    await submit_scorecard(app, interview, INTERVIEWER, rating="4")
    [card] = await stored(app, Scorecard)

    before = answer(await app.slack.command("status Jane", user=INTERVIEWER_2))
    shown = blocks_text(before["blocks"])
    assert "Jane Doe" in shown
    assert "Strong yes" not in shown
    assert "once you have submitted your own" in shown
    assert "View scorecard" not in buttons(before["blocks"])
    assert not any(b["type"] == "actions" for b in before["blocks"])  # no moves for interviewers
    [peek] = await press(app, f"scorecard_view_{card.id}", str(card.id), user=INTERVIEWER_2)
    assert "reads the others' once their own is in" in peek.args["text"]
    # An outsider pressing it hears the same, not as if they had a scorecard to send.
    [outsider] = await press(app, f"scorecard_view_{card.id}", str(card.id), user=OUTSIDER)
    assert outsider.args["text"] == peek.args["text"]
    assert not any(
        c.args["view"]["callback_id"] == "scorecard_read"
        for c in app.standin.calls_to("views.open")
    )

    await submit_scorecard(app, interview, INTERVIEWER_2, rating="2")
    after = blocks_text(
        answer(await app.slack.command("status Jane", user=INTERVIEWER_2))["blocks"]
    )
    assert "Strong yes" in after and "*No*" in after


@built_once(setup)
async def test_the_hiring_team_sees_every_scorecard(app: Running) -> None:
    interview = await schedule(app, "Jane", interviewers=(INTERVIEWER, INTERVIEWER_2))
    await submit_scorecard(app, interview, INTERVIEWER, rating="4")

    card = answer(await app.slack.command("status Jane", user=HM))
    assert "Strong yes" in blocks_text(card["blocks"])
    view = buttons(card["blocks"])["View scorecard"]
    await app.slack.action(view["action_id"], view["value"], user=HM, message=card)

    read = last_view(app)
    assert read["callback_id"] == "scorecard_read"
    assert "Overall: Strong yes" in blocks_text(read["blocks"])
    assert "Walked through a real drift incident" in blocks_text(read["blocks"])


@built_once(setup)
async def test_a_summary_as_long_as_the_form_takes_is_read_whole(app: Running) -> None:
    """3,000 characters, the form's limit, with '&' in them (escaped, they take five):
    the scorecard a recruiter opens shows every word, over as many sections as it needs,
    each inside Slack's 3,000 (the stand-in refuses a view that breaks it)."""
    interview = await schedule(app, "Jane", interviewers=(INTERVIEWER,))
    words = " ".join(f"R&D-{n:04d}" for n in range(400))[:2990] + " last-word"
    await open_scorecard(app, interview, INTERVIEWER)
    form = last_view(app)
    sent = await app.slack.submit_view(
        form, {**good_scorecard(form), "summary": words}, user=INTERVIEWER
    )
    assert not sent.content, sent.text
    await app.settle()

    card = answer(await app.slack.command("status Jane", user=HM))
    view = buttons(card["blocks"])["View scorecard"]
    await app.slack.action(view["action_id"], view["value"], user=HM, message=card)

    read = last_view(app)
    shown = blocks_text(read["blocks"]).replace("&amp;", "&")
    assert "last-word" in shown and "R&D-0000" in shown
    assert all(len(b["text"]["text"]) <= 3000 for b in read["blocks"] if b["type"] == "section")


@built_once(setup)
async def test_interviewers_of_other_candidates_learn_nothing(app: Running) -> None:
    await schedule(app, "Jane", interviewers=(INTERVIEWER,))
    body = answer(await app.slack.command("status Jane", user=INTERVIEWER_2))
    assert "couldn't find a candidate" in body["text"]


# When the loop's feedback is complete ------------------------------------------------------


@built_once(setup, recruiters=(RECRUITER, RECRUITER_2))
async def test_the_last_scorecard_sends_one_summary_to_recruiters_and_hm(
    app: Running, clock
) -> None:
    app.standin.set_user(INTERVIEWER, real_name="Ana Ruiz")
    app.standin.set_user(INTERVIEWER_2, real_name="Ben Okafor")
    first = await schedule(app, "Jane", plan="incident", interviewers=(INTERVIEWER,))
    second = await schedule(app, "Jane", plan="audit", interviewers=(INTERVIEWER_2,))
    await submit_scorecard(app, first, INTERVIEWER, rating="4")
    assert (await candidate_named(app, "Jane Doe")).feedback_complete_at is None
    clock.advance(timedelta(hours=3))

    await submit_scorecard(app, second, INTERVIEWER_2, rating="2")

    summaries = {
        m["channel"]: m
        for call in app.standin.calls_to("chat.postMessage")
        for m in [call.args]
        if m["text"].startswith("All scorecards for Jane Doe")
    }
    assert set(summaries) == {RECRUITER, RECRUITER_2, HM}
    shown = blocks_text(summaries[HM]["blocks"])
    assert "Ana" in shown and "Ben" in shown
    assert "Both scorecards for *Jane Doe*" in shown
    table = next(line for line in shown.splitlines() if line.startswith("Model monitoring"))
    assert table.split()[-2:] == ["4", "—"]  # Ana rated it; Ben's interview did not probe it
    assert "Nobody assessed:* Rollback strategy" not in shown  # Ana rated rollback 4
    assert "decide by" in shown
    view_buttons = [
        b for label, b in buttons(summaries[HM]["blocks"]).items() if "scorecard" in label
    ]
    assert len(view_buttons) == 2
    jane = await candidate_named(app, "Jane Doe")
    assert jane.feedback_complete_at == clock.now()

    await open_scorecard(app, second, INTERVIEWER_2)  # an edit sends no second summary
    await app.slack.submit_view(last_view(app), {"recommendation": "3"}, user=INTERVIEWER_2)
    await app.settle()
    again = [
        m
        for m in app.standin.calls_to("chat.postMessage")
        if m.args["text"].startswith("All scorecards")
    ]
    assert len(again) == 3


@built_once(setup)
async def test_the_summary_flags_competencies_nobody_assessed(app: Running) -> None:
    interview = await schedule(app, "Jane", plan="audit")  # probes pipeline + communication
    await submit_scorecard(app, interview, INTERVIEWER)

    [summary] = [
        m.args
        for m in app.standin.calls_to("chat.postMessage")
        if m.args["channel"] == HM and m.args["text"].startswith("All scorecards")
    ]
    blind = "Model monitoring &amp; drift, Rollback strategy, Production incident response"
    assert f"Nobody assessed:* {blind}" in blocks_text(summary["blocks"])


@built_once(setup)
async def test_a_new_interview_reopens_the_loop(app: Running) -> None:
    first = await schedule(app, "Jane")
    await submit_scorecard(app, first)
    assert (await candidate_named(app, "Jane Doe")).feedback_complete_at is not None

    second = await schedule(app, "Jane", plan="takehome")
    assert (await candidate_named(app, "Jane Doe")).feedback_complete_at is None
    await submit_scorecard(app, second)

    summaries = [
        m
        for m in app.standin.calls_to("chat.postMessage")
        if m.args["channel"] == HM and m.args["text"].startswith("All scorecards")
    ]
    assert len(summaries) == 2


# /hire feedback and the Home tab ------------------------------------------------------------


async def test_feedback_lists_pending_then_submitted_scorecards(app: Running, clock) -> None:
    nothing = answer(await app.slack.command("feedback", user=INTERVIEWER))
    assert "no scorecards to write" in nothing["text"]
    await setup(app)
    first = await schedule(app, "Jane", plan="incident")
    await schedule(app, "Jane", plan="audit", starts=clock.now() + timedelta(days=2))
    ahead = answer(await app.slack.command("feedback", user=INTERVIEWER))
    assert ahead["text"] == "Nothing to submit yet: each scorecard opens when its interview begins."
    assert list(buttons(ahead["blocks"])) == []
    assert "*Coming up* (2)" in blocks_text(ahead["blocks"])
    await submit_scorecard(app, first)
    clock.advance(timedelta(days=4))

    body = answer(await app.slack.command("feedback", user=INTERVIEWER))

    assert body["text"] == "You have 1 scorecard to submit."
    labels = list(buttons(body["blocks"]))
    assert labels == ["Submit scorecard", "Edit scorecard"]
    shown = blocks_text(body["blocks"])
    assert "overdue by" in shown
    assert "*To submit* (1)" in shown and "*Submitted, still editable* (1)" in shown


@built_once(setup)
async def test_home_tab_shows_pending_scorecards_and_upcoming_interviews(app: Running) -> None:
    await schedule(app, "Jane")
    app.standin.reset()

    response = await app.slack.event(
        {
            "type": "app_home_opened",
            "user": INTERVIEWER,
            "channel": "D1",
            "tab": "home",
            "event_ts": "1.2",
        }
    )
    await app.settle()

    assert response.status_code == 200
    [published] = app.standin.calls_to("views.publish")
    assert published.args["user_id"] == INTERVIEWER
    home = published.args["view"]
    shown = blocks_text(home["blocks"])
    # Its scorecard opens once it begins: until then it is an interview to come.
    assert "Scorecards to submit* (0)" in shown
    assert "Upcoming interviews* (1)" in shown
    assert "Submit scorecard" not in buttons(home["blocks"])


async def test_opening_the_messages_tab_publishes_nothing(app: Running) -> None:
    await app.slack.event(
        {
            "type": "app_home_opened",
            "user": INTERVIEWER,
            "channel": "D1",
            "tab": "messages",
            "event_ts": "1.2",
        }
    )
    await app.settle()
    assert app.standin.calls_to("views.publish") == []


@built_once(setup)
async def test_submit_from_the_home_tab_opens_the_modal(app: Running, clock) -> None:
    interview = await schedule(app, "Jane")
    clock.set(interview.ends_at)
    home = await home_of(app, INTERVIEWER)
    button = buttons(home["blocks"])["Submit scorecard"]

    await app.slack.action(button["action_id"], button["value"], user=INTERVIEWER, view=home)

    assert last_view(app)["callback_id"] == "scorecard_submit"


async def test_schedule_from_the_card_and_from_a_choice_list(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Jane Smith", role=role)

    card = answer(await app.slack.command("status Jane Doe", user=HM))
    button = buttons(card["blocks"])["Schedule interview"]
    await app.slack.action(button["action_id"], button["value"], user=HM, message=card)
    assert last_view(app)["callback_id"] == "interview_schedule"
    assert "Jane Doe" in blocks_text(last_view(app)["blocks"])

    choices = answer(await app.slack.command("schedule jane", user=RECRUITER))
    smith = next(b["accessory"] for b in choices["blocks"] if "Jane Smith" in str(b))
    await app.slack.action(smith["action_id"], smith["value"], user=RECRUITER, message=choices)
    assert "Jane Smith" in blocks_text(last_view(app)["blocks"])

    [refusal] = await press(app, smith["action_id"], smith["value"], user=OUTSIDER)
    assert "can't find that candidate" in refusal.args["text"]


async def test_one_interviewer_on_two_interviews_has_a_column_for_each(app: Running, clock) -> None:
    """Ivan sits on both interviews: the summary's table numbers each column by its
    interview (named under it), and each recommendation and button says which it was."""
    app.standin.set_user(INTERVIEWER, real_name="Ivan Petrov")
    app.standin.set_user(INTERVIEWER_2, real_name="Ines Garcia")
    await setup(app)
    tomorrow = clock.now().replace(hour=10) + timedelta(days=1)
    first = await schedule(app, "Jane", plan="incident", starts=tomorrow)
    second = await schedule(
        app,
        "Jane",
        plan="audit",
        interviewers=(INTERVIEWER, INTERVIEWER_2),
        starts=tomorrow + timedelta(hours=3),
    )
    clock.set(tomorrow + timedelta(hours=5))

    async def score(interview: Any, user: str, rating: str) -> None:
        # From the Home tab's or /hire feedback's button of that interview.
        await press(app, f"scorecard_open_{interview.id}", str(interview.id), user=user)
        view = last_view(app)
        assert not (
            await app.slack.submit_view(view, good_scorecard(view, rating), user=user)
        ).content
        await app.settle()

    await score(first, INTERVIEWER, "4")
    await score(second, INTERVIEWER, "2")
    await score(second, INTERVIEWER_2, "3")

    [summary] = [m for m in dms_to(app, HM) if m["text"].startswith("All scorecards")]
    shown = blocks_text(summary["blocks"])
    table = shown.split("```")[1]
    heads = table.splitlines()[0].split()
    assert heads.count("1") == 1 and heads.count("2") == 2, table
    assert "Columns by interview: 1 Production incident interview (" in shown
    assert " · 2 Pipeline and tooling audit (" in shown
    assert f"<@{INTERVIEWER}> (Production incident interview): *Strong yes*" in shown
    assert f"<@{INTERVIEWER}> (Pipeline and tooling audit): *No*" in shown
    assert {
        "Ivan's scorecard (Production incident interview)",
        "Ivan's scorecard (Pipeline and tooling audit)",
        "Ines's scorecard (Pipeline and tooling audit)",
    } <= set(buttons(summary["blocks"]))


async def test_two_rounds_of_one_interview_are_told_apart_in_the_summary(
    app: Running, clock
) -> None:
    """Noah had a second incident interview with Ivan: the summary read "<@Ivan>
    (Production incident interview): *Yes*" and "… : *No*", and its buttons "Ivan's
    scorecard (Production incident interview)" twice. Each now carries its number from
    the table's legend."""
    app.standin.set_user(INTERVIEWER, real_name="Ivan Petrov")
    await setup(app)
    tomorrow = clock.now().replace(hour=10) + timedelta(days=1)
    first = await schedule(app, "Jane", plan="incident", starts=tomorrow)
    second = await schedule(app, "Jane", plan="incident", starts=tomorrow + timedelta(hours=3))
    clock.set(tomorrow + timedelta(hours=5))
    for interview, rating in ((first, "3"), (second, "2")):
        await press(app, f"scorecard_open_{interview.id}", str(interview.id), user=INTERVIEWER)
        view = last_view(app)
        sent = await app.slack.submit_view(view, good_scorecard(view, rating), user=INTERVIEWER)
        assert not sent.content, sent.text
        await app.settle()

    [summary] = [m for m in dms_to(app, HM) if m["text"].startswith("All scorecards")]
    shown = blocks_text(summary["blocks"])
    assert f"<@{INTERVIEWER}> (Production incident interview #1): *Yes*" in shown, shown
    assert f"<@{INTERVIEWER}> (Production incident interview #2): *No*" in shown
    assert {
        "Ivan's scorecard (Production incident interview #1)",
        "Ivan's scorecard (Production incident interview #2)",
    } <= set(buttons(summary["blocks"]))


@built_once(setup)
async def test_the_last_scorecard_is_answered_before_the_loop_is_read_for_its_summary(
    app: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop's summary is read after the interviewer has their answer: its reads, the
    most of any scorecard's, never hold the modal open."""
    interview = await schedule(app, "Jane")
    await open_scorecard(app, interview, INTERVIEWER)
    view = last_view(app)
    reading = asyncio.Event()
    go_on = asyncio.Event()
    loop_of = feedback.loop_of

    async def held(*args: Any, **kwargs: Any) -> Any:
        reading.set()
        await go_on.wait()
        return await loop_of(*args, **kwargs)

    monkeypatch.setattr(feedback, "loop_of", held)
    response = await app.slack.submit_view(view, good_scorecard(view), user=INTERVIEWER)
    assert response.status_code == 200 and not response.content  # the modal closes
    await asyncio.wait_for(reading.wait(), 5)  # and the summary's read starts after it
    assert not [m for m in dms_to(app, HM) if m["text"].startswith("All scorecards")]
    go_on.set()
    await app.settle()
    assert [m["text"] for m in dms_to(app, HM)].count(
        "All scorecards for Jane Doe (MLOps Engineer) are in."
    ) == 1
