"""Safeguards when scheduling, through signed Slack requests: each is a warning in the
scheduler's confirmation DM, and the interview is booked all the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, update

from bot.domain.interviews import InterviewStatus
from bot.runtime.timesource import ManualClock
from bot.store.tables import Candidate, Interview, Role
from tests.conftest import RECRUITER, RECRUITER_2, START, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    add_day_off,
    answer,
    blocks_text,
    create_role,
    kit_for,
    last_view,
    schedule,
    stored,
)
from tests.handlers.test_interview_changes import maya_interviewing, open_form
from tests.scheduling.test_sweep import messages_to
from tests.worlds import built_once

DAY = timedelta(days=1)
TUESDAY_10 = START.replace(hour=10) + DAY


def token(moment: datetime) -> str:
    """How a time shows in a message: a Slack date token every reader sees in their zone."""
    return f"<!date^{int(moment.timestamp())}^"


async def confirmation(
    app: Running, name: str, *, user: str = RECRUITER, **booking: Any
) -> tuple[str, str]:
    """Schedule through the form; the confirmation DM's text and what it shows."""
    before = len(app.standin.calls)
    await schedule(app, name, user=user, **booking)
    [message] = [m for m in messages_to(app, user, before) if m["text"].startswith("Scheduled")]
    return message["text"], blocks_text(message["blocks"])


async def jane(app: Running) -> Role:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    return role


@built_once(jane)
async def test_a_booking_inside_the_plan_and_the_loop_has_no_warning(app: Running) -> None:
    text, shown = await confirmation(app, "Jane", plan="audit", starts=TUESDAY_10)
    assert text == "Scheduled Pipeline and tooling audit with Jane Doe."
    assert ":warning:" not in shown
    text, shown = await confirmation(app, "Jane", plan="incident", starts=TUESDAY_10 + DAY)
    assert ":warning:" not in shown


@pytest.mark.both_databases
@built_once(jane)
async def test_an_interview_past_the_loop_s_deadline_is_booked_with_a_warning(
    app: Running, clock: ManualClock
) -> None:
    await schedule(app, "Jane", plan="audit", starts=TUESDAY_10)  # the loop starts now
    loop_ends = START + 7 * DAY
    late = loop_ends + timedelta(hours=1)

    text, shown = await confirmation(app, "Jane", plan="incident", starts=late)

    assert text.endswith("1 warning: see below.")
    assert "*Past the loop's deadline.*" in shown
    assert f"after Jane Doe's 7-day loop ends {token(loop_ends)}" in shown
    assert len(await stored(app, Interview)) == 2  # booked all the same

    # Booked once the loop is over: "Look for an earlier slot" could not help.
    clock.set(loop_ends + DAY)
    _, after = await confirmation(app, "Jane", plan="audit", starts=loop_ends + 2 * DAY)
    assert f"Jane Doe's 7-day loop ended {token(loop_ends)}" in after
    assert "before this booking, and the team is alerted about it" in after
    assert "Look for an earlier slot" not in after


@built_once(jane)
async def test_a_first_interview_past_the_loop_it_starts_warns_too(app: Running) -> None:
    """Booking moves Jane to interviewing now: her loop ends 7 days from now, before
    an interview 8 days ahead."""
    _, shown = await confirmation(app, "Jane", plan="audit", starts=START + 8 * DAY)
    assert "moved from sourced to interviewing" in shown
    assert f"loop ends {token(START + 7 * DAY)}" in shown


@built_once(jane)
async def test_a_first_interview_whose_scorecards_fall_after_the_loop_is_noted(
    app: Running,
) -> None:
    """The loop counts from the booking (entering interviewing), not from the interview:
    a first interview six days out ends inside the loop, but its scorecards are due
    after it, so the breach would come while the team waits for them. Booked all the
    same, with a note that says why (no form to press through)."""
    starts = START.replace(hour=13) + 6 * DAY  # ends 13:30 on day 6; due 13:30 on day 7

    text, shown = await confirmation(app, "Jane", plan="audit", starts=starts)

    assert "warning" not in text  # a note, not a warning the form would stop for
    assert (
        "*Scorecards due after the loop ends.* Jane Doe's 7-day loop counts from when they "
        f"entered interviewing and ends {token(START + 7 * DAY)}"
    ) in shown, shown
    assert (
        f"this interview's scorecards are due {token(starts + timedelta(minutes=30) + DAY)}"
        in shown
    )
    assert len(await stored(app, Interview)) == 1
    _, shown = await confirmation(app, "Jane", plan="incident", starts=TUESDAY_10 + DAY)
    assert "Scorecards due after" not in shown


