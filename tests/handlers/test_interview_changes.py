"""Changing an interview after it is booked, through signed Slack requests: the status
card's menu (reschedule, change interviewers, cancel, no-show), "I can't make it" on the
kit, the clocks following each change, the change history, and stale or forged clicks."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.slack.blocks.common import when
from bot.store.tables import Candidate, Interview, Role, Scorecard, Seat
from tests.conftest import HM, OUTSIDER, RECRUITER, RECRUITER_2, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    add_day_off,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    cant_make_it,
    changes_made,
    click,
    create_role,
    good_scorecard,
    home_of,
    kit_for,
    last_view,
    open_scorecard,
    press,
    schedule,
    stored,
    submit_scorecard,
)
from tests.scheduling.test_sweep import messages_to, sweep
from tests.worlds import built_once

# The clocks, the sweep and what two people at once may do, on both databases; the
# rest (wording, who may, what each person sees) the same on either: SQLite only.

INTERVIEWER_3 = "UINT0003"
# START is Monday 16 Nov 2026 09:00 UTC; Maya's interview is Tuesday 10:00 to 10:45.
TUESDAY_10 = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
THURSDAY_10 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
NUDGE_AFTER_END = timedelta(minutes=61)


async def maya_interviewing(
    app: Running,
    *,
    interviewers: tuple[str, ...] = (INTERVIEWER,),
    recruiters: tuple[str, ...] = (RECRUITER,),
) -> Interview:
    role = await create_role(app, recruiters=recruiters)
    await add_candidate(app, "Maya Chen", role=role)
    return await schedule(app, "Maya", starts=TUESDAY_10, interviewers=interviewers)


@pytest.fixture
def interview(built: Interview) -> Interview:
    """Maya's interview, booked by a test's built_once(maya_interviewing, …) world."""
    return built


async def card_of(app: Running, user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command("status Maya", user=user))


def overflows(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        b["accessory"]
        for b in blocks
        if b.get("type") == "section" and (b.get("accessory") or {}).get("type") == "overflow"
    ]


def menu_labels(card: dict[str, Any]) -> list[list[str]]:
    return [[o["text"]["text"] for o in menu["options"]] for menu in overflows(card["blocks"])]


async def pick(
    app: Running, card: dict[str, Any], verb: str, *, user: str = RECRUITER, index: int = 0
) -> list[Any]:
    """Pick `verb` in the card's menu of its `index`th interview; the private answers."""
    menu = overflows(card["blocks"])[index]
    [value] = [o["value"] for o in menu["options"] if o["value"].startswith(f"{verb}:")]
    return await press(
        app,
        menu["action_id"],
        value,
        user=user,
        action_type="overflow",
        message=card,
        ephemeral=True,
        answers=f"menu-{user}",
    )


async def open_form(app: Running, verb: str, *, user: str = RECRUITER) -> dict[str, Any]:
    before = len(app.standin.calls_to("views.open"))
    assert await pick(app, await card_of(app, user), verb, user=user) == []
    assert len(app.standin.calls_to("views.open")) == before + 1
    return last_view(app)


async def the_interview(app: Running, interview_id: int | None) -> Interview:
    [found] = [i for i in await stored(app, Interview) if i.id == interview_id]
    return found


async def seats(app: Running) -> set[str]:
    async with app.deps.db.reader() as session:
        return {s.interviewer_id for s in (await session.exec(select(Seat))).all()}


def said(responses: list[Any]) -> str:
    [response] = responses
    return str(response.args["text"])


def updates_in(app: Running, channel: str, since: int = 0) -> list[dict[str, Any]]:
    return [
        c.args
        for c in app.standin.calls[since:]
        if c.method == "chat.update" and c.args["channel"] == channel and c.status == 200
    ]


def summaries_to(app: Running, user: str, since: int = 0) -> list[dict[str, Any]]:
    return [m for m in messages_to(app, user, since) if m["text"].startswith("All scorecards")]


# The menu ---------------------------------------------------------------------------------


@built_once(maya_interviewing)
async def test_the_menu_is_for_the_hiring_team_only(app: Running, clock) -> None:
    assert menu_labels(await card_of(app)) == [
        ["Reschedule", "Change interviewers", "Cancel interview"]
    ]
    assert len(overflows((await card_of(app, HM))["blocks"])) == 1
    assert overflows((await card_of(app, INTERVIEWER))["blocks"]) == []
    clock.set(TUESDAY_10 + timedelta(minutes=5))  # once it should have started: no-show too
    assert menu_labels(await card_of(app))[0][-1] == "No-show (they did not come)"


@built_once(maya_interviewing)
async def test_outsiders_and_interviewers_are_refused(app: Running, interview: Interview) -> None:
    card = await card_of(app)
    value = f"cancel:{interview.id}:1"
    menu = overflows(card["blocks"])[0]

    for person, words in [(OUTSIDER, "I can't find that candidate"), (INTERVIEWER, "Only the")]:
        answers = await press(
            app, menu["action_id"], value, user=person, action_type="overflow", message=card
        )
        assert said(answers).startswith(words)
    assert app.standin.calls_to("views.open")[-1].args["view"]["callback_id"] != "interview_cancel"
    # A forged submission of the form is refused on it too.
    form = await open_form(app, "cancel")
    refused = await app.slack.submit_view(form, {"reason": "no"}, user=OUTSIDER)
    assert "I can't find that candidate" in refused.json()["errors"]["reason"]
    assert (await the_interview(app, interview.id)).status == "scheduled"
    assert await changes_made(app) == []


# Cancel -----------------------------------------------------------------------------------


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_a_cancelled_interview_stops_its_nudges_and_lets_the_loop_complete(
    app: Running, interview: Interview, clock
) -> None:
    second = await schedule(
        app,
        "Maya",
        plan="audit",
        starts=TUESDAY_10 + timedelta(hours=2),
        interviewers=(INTERVIEWER_2,),
    )
    clock.set(TUESDAY_10 + timedelta(minutes=50))
    await submit_scorecard(app, interview, INTERVIEWER)
    assert summaries_to(app, HM) == []  # the audit still owes its scorecard
    kit = kit_for(app, INTERVIEWER_2)
    before = len(app.standin.calls)

    form = await open_form(app, "cancel", user=RECRUITER)
    assert (form["submit"]["text"], form["close"]["text"]) == ("Cancel interview", "Keep it")
    empty = await app.slack.submit_view(form, {"reason": "   "}, user=RECRUITER)
    assert "Say why" in empty.json()["errors"]["reason"]
    assert (await the_interview(app, second.id)).status == "scheduled"
    cards = overflows((await card_of(app))["blocks"])
    assert len(cards) == 2
    form = await open_form_at(app, "cancel", index=1)
    done = await app.slack.submit_view(
        form, {"reason": "Candidate asked to skip it"}, user=RECRUITER
    )
    await app.settle()

    assert done.status_code == 200 and not done.content, done.text
    cancelled = await the_interview(app, second.id)
    assert (cancelled.status, cancelled.version) == ("cancelled", 2)
    [change] = await changes_made(app)
    assert (change.kind, change.actor_id, change.reason) == (
        "interview_cancelled",
        RECRUITER,
        "Candidate asked to skip it",
    )
    # The interviewer is told, and the kit loses its Submit button.
    [told] = messages_to(app, INTERVIEWER_2, before)
    assert told["text"].startswith("Interview cancelled")
    [edited] = updates_in(app, f"D{INTERVIEWER_2}", before)
    assert edited["ts"] == kit_sent_ts(app, kit) and "Submit scorecard" not in str(edited)
    # Every remaining scorecard is in: the summary goes once, to each of the hiring team.
    [summary] = summaries_to(app, HM, before)
    assert len(summaries_to(app, RECRUITER, before)) == 1
    assert (await candidate_named(app, "Maya Chen")).feedback_complete_at == clock.now()
    # It says what the feedback lacks: whoever decides sees the interview that wasn't held.
    missing = blocks_text(summary["blocks"])
    assert ":ghost: *Not held*: *Pipeline and tooling audit* (" in missing
    assert "): cancelled." in missing, missing
    shown = blocks_text((await card_of(app))["blocks"])
    assert f"~Pipeline and tooling audit~ cancelled by <@{RECRUITER}>: Candidate" in shown
    assert f"<@{INTERVIEWER_2}>: no scorecard due" in shown
    assert "Pipeline and tooling audit cancelled by" in shown  # the history
    # No nudge for it, ever; and no second summary.
    since = len(app.standin.calls)
    for hours in (3, 26, 50):
        clock.set(TUESDAY_10 + timedelta(hours=hours))
        await sweep(app)
    assert messages_to(app, INTERVIEWER_2, since) == []
    assert summaries_to(app, HM, since) == []


