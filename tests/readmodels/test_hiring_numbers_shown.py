"""The numbers that matter where people read them: `/hire pipeline`, the weekly report
and the hiring manager's Home tab, and the weekly chart for roles of every size."""

from __future__ import annotations

import random
import struct
from datetime import timedelta

from bot.readmodels.weekly import chart_png, clip_title, weekly
from bot.scheduling.weekly_reports import report_schedule
from bot.slack.app import make_sweeper
from bot.store.tables import Offer, Role
from tests.conftest import HM, RECRUITER, Running
from tests.domain.test_hiring_numbers import NOW, OFFER_STATUSES, OPENED, History, day, seeded
from tests.flows import (
    add_candidate,
    answer,
    blocks_text,
    create_role,
    extend_offer,
    home_of,
    press,
    schedule,
    stored,
    submit_scorecard,
)

NUMBERS = (
    "Time to fill 6 days (MLOps average: 89 days) · time to hire 6 days · "
    "offers accepted 100% (1 of 1) · loops inside 7 days 100% (1 of 1) · "
    "conversion sourced→screening 50%, screening→interviewing 100%, "
    "interviewing→decision 100%, decision→offer 100%, offer→hired 100%"
)


async def hired_in_six_days(app: Running, clock) -> None:
    """Role opened Monday 16 Nov 09:00; Jane added then and hired on Sunday 22 Nov;
    John still sourced."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "John Roe", role=role)
    clock.advance(timedelta(days=2))
    await app.slack.command("move Jane Doe to interviewing", user=RECRUITER)
    clock.advance(timedelta(days=3))  # a 3-day loop, inside the role's 7
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await extend_offer(app, "Jane Doe")
    clock.advance(timedelta(days=1))
    [offer] = await stored(app, Offer)
    await press(app, "offer_accepted", str(offer.id), user=RECRUITER)
    await app.settle()


async def test_pipeline_shows_the_roles_numbers_beside_the_mlops_benchmark(
    app: Running, clock
) -> None:
    await hired_in_six_days(app, clock)

    text = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])

    assert "*MLOps Engineer*: 1 open · sourced 1" in text
    assert NUMBERS in text


async def test_a_role_without_a_hire_is_not_filled_yet(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    clock.advance(timedelta(days=12, hours=5))

    text = blocks_text(answer(await app.slack.command("pipeline", user=HM))["blocks"])

    assert "Not filled yet: open 12 days (MLOps average: 89 days)" in text
    # Closed without a hire: it read "Not filled yet: open 0 days" for a role closed the
    # day it opened, as if it were open still.
    await app.slack.command("role close MLOps Engineer", user=HM)
    clock.advance(timedelta(days=3))
    text = blocks_text(answer(await app.slack.command("pipeline", user=HM))["blocks"])
    assert "Closed without a hire after 12 days open (MLOps average: 89 days)" in text, text
    assert "offers accepted none yet · loops inside 7 days none yet" in text


async def test_the_hiring_managers_home_shows_the_numbers(app: Running, clock) -> None:
    await hired_in_six_days(app, clock)

    manager = blocks_text((await home_of(app, HM))["blocks"])
    recruiter = blocks_text((await home_of(app, RECRUITER))["blocks"])

    assert NUMBERS in manager
    assert "Time to fill" not in recruiter  # the numbers are the hiring manager's


async def test_the_weekly_report_carries_the_numbers(app: Running, clock) -> None:
    await hired_in_six_days(app, clock)  # now Sunday 22 Nov, 09:00 UTC
    sweeper = make_sweeper(app.deps)
    sweeper.reports = report_schedule("mon 09:00", "UTC")
    clock.set(clock.now() + timedelta(days=1, minutes=1))
    before = len(app.standin.calls)

    await sweeper.run(clock.now())

    [post] = [
        c.args
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["channel"] == "GHIRING01"
    ]
    assert f"*Hiring numbers*\n{NUMBERS}" in blocks_text(post["blocks"])
    [get_url] = app.standin.calls_to("files.getUploadURLExternal")
    assert get_url.response is not None
    png = app.standin.files[get_url.response["file_id"]]["bytes"]
    assert _size(png) == (1000, 660)


def _size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _role(title: str = "MLOps Engineer") -> Role:
    return Role(
        id=1,
        title=title,
        title_key=title.lower(),
        hiring_manager_id=HM,
        channel_id="GHIRING01",
        created_by=HM,
        created_at=OPENED,
    )


def test_the_chart_for_a_role_with_no_history() -> None:
    numbers = weekly(_role("Data Engineer"), [], [], week_end=day(3))
    assert numbers.numbers is not None and numbers.numbers.time_to_fill == []
    png = chart_png(numbers)
    assert _size(png) == (1000, 660) and 10_000 < len(png) < 500_000


def test_the_chart_for_a_role_with_one_hire() -> None:
    h = History()
    h.add(0, [(3, "interviewing"), (9, "decision"), (10, "offer"), (11, "hired")])
    numbers = weekly(_role(), [], h.events, week_end=day(20), everyone=h.candidates)
    assert numbers.numbers is not None and numbers.numbers.time_to_fill == [11.0]
    assert [p.days for p in numbers.trend][-2:] == [11.0, 11.0]
    png = chart_png(numbers)
    assert _size(png) == (1000, 660) and 10_000 < len(png) < 500_000


def test_the_chart_for_many_candidates_and_a_long_title() -> None:
    h = seeded()
    pick = random.Random(15)
    path = ["screening", "interviewing", "decision", "offer", "hired"]
    for _ in range(300):
        added = pick.uniform(0, 35)
        moves: list[tuple[float, str]] = []
        at = added
        for stage in path[: pick.randint(0, len(path))]:
            at += pick.uniform(0.5, 4)
            moves.append((at, stage))
        h.add(added, moves)
    still_open = [c for c in h.candidates if c.stage not in ("hired", "rejected", "withdrawn")]
    numbers = weekly(
        _role("Senior MLOps Engineer $150k-$180k, " + "platform " * 15),
        still_open,
        h.events,
        week_end=NOW,
        everyone=h.candidates,
        offer_statuses=OFFER_STATUSES,
    )
    assert sum(numbers.counts.values()) == len(still_open)
    png = chart_png(numbers)
    assert _size(png) == (1000, 660) and 10_000 < len(png) < 500_000


def test_the_chart_title_is_clipped_and_never_read_as_mathematics() -> None:
    # matplotlib sets text between two `$` as mathematics: "$150k-$" would lose its signs.
    assert clip_title("MLOps $150k-$180k") == r"MLOps \$150k-\$180k"
    assert clip_title("x" * 150) == "x" * 69 + "…"


async def test_someone_let_go_before_any_interview_had_no_loop_to_count(
    app: Running, clock
) -> None:
    """Imported straight into interviewing and rejected with the rest, 503 people read
    as "loops inside 10 days 100% (503 of 503)". A loop let go before any scorecard came
    in is not counted; one that reached decision is, scorecards or not."""
    await hired_in_six_days(app, clock)  # Jane: a 3-day loop, to decision
    role = (await stored(app, Role))[0]
    await add_candidate(app, "Ann Quick", role=role)
    await app.slack.command("move Ann Quick to interviewing", user=RECRUITER)
    clock.advance(timedelta(days=1))
    await app.slack.command("move Ann Quick to rejected: went with another", user=RECRUITER)
    await app.settle()

    text = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])

    assert "loops inside 7 days 100% (1 of 1)" in text, text


async def test_a_later_booking_does_not_change_a_past_loop_s_result(app: Running, clock) -> None:
    """Noah's loop was complete in three days; a week later Riya booked one more
    interview, and "loops inside 7 days 75% (3 of 4)" became "50% (2 of 4)": his old
    loop flipped, as did last week's figure in the next weekly report."""
    role = await create_role(app)
    await add_candidate(app, "Noah Fischer", role=role)
    starts = clock.now().replace(hour=10) + timedelta(days=1)
    interview = await schedule(app, "Noah", starts=starts)
    clock.set(starts + timedelta(days=2))
    await submit_scorecard(app, interview)  # the loop complete inside its 7 days
    inside = "loops inside 7 days 100% (1 of 1)"
    board = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert inside in board, board

    clock.set(starts + timedelta(days=9))
    await schedule(app, "Noah", starts=clock.now() + timedelta(days=1))

    board = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert inside in board, board
