"""The reminder before an interview, end to end: booked through Slack, the clock moved
by the test, one sweep run, and what the interviewer receives in the stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select, update

from bot import store
from bot.domain.interviews import InterviewStatus
from bot.runtime.timesource import ManualClock
from bot.slack.blocks.interviews import OPEN_SCORECARD
from bot.store.tables import Alert, Interview, Role
from tests.conftest import HM, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    blocks_text,
    buttons,
    click,
    create_role,
    kit_for,
    last_view,
    schedule,
    stored,
)
from tests.scheduling.test_sweep import digests_to, messages_to, sweep
from tests.worlds import built_once

MINUTE = timedelta(minutes=1)
# Monday 16 Nov (conftest's START is 09:00 that day).
EVENING = datetime(2026, 11, 16, 21, 30, tzinfo=UTC)  # outside anyone's working hours in UTC
TUESDAY_10 = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)


def reminders_to(app: Running, user: str, since: int = 0) -> list[dict[str, Any]]:
    return [m for m in messages_to(app, user, since) if m["text"].startswith("Reminder:")]


async def book(
    app: Running,
    starts: datetime,
    *,
    interviewers: tuple[str, ...] = (INTERVIEWER,),
    **role: Any,
) -> Interview:
    made = await create_role(app, **role)
    await add_candidate(app, "Jane Doe", role=made)
    return await schedule(app, "Jane", starts=starts, interviewers=interviewers)


@pytest.fixture
def interview(built: Interview) -> Interview:
    """The interview a test's built_once(book, …) world booked."""
    return built


async def cant_make_it(app: Running, reason: str) -> None:
    """INTERVIEWER presses I can't make it on their kit and sends the form."""
    kit = kit_for(app, INTERVIEWER)
    await click(app, kit, "I can't make it", user=INTERVIEWER, channel=f"D{INTERVIEWER}")
    await app.slack.submit_view(last_view(app), {"reason": reason}, user=INTERVIEWER)
    await app.settle()


async def move_interview(app: Running, interview: Interview, starts: datetime) -> None:
    """What a reschedule does to the facts (engineer A's button builds on the same)."""
    async with app.deps.db.transaction() as session:
        await session.exec(
            update(Interview)
            .where(col(Interview.id) == interview.id)
            .values(starts_at=starts, ends_at=starts + timedelta(minutes=45))
        )
        await store.replan_clocks(
            session, candidate_id=interview.candidate_id, now=app.deps.clock.now()
        )


async def set_status(app: Running, interview: Interview, status: InterviewStatus) -> None:
    async with app.deps.db.transaction() as session:
        await session.exec(
            update(Interview).where(col(Interview.id) == interview.id).values(status=status.value)
        )
        await store.replan_clocks(
            session, candidate_id=interview.candidate_id, now=app.deps.clock.now()
        )


@pytest.mark.both_databases
async def test_the_reminder_comes_30_minutes_before_even_at_night(
    app: Running, clock: ManualClock
) -> None:
    interview = await book(app, EVENING, interviewers=(INTERVIEWER, INTERVIEWER_2))
    before = len(app.standin.calls)
    clock.set(EVENING - 31 * MINUTE)
    await sweep(app)
    assert reminders_to(app, INTERVIEWER, before) == []

    clock.set(EVENING - 30 * MINUTE)  # 21:00 UTC: working hours would hold a nudge
    await sweep(app)

    # The interviewer's own DM, never a digest item; nothing to the hiring team.
    assert digests_to(app, RECRUITER, before) == [] and digests_to(app, HM, before) == []
    for person in (INTERVIEWER, INTERVIEWER_2):
        [reminder] = messages_to(app, person, before)
        assert reminder["text"].startswith("Reminder:")
        assert reminder["text"].startswith(
            "Reminder: Production incident interview with Jane Doe (MLOps Engineer) starts"
        )
        shown = blocks_text(reminder["blocks"])
        # The kit's competencies for this interview, with their signals.
        for competency in ("Production incident response", "Model monitoring", "Rollback"):
            assert competency in shown, (competency, shown)
        assert "Training pipeline design" not in shown  # another interview's
        button = buttons(reminder["blocks"])["Submit scorecard"]
        assert (button["action_id"], button["value"]) == (OPEN_SCORECARD, str(interview.id))
        assert "Snooze 24h" not in buttons(reminder["blocks"])

    clock.advance(5 * MINUTE)
    await sweep(app)
    assert len(reminders_to(app, INTERVIEWER, before)) == 1  # once


