"""`/hire pipeline`, the App Home tab for every hat, and the weekly report."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.readmodels.weekly import loops_completed, report_moment
from bot.scheduling.sweep import report_schedule
from bot.slack.app import make_sweeper
from bot.store.tables import StageEvent
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER, RECRUITER_2, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    create_role,
    schedule,
    submit_scorecard,
)

# Pipeline --------------------------------------------------------------------------------------


async def busy_role(app: Running, clock) -> None:
    """Five candidates in different states of trouble."""
    role = await create_role(app)
    for name in ("Ana Idle", "Ben Breach", "Cy Calm", "Di Decision", "Ed Overdue"):
        await add_candidate(app, name, role=role)
    await app.slack.command("move Ben Breach to interviewing", user=RECRUITER)
    await schedule(app, "Ed Overdue", starts=clock.now() + timedelta(days=6))
    clock.advance(timedelta(days=7, hours=3))
    await app.slack.command("move Di Decision to decision", user=RECRUITER)
    await app.slack.command("move Cy Calm to screening", user=RECRUITER)
    await app.settle()
    clock.advance(timedelta(hours=47))
    # Now: Ana idle in sourced for 8 days, Ben past his 7-day loop, Ed's scorecard a
    # day overdue (his loop on day 8 too), Di's decision due within the hour, Cy fresh.


async def test_pipeline_lists_by_stage_most_urgent_first_with_counts(app: Running, clock) -> None:
    await busy_role(app, clock)

    body = answer(await app.slack.command("pipeline", user=RECRUITER))

    text = blocks_text(body["blocks"])
    assert (
        "*MLOps Engineer*: 5 open · sourced 1 · screening 1 · interviewing 2 · decision 1" in text
    )
    attention = text.split("*Needs attention*\n", 1)[1].split("\n*", 1)[0].splitlines()
    names = [line.split("*")[1] for line in attention]
    assert set(names) == {"Ana Idle", "Ben Breach", "Ed Overdue", "Di Decision"}
    assert names[-1] == "Di Decision"  # due soon ranks after what is already late
    assert ":hourglass_flowing_sand: decision due in 1 h" in attention[-1]
    ed = next(line for line in attention if "Ed Overdue" in line)
    assert ":red_circle: 1 scorecard overdue" in ed and "loop deadline passed" in ed
    assert "Median days in stage: sourced" in text
    interviewing = text.split("*Interviewing* (2)\n", 1)[1].splitlines()[:2]
    assert interviewing[0].startswith("• *Ben Breach*")


async def test_pipeline_for_one_role_and_for_people_with_none(app: Running, clock) -> None:
    await busy_role(app, clock)
    await create_role(app, title="Data Engineer", recruiters=(RECRUITER,))
    only = answer(await app.slack.command("pipeline data", user=RECRUITER))
    assert "*Data Engineer*: 0 open" in blocks_text(only["blocks"])
    assert "MLOps" not in blocks_text(only["blocks"])
    none = answer(await app.slack.command("pipeline nothing-like-it", user=RECRUITER))
    assert "No role of yours matches" in none["text"]
    outsider = answer(await app.slack.command("pipeline", user=OUTSIDER))
    assert "not a recruiter or hiring manager on any role" in outsider["text"]


async def test_median_days_come_from_the_event_log(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    clock.advance(timedelta(days=2))
    await app.slack.command("move Jane Doe to screening", user=RECRUITER)
    await add_candidate(app, "John Roe", role=role)
    clock.advance(timedelta(days=4))
    await app.slack.command("move John Roe to screening", user=RECRUITER)

    body = answer(await app.slack.command("pipeline", user=HM))

    # sourced: Jane 2 days, John 4 days -> median 3.0; screening: Jane 4 days, John 0.
    assert "Median days in stage: sourced 3.0 d · screening 2.0 d" in blocks_text(body["blocks"])


# App Home ----------------------------------------------------------------------------------


async def home_of(app: Running, user: str) -> dict[str, Any]:
    await app.settle()  # Home tabs redrawn by earlier changes are not this one
    before = len(app.standin.calls)
    await app.slack.event(
        {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home", "event_ts": "1"}
    )
    await app.settle()
    [published] = [c for c in app.standin.calls[before:] if c.method == "views.publish"]
    return published.args["view"]


def headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


async def test_each_hat_sees_its_sections(app: Running, clock) -> None:
    await busy_role(app, clock)

    assert headers(await home_of(app, RECRUITER)) == ["Recruiting"]
    assert headers(await home_of(app, HM)) == ["Hiring manager"]
    assert headers(await home_of(app, INTERVIEWER)) == ["Your interviews"]
    assert headers(await home_of(app, OUTSIDER)) == ["Your interviews"]  # a start for anyone

    recruiter = blocks_text((await home_of(app, RECRUITER))["blocks"])
    assert "Needs action now* (4)" in recruiter and "Cy Calm" not in recruiter.split("Pipelines")[0]
    manager = await home_of(app, HM)
    text = blocks_text(manager["blocks"])
    assert "Waiting on you: decisions* (1)" in text and "Di Decision" in text
    assert "Open status" in buttons(manager["blocks"])


async def test_several_hats_see_each_section_once(app: Running, clock) -> None:
    await create_role(app, title="MLOps Engineer", hm=HM, recruiters=(RECRUITER,))
    await create_role(app, title="Data Engineer", hm=RECRUITER, recruiters=(RECRUITER, RECRUITER_2))
    role = await create_role(app, title="ML Platform", hm=HM, recruiters=(RECRUITER_2,))
    await add_candidate(app, "Jane Doe", role=role, user=RECRUITER_2)
    interview = await schedule(app, "Jane", interviewers=(RECRUITER,), user=RECRUITER_2)
    assert interview is not None

    view = await home_of(app, RECRUITER)  # HM of one, recruiter of two, interviewer of one

    assert headers(view) == ["Hiring manager", "Recruiting", "Your interviews"]
    assert blocks_text(view["blocks"]).count("*Data Engineer*: 0 open") == 2  # HM + recruiting


async def test_recent_scorecards_reach_the_hiring_managers_home(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    interview = await schedule(app, "Jane")
    await submit_scorecard(app, interview, rating="4")
    # The hiring manager's Home was redrawn when the scorecard came in.
    latest = [c for c in app.standin.calls_to("views.publish") if c.args["user_id"] == HM][-1]
    text = blocks_text(latest.args["view"]["blocks"])
    assert f"*Jane Doe* (MLOps Engineer): <@{INTERVIEWER}>, *Strong yes*" in text
    assert "View" in buttons(latest.args["view"]["blocks"])


# The weekly report ---------------------------------------------------------------------------


def test_report_time_is_monday_nine_where_the_team_is() -> None:
    sunday_night = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 08:00 in Tokyo
    monday = report_moment(sunday_night, weekday=0, at=time(9), tz_name="Asia/Tokyo")
    assert monday == datetime(2026, 11, 16, 0, 0, tzinfo=UTC)  # last week's Monday 09:00 JST
    later = report_moment(
        sunday_night + timedelta(hours=1), weekday=0, at=time(9), tz_name="Asia/Tokyo"
    )
    assert later == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def test_loops_completed_inside_the_limit() -> None:
    start = datetime(2026, 11, 9, tzinfo=UTC)

    def move(candidate: int, day: float, to: str, frm: str | None) -> StageEvent:
        return StageEvent(
            candidate_id=candidate,
            at=start + timedelta(days=day),
            actor_id="U",
            from_stage=frm,
            to_stage=to,
        )

    events = [
        move(1, 0, "interviewing", "sourced"),
        move(1, 5, "decision", "interviewing"),  # 5 d
        move(2, 0, "interviewing", "sourced"),
        move(2, 9, "decision", "interviewing"),  # 9 d
        move(3, 1, "interviewing", "sourced"),
        move(3, 3, "rejected", "interviewing"),  # no loop
    ]
    assert loops_completed(
        events, start=start, end=start + timedelta(days=7), limit=timedelta(days=7)
    ) == (1, 1)
    assert loops_completed(
        events,
        start=start + timedelta(days=7),
        end=start + timedelta(days=14),
        limit=timedelta(days=7),
    ) == (0, 1)


async def test_the_weekly_report_goes_to_the_role_channel_once_with_its_chart(
    app: Running, clock
) -> None:
    await busy_role(app, clock)  # now Tuesday 24 Nov, 09:00 UTC
    app.standin.set_user(HM, tz="Europe/Berlin")
    sweeper = make_sweeper(app.deps)
    sweeper.reports = report_schedule("mon 09:00", "")  # in the hiring manager's zone
    before = len(app.standin.calls)

    await sweeper.run(clock.now())
    await sweeper.run(clock.now() + timedelta(hours=1))

    posts = [
        c.args
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["channel"] == "GHIRING01"
    ]
    assert len(posts) == 1
    text = blocks_text(posts[0]["blocks"])
    assert "sourced 1 · screening 1 · interviewing 2 · decision 1 · offer 0" in text
    assert "Loops completed inside 7 days*\nthis week none · last week none" in text
    [get_url] = app.standin.calls_to("files.getUploadURLExternal")
    assert get_url.args["filename"] == "loopkeeper-weekly-2026-11-23.png"
    [complete] = app.standin.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "GHIRING01"
    uploaded = app.standin.files[get_url.response["file_id"]]["bytes"]  # type: ignore[index]
    assert uploaded.startswith(b"\x89PNG") and len(uploaded) == int(get_url.args["length"])


async def test_a_new_role_waits_for_its_first_monday(app: Running, clock) -> None:
    clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=UTC))  # a Wednesday
    await create_role(app)
    sweeper = make_sweeper(app.deps)
    sweeper.reports = report_schedule("mon 09:00", "UTC")
    before = len(app.standin.calls)
    await sweeper.run(clock.now())
    assert app.standin.calls_to("files.getUploadURLExternal") == []
    clock.set(datetime(2026, 11, 23, 9, 1, tzinfo=UTC))
    await sweeper.run(clock.now())
    assert len(app.standin.calls_to("files.getUploadURLExternal")) == 1
    assert before < len(app.standin.calls)


async def test_a_weekly_report_slack_refuses_is_listed_for_admins(app: Running, clock) -> None:
    await busy_role(app, clock)  # now Tuesday 24 Nov, 09:00 UTC
    sweeper = make_sweeper(app.deps)
    await sweeper.run(clock.now())  # the alerts that are due, before any report
    sweeper.reports = report_schedule("mon 09:00", "UTC")
    app.standin.fail_next("chat.postMessage", "not_in_channel")  # nobody invited the bot
    before = len(app.standin.calls)

    report = await sweeper.run(clock.now() + timedelta(minutes=1))
    await sweeper.run(clock.now() + timedelta(hours=1))  # failed for good: not retried

    assert report.failed == [("GHIRING01", "weekly_report", "not_in_channel")]
    assert app.standin.calls_to("files.getUploadURLExternal") == []
    to_channel = [c for c in app.standin.calls[before:] if c.args.get("channel") == "GHIRING01"]
    assert len(to_channel) == 1
    listing = answer(await app.slack.command("admin deliveries", user=ADMIN))
    shown = blocks_text(listing["blocks"])
    assert "1 weekly report could not be delivered" in listing["text"]
    assert "weekly report of MLOps Engineer for the week to 2026-11-23" in shown
    assert "<#GHIRING01>: `not_in_channel`" in shown and "invite @Loopkeeper" in shown