async def open_form_at(
    app: Running, verb: str, *, index: int, user: str = RECRUITER
) -> dict[str, Any]:
    assert await pick(app, await card_of(app, user), verb, user=user, index=index) == []
    return last_view(app)


def kit_sent_ts(app: Running, kit: dict[str, Any]) -> str:
    """The ts Slack gave the kit's DM (the message a later change edits)."""
    [call] = [c for c in app.standin.calls_to("chat.postMessage") if c.args is kit]
    assert call.response is not None
    return str(call.response["ts"])


@built_once(maya_interviewing)
async def test_a_reschedule_into_the_past_is_warned_about_first(
    app: Running, interview: Interview, clock
) -> None:
    """Moved to yesterday by a slip: the form comes back with the warning and nothing
    moves or is sent; sent as it is, it moves."""
    yesterday = clock.now() - timedelta(days=1)
    form = await open_form(app, "reschedule")
    before = len(app.standin.calls)

    warned = answer(await app.slack.submit_view(form, {"starts": yesterday}, user=RECRUITER))

    assert warned["response_action"] == "update"
    assert warned["view"]["submit"]["text"] == "Reschedule anyway"
    assert "*In the past.* This interview starts" in blocks_text(warned["view"]["blocks"])
    await app.settle()
    assert (await the_interview(app, interview.id)).starts_at == TUESDAY_10
    assert [c for c in app.standin.calls[before:] if c.method == "chat.postMessage"] == []
    moved = await app.slack.submit_view(warned["view"], {"starts": yesterday}, user=RECRUITER)
    assert not moved.content, moved.text
    await app.settle()
    assert (await the_interview(app, interview.id)).starts_at == yesterday
    # The kit, drawn again, is one of an interview held: no reminder is promised, and no
    # "I can't make it" that would only be refused.
    [kit] = updates_in(app, f"D{INTERVIEWER}", before)[-1:]
    assert "I'll remind you" not in blocks_text(kit["blocks"])
    assert "This interview has taken place: submit your scorecard." in blocks_text(kit["blocks"])
    assert list(buttons(kit["blocks"])) == ["Submit scorecard"]


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_an_interview_with_a_scorecard_in_does_not_move_to_a_time_to_come(
    app: Running, interview: Interview, clock
) -> None:
    """Held, scored, then moved to next week by mistake: the scorecards stood for an
    interview still to come, the loop stayed complete and its decision window closed
    days before it. Refused on the field; a correction of when it was held (a time in the
    past) still goes."""
    clock.set(TUESDAY_10 + timedelta(hours=1))
    await submit_scorecard(app, interview, INTERVIEWER)
    form = await open_form(app, "reschedule")
    before = len(app.standin.calls)

    refused = await app.slack.submit_view(
        form, {"starts": TUESDAY_10 + timedelta(days=7)}, user=RECRUITER
    )

    errors = refused.json()["errors"]
    assert "A scorecard for this interview is in, so it was held" in errors["starts"], errors
    await app.settle()
    assert (await the_interview(app, interview.id)).starts_at == TUESDAY_10
    assert [c for c in app.standin.calls[before:] if c.method == "chat.postMessage"] == []

    earlier = TUESDAY_10 - timedelta(minutes=30)
    corrected = await app.slack.submit_view(form, {"starts": earlier}, user=RECRUITER)
    if corrected.content:  # the in-the-past warning first, then as it is
        corrected = await app.slack.submit_view(
            answer(corrected)["view"], {"starts": earlier}, user=RECRUITER
        )
    assert not corrected.content, corrected.text
    await app.settle()
    assert (await the_interview(app, interview.id)).starts_at == earlier


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_the_recruiter_hears_of_a_change_the_hiring_manager_made(
    app: Running, interview: Interview, clock
) -> None:
    """Hana moved Chloe's interview from 10:00 to 14:00, changed its panel and then
    cancelled it: the interviewers heard, but Riya, who tells the candidate the time,
    heard nothing, and the candidate would have come at 10:00."""
    later = TUESDAY_10 + timedelta(hours=4)
    before = len(app.standin.calls)

    form = await open_form(app, "reschedule", user=HM)
    moved = await app.slack.submit_view(form, {"starts": later}, user=HM)
    assert not moved.content, moved.text
    await app.settle()
    form = await open_form(app, "panel", user=HM)
    await app.slack.submit_view(form, {"interviewers": [INTERVIEWER, INTERVIEWER_2]}, user=HM)
    await app.settle()
    form = await open_form(app, "cancel", user=HM)
    [field] = [b for b in form["blocks"] if b.get("block_id") == "reason"]
    # The card keeps reasons from interviewers; this one goes to them: said up front.
    assert field["label"]["text"] == "Why is it cancelled? (sent to its interviewers)"
    await app.slack.submit_view(form, {"reason": "the candidate asked to pause"}, user=HM)
    await app.settle()

    told = [blocks_text(m["blocks"]) for m in messages_to(app, RECRUITER, before)]
    [moved_news] = [t for t in told if "moved" in t]
    assert (
        f"<@{HM}> moved Production incident interview with *Maya Chen* (MLOps Engineer) from "
        f"{when(TUESDAY_10)} to *{when(later)}*. Let the candidate know the new time."
    ) in moved_news, moved_news
    [panel_news] = [t for t in told if "changed the interviewers" in t]
    assert f"added <@{INTERVIEWER_2}>" in panel_news
    [cancel_news] = [t for t in told if "cancelled" in t]
    assert "the candidate asked to pause. Let the candidate know." in cancel_news
    assert not [m for m in messages_to(app, HM, before) if "Let the candidate" in m["text"]]
    assert (await the_interview(app, interview.id)).status == "cancelled"


@built_once(maya_interviewing)
async def test_the_recruiter_s_own_changes_tell_no_other_member(app: Running) -> None:
    before = len(app.standin.calls)
    form = await open_form(app, "reschedule")
    await app.slack.submit_view(form, {"starts": TUESDAY_10 + timedelta(hours=4)}, user=RECRUITER)
    await app.settle()
    assert messages_to(app, HM, before) == []
    assert not [m for m in messages_to(app, RECRUITER, before) if "Let the candidate" in str(m)]


@pytest.mark.both_databases
@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_an_interviewer_booked_by_mistake_and_cancelled_no_longer_sees_them(
    app: Running, clock
) -> None:
    """Theo was booked by mistake and the interview cancelled before it: he never met
    Maya, yet her card, every later move and her export row stayed his to see. Someone
    who sent a scorecard for an interview cancelled afterwards still sees her."""
    form = await open_form(app, "cancel")
    await app.slack.submit_view(form, {"reason": "wrong person booked"}, user=RECRUITER)
    await app.settle()
    await app.slack.command("move Maya Chen to decision", user=RECRUITER)

    for person in (INTERVIEWER, INTERVIEWER_2):
        refused = answer(await app.slack.command("status Maya Chen", user=person))
        assert refused["text"].startswith("I couldn't find a candidate called"), refused
        exported = answer(await app.slack.command("export", user=person))
        assert "Maya" not in exported["text"] and "CSV of 1" not in exported["text"], exported

    # Booked again, held and scored, then cancelled: Ivan met her, and keeps seeing her.
    await app.slack.command("move Maya Chen to interviewing: one more", user=RECRUITER)
    interview = await schedule(app, "Maya", starts=TUESDAY_10 + timedelta(days=1))
    clock.set(TUESDAY_10 + timedelta(days=1, hours=1))
    await submit_scorecard(app, interview, INTERVIEWER)
    form = await open_form(app, "cancel")
    await app.slack.submit_view(form, {"reason": "recorded twice"}, user=RECRUITER)
    await app.settle()
    assert (await the_interview(app, interview.id)).status == "cancelled"
    card = answer(await app.slack.command("status Maya Chen", user=INTERVIEWER))
    assert "Maya Chen" in blocks_text(card["blocks"])


@built_once(maya_interviewing)
async def test_an_interview_someone_can_t_make_is_marked_in_their_own_lists(
    app: Running,
) -> None:
    """Ines pressed I can't make it; her /hire feedback and Home tab still listed the
    interview plainly under Coming up, as if she were going."""
    await cant_make_it(app, INTERVIEWER, "Dentist")
    await app.settle()

    listed = blocks_text(answer(await app.slack.command("feedback", user=INTERVIEWER))["blocks"])
    assert "you said you can't make it; the recruiters will fix it" in listed, listed
    home = blocks_text((await home_of(app, INTERVIEWER))["blocks"])
    assert "you said you can't make it" in home, home


