"""`/hire pipeline`: a role's open candidates, most urgent first, with counts and medians."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import HM, OUTSIDER, RECRUITER, Running
from tests.flows import add_candidate, answer, blocks_text, create_role, schedule
from tests.scheduling.test_sweep import extend_offer, offered_jane


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
    # Idle is a reminder, not a breach (docs/clocks.md): said as such, without a siren.
    ana = next(line for line in attention if "Ana Idle" in line)
    assert ":zzz: 9 days in sourced without a move" in ana and "rotating_light" not in ana
    assert "Median days in stage: sourced" in text
    interviewing = text.split("*Interviewing* (2)\n", 1)[1].splitlines()[:2]
    assert interviewing[0].startswith("• *Ben Breach*")


async def test_pipeline_for_one_role_and_for_people_with_none(app: Running, clock) -> None:
    await busy_role(app, clock)
    await create_role(app, title="Data Engineer", recruiters=(RECRUITER,))
    only = answer(await app.slack.command("pipeline data", user=RECRUITER))
    assert "*Data Engineer*: 0 open" in blocks_text(only["blocks"])
    assert "MLOps Engineer" not in blocks_text(only["blocks"])
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


async def test_an_offer_s_last_day_says_it_expires(app: Running) -> None:
    """ "offer due in 5 h" read as if the offer were still to be made."""
    await offered_jane(app)
    await extend_offer(app, hours=5)
    text = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert ":hourglass_flowing_sand: offer expires in 5 h" in text, text


async def test_hours_left_are_rounded_to_the_nearest_hour(app: Running, clock) -> None:
    """The card said "5 hours 59 minutes left" while the pipeline and Home tab said the
    offer "expires in 5 h": the hours were cut down."""
    await offered_jane(app)
    await extend_offer(app, hours=6)
    clock.advance(timedelta(minutes=1))
    text = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert ":hourglass_flowing_sand: offer expires in 6 h" in text, text
    clock.advance(timedelta(minutes=40))  # 5 h 19 min left
    text = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert ":hourglass_flowing_sand: offer expires in 5 h" in text, text