@built_once(jane)
async def test_a_time_past_midnight_where_they_are_says_the_day_it_ends(app: Running) -> None:
    """Theo's DM read "Tue 08 Dec, 23:30 to 00:15 (America/New_York)": the end is on
    Wednesday there, and nothing said so."""
    app.standin.set_user(INTERVIEWER, tz="America/New_York")
    starts = datetime(2026, 11, 18, 4, 30, tzinfo=UTC)  # Tue 17 Nov, 23:30 in New York

    _, shown = await confirmation(app, "Jane", plan="incident", starts=starts)

    assert "Tue 17 Nov, 23:30 to Wed 18 Nov, 00:15 (America/New_York)" in shown, shown
    kit = blocks_text(kit_for(app, INTERVIEWER)["blocks"])
    assert "Tue 17 Nov, 23:30 to Wed 18 Nov, 00:15" in kit, kit


@built_once(jane)
async def test_the_candidate_s_deadline_warning_stands_for_the_loop_s(app: Running) -> None:
    """One warning about the loop, the tighter one: the candidate's own deadline."""
    await schedule(app, "Jane", plan="audit", starts=TUESDAY_10)
    async with app.deps.db.transaction() as session:
        await session.exec(
            update(Candidate).values(deadline_at=START + 4 * DAY, deadline_reason="competing offer")
        )
    _, shown = await confirmation(app, "Jane", plan="incident", starts=START + 8 * DAY)
    assert "Too late for Jane Doe's deadline" in shown
    assert "Past the loop's deadline" not in shown


@built_once(jane)
async def test_a_plan_interview_booked_twice_warns(app: Running) -> None:
    await schedule(app, "Jane", plan="audit", starts=TUESDAY_10)

    _, shown = await confirmation(app, "Jane", plan="audit", starts=TUESDAY_10 + DAY)

    assert (
        "*Pipeline and tooling audit booked twice.* Jane Doe already has one booked. "
        "If this one replaces the other" in shown
    )
    assert "the plan has" not in shown  # two interviews: still inside the plan's three
    assert len(await stored(app, Interview)) == 2


@built_once(jane)
async def test_a_second_round_of_an_interview_held_already_is_not_booked_twice(
    app: Running, clock: ManualClock
) -> None:
    """Noah's first incident interview was a week ago, its scorecards in; booking one
    more warned "already has one booked. If this one replaces the other, cancel the
    other", about an interview long over."""
    await schedule(app, "Jane", plan="audit", starts=TUESDAY_10)
    clock.set(TUESDAY_10 + 2 * DAY)

    _, shown = await confirmation(app, "Jane", plan="audit", starts=TUESDAY_10 + 3 * DAY)

    assert "booked twice" not in shown and "replaces the other" not in shown, shown
    assert len(await stored(app, Interview)) == 2


@built_once(jane)
async def test_more_interviews_than_the_plan_warns(app: Running) -> None:
    for n, plan in enumerate(("audit", "incident", "takehome")):
        await schedule(app, "Jane", plan=plan, starts=TUESDAY_10 + n * DAY)

    _, shown = await confirmation(app, "Jane", plan="incident", starts=TUESDAY_10 + 3 * DAY)

    assert "That makes 4 interviews; the plan has 3." in shown
    assert len(await stored(app, Interview)) == 4


@pytest.mark.both_databases
@built_once(jane)
async def test_a_cancelled_interview_takes_no_place_in_the_plan(app: Running) -> None:
    first = await schedule(app, "Jane", plan="audit", starts=TUESDAY_10)
    async with app.deps.db.transaction() as session:
        await session.exec(
            update(Interview)
            .where(col(Interview.id) == first.id)
            .values(status=InterviewStatus.CANCELLED.value)
        )
    _, shown = await confirmation(app, "Jane", plan="audit", starts=TUESDAY_10 + DAY)
    assert ":warning:" not in shown