@built_once(maya_interviewing)
async def test_an_interview_over_that_someone_said_they_can_t_make_says_why_it_is_owed(
    app: Running, clock
) -> None:
    """Nobody changed the panel after Ines's I can't make it; once the interview was
    over, her /hire feedback listed its scorecard as due, with no word of what she said."""
    await cant_make_it(app, INTERVIEWER, "Dentist")
    await app.settle()
    clock.set(TUESDAY_10 + timedelta(hours=3))  # the interview is over

    listed = blocks_text(answer(await app.slack.command("feedback", user=INTERVIEWER))["blocks"])
    assert "you said you can't make it and the panel was not changed" in listed, listed
    assert "Submit scorecard" in listed  # if she did interview after all


@built_once(maya_interviewing)
async def test_an_overdue_scorecard_is_chased_from_the_card(app: Running, clock) -> None:
    """The overdue digest item comes once; after it, nothing current could nudge Ines
    again: the card had no Nudge, the interview menu neither. The team's card now has it
    while a scorecard is out for an interview over; the interviewer's card does not."""
    assert "Nudge interviewers" not in buttons((await card_of(app))["blocks"])  # not yet
    clock.set(TUESDAY_10 + timedelta(days=2))
    card = await card_of(app)
    before = len(app.standin.calls)

    [said] = await click(app, card, "Nudge interviewers", user=RECRUITER)
    await app.settle()

    assert said.args["text"] == f"Nudged <@{INTERVIEWER}> about Maya Chen."

    [reminder] = messages_to(app, INTERVIEWER, before)
    assert f"<@{RECRUITER}> asked me to remind you" in blocks_text(reminder["blocks"])
    assert "Nudge interviewers" not in buttons((await card_of(app, INTERVIEWER))["blocks"])


@built_once(maya_interviewing)
async def test_a_reschedule_keeps_the_scorecard_window_it_was_booked_with(
    app: Running, interview: Interview
) -> None:
    """Booked with the role's 24 h window; the role then takes 12 h for interviews booked
    from then on. Moved to Thursday, its scorecards are still due 24 h after its end."""
    await app.slack.command("role edit MLOps", user=RECRUITER)
    saved = await app.slack.submit_view(last_view(app), {"feedback_hours": "12"}, user=RECRUITER)
    assert not saved.content, saved.text
    form = await open_form(app, "reschedule")

    done = await app.slack.submit_view(form, {"starts": THURSDAY_10}, user=RECRUITER)

    assert not done.content, done.text
    await app.settle()
    ends = THURSDAY_10 + timedelta(minutes=45)
    async with app.deps.db.reader() as session:
        [seat] = (await session.exec(select(Seat).where(Seat.interview_id == interview.id))).all()
    assert seat.feedback_due_at == ends + timedelta(hours=24)
    ts = kit_sent_ts(app, kit_for(app, INTERVIEWER))
    [*_, kit] = [u for u in updates_in(app, f"D{INTERVIEWER}") if u["ts"] == ts]
    assert "*Scorecard due*\nFri 20 Nov, 10:45 (UTC)" in blocks_text(kit["blocks"])


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_a_stale_form_after_a_cancel_changes_nothing(
    app: Running, interview: Interview
) -> None:
    stale_card = await card_of(app)
    reschedule_form = await open_form(app, "reschedule")
    cancel_form = await open_form(app, "cancel")
    cancelled = await app.slack.submit_view(cancel_form, {"reason": "Role paused"}, user=RECRUITER)
    assert not cancelled.content, cancelled.text
    await app.settle()

    late = await app.slack.submit_view(reschedule_form, {"starts": THURSDAY_10}, user=RECRUITER)
    error = late.json()["errors"]["starts"]
    assert error.startswith(
        "Someone changed this interview since you opened this form: it was cancelled"
    )
    stored_now = await the_interview(app, interview.id)
    assert (stored_now.status, stored_now.starts_at, stored_now.version) == (
        "cancelled",
        TUESDAY_10,
        2,
    )
    # The old card's menu: a short private answer, and no form.
    opened = len(app.standin.calls_to("views.open"))
    answers = await pick(app, stale_card, "reschedule")
    assert "was cancelled" in said(answers)
    assert len(app.standin.calls_to("views.open")) == opened
    assert len(await changes_made(app)) == 1


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_a_stale_menu_after_the_candidate_left_changes_nothing(
    app: Running, interview: Interview, clock
) -> None:
    clock.set(TUESDAY_10 + timedelta(minutes=20))
    stale_card = await card_of(app)
    await app.slack.command("move Maya Chen to rejected: not a fit", user=RECRUITER)
    assert (await candidate_named(app, "Maya Chen")).stage == "rejected"
    opened = len(app.standin.calls_to("views.open"))

    for verb in ("cancel", "no_show"):
        answers = await pick(app, stale_card, verb)
        assert "Maya Chen is in rejected" in said(answers)
    assert len(app.standin.calls_to("views.open")) == opened
    assert (await the_interview(app, interview.id)).status == "scheduled"
    assert overflows((await card_of(app))["blocks"]) == []


@pytest.mark.both_databases
@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_a_no_show_from_a_card_drawn_before_a_change_is_refused(
    app: Running, interview: Interview, clock
) -> None:
    clock.set(TUESDAY_10 + timedelta(minutes=20))
    stale_card = await card_of(app)
    form = await open_form(app, "panel")
    await app.slack.submit_view(form, {"interviewers": [INTERVIEWER]}, user=RECRUITER)
    await app.settle()

    opened = len(app.standin.calls_to("views.open"))
    answers = await pick(app, stale_card, "no_show")

    assert "its interviewers changed" in said(answers) and "Nothing changed" in said(answers)
    assert len(app.standin.calls_to("views.open")) == opened  # no form to confirm
    after = await the_interview(app, interview.id)
    assert (after.status, after.version) == ("scheduled", 2)


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_an_interview_with_a_scorecard_in_is_not_a_no_show(
    app: Running, interview: Interview, clock
) -> None:
    """A scorecard may be written before the interview begins; then it cannot be a
    no-show too (the card would count a scorecard under "no-show")."""
    clock.set(TUESDAY_10 + timedelta(minutes=20))
    confirm = await open_form(app, "no_show")
    await submit_scorecard(app, interview, INTERVIEWER)
    opened = len(app.standin.calls_to("views.open"))

    answers = await pick(app, await card_of(app), "no_show")
    refused = await app.slack.submit_view(confirm, {"note": "Did not join"}, user=RECRUITER)

    assert "A scorecard for this interview is in" in said(answers)
    assert "cancel the interview instead" in said(answers)
    assert len(app.standin.calls_to("views.open")) == opened  # no form to confirm
    assert refused.status_code == 200
    after = await the_interview(app, interview.id)
    assert (after.status, after.version) == ("scheduled", 1)

    # Cancelled instead, as advised: whoever wrote a scorecard hears it stays on record.
    before = len(app.standin.calls)
    form = await open_form(app, "cancel")
    await app.slack.submit_view(form, {"reason": "Candidate never joined"}, user=RECRUITER)
    await app.settle()
    [to_writer] = messages_to(app, INTERVIEWER, before)
    assert "The scorecard you sent for it stays" in blocks_text(to_writer["blocks"])
    [to_other] = messages_to(app, INTERVIEWER_2, before)
    assert "No scorecard is due for it." in blocks_text(to_other["blocks"])
    [kit] = updates_in(app, f"D{INTERVIEWER}", before)
    assert "stays with the candidate's feedback" in blocks_text(kit["blocks"])
    shown = blocks_text((await card_of(app))["blocks"])
    assert f"<@{INTERVIEWER}>: scorecard in, recommends" in shown


@pytest.mark.both_databases
@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_a_no_show_form_left_open_while_the_interview_changed_changes_nothing(
    app: Running, interview: Interview, clock
) -> None:
    clock.set(TUESDAY_10 + timedelta(minutes=20))
    confirm = await open_form(app, "no_show")
    panel = await open_form(app, "panel")
    await app.slack.submit_view(panel, {"interviewers": [INTERVIEWER]}, user=RECRUITER)
    await app.settle()

    refused = await app.slack.submit_view(confirm, {"note": "Did not join"}, user=RECRUITER)

    assert "its interviewers changed" in refused.json()["errors"]["note"]
    after = await the_interview(app, interview.id)
    assert (after.status, after.version) == ("scheduled", 2)