@built_once(book, starts=TUESDAY_10)
async def test_the_reminder_s_button_opens_the_scorecard(app: Running, clock: ManualClock) -> None:
    before = len(app.standin.calls)
    clock.set(TUESDAY_10 - 30 * MINUTE)
    await sweep(app)
    [reminder] = reminders_to(app, INTERVIEWER, before)
    button = buttons(reminder["blocks"])["Submit scorecard"]
    # Half an hour before is when a clash shows: the kit's "I can't make it" is here too.
    cant = buttons(reminder["blocks"])["I can't make it"]
    await app.slack.action(
        cant["action_id"],
        cant["value"],
        user=INTERVIEWER,
        response_url=app.standin.response_url(INTERVIEWER),
        message=reminder,
        channel=f"D{INTERVIEWER}",
    )
    await app.settle()
    assert last_view(app)["callback_id"] == "interview_cant"  # its form opened

    async def press() -> None:
        response = await app.slack.action(
            button["action_id"],
            button["value"],
            user=INTERVIEWER,
            response_url=app.standin.response_url(INTERVIEWER),
            message=reminder,
            channel=f"D{INTERVIEWER}",
        )
        assert response.status_code == 200
        await app.settle()

    # Half an hour early it says when it opens; from the interview's start, it opens.
    opened = len(app.standin.calls_to("views.open"))
    await press()
    assert len(app.standin.calls_to("views.open")) == opened
    [told] = app.standin.calls_to(f"response_url:{INTERVIEWER}")[-1:]
    assert "its scorecard opens once it has begun" in told.args["text"]
    clock.set(TUESDAY_10)
    await press()
    assert last_view(app)["callback_id"] == "scorecard_submit"


async def test_the_feedback_nudges_after_a_reminder_still_wait_for_working_hours(
    app: Running, clock: ManualClock
) -> None:
    """The reminder is exempt from working hours; the nudges that follow are not, and the
    reminder stops none of them."""
    await book(app, EVENING)
    before = len(app.standin.calls)
    clock.set(EVENING - 30 * MINUTE)
    await sweep(app)
    clock.set(EVENING + 45 * MINUTE + 61 * MINUTE)  # the first nudge is due: 23:16 UTC
    await sweep(app)
    assert [m["text"][:9] for m in messages_to(app, INTERVIEWER, before)] == ["Reminder:"]

    clock.set(datetime(2026, 11, 17, 9, 0, tzinfo=UTC))  # Tuesday 09:00: working hours
    await sweep(app)

    [_, nudge] = messages_to(app, INTERVIEWER, before)
    assert nudge["text"].startswith("Your scorecard for Jane Doe is due")


async def test_no_reminder_when_the_role_turned_them_off(app: Running, clock: ManualClock) -> None:
    await book(app, TUESDAY_10, reminder_minutes="0")
    async with app.deps.db.reader() as session:
        assert (await session.exec(select(Role.reminder_minutes))).one() == 0
    before = len(app.standin.calls)
    for at in (TUESDAY_10 - 30 * MINUTE, TUESDAY_10 - MINUTE):
        clock.set(at)
        await sweep(app)
    assert reminders_to(app, INTERVIEWER, before) == []
    assert not [a for a in await stored(app, Alert) if a.kind == "interview_reminder"]


async def test_a_role_s_own_minutes(app: Running, clock: ManualClock) -> None:
    await book(app, TUESDAY_10, reminder_minutes="90")
    before = len(app.standin.calls)
    clock.set(TUESDAY_10 - 91 * MINUTE)
    await sweep(app)
    assert reminders_to(app, INTERVIEWER, before) == []
    clock.set(TUESDAY_10 - 90 * MINUTE)
    await sweep(app)
    assert len(reminders_to(app, INTERVIEWER, before)) == 1


@pytest.mark.both_databases
@pytest.mark.parametrize("status", [InterviewStatus.CANCELLED, InterviewStatus.NO_SHOW])
@built_once(book, starts=TUESDAY_10)
async def test_no_reminder_for_an_interview_no_longer_held(
    app: Running, interview: Interview, clock: ManualClock, status: InterviewStatus
) -> None:
    await sweep(app)  # planned: the reminder waits for 09:30
    await set_status(app, interview, status)
    before = len(app.standin.calls)

    clock.set(TUESDAY_10 - 30 * MINUTE)
    await sweep(app)

    assert reminders_to(app, INTERVIEWER, before) == []