@pytest.mark.both_databases
@built_once(jane)
async def test_an_interviewer_already_interviewing_then_is_named_not_the_other_candidate(
    app: Running,
) -> None:
    await schedule(app, "Jane", interviewers=(INTERVIEWER,), starts=TUESDAY_10)  # to 10:45
    other_role = await create_role(app, title="Data Engineer", recruiters=(RECRUITER_2,))
    await add_candidate(app, "Bob Roe", role=other_role, user=RECRUITER_2)

    text, shown = await confirmation(
        app,
        "Bob",
        user=RECRUITER_2,
        interviewers=(INTERVIEWER, INTERVIEWER_2),
        starts=TUESDAY_10 + timedelta(minutes=30),
    )

    assert f"*<@{INTERVIEWER}> is already interviewing then:* another interview, " in shown
    assert token(TUESDAY_10) in shown and token(TUESDAY_10 + timedelta(minutes=45)) in shown
    assert "Jane" not in shown and "Jane" not in text  # another role's candidate
    assert f"<@{INTERVIEWER_2}> is already" not in shown
    assert len(await stored(app, Interview)) == 2


async def test_back_to_back_or_cancelled_interviews_do_not_clash(app: Running) -> None:
    role = await jane(app)
    first = await schedule(app, "Jane", plan="audit", starts=TUESDAY_10)  # 30 min: to 10:30
    await add_candidate(app, "Ann Lee", role=role)
    _, shown = await confirmation(
        app, "Ann", plan="audit", starts=TUESDAY_10 + timedelta(minutes=30)
    )
    assert ":warning:" not in shown

    async with app.deps.db.transaction() as session:
        await session.exec(
            update(Interview)
            .where(col(Interview.id) == first.id)
            .values(status=InterviewStatus.CANCELLED.value)
        )
    # 09:45 to 10:30: over Jane's cancelled one, and back to back with Ann's audit.
    _, shown = await confirmation(
        app, "Ann", plan="incident", starts=TUESDAY_10 - timedelta(minutes=15)
    )
    assert "already interviewing" not in shown


# Company days off: a date where each interviewer is -----------------------------------


@pytest.mark.both_databases
@built_once(jane)
async def test_an_interview_on_a_company_day_off_is_booked_with_a_warning(app: Running) -> None:
    await add_day_off(app, "2026-11-17 Founders Day")
    before = len(app.standin.calls)

    text, shown = await confirmation(
        app, "Jane", plan="audit", starts=TUESDAY_10, interviewers=(INTERVIEWER, INTERVIEWER_2)
    )

    assert text.endswith("1 warning: see below.")
    assert (
        ":warning: *On a company day off.* Tuesday 2026-11-17 (Founders Day) is a day off "
        f"where <@{INTERVIEWER}>, <@{INTERVIEWER_2}> are. Check they can make it"
    ) in shown
    assert len(await stored(app, Interview)) == 1  # booked all the same
    # Each interviewer's kit says so too, with the button to say they can't make it.
    for interviewer in (INTERVIEWER, INTERVIEWER_2):
        kit = kit_for(app, interviewer)
        assert kit["text"].endswith("(a company day off where you are)")
        assert (
            ":palm_tree: *On a company day off where you are:* Tuesday 2026-11-17 "
            "(Founders Day). It is booked all the same; if you can't make it, tell the "
            "recruiters with the button below."
        ) in blocks_text(kit["blocks"])
    # Each interviewer's zone is asked once for each answer: the form that warned, then the
    # booking's kits.
    looked_up = [c.args["user"] for c in app.standin.calls[before:] if c.method == "users.info"]
    assert sorted(looked_up) == sorted([INTERVIEWER, INTERVIEWER_2] * 2)


@built_once(jane)
async def test_a_day_off_counts_by_the_date_where_each_interviewer_is(app: Running) -> None:
    await add_day_off(app, "2026-11-17 Founders Day")
    app.standin.set_user(INTERVIEWER_2, tz="Asia/Tokyo", tz_offset=9 * 3600)
    # Monday 15:30 UTC: still Monday where INTERVIEWER is (UTC), already Tuesday in Tokyo.
    monday_late = START.replace(hour=15, minute=30)

    _, shown = await confirmation(
        app, "Jane", plan="audit", starts=monday_late, interviewers=(INTERVIEWER, INTERVIEWER_2)
    )

    assert f"is a day off where <@{INTERVIEWER_2}> is." in shown
    assert shown.count(":warning:") == 1 and f"where <@{INTERVIEWER}>" not in shown
    assert "day off" in blocks_text(kit_for(app, INTERVIEWER_2)["blocks"])
    assert "day off" not in blocks_text(kit_for(app, INTERVIEWER)["blocks"])