@pytest.mark.both_databases
@built_once(maya_interviewing, recruiters=(RECRUITER, RECRUITER_2))
async def test_two_recruiters_at_once_one_wins_and_the_other_is_told(
    app: Running, interview: Interview
) -> None:
    cancel_form = await open_form(app, "cancel", user=RECRUITER)
    move_form = await open_form(app, "reschedule", user=RECRUITER_2)

    answers = await asyncio.gather(
        app.slack.submit_view(cancel_form, {"reason": "Double booked"}, user=RECRUITER),
        app.slack.submit_view(move_form, {"starts": THURSDAY_10}, user=RECRUITER_2),
    )
    await app.settle()

    won = [a for a in answers if not a.content]
    lost = [a.json()["errors"] for a in answers if a.content]
    assert len(won) == 1 and len(lost) == 1
    [field] = lost[0].values()
    assert field.startswith("Someone changed this interview since you opened this form")
    after = await the_interview(app, interview.id)
    [change] = await changes_made(app)
    assert after.version == 2
    if change.kind == "interview_cancelled":
        assert (after.status, after.starts_at) == ("cancelled", TUESDAY_10)
    else:
        assert (after.status, after.starts_at) == ("scheduled", THURSDAY_10)


# Reschedule -------------------------------------------------------------------------------


@pytest.mark.both_databases
@built_once(maya_interviewing)
async def test_a_rescheduled_interview_is_nudged_from_its_new_end_only(
    app: Running, interview: Interview, clock
) -> None:
    kit = kit_for(app, INTERVIEWER)
    form = await open_form(app, "reschedule")
    assert form["blocks"][2]["element"]["initial_value"] == "45"
    before = len(app.standin.calls)

    done = await app.slack.submit_view(
        form, {"starts": THURSDAY_10, "minutes": "60"}, user=RECRUITER
    )
    await app.settle()

    assert done.status_code == 200 and not done.content, done.text
    moved = await the_interview(app, interview.id)
    assert (moved.starts_at, moved.ends_at, moved.version) == (
        THURSDAY_10,
        THURSDAY_10 + timedelta(hours=1),
        2,
    )
    async with app.deps.db.reader() as session:
        [seat] = (await session.exec(select(Seat))).all()
    assert seat.feedback_due_at == THURSDAY_10 + timedelta(hours=25)
    # The kit is edited in place, and one short DM says the new time (never the old one).
    [edited] = updates_in(app, f"D{INTERVIEWER}", before)
    assert edited["ts"] == kit_sent_ts(app, kit) and "Thu 19 Nov" in edited["text"]
    [note] = messages_to(app, INTERVIEWER, before)
    assert note["text"].startswith("Interview moved") and "Thu 19 Nov, 10:00" in note["text"]
    assert "Tue" not in blocks_text(note["blocks"])
    shown = blocks_text((await card_of(app))["blocks"])
    # Stored in UTC, shown in each reader's zone.
    assert f"moved from {when(TUESDAY_10)} to {when(THURSDAY_10)}" in shown
    # The old end's nudge time passes quietly; the new end's brings the nudge.
    since = len(app.standin.calls)
    clock.set(TUESDAY_10 + timedelta(minutes=45) + NUDGE_AFTER_END)
    await sweep(app)
    assert messages_to(app, INTERVIEWER, since) == []
    clock.set(THURSDAY_10 + timedelta(minutes=60) + NUDGE_AFTER_END)
    await sweep(app)
    [nudge] = messages_to(app, INTERVIEWER, since)
    assert nudge["text"].startswith("Your scorecard for Maya Chen is due")


def warning_shown(app: Running, opening: str, since: int, *, count: int) -> str:
    """What the one DM of a change's warnings since `since` shows; it counts `count`."""
    [warned] = warning_dms(app, opening, since)
    assert warned["text"].endswith(f": {count} warnings, see below.")
    return blocks_text(warned["blocks"])


def warning_dms(app: Running, opening: str, since: int) -> list[dict[str, Any]]:
    """The recruiter's DMs since `since` that start with `opening`: the change's warnings."""
    return [m for m in messages_to(app, RECRUITER, since) if m["text"].startswith(opening)]


def kits_edited(app: Running, since: int) -> list[dict[str, Any]]:
    return [
        c.args
        for c in app.standin.calls[since:]
        if c.method == "chat.update" and c.args["text"].startswith("Interview kit")
    ]


def warnings_on_form(response: Any, button: str) -> str:
    """A change that would warn comes back on its form, warnings on top, `button` to make
    it as it is: what the form shows."""
    warned = answer(response)
    assert warned["response_action"] == "update", warned
    assert warned["view"]["submit"]["text"] == button
    shown = blocks_text(warned["view"]["blocks"])
    assert shown.startswith("*Before you ")
    return shown


def day_off_in(kit: dict[str, Any]) -> bool:
    return "On a company day off where you are" in blocks_text(kit["blocks"])


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_a_reschedule_onto_a_day_off_or_a_clash_warns_who_moved_it(
    app: Running, interview: Interview
) -> None:
    await schedule(app, "Maya", plan="audit", starts=THURSDAY_10, interviewers=(INTERVIEWER_2,))
    await add_day_off(app, "2026-11-19 Founders Day")

    # To Wednesday: nothing to warn about, so no DM beyond the card.
    before = len(app.standin.calls)
    form = await open_form_at(app, "reschedule", index=0)
    await app.slack.submit_view(form, {"starts": TUESDAY_10 + timedelta(days=1)}, user=RECRUITER)
    await app.settle()
    assert warning_dms(app, "Moved", before) == []
    assert [day_off_in(kit) for kit in kits_edited(app, before)] == [False, False]
    # Each interviewer's zone asked once: the form's check and the kits share them.
    looked_up = [c.args["user"] for c in app.standin.calls[before:] if c.method == "users.info"]
    assert sorted(looked_up) == [INTERVIEWER, INTERVIEWER_2]

    # To Thursday 10:00: a company day off, and INTERVIEWER_2's other interview then. The
    # form says so first, and moves nothing until it is sent again as it is.
    before = len(app.standin.calls)
    form = await open_form_at(app, "reschedule", index=0)
    warned = await app.slack.submit_view(form, {"starts": THURSDAY_10}, user=RECRUITER)
    on_form = warnings_on_form(warned, "Reschedule anyway")
    assert "*On a company day off.*" in on_form and "is already interviewing then" in on_form
    assert (await the_interview(app, interview.id)).starts_at != THURSDAY_10
    done = await app.slack.submit_view(
        answer(warned)["view"], {"starts": THURSDAY_10}, user=RECRUITER
    )
    await app.settle()

    assert done.status_code == 200 and not done.content, done.text
    assert (await the_interview(app, interview.id)).starts_at == THURSDAY_10  # moved anyway
    shown = warning_shown(app, "Moved", before, count=2)
    assert (
        ":warning: *On a company day off.* Thursday 2026-11-19 (Founders Day) is a day off "
        f"where <@{INTERVIEWER}>, <@{INTERVIEWER_2}> are."
    ) in shown
    assert f":warning: *<@{INTERVIEWER_2}> is already interviewing then:*" in shown
    assert "booked twice" not in shown and "More interviews than the plan" not in shown
    # The kits, edited in place, say it is a day off where their interviewers are.
    assert [day_off_in(kit) for kit in kits_edited(app, before)] == [True, True]