@pytest.mark.both_databases
@built_once(book, starts=TUESDAY_10)
async def test_a_moved_interview_is_reminded_at_its_new_time_only(
    app: Running, interview: Interview, clock: ManualClock
) -> None:
    await sweep(app)  # the reminder for Tuesday 09:30 is planned
    wednesday_10 = TUESDAY_10 + timedelta(days=1)
    await move_interview(app, interview, wednesday_10)
    before = len(app.standin.calls)

    clock.set(TUESDAY_10 - 30 * MINUTE)
    await sweep(app)
    assert reminders_to(app, INTERVIEWER, before) == []

    clock.set(wednesday_10 - 30 * MINUTE)
    await sweep(app)
    [reminder] = reminders_to(app, INTERVIEWER, before)
    assert f"<!date^{int(wednesday_10.timestamp())}^" in reminder["text"]


@built_once(book, starts=TUESDAY_10)
async def test_moved_after_its_reminder_went_it_gets_one_for_the_new_time(
    app: Running, interview: Interview, clock: ManualClock
) -> None:
    before = len(app.standin.calls)
    clock.set(TUESDAY_10 - 20 * MINUTE)
    await sweep(app)
    later = TUESDAY_10 + 3 * timedelta(hours=1)
    await move_interview(app, interview, later)  # moved at 09:40 to 13:00
    await sweep(app)
    assert len(reminders_to(app, INTERVIEWER, before)) == 1

    clock.set(later - 30 * MINUTE)
    await sweep(app)

    _, second = reminders_to(app, INTERVIEWER, before)
    assert f"<!date^{int(later.timestamp())}^" in second["text"]


async def test_booked_less_than_30_minutes_ahead_the_reminder_goes_at_once(
    app: Running, clock: ManualClock
) -> None:
    """Decided: a reminder already due at booking goes on the next sweep, as long as the
    interview has not started; one for an interview already under way never goes."""
    soon = clock.now() + 10 * MINUTE
    await book(app, soon)
    before = len(app.standin.calls)
    await sweep(app)
    assert len(reminders_to(app, INTERVIEWER, before)) == 1


async def test_an_interview_booked_after_it_started_gets_no_reminder(
    app: Running, clock: ManualClock
) -> None:
    await book(app, clock.now() - 5 * MINUTE)  # recorded after the fact
    before = len(app.standin.calls)
    await sweep(app)
    assert reminders_to(app, INTERVIEWER, before) == []


@built_once(book, starts=TUESDAY_10)
async def test_a_reminder_missed_while_down_is_not_sent_after_the_interview(
    app: Running, clock: ManualClock
) -> None:
    """The sweep did not run until after the interview: the interviewer gets the
    scorecard nudge, and no reminder for an interview that is over."""
    before = len(app.standin.calls)
    clock.set(TUESDAY_10 + 45 * MINUTE + 61 * MINUTE)
    await sweep(app)
    [message] = messages_to(app, INTERVIEWER, before)
    assert message["text"].startswith("Your scorecard for Jane Doe is due")


@pytest.mark.both_databases
@built_once(book, starts=TUESDAY_10)
async def test_a_reminder_slack_held_back_until_the_start_is_dropped(
    app: Running, clock: ManualClock
) -> None:
    clock.set(TUESDAY_10 - 30 * MINUTE)
    app.standin.rate_limit_next("chat.postMessage", retry_after=45 * 60)
    before = len(app.standin.calls)
    await sweep(app)  # Slack says wait 45 minutes: past the start
    clock.set(TUESDAY_10 + 16 * MINUTE)

    report = await sweep(app)

    assert reminders_to(app, INTERVIEWER, before) == []
    [alert] = [a for a in await stored(app, Alert) if a.kind == "interview_reminder"]
    assert alert.status == "skipped" and report.skipped == 1


