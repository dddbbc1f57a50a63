"""The weekly report: when it is due, its numbers, and its delivery."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.domain.hiring_numbers import loop_spans
from bot.readmodels.weekly import loops_completed, report_moment
from bot.scheduling.weekly_reports import report_schedule
from bot.slack.app import make_sweeper
from bot.store.tables import Candidate, StageEvent
from tests.conftest import ADMIN, HM, Running
from tests.flows import add_day_off, answer, blocks_text, create_role
from tests.readmodels.test_pipelines import busy_role


def test_report_time_is_monday_nine_where_the_team_is() -> None:
    sunday_night = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 08:00 in Tokyo
    monday = report_moment(sunday_night, weekday=0, at=time(9), tz_name="Asia/Tokyo")
    assert monday == datetime(2026, 11, 16, 0, 0, tzinfo=UTC)  # last week's Monday 09:00 JST
    later = report_moment(
        sunday_night + timedelta(hours=1), weekday=0, at=time(9), tz_name="Asia/Tokyo"
    )
    assert later == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def test_loops_completed_inside_the_limit() -> None:
    """The week's loops by the hiring numbers' rule (loop_spans): a loop ends at its
    last scorecard or its first move out of interviewing, to any stage, rejected too."""
    start = datetime(2026, 11, 9, tzinfo=UTC)

    def move(candidate: int, day: float, to: str, frm: str | None) -> StageEvent:
        return StageEvent(
            candidate_id=candidate,
            at=start + timedelta(days=day),
            actor_id="U",
            from_stage=frm,
            to_stage=to,
        )

    def person(candidate: int, complete: float | None = None) -> Candidate:
        done = start + timedelta(days=complete) if complete is not None else None
        return Candidate(
            id=candidate,
            role_id=1,
            name=f"C{candidate}",
            name_key=f"c{candidate}",
            stage="decision",
            stage_entered_at=start,
            created_by="U",
            created_at=start,
            feedback_complete_at=done,
        )

    events = [
        move(1, 0, "interviewing", "sourced"),
        move(1, 5, "decision", "interviewing"),  # 5 d
        move(2, 0, "interviewing", "sourced"),
        move(2, 9, "decision", "interviewing"),  # 9 d
        move(3, 1, "interviewing", "sourced"),
        move(3, 3, "rejected", "interviewing"),  # rejected on day 3: a loop of 2 d
    ]
    people = [person(1), person(2), person(3)]
    week, limit = timedelta(days=7), timedelta(days=7)
    spans = loop_spans(people, events)
    assert loops_completed(spans, start=start, end=start + week, limit=limit) == (2, 2)
    assert loops_completed(spans, start=start + week, end=start + 2 * week, limit=limit) == (0, 1)
    # Candidate 2's last scorecard came in on day 6: the loop was done then, though the
    # move to decision waited until day 9.
    spans = loop_spans([person(1), person(2, complete=6), person(3)], events)
    assert loops_completed(spans, start=start, end=start + week, limit=limit) == (3, 3)


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
    # Due Monday 09:00 in Berlin, sent on Tuesday: it says it is late, and why.
    due = int(datetime(2026, 11, 23, 8, 0, tzinfo=UTC).timestamp())
    assert f"Posted late: it was due <!date^{due}^" in text, text
    [get_url] = app.standin.calls_to("files.getUploadURLExternal")
    assert get_url.args["filename"] == "loopkeeper-weekly-2026-11-23.png"
    [complete] = app.standin.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "GHIRING01"
    assert get_url.response is not None
    uploaded = app.standin.files[get_url.response["file_id"]]["bytes"]
    assert uploaded.startswith(b"\x89PNG") and len(uploaded) == int(get_url.args["length"])


async def test_a_dry_run_lists_the_weekly_report_it_would_post_and_posts_nothing(
    app: Running, clock
) -> None:
    """`loopkeeper sweep --dry-run` left the weekly reports out, so its list was not what
    the sweep would do; it asks Slack the hiring manager's zone (a read) and says which
    report would go where."""
    await busy_role(app, clock)  # now Tuesday 24 Nov, 09:00 UTC
    app.standin.set_user(HM, tz="Europe/Berlin")
    sweeper = make_sweeper(app.deps)
    sweeper.reports = report_schedule("mon 09:00", "")  # in the hiring manager's zone

    def posted() -> int:
        return sum(
            c.args["channel"] == "GHIRING01" for c in app.standin.calls_to("chat.postMessage")
        )

    before = posted()
    lines = await sweeper.dry_run(clock.now())
    [would] = [line for line in lines if "weekly report" in line]
    assert would.startswith("would post role #") and would.endswith(
        "'s weekly report (week of 2026-11-23) to GHIRING01"
    ), would
    assert posted() == before and not app.standin.calls_to("files.getUploadURLExternal")

    await sweeper.run(clock.now())  # the sweep posts what the dry run said
    assert posted() == before + 1
    assert not [line for line in await sweeper.dry_run(clock.now()) if "weekly report" in line]


async def test_a_report_due_on_a_company_day_off_goes_the_next_working_day(
    app: Running, clock
) -> None:
    """Monday 23 November is a day off: nobody reads it then, so it goes on Tuesday at
    09:00, on time for that day (no "Posted late"), and once."""
    clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=UTC))  # a Wednesday
    await create_role(app)
    await add_day_off(app, "2026-11-23 Founders Day")
    sweeper = make_sweeper(app.deps)
    sweeper.reports = report_schedule("mon 09:00", "UTC")

    def reports() -> list[str]:
        return [
            blocks_text(c.args["blocks"])
            for c in app.standin.calls_to("chat.postMessage")
            if c.args["text"].startswith("Weekly report")
        ]

    clock.set(datetime(2026, 11, 23, 9, 1, tzinfo=UTC))
    await sweeper.run(clock.now())
    assert reports() == []
    clock.set(datetime(2026, 11, 24, 9, 1, tzinfo=UTC))
    await sweeper.run(clock.now())
    await sweeper.run(clock.now() + timedelta(hours=2))
    [report] = reports()
    assert "Posted late" not in report


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
    [post] = [
        c.args for c in app.standin.calls_to("chat.postMessage") if "Weekly" in c.args["text"]
    ]
    assert "Posted late" not in blocks_text(post["blocks"])  # on time
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