@built_once(maya_interviewing)
async def test_new_interviewers_busy_or_off_then_are_named_to_who_added_them(
    app: Running,
) -> None:
    await add_candidate(app, "Omar Haddad", role=(await stored(app, Role))[0])
    await schedule(app, "Omar", plan="audit", starts=TUESDAY_10, interviewers=(INTERVIEWER_2,))
    await add_day_off(app, "2026-11-17 Founders Day")
    app.standin.set_user(INTERVIEWER_3, tz="America/Los_Angeles", tz_offset=-8 * 3600)

    before = len(app.standin.calls)
    form = await open_form_at(app, "panel", index=0)
    panel = {"interviewers": [INTERVIEWER, INTERVIEWER_2, INTERVIEWER_3]}
    warned = await app.slack.submit_view(form, panel, user=RECRUITER)
    assert "*On a company day off.*" in warnings_on_form(warned, "Save anyway")
    assert await seats_of_maya(app) == {INTERVIEWER}  # nothing changed yet
    done = await app.slack.submit_view(answer(warned)["view"], panel, user=RECRUITER)
    await app.settle()

    assert done.status_code == 200 and not done.content, done.text
    assert await seats_of_maya(app) == {INTERVIEWER, INTERVIEWER_2, INTERVIEWER_3}
    shown = warning_shown(app, "New interviewers", before, count=2)
    # Only the newcomers: INTERVIEWER was on the panel (and off that day) all along.
    # Tuesday 10:00 UTC is 02:00 on Tuesday in Los Angeles: their day off too.
    assert (
        ":warning: *On a company day off.* Tuesday 2026-11-17 (Founders Day) is a day off "
        f"where <@{INTERVIEWER_2}>, <@{INTERVIEWER_3}> are."
    ) in shown
    assert f":warning: *<@{INTERVIEWER_2}> is already interviewing then:*" in shown
    assert f"<@{INTERVIEWER}> is already" not in shown


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_taking_someone_off_an_interview_under_way_is_warned_first(
    app: Running, clock
) -> None:
    """Four minutes into Maya's interview, Theo is swapped for Ivan: Theo, who may have
    interviewed, could then no longer send his scorecard. The form says so first."""
    clock.set(TUESDAY_10 + timedelta(minutes=4))
    form = await open_form_at(app, "panel", index=0)
    panel = {"interviewers": [INTERVIEWER, INTERVIEWER_3]}

    warned = await app.slack.submit_view(form, panel, user=RECRUITER)

    shown = warnings_on_form(warned, "Save anyway")
    assert (
        f":warning: *Under way.* This interview began {when(TUESDAY_10)}: <@{INTERVIEWER_2}>, "
        "taken off, can no longer send a scorecard for it."
    ) in shown, shown
    assert await seats_of_maya(app) == {INTERVIEWER, INTERVIEWER_2}
    done = await app.slack.submit_view(answer(warned)["view"], panel, user=RECRUITER)
    assert not done.content, done.text
    assert await seats_of_maya(app) == {INTERVIEWER, INTERVIEWER_3}


@built_once(maya_interviewing)
async def test_reschedule_refuses_bad_values_on_the_field(
    app: Running, interview: Interview, clock
) -> None:
    form = await open_form(app, "reschedule")

    long_ago = await app.slack.submit_view(
        form, {"starts": clock.now() - timedelta(days=8)}, user=RECRUITER
    )
    assert "more than a week ago" in long_ago.json()["errors"]["starts"]
    far = await app.slack.submit_view(
        form, {"starts": clock.now() + timedelta(days=91)}, user=RECRUITER
    )
    assert "90 days" in far.json()["errors"]["starts"]
    short = await app.slack.submit_view(
        form, {"starts": THURSDAY_10, "minutes": "5"}, user=RECRUITER
    )
    assert "10 to 480" in short.json()["errors"]["minutes"]
    same = await app.slack.submit_view(form, {}, user=RECRUITER)
    assert "the time it has now" in same.json()["errors"]["starts"]
    unchanged = await the_interview(app, interview.id)
    assert (unchanged.starts_at, unchanged.version) == (TUESDAY_10, 1)
    assert await changes_made(app) == []


# Change interviewers --------------------------------------------------------------------------


@pytest.mark.both_databases
@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_a_removed_interviewer_is_never_nudged_and_the_loop_completes(
    app: Running, interview: Interview, clock
) -> None:
    clock.set(TUESDAY_10 + timedelta(minutes=50))
    await submit_scorecard(app, interview, INTERVIEWER)
    kit = kit_for(app, INTERVIEWER_2)
    form = await open_form(app, "panel")
    assert form["blocks"][1]["element"]["initial_users"] == [INTERVIEWER, INTERVIEWER_2]
    before = len(app.standin.calls)

    done = await app.slack.submit_view(form, {"interviewers": [INTERVIEWER]}, user=RECRUITER)
    await app.settle()

    assert done.status_code == 200 and not done.content, done.text
    assert await seats(app) == {INTERVIEWER}
    assert messages_to(app, INTERVIEWER_2, before) == []  # quietly: it is over
    [edited] = updates_in(app, f"D{INTERVIEWER_2}", before)
    assert edited["ts"] == kit_sent_ts(app, kit) and "no longer on" in edited["text"]
    assert len(summaries_to(app, HM, before)) == 1
    [change] = await changes_made(app)
    assert (
        change.summary == f"Production incident interview interviewers: removed <@{INTERVIEWER_2}>"
    )
    since = len(app.standin.calls)
    for days in (1, 2, 3):
        clock.set(TUESDAY_10 + timedelta(days=days))
        await sweep(app)
    assert messages_to(app, INTERVIEWER_2, since) == []


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_an_interviewer_taken_off_before_the_interview_is_told(app: Running) -> None:
    """Their kit, far up the DM, is edited (which notifies nobody): a DM says they are
    off, or they would turn up for it."""
    form = await open_form(app, "panel")
    before = len(app.standin.calls)

    await app.slack.submit_view(form, {"interviewers": [INTERVIEWER]}, user=RECRUITER)
    await app.settle()

    [told] = messages_to(app, INTERVIEWER_2, before)
    assert told["text"].startswith("You're off the panel: Production incident interview")
    assert "no longer on the panel" in blocks_text(told["blocks"])
    assert messages_to(app, INTERVIEWER, before) == []  # still on it: nothing new


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_a_removed_interviewers_scorecard_stays_marked(
    app: Running, interview: Interview, clock
) -> None:
    clock.set(TUESDAY_10 + timedelta(minutes=50))
    await submit_scorecard(app, interview, INTERVIEWER, rating="4")
    form = await open_form(app, "panel")
    before = len(app.standin.calls)

    done = await app.slack.submit_view(
        form, {"interviewers": [INTERVIEWER_2, INTERVIEWER_3]}, user=RECRUITER
    )
    await app.settle()

    assert not done.content, done.text
    assert await seats(app) == {INTERVIEWER_2, INTERVIEWER_3}
    assert len(await stored(app, Scorecard)) == 1
    kit_for(app, INTERVIEWER_3)  # the new interviewer got the kit
    assert messages_to(app, INTERVIEWER_2, before) == []  # the one kept is told nothing
    assert summaries_to(app, HM, before) == []  # two scorecards still owed
    shown = blocks_text((await card_of(app))["blocks"])
    assert (
        f"<@{INTERVIEWER}>: scorecard in, recommends *Strong yes* · no longer on the panel" in shown
    )
    # The independence rule: the new interviewer sees no rating before their own.
    theirs = blocks_text((await card_of(app, INTERVIEWER_3))["blocks"])
    assert "Strong yes" not in theirs
    await submit_scorecard(app, interview, INTERVIEWER_2)
    await submit_scorecard(app, interview, INTERVIEWER_3)
    [summary] = summaries_to(app, HM, before)
    assert f"<@{INTERVIEWER}>: *Strong yes* (no longer on the panel)" in blocks_text(
        summary["blocks"]
    )
    assert "All 3 scorecards" in blocks_text(summary["blocks"])


@built_once(maya_interviewing)
async def test_change_interviewers_refuses_bad_values_on_the_field(app: Running) -> None:
    form = await open_form(app, "panel")

    nobody = await app.slack.submit_view(form, {"interviewers": []}, user=RECRUITER)
    assert nobody.json()["errors"] == {"interviewers": "Pick at least one interviewer."}
    seven = [f"UINT000{i}" for i in range(1, 8)]
    many = await app.slack.submit_view(form, {"interviewers": seven}, user=RECRUITER)
    assert "at most 6" in many.json()["errors"]["interviewers"]
    same = await app.slack.submit_view(form, {}, user=RECRUITER)
    assert "panel it has now" in same.json()["errors"]["interviewers"]
    assert await seats(app) == {INTERVIEWER}
    assert await changes_made(app) == []


# No-show ------------------------------------------------------------------------------------


@built_once(maya_interviewing)
async def test_a_no_show_is_confirmed_in_a_form_before_anything_changes(
    app: Running, interview: Interview, clock
) -> None:
    clock.set(TUESDAY_10 + timedelta(minutes=20))

    form = await open_form(app, "no_show")

    assert form["callback_id"] == "interview_no_show"
    assert form["submit"]["text"] == "Mark no-show"
    assert "No scorecard will be due" in blocks_text(form["blocks"])
    # Closing the form (or never sending it) leaves the interview as it was.
    assert (await the_interview(app, interview.id)).status == "scheduled"
    assert await changes_made(app) == []
    too_long = await app.slack.submit_view(form, {"note": "x" * 2001}, user=RECRUITER)
    assert "characters at most" in too_long.json()["errors"]["note"]
    assert (await the_interview(app, interview.id)).status == "scheduled"