@built_once(jane)
async def test_a_day_off_on_another_date_warns_nobody(app: Running) -> None:
    await add_day_off(app, "2026-11-18")
    _, shown = await confirmation(app, "Jane", plan="audit", starts=TUESDAY_10)
    assert ":warning:" not in shown


# Days away: each interviewer's own, by the date where they are ----------------------------


async def away(app: Running, user: str, text: str) -> None:
    said = str(answer(await app.slack.command(f"away add {text}", user=user))["text"])
    assert "now a day away for you" in said or "now days away for you" in said, said


@pytest.mark.both_databases
@built_once(jane)
async def test_an_interview_on_an_interviewer_s_day_away_is_booked_with_a_warning(
    app: Running,
) -> None:
    await away(app, INTERVIEWER, "2026-11-16..2026-11-18")

    text, shown = await confirmation(
        app, "Jane", plan="audit", starts=TUESDAY_10, interviewers=(INTERVIEWER, INTERVIEWER_2)
    )

    assert text.endswith("1 warning: see below.")
    assert (
        f":warning: *Away that day.* <@{INTERVIEWER}> is away on Tuesday 2026-11-17. "
        "Check they can make it, or pick someone else."
    ) in shown
    assert f"<@{INTERVIEWER_2}> is away" not in shown  # at work that day
    assert len(await stored(app, Interview)) == 1  # booked all the same
    kit = kit_for(app, INTERVIEWER)
    assert kit["text"].endswith("(a day you are away)")
    assert (
        ":palm_tree: *On a day you are away:* Tuesday 2026-11-17. It is booked all the same; "
        "if you can't make it, tell the recruiters with the button below."
    ) in blocks_text(kit["blocks"])
    other = kit_for(app, INTERVIEWER_2)
    assert "away" not in other["text"] and "away" not in blocks_text(other["blocks"])


@built_once(jane)
async def test_a_day_away_that_is_a_company_day_off_reads_once_as_the_day_off(
    app: Running,
) -> None:
    await add_day_off(app, "2026-11-17 Founders Day")
    await away(app, INTERVIEWER, "2026-11-17")
    await away(app, INTERVIEWER_2, "2026-11-17")

    text, shown = await confirmation(
        app, "Jane", plan="audit", starts=TUESDAY_10, interviewers=(INTERVIEWER, INTERVIEWER_2)
    )

    assert text.endswith("1 warning: see below.")
    assert "*On a company day off.*" in shown and "Away that day" not in shown
    kit = kit_for(app, INTERVIEWER)
    assert kit["text"].endswith("(a company day off where you are)")
    assert "On a day you are away" not in blocks_text(kit["blocks"])


@built_once(jane)
async def test_a_day_away_counts_by_the_date_where_the_interviewer_is(app: Running) -> None:
    app.standin.set_user(INTERVIEWER_2, tz="Asia/Tokyo", tz_offset=9 * 3600)
    await away(app, INTERVIEWER, "2026-11-17")
    await away(app, INTERVIEWER_2, "2026-11-17")
    # Monday 15:30 UTC: still Monday where INTERVIEWER is (UTC), already Tuesday in Tokyo.
    _, shown = await confirmation(
        app,
        "Jane",
        plan="audit",
        starts=START.replace(hour=15, minute=30),
        interviewers=(INTERVIEWER, INTERVIEWER_2),
    )
    assert f"<@{INTERVIEWER_2}> is away on Tuesday 2026-11-17." in shown
    assert shown.count(":warning:") == 1 and f"<@{INTERVIEWER}> is away" not in shown


# Working hours where each interviewer is: said after the booking, never asked first ----