@pytest.mark.both_databases
@built_once(book, starts=TUESDAY_10, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_who_said_they_cant_make_it_is_neither_reminded_nor_nudged(
    app: Running, clock: ManualClock
) -> None:
    """They told us (and the recruiters were told): a reminder and "your scorecard is
    due" would only say we did not listen. The recruiters still see the scorecard
    overdue if the panel is left as it is; the rest of the panel is reminded as usual."""
    await sweep(app)  # as the sweeper does each minute: the reminders are planned
    await cant_make_it(app, "Out sick")
    noted = [m["text"] for m in messages_to(app, INTERVIEWER) if m["text"].startswith(":ok_hand:")]
    assert "until then no reminder or scorecard nudge comes to you for it" in noted[-1], noted
    # The kit promised a reminder: it is redrawn in place to say none comes.
    [redrawn] = [
        c.args
        for c in app.standin.calls_to("chat.update")
        if c.args["channel"] == f"D{INTERVIEWER}"
    ]
    shown = blocks_text(redrawn["blocks"])
    assert "You said you can't make it" in shown and "I'll remind you" not in shown, shown
    before = len(app.standin.calls)

    # A day before, the panel still unchanged: the recruiters are warned, once.
    clock.set(TUESDAY_10 - timedelta(days=1))
    await sweep(app)
    [gap] = digests_to(app, RECRUITER, before)
    assert f"<@{INTERVIEWER}> said they can't make Production incident interview" in gap, gap
    assert "still booked with them. Reschedule it or change its interviewers" in gap
    assert digests_to(app, HM, before) == []  # the recruiters fix panels
    clock.set(TUESDAY_10 - 2 * timedelta(hours=1))
    await sweep(app)
    assert len(digests_to(app, RECRUITER, before)) == 1

    clock.set(TUESDAY_10 - 30 * MINUTE)
    await sweep(app)
    assert reminders_to(app, INTERVIEWER, before) == []
    assert len(reminders_to(app, INTERVIEWER_2, before)) == 1

    for hours in (2, 25):  # the nudge after the interview, then "due now"
        clock.set(TUESDAY_10 + timedelta(hours=hours))
        await sweep(app)
    assert messages_to(app, INTERVIEWER, before) == []
    nudged = [m for m in messages_to(app, INTERVIEWER_2, before) if "scorecard" in m["text"]]
    assert nudged, messages_to(app, INTERVIEWER_2, before)

    clock.set(TUESDAY_10 + timedelta(days=2, hours=1))
    await sweep(app)
    assert any(f"<@{INTERVIEWER}>" in d for d in digests_to(app, RECRUITER, before))


@pytest.mark.both_databases
@built_once(book, starts=TUESDAY_10, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_a_panel_fixed_after_a_cant_make_it_warns_nobody(
    app: Running, clock: ManualClock
) -> None:
    await cant_make_it(app, "Out sick")
    [alert] = [m for m in messages_to(app, RECRUITER) if "can't make" in m["text"]]
    await click(app, alert, "Change interviewers", user=RECRUITER, channel=f"D{RECRUITER}")
    await app.slack.submit_view(last_view(app), {"interviewers": [INTERVIEWER_2]}, user=RECRUITER)
    await app.settle()
    before = len(app.standin.calls)

    clock.set(TUESDAY_10 - timedelta(days=1))
    await sweep(app)

    assert digests_to(app, RECRUITER, before) == []


@pytest.mark.both_databases
@built_once(book, starts=TUESDAY_10, interviewers=(INTERVIEWER, INTERVIEWER_2))
async def test_said_within_the_last_day_the_recruiters_dm_is_the_only_warning(
    app: Running, clock: ManualClock
) -> None:
    clock.set(TUESDAY_10 - timedelta(hours=5))
    await sweep(app)
    await cant_make_it(app, "Out sick")
    assert len([m for m in messages_to(app, RECRUITER) if "can't make" in m["text"]]) == 1
    before = len(app.standin.calls)

    for hours in (4, 1, 0.5):
        clock.set(TUESDAY_10 - timedelta(hours=hours))
        await sweep(app)

    assert digests_to(app, RECRUITER, before) == []
    assert reminders_to(app, INTERVIEWER, before) == []
    assert len(reminders_to(app, INTERVIEWER_2, before)) == 1


@pytest.mark.both_databases
async def test_a_panel_gap_warning_due_on_a_sunday_comes_on_friday_evening(
    app: Running, clock: ManualClock
) -> None:
    """A warning keeps to working hours, as the loop's does: due Sunday 15:00 (a day
    before a Monday interview), it lands on Friday at 17:00, and not as overdue."""
    monday_15 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    await book(app, monday_15, interviewers=(INTERVIEWER, INTERVIEWER_2))
    await sweep(app)
    await cant_make_it(app, "Off that day")
    before = len(app.standin.calls)

    friday_17 = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
    clock.set(friday_17 - MINUTE)
    await sweep(app)
    assert digests_to(app, RECRUITER, before) == []
    clock.set(friday_17)
    await sweep(app)
    [gap] = digests_to(app, RECRUITER, before)
    assert "said they can't make" in gap and "overdue" not in gap.split("\n")[0], gap
    clock.set(monday_15 - timedelta(days=1))
    await sweep(app)
    assert len(digests_to(app, RECRUITER, before)) == 1