@built_once(maya_interviewing)
async def test_a_no_show_offers_reschedule_or_reject(
    app: Running, interview: Interview, clock
) -> None:
    clock.set(TUESDAY_10 + timedelta(minutes=20))
    before = len(app.standin.calls)

    form = await open_form(app, "no_show")
    done = await app.slack.submit_view(form, {"note": "Did not join the call"}, user=RECRUITER)
    await app.settle()

    assert not done.content, done.text
    assert (await the_interview(app, interview.id)).status == "no_show"
    shown = [m for m in messages_to(app, RECRUITER, before) if "marked a no-show" in m["text"]]
    assert shown and "Did not join the call" in blocks_text(shown[0]["blocks"])  # the card
    [prompt] = [m for m in messages_to(app, RECRUITER, before) if "did not come" in m["text"]]
    offered = buttons(prompt["blocks"])
    assert set(offered) == {"Reschedule", "Reject"}
    card = await card_of(app)
    assert overflows(card["blocks"]) == [] and "Reschedule" in buttons(card["blocks"])
    # No scorecard is due for it: the sweep nudges nobody.
    clock.set(TUESDAY_10 + timedelta(hours=3))
    await sweep(app)
    assert messages_to(app, INTERVIEWER, before) == []
    # Reject opens the move form set to rejected; Reschedule, the reschedule form.
    await click(app, prompt, "Reject", user=RECRUITER, channel=f"D{RECRUITER}")
    rejecting = last_view(app)
    assert rejecting["callback_id"] == "candidate_move"
    assert rejecting["blocks"][1]["element"]["initial_option"]["value"] == "rejected"
    await click(app, prompt, "Reschedule", user=RECRUITER, channel=f"D{RECRUITER}")
    form = last_view(app)
    assert form["callback_id"] == "interview_reschedule"
    done = await app.slack.submit_view(form, {"starts": THURSDAY_10}, user=RECRUITER)
    await app.settle()
    assert not done.content, done.text
    again = await the_interview(app, interview.id)
    assert (again.status, again.starts_at, again.version) == ("scheduled", THURSDAY_10, 3)


# I can't make it ----------------------------------------------------------------------------


@built_once(
    maya_interviewing,
    interviewers=(INTERVIEWER, INTERVIEWER_2),
    recruiters=(RECRUITER, RECRUITER_2),
)
async def test_cant_make_it_tells_the_recruiters_once_and_flags_the_card(
    app: Running,
    interview: Interview,
) -> None:
    kit = kit_for(app, INTERVIEWER)
    before = len(app.standin.calls)

    assert (
        await click(app, kit, "I can't make it", user=INTERVIEWER, channel=f"D{INTERVIEWER}") == []
    )
    form = last_view(app)
    assert "Your interview with *Maya Chen*, <!date^" in blocks_text(form["blocks"])
    done = await app.slack.submit_view(form, {"reason": "Out sick"}, user=INTERVIEWER)
    await app.settle()

    assert not done.content, done.text
    for recruiter in (RECRUITER, RECRUITER_2):
        [alert] = messages_to(app, recruiter, before)
        assert "can't make" in alert["text"]
        assert set(buttons(alert["blocks"])) == {"Change interviewers", "Reschedule"}
    shown = blocks_text((await card_of(app))["blocks"])
    assert (
        f"<@{INTERVIEWER}>: scorecard due" in shown and ":warning: can't make it: Out sick" in shown
    )
    # The history says who once: "<@ana> can't make …", not "… by <@ana>" again.
    assert f"<@{INTERVIEWER}> can't make Production incident interview" in shown
    assert f"can't make Production incident interview by <@{INTERVIEWER}>" not in shown
    # Again: a short answer, no form; the same form sent again tells nobody twice.
    opened = len(app.standin.calls_to("views.open"))
    again = await click(app, kit, "I can't make it", user=INTERVIEWER, channel=f"D{INTERVIEWER}")
    assert "already told" in said(again)
    assert len(app.standin.calls_to("views.open")) == opened
    await app.slack.submit_view(form, {"reason": "Out sick"}, user=INTERVIEWER)
    await app.settle()
    assert len(messages_to(app, RECRUITER, before)) == 1
    # Only the seat's holder: anyone else pressing it is refused.
    refused = await press(app, "interview_cant_open", str(interview.id), user=OUTSIDER)
    assert "not on that interview's panel" in said(refused)
    # The recruiter's button opens the panel form; removing the person clears the flag.
    [alert] = messages_to(app, RECRUITER, before)
    await click(app, alert, "Change interviewers", user=RECRUITER, channel=f"D{RECRUITER}")
    panel = last_view(app)
    assert panel["callback_id"] == "interview_panel"
    await app.slack.submit_view(panel, {"interviewers": [INTERVIEWER_2]}, user=RECRUITER)
    await app.settle()
    assert "can't make it" not in blocks_text((await card_of(app))["blocks"]).split("History")[0]
    kinds = [c.kind for c in await changes_made(app)]
    assert kinds == ["interview_cant_make_it", "interview_panel"]


@built_once(maya_interviewing)
async def test_cant_make_it_once_the_interview_has_begun_is_refused(app: Running, clock) -> None:
    """Pressed on the kit after the interview began (or was held and scored): the
    recruiters are not sent to re-staff it; the interviewer hears what to do instead."""
    kit = kit_for(app, INTERVIEWER)
    clock.set(TUESDAY_10 + timedelta(minutes=20))
    before = len(app.standin.calls)

    refused = await click(app, kit, "I can't make it", user=INTERVIEWER, channel=f"D{INTERVIEWER}")

    assert "has begun already, so it is too late" in said(refused)
    # Two days on, "has begun already" read oddly: it is over.
    clock.set(TUESDAY_10 + timedelta(days=2))
    later = await click(app, kit, "I can't make it", user=INTERVIEWER, channel=f"D{INTERVIEWER}")
    assert "Your interview with Maya Chen is over, so it is too late" in said(later)
    assert [c for c in app.standin.calls[before:] if c.method == "views.open"] == []
    assert messages_to(app, RECRUITER, before) == []
    async with app.deps.db.reader() as session:
        [seat] = (await session.exec(select(Seat))).all()
    assert seat.cant_make_it_at is None


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_a_scorecard_sent_after_being_taken_off_the_panel_says_so(
    app: Running, interview: Interview
) -> None:
    """INTERVIEWER's scorecard form is open when the recruiter takes them off the panel:
    sending it stores nothing, and the field says they are no longer on the panel (not
    that it is someone else's scorecard)."""
    await open_scorecard(app, interview, INTERVIEWER)
    form = last_view(app)
    panel = await open_form(app, "panel")
    await app.slack.submit_view(panel, {"interviewers": [INTERVIEWER_2]}, user=RECRUITER)
    await app.settle()

    sent = await app.slack.submit_view(form, good_scorecard(form), user=INTERVIEWER)

    assert "no longer are" in sent.json()["errors"]["summary"]
    assert await stored(app, Scorecard) == []


Alerted = tuple[dict[str, dict[str, Any]], int]


async def alerted(app: Running) -> Alerted:
    """INTERVIEWER (with INTERVIEWER_2 on the panel) says they can't make Maya's
    interview; each recruiter's alert, and where the calls stood after it."""
    await maya_interviewing(
        app, interviewers=(INTERVIEWER, INTERVIEWER_2), recruiters=(RECRUITER, RECRUITER_2)
    )
    before = len(app.standin.calls)
    await click(app, kit_for(app, INTERVIEWER), "I can't make it", user=INTERVIEWER)
    await app.slack.submit_view(last_view(app), {"reason": "Out sick"}, user=INTERVIEWER)
    await app.settle()
    alerts = {r: messages_to(app, r, before)[-1] for r in (RECRUITER, RECRUITER_2)}
    return alerts, len(app.standin.calls)


def alert_now(app: Running, alert: dict[str, Any], since: int) -> dict[str, Any] | None:
    """The alert's last edit since `since`, if it was edited."""
    ts = kit_sent_ts(app, alert)
    edits = [u for u in updates_in(app, f"D{alert['channel']}", since) if u["ts"] == ts]
    return edits[-1] if edits else None