@built_once(jane)
async def test_an_interview_in_an_interviewer_s_small_hours_is_booked_and_said(
    app: Running,
) -> None:
    """10:00 UTC is 05:00 in New York: the form books at once (a candidate abroad may
    need that time), and the confirmation says what time it is for whom."""
    app.standin.set_user(INTERVIEWER_2, tz="America/New_York", tz_offset=-5 * 3600)
    await app.slack.command("schedule Jane", user=RECRUITER)
    values = {"plan": "audit", "interviewers": [INTERVIEWER, INTERVIEWER_2], "starts": TUESDAY_10}
    before = len(app.standin.calls)

    submitted = await app.slack.submit_view(last_view(app), values, user=RECRUITER)
    await app.settle()

    assert submitted.status_code == 200 and not submitted.content  # booked, no form again
    [interview] = await stored(app, Interview)
    assert interview.starts_at == TUESDAY_10
    [message] = [m for m in messages_to(app, RECRUITER, before) if m["text"].startswith("Sched")]
    shown = blocks_text(message["blocks"])
    # A note, not a warning the form stops for: the notification does not count it.
    assert message["text"] == "Scheduled Pipeline and tooling audit with Jane Doe."
    assert (
        f":clock3: *Outside <@{INTERVIEWER_2}>'s working hours:* it is Tue 17 Nov, 05:00 to "
        "05:30 (America/New_York) where they are. Check they can make it."
    ) in shown
    assert f"<@{INTERVIEWER}>'s working hours" not in shown  # 10:00 in UTC
    # Their kit gives them the time where they are, with its "I can't make it".
    kit = kit_for(app, INTERVIEWER_2)
    assert "Tue 17 Nov, 05:00 to 05:30 (America/New_York)" in blocks_text(kit["blocks"])
    # And say it is outside their hours: only the recruiter's confirmation did.
    assert (
        ":alarm_clock: *Outside your working hours:* Tue 17 Nov, 05:00 to 05:30 "
        "(America/New_York) where you are. If that does not work for you, tell the "
        "recruiters with the button below."
    ) in blocks_text(kit["blocks"])
    assert "Outside your working hours" not in blocks_text(kit_for(app, INTERVIEWER)["blocks"])


@built_once(jane)
async def test_a_weekend_or_an_evening_is_outside_working_hours_too(app: Running) -> None:
    saturday = TUESDAY_10 + 4 * DAY
    _, shown = await confirmation(app, "Jane", plan="audit", starts=saturday)
    assert (
        f"*Outside <@{INTERVIEWER}>'s working hours:* it is Sat 21 Nov, 10:00 to 10:30 (UTC)"
    ) in shown
    _, shown = await confirmation(
        app, "Jane", plan="incident", starts=TUESDAY_10.replace(hour=17, minute=30)
    )
    assert "Tue 17 Nov, 17:30 to 18:15 (UTC)" in shown  # ends past 18:00


@built_once(jane)
async def test_working_hours_are_not_said_for_a_held_interview_or_a_day_already_warned(
    app: Running,
) -> None:
    await away(app, INTERVIEWER, "2026-11-21")
    _, shown = await confirmation(app, "Jane", plan="audit", starts=TUESDAY_10 + 4 * DAY)
    assert "Away that day" in shown and "working hours" not in shown
    # Recording one held at night: that it is past is the warning.
    _, shown = await confirmation(
        app, "Jane", plan="incident", starts=START - DAY + timedelta(hours=12)
    )
    assert "In the past" in shown and "working hours" not in shown


async def test_a_reschedule_into_an_interviewer_s_night_moves_and_says_so(app: Running) -> None:
    app.standin.set_user(INTERVIEWER, tz="Asia/Tokyo", tz_offset=9 * 3600)
    await maya_interviewing(app)  # Tuesday 10:00 UTC: 19:00 in Tokyo
    form = await open_form(app, "reschedule")
    before = len(app.standin.calls)
    later = TUESDAY_10 + timedelta(hours=3)

    moved = await app.slack.submit_view(form, {"starts": later}, user=RECRUITER)
    await app.settle()

    assert moved.status_code == 200 and not moved.content  # moved, no form again
    [interview] = await stored(app, Interview)
    assert interview.starts_at == later
    shown = "\n".join(blocks_text(m["blocks"]) for m in messages_to(app, RECRUITER, before))
    assert (
        f":clock3: *Outside <@{INTERVIEWER}>'s working hours:* it is Tue 17 Nov, 22:00 to "
        "22:45 (Asia/Tokyo) where they are."
    ) in shown