@pytest.mark.parametrize(
    ("fix", "said_after"),
    [
        ("panel", f"<@{RECRUITER}> changed the panel: now <@{INTERVIEWER_2}>, <@{INTERVIEWER_3}>."),
        ("reschedule", f"<@{RECRUITER}> moved it to {when(THURSDAY_10)}."),
        ("cancel", f"<@{RECRUITER}> cancelled it."),
        ("reject", "it is cancelled, as Maya Chen is no longer in the process."),
    ],
)
@pytest.mark.both_databases
@built_once(alerted)
async def test_the_fix_of_a_cant_make_it_settles_every_recruiter_s_alert(
    app: Running, built: Alerted, fix: str, said_after: str
) -> None:
    """Whichever recruiter fixes it, and however, each recruiter's alert then says it is
    sorted and how, its buttons gone: nobody fixes it twice."""
    alerts, since = built
    if fix == "reject":
        await app.slack.command("move Maya to rejected: role filled", user=RECRUITER)
    else:
        form = await open_form(app, fix)
        forms: dict[str, dict[str, Any]] = {
            "panel": {"interviewers": [INTERVIEWER_2, INTERVIEWER_3]},
            "reschedule": {"starts": THURSDAY_10},
            "cancel": {"reason": "Role paused"},
        }
        values = forms[fix]
        done = await app.slack.submit_view(form, values, user=RECRUITER)
        assert not done.content, done.text
    await app.settle()

    for alert in alerts.values():
        edited = alert_now(app, alert, since)
        assert edited is not None, f"the alert to {alert['channel']} was left as it was"
        shown = blocks_text(edited["blocks"])
        assert shown.startswith(f":white_check_mark: <@{INTERVIEWER}> couldn't make")
        assert "*Maya Chen*" in shown and shown.endswith(said_after), shown
        assert buttons(edited["blocks"]) == {}
    # Said once: a later change of the same interview leaves the settled alerts alone.
    again = len(app.standin.calls)
    if fix in ("panel", "reschedule"):
        await app.slack.submit_view(
            await open_form(app, "cancel"), {"reason": "Paused"}, user=RECRUITER
        )
        await app.settle()
        assert all(alert_now(app, a, again) is None for a in alerts.values())


@built_once(alerted)
async def test_a_panel_change_that_keeps_who_cant_make_it_leaves_the_alert_open(
    app: Running, built: Alerted
) -> None:
    alerts, since = built
    form = await open_form(app, "panel")
    done = await app.slack.submit_view(
        form, {"interviewers": [INTERVIEWER, INTERVIEWER_2, INTERVIEWER_3]}, user=RECRUITER
    )
    assert not done.content, done.text
    await app.settle()
    assert all(alert_now(app, a, since) is None for a in alerts.values())
    # Taking them off later settles it then.
    form = await open_form(app, "panel", user=RECRUITER_2)
    await app.slack.submit_view(form, {"interviewers": [INTERVIEWER_3]}, user=RECRUITER_2)
    await app.settle()
    for alert in alerts.values():
        edited = alert_now(app, alert, since)
        assert edited is not None
        assert f"<@{RECRUITER_2}> changed the panel: now <@{INTERVIEWER_3}>." in blocks_text(
            edited["blocks"]
        )


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_cant_make_it_with_a_time_that_works_opens_reschedule_on_it(
    app: Running,
    interview: Interview,
) -> None:
    kit = kit_for(app, INTERVIEWER)
    before = len(app.standin.calls)
    await click(app, kit, "I can't make it", user=INTERVIEWER, channel=f"D{INTERVIEWER}")
    form = last_view(app)
    assert [b["block_id"] for b in form["blocks"] if b["type"] == "input"] == [
        "reason",
        "proposed",
        "proposed_2",
        "proposed_3",
    ]

    done = await app.slack.submit_view(
        form, {"reason": "Out sick", "proposed": THURSDAY_10}, user=INTERVIEWER
    )
    await app.settle()

    assert not done.content, done.text
    thursday = f"<!date^{int(THURSDAY_10.timestamp())}^"
    [noted] = messages_to(app, INTERVIEWER, before)
    assert "could do" in noted["text"] and thursday in noted["text"]
    [alert] = messages_to(app, RECRUITER, before)
    assert "They could do" in blocks_text(alert["blocks"]) and thursday in blocks_text(
        alert["blocks"]
    )
    shown = blocks_text((await card_of(app))["blocks"])
    assert ":warning: can't make it: Out sick · could do " + thursday in shown
    [change] = await changes_made(app)
    assert change.summary.endswith("could do 2026-11-19 10:00 UTC")
    # The recruiter's Reschedule opens on the proposed time, and says whose it is.
    await click(app, alert, "Reschedule", user=RECRUITER, channel=f"D{RECRUITER}")
    form = last_view(app)
    [starts] = [b for b in form["blocks"] if b.get("block_id") == "starts"]
    assert starts["element"]["initial_date_time"] == int(THURSDAY_10.timestamp())
    assert f"<@{INTERVIEWER}> can't make it and proposed {thursday}" in blocks_text(form["blocks"])
    # A slip of the date comes back with a warning: the proposed times are still shown.
    slip = app.deps.clock.now() - timedelta(hours=2)
    warned = answer(await app.slack.submit_view(form, {"starts": slip}, user=RECRUITER))
    assert warned["response_action"] == "update"
    again = blocks_text(warned["view"]["blocks"])
    assert "In the past" in again
    assert f"<@{INTERVIEWER}> can't make it and proposed {thursday}" in again
    moved = await app.slack.submit_view(form, {"starts": THURSDAY_10}, user=RECRUITER)
    await app.settle()
    assert not moved.content, moved.text
    assert (await the_interview(app, interview.id)).starts_at == THURSDAY_10
    # Moved: the flag and the proposal are spent; the next Reschedule opens on the time.
    # (The history keeps what was proposed; the seat's line no longer offers it.)
    assert "· could do" not in blocks_text((await card_of(app))["blocks"])
    async with app.deps.db.reader() as session:
        seats = (await session.exec(select(Seat))).all()
    assert {(s.cant_make_it_at, s.proposed_start_at) for s in seats} == {(None, None)}


@built_once(maya_interviewing)
async def test_cant_make_it_with_three_times_offers_them_all_and_opens_on_the_first(
    app: Running,
    interview: Interview,
) -> None:
    kit = kit_for(app, INTERVIEWER)
    before = len(app.standin.calls)
    await click(app, kit, "I can't make it", user=INTERVIEWER, channel=f"D{INTERVIEWER}")
    times = (THURSDAY_10, THURSDAY_10 + timedelta(hours=4), THURSDAY_10 + timedelta(days=1))

    done = await app.slack.submit_view(
        last_view(app),
        {"proposed": times[0], "proposed_2": times[1], "proposed_3": times[2]},
        user=INTERVIEWER,
    )
    await app.settle()

    assert not done.content, done.text
    a, b, c = (f"<!date^{int(at.timestamp())}^" for at in times)
    in_order = f"could do {re.escape(a)}.*, {re.escape(b)}.* or {re.escape(c)}"
    [noted] = messages_to(app, INTERVIEWER, before)
    assert re.search(in_order, noted["text"])
    [alert] = messages_to(app, RECRUITER, before)
    said = blocks_text(alert["blocks"])
    assert all(t in said for t in (a, b, c)) and "Reschedule opens on the first." in said
    shown = blocks_text((await card_of(app))["blocks"])
    assert re.search(in_order, shown)
    [change] = await changes_made(app)
    assert change.summary.endswith(
        "could do 2026-11-19 10:00 UTC or 2026-11-19 14:00 UTC or 2026-11-20 10:00 UTC"
    )
    await click(app, alert, "Reschedule", user=RECRUITER, channel=f"D{RECRUITER}")
    form = last_view(app)
    [starts] = [b for b in form["blocks"] if b.get("block_id") == "starts"]
    assert starts["element"]["initial_date_time"] == int(times[0].timestamp())
    assert all(t in blocks_text(form["blocks"]) for t in (a, b, c))
    # Picking the second moves it there; every proposal is spent with the flag.
    moved = await app.slack.submit_view(form, {"starts": times[1]}, user=RECRUITER)
    await app.settle()
    assert not moved.content, moved.text
    assert (await the_interview(app, interview.id)).starts_at == times[1]
    async with app.deps.db.reader() as session:
        [seat] = (await session.exec(select(Seat))).all()
    assert seat.proposals == () and seat.cant_make_it_at is None


@built_once(maya_interviewing)
async def test_a_time_given_only_in_a_later_field_is_the_one_proposed(app: Running) -> None:
    await click(app, kit_for(app, INTERVIEWER), "I can't make it", user=INTERVIEWER)
    done = await app.slack.submit_view(
        last_view(app), {"proposed_3": THURSDAY_10}, user=INTERVIEWER
    )
    assert not done.content, done.text
    async with app.deps.db.reader() as session:
        [seat] = (await session.exec(select(Seat))).all()
    assert (seat.proposed_start_at, seat.proposals) == (THURSDAY_10, (THURSDAY_10,))


@built_once(maya_interviewing)
async def test_each_proposed_time_that_cannot_help_is_an_error_on_its_own_field(
    app: Running,
) -> None:
    before = len(app.standin.calls)
    await click(app, kit_for(app, INTERVIEWER), "I can't make it", user=INTERVIEWER)

    done = await app.slack.submit_view(
        last_view(app),
        {
            "proposed": TUESDAY_10,
            "proposed_2": THURSDAY_10,
            "proposed_3": THURSDAY_10,
        },
        user=INTERVIEWER,
    )
    assert set(done.json()["errors"]) == {"proposed", "proposed_3"}  # both at once
    assert "the interview's time now" in done.json()["errors"]["proposed"]

    done = await app.slack.submit_view(
        last_view(app),
        {
            "proposed": THURSDAY_10,
            "proposed_2": THURSDAY_10,
            "proposed_3": TUESDAY_10 - timedelta(days=2),
        },
        user=INTERVIEWER,
    )

    assert done.json()["response_action"] == "errors"
    errors = done.json()["errors"]
    assert set(errors) == {"proposed_2", "proposed_3"}
    assert "proposed that time already" in errors["proposed_2"]
    assert "has passed" in errors["proposed_3"]
    await app.settle()
    assert messages_to(app, RECRUITER, before) == []
    async with app.deps.db.reader() as session:
        [seat] = (await session.exec(select(Seat))).all()
    assert (seat.cant_make_it_at, seat.proposals) == (None, ())


@pytest.mark.parametrize(
    ("proposed", "error"),
    [(TUESDAY_10 - timedelta(days=2), "has passed"), (TUESDAY_10, "the interview's time now")],
)
@built_once(maya_interviewing)
async def test_a_proposed_time_that_cannot_help_is_a_field_error_and_tells_nobody(
    app: Running, proposed: datetime, error: str
) -> None:
    kit = kit_for(app, INTERVIEWER)
    before = len(app.standin.calls)
    await click(app, kit, "I can't make it", user=INTERVIEWER, channel=f"D{INTERVIEWER}")

    done = await app.slack.submit_view(
        last_view(app), {"reason": "Out sick", "proposed": proposed}, user=INTERVIEWER
    )
    await app.settle()

    assert done.json()["response_action"] == "errors"
    assert error in done.json()["errors"]["proposed"]
    assert messages_to(app, RECRUITER, before) == []
    assert messages_to(app, INTERVIEWER, before) == []
    async with app.deps.db.reader() as session:
        [seat] = (await session.exec(select(Seat))).all()
    assert (seat.cant_make_it_at, seat.proposed_start_at) == (None, None)
    assert await changes_made(app) == []


@built_once(maya_interviewing)
async def test_a_kits_place_is_kept_for_later_edits(app: Running, interview: Interview) -> None:
    async with app.deps.db.reader() as session:
        [seat] = (await session.exec(select(Seat))).all()
    kit = kit_for(app, INTERVIEWER)
    assert (seat.kit_channel, seat.kit_ts) == (f"D{INTERVIEWER}", kit_sent_ts(app, kit))
    assert seat.interview_id == interview.id
    assert isinstance(await candidate_named(app, "Maya Chen"), Candidate)


@built_once(maya_interviewing)
async def test_a_reschedule_clears_the_cant_make_it_flag(
    app: Running, interview: Interview
) -> None:
    kit = kit_for(app, INTERVIEWER)
    await click(app, kit, "I can't make it", user=INTERVIEWER, channel=f"D{INTERVIEWER}")
    await app.slack.submit_view(last_view(app), {}, user=INTERVIEWER)  # no reason: fine
    await app.settle()
    [alert] = messages_to(app, RECRUITER)[-1:]
    assert (
        alert["text"] == "An interviewer can't make Production incident interview with Maya Chen."
    )
    assert ":warning: can't make it" in blocks_text((await card_of(app))["blocks"])

    await click(app, alert, "Reschedule", user=RECRUITER, channel=f"D{RECRUITER}")
    done = await app.slack.submit_view(last_view(app), {"starts": THURSDAY_10}, user=RECRUITER)
    await app.settle()

    assert not done.content, done.text
    assert (await the_interview(app, interview.id)).starts_at == THURSDAY_10
    assert ":warning:" not in blocks_text((await card_of(app))["blocks"])


async def seats_of_maya(app: Running) -> set[str]:
    maya = await candidate_named(app, "Maya Chen")
    async with app.deps.db.reader() as session:
        interviews = (
            await session.exec(select(Interview).where(Interview.candidate_id == maya.id))
        ).all()
        ids = [i.id for i in interviews]
        found = (await session.exec(select(Seat))).all()
    return {s.interviewer_id for s in found if s.interview_id in ids}


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_a_reschedule_onto_an_interviewer_s_day_away_warns_who_moved_it(
    app: Running,
) -> None:
    said = answer(await app.slack.command("away add 2026-11-19", user=INTERVIEWER_2))
    assert "now a day away for you" in said["text"]

    before = len(app.standin.calls)
    form = await open_form_at(app, "reschedule", index=0)
    on_form = await app.slack.submit_view(form, {"starts": THURSDAY_10}, user=RECRUITER)
    assert "*Away that day.*" in warnings_on_form(on_form, "Reschedule anyway")
    done = await app.slack.submit_view(
        answer(on_form)["view"], {"starts": THURSDAY_10}, user=RECRUITER
    )
    await app.settle()

    assert done.status_code == 200 and not done.content, done.text
    [warned] = warning_dms(app, "Moved", before)
    assert warned["text"].endswith(": 1 warning, see below.")
    assert (
        f":warning: *Away that day.* <@{INTERVIEWER_2}> is away on Thursday 2026-11-19."
    ) in blocks_text(warned["blocks"])
    kits = kits_edited(app, before)
    away_in = ["On a day you are away" in blocks_text(k["blocks"]) for k in kits]
    assert sorted(away_in) == [False, True]


@built_once(maya_interviewing, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_an_interviewer_sees_what_happened_to_the_candidate_but_not_why(
    app: Running, clock
) -> None:
    """A cancellation's reason, a colleague's "can't make it" and a rejection's reason are
    the hiring team's: an interviewer's card shows what happened, and their own words."""
    await schedule(app, "Maya", plan="audit", starts=THURSDAY_10, interviewers=(INTERVIEWER_2,))
    await cant_make_it(app, INTERVIEWER, "Dentist")
    form = await open_form_at(app, "cancel", index=1)
    done = await app.slack.submit_view(
        form, {"reason": "HM thinks the salary ask is too high"}, user=RECRUITER
    )
    assert not done.content, done.text
    await app.settle()

    theirs = blocks_text((await card_of(app, INTERVIEWER_2))["blocks"])
    assert "cancelled" in theirs and "can't make" in theirs
    assert "Dentist" not in theirs and "salary" not in theirs, theirs
    own = blocks_text((await card_of(app, INTERVIEWER))["blocks"])
    assert ":warning: can't make it: Dentist" in own and "salary" not in own
    team = blocks_text((await card_of(app, RECRUITER))["blocks"])
    assert "Dentist" in team and "salary ask" in team

    clock.set(TUESDAY_10 + timedelta(hours=1))  # their interview held: she is theirs to see
    await app.slack.command("move Maya to rejected: poor culture fit", user=RECRUITER)
    await app.settle()
    theirs = blocks_text((await card_of(app, INTERVIEWER_2))["blocks"])
    assert "*rejected*" in theirs and "culture" not in theirs, theirs
    assert "culture fit" in blocks_text((await card_of(app, RECRUITER))["blocks"])


@built_once(maya_interviewing)
async def test_cancelling_an_interview_already_held_says_what_it_costs(app: Running, clock) -> None:
    """Riya cancelled Maya's interview of two days before; Ines's scorecard for it,
    open in her form, was then refused, and the form had said nothing of it."""
    ahead = blocks_text((await open_form(app, "cancel"))["blocks"])
    assert "This interview took place" not in ahead
    clock.set(TUESDAY_10 + timedelta(days=2))

    form = blocks_text((await open_form(app, "cancel"))["blocks"])

    assert ":warning: *This interview took place*" in form, form
    assert "mark it a *no-show* instead" in form
