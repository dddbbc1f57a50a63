"""`loopkeeper sweep` as an operator runs it, and replicas sweeping at once."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url
from sqlmodel import select

from bot.domain.stages import Stage
from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.scheduling.delivery import SEND_BATCH
from bot.scheduling.lock import sweep_lock, sweep_lock_path
from bot.scheduling.sweeper import Sweeper
from bot.slack.app import make_sweeper, start_scheduler
from bot.slack.deps import Deps
from bot.store.engine import Database
from bot.store.tables import Alert, Candidate
from tests import cli_process
from tests.cases import jane, move
from tests.conftest import BOT_TOKEN, HM, RECRUITER, make_settings

ROOT = Path(__file__).resolve().parents[2]
LOOP_START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


async def stalled_candidate(db_url: str) -> None:
    """Jane entered interviewing a week ago and nothing has moved since."""
    db = Database(db_url)
    try:
        _, added = await jane(db, ManualClock(LOOP_START), title="MLOps Engineer")
        await move(db, added.candidate.id or 0, Stage.SOURCED, Stage.INTERVIEWING, now=LOOP_START)
    finally:
        await db.close()


async def due_alerts(db_url: str, prefix: str, count: int, now: datetime) -> None:
    """`count` stage-idle alerts about the stalled candidate, each to another recruiter,
    all due at `now`; the candidate itself plans nothing more (only these are due)."""
    db = Database(db_url)
    try:
        async with db.transaction() as session:
            jane = (await session.exec(select(Candidate))).one()
            session.add_all(
                Alert(
                    key=f"{prefix}:{i}",
                    candidate_id=jane.id or 0,
                    kind="stage_idle",
                    recipient_id=f"UREC{i:05d}",
                    deadline=now,
                    due_at=now,
                    breach=True,
                    deliver_after=now,
                    created_at=now,
                )
                for i in range(count)
            )
            jane.next_alert_at = None
    finally:
        await db.close()


async def loopkeeper(*args: str, db_url: str, api_url: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "cli-test-secret",
        "SLACK_API_URL": api_url,
        "SWEEP_PACE_SECONDS": "0",
        "WEEKLY_REPORT": "off",
    }
    # Its own process, forked from one with the libraries imported (tests/cli_process.py).
    process = await cli_process.start(args, env=env, cwd=ROOT)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_a_week_after_the_loop_started_the_sweep_sends_the_breach_once(
    db_url: str, standin: SlackStandin
) -> None:
    await stalled_candidate(db_url)
    week_later = (LOOP_START + timedelta(days=7, minutes=5)).isoformat()

    code, dry, _ = await loopkeeper(
        "sweep", "--now", week_later, "--dry-run", db_url=db_url, api_url=standin.url
    )
    assert code == 0
    assert f"would send loop_breach about candidate #1 to {HM}" in dry
    assert f"would send loop_breach about candidate #1 to {RECRUITER}" in dry
    assert standin.calls_to("chat.postMessage") == []  # a dry run sends nothing…
    db = Database(db_url)
    try:
        async with db.reader() as session:
            assert (await session.exec(select(Alert))).all() == []  # …and records nothing
    finally:
        await db.close()

    code, out, err = await loopkeeper(
        "sweep", "--now", week_later, db_url=db_url, api_url=standin.url
    )
    assert code == 0, err
    assert f"sent loop_breach about candidate #1 to {HM}" in out
    assert f"sent loop_breach about candidate #1 to {RECRUITER}" in out
    assert "2 sent, 0 held for working hours, 0 to retry, 0 failed, 1 superseded." in out
    again = await loopkeeper("sweep", "--now", week_later, db_url=db_url, api_url=standin.url)
    assert "0 sent" in again[1]
    assert len(standin.calls_to("chat.postMessage")) == 2


async def test_a_sweep_with_a_failed_delivery_fails_the_cron_job(
    db_url: str, standin: SlackStandin
) -> None:
    """From cron, 'FAILED' in the output with exit code 0 went unnoticed by the job's
    monitoring: a failed delivery now makes the command fail."""
    await stalled_candidate(db_url)
    week_later = (LOOP_START + timedelta(days=7, minutes=5)).isoformat()
    standin.fail_next("chat.postMessage", "channel_not_found", times=2)

    code, out, err = await loopkeeper(
        "sweep", "--now", week_later, db_url=db_url, api_url=standin.url
    )

    assert code == 1, (out, err)
    assert "FAILED loop_breach to " in out and "2 failed" in out


async def test_a_real_sweep_in_the_future_asks_for_force(
    db_url: str, standin: SlackStandin
) -> None:
    """`sweep --now <next week>` without --dry-run sent for real, and recorded that week's
    report as sent, so the real Monday report never went."""
    await stalled_candidate(db_url)
    later = (datetime.now(UTC) + timedelta(days=7)).isoformat()

    code, _, err = await loopkeeper("sweep", "--now", later, db_url=db_url, api_url=standin.url)

    assert code == 2 and "is in the future" in err and "--dry-run" in err, err
    assert standin.calls_to("chat.postMessage") == []
    code, out, _ = await loopkeeper(
        "sweep", "--now", later, "--dry-run", db_url=db_url, api_url=standin.url
    )
    assert code == 0 and "would send" in out


async def test_sweep_rejects_a_bad_now(db_url: str, standin: SlackStandin) -> None:
    code, _, err = await loopkeeper(
        "sweep", "--now", "next tuesday", db_url=db_url, api_url=standin.url
    )
    assert code == 2 and "not an ISO-8601 time" in err and "Traceback" not in err


async def test_serve_ticks_the_sweep_on_the_configured_interval(
    db_url: str, standin: SlackStandin
) -> None:
    settings = make_settings(db_url=db_url, api_url=standin.url, sweep_interval_seconds=30)
    deps = Deps(settings=settings, db=Database(db_url), clock=ManualClock(LOOP_START))
    scheduler = start_scheduler(deps, make_sweeper(deps))
    try:
        assert scheduler is not None
        [job] = scheduler.get_jobs()
        assert job.id == "sweep" and job.trigger.interval == timedelta(seconds=30)
        assert job.max_instances == 1 and job.coalesce is True
    finally:
        assert scheduler is not None
        scheduler.shutdown(wait=False)
        await deps.db.close()
    off = Deps(settings=make_settings(db_url=db_url, api_url=standin.url), db=Database(db_url))
    assert start_scheduler(off, make_sweeper(off)) is None  # SWEEP_INTERVAL_SECONDS=0
    await off.db.close()


@pytest.mark.both_databases
async def test_four_sweepers_over_more_than_a_batch_of_due_alerts_send_each_once(
    db_url: str, standin: SlackStandin
) -> None:
    await stalled_candidate(db_url)
    now = LOOP_START + timedelta(hours=1)
    # More than one claim's batch (delivery.SEND_BATCH, 500): two sweepers claim at once.
    count = SEND_BATCH + 100
    await due_alerts(db_url, "load", count, now)

    async def one_replica() -> int:
        replica = Database(db_url)
        client = AsyncWebClient(token=BOT_TOKEN, base_url=standin.url, retry_handlers=[])
        try:
            sent = 0
            for _ in range(4):  # a few ticks each, as replicas would over a minute or two
                sent += len((await Sweeper(replica, client).run(now)).sent)
            return sent
        finally:
            await replica.close()

    totals = await asyncio.gather(*(one_replica() for _ in range(4)))

    assert sum(totals) == count
    posts = standin.calls_to("chat.postMessage")
    assert len(posts) == count
    assert len({p.args["channel"] for p in posts}) == count


@pytest.mark.both_databases
async def test_months_of_downtime_store_one_alert_per_person_not_one_per_missed_day(
    db_url: str, standin: SlackStandin
) -> None:
    await stalled_candidate(db_url)
    db = Database(db_url)
    try:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=standin.url, retry_handlers=[])
        report = await Sweeper(db, client).run(LOOP_START + timedelta(days=400))
        async with db.reader() as session:
            stored = (await session.exec(select(Alert))).all()
    finally:
        await db.close()
    assert len(report.sent) == 2 and report.skipped > 390  # 393 daily breaches superseded
    assert sorted(a.recipient_id for a in stored) == sorted([HM, RECRUITER])


# One sweep at a time across processes -------------------------------------------------
# flock locks belong to an open file, not to a process: two Sweepers in one process each
# open the lock file and so exclude each other as two processes would.


@pytest.mark.both_databases
async def test_while_one_sweeper_sends_another_on_the_same_database_is_locked_out(
    db_url: str, standin: SlackStandin
) -> None:
    await stalled_candidate(db_url)
    week_later = LOOP_START + timedelta(days=7, minutes=5)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=standin.url, retry_handlers=[])
    first_db, second_db = Database(db_url), Database(db_url)
    first, second = Sweeper(first_db, client), Sweeper(second_db, client)
    try:
        delivering = asyncio.Event()
        deliver = first.deliver

        async def deliver_and_tell(now, report):
            delivering.set()
            await deliver(now, report)

        first.deliver = deliver_and_tell  # type: ignore[method-assign]  # the test swaps in a step that tells when delivery starts
        standin.delay_next("chat.postMessage", 1.0)  # the first digest is in flight a while
        running = asyncio.create_task(first.run(week_later))
        await asyncio.wait_for(delivering.wait(), 5)

        shut_out = await second.run(week_later)
        assert shut_out.locked_out
        assert shut_out.sent == [] and shut_out.planned == 0

        done = await running
        assert not done.locked_out and len(done.sent) == 2
        after = await second.run(week_later)  # released: the second may sweep again
        assert not after.locked_out and after.sent == []  # the first sent everything
    finally:
        await first_db.close()
        await second_db.close()
    posts = standin.calls_to("chat.postMessage")
    assert sorted(p.args["channel"] for p in posts) == sorted([HM, RECRUITER])


@pytest.mark.both_databases
async def test_loopkeeper_sweep_beside_a_sweeping_server_is_locked_out_until_it_finishes(
    db_url: str, standin: SlackStandin
) -> None:
    await stalled_candidate(db_url)
    week_later = (LOOP_START + timedelta(days=7, minutes=5)).isoformat()
    server_db = Database(db_url)
    try:
        async with sweep_lock(server_db) as mine:
            assert mine  # the server's sweep, mid-way
            code, out, err = await loopkeeper(
                "sweep", "--now", week_later, db_url=db_url, api_url=standin.url
            )
            assert code == 0, err
            assert "Another Loopkeeper process is sweeping" in out
            assert standin.calls_to("chat.postMessage") == []
    finally:
        await server_db.close()
    code, out, err = await loopkeeper(
        "sweep", "--now", week_later, db_url=db_url, api_url=standin.url
    )
    assert code == 0, err
    assert "2 sent" in out
    assert len(standin.calls_to("chat.postMessage")) == 2


@pytest.mark.parametrize(
    ("url", "lock_file"),
    [
        ("sqlite:///loopkeeper.db", "loopkeeper.db.sweep-lock"),
        ("sqlite:////srv/data/lk.db", "/srv/data/lk.db.sweep-lock"),
        ("sqlite:///file:lk.db?uri=true", "lk.db.sweep-lock"),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///file:lk?mode=memory&uri=true", None),
    ],
)
def test_the_sqlite_sweep_lock_sits_beside_the_database_file(
    url: str, lock_file: str | None
) -> None:
    path = sweep_lock_path(make_url(url))
    assert (str(path) if path else None) == lock_file


@pytest.mark.both_databases
async def test_a_sweep_runs_on_a_pool_of_one_connection(db_url: str, standin: SlackStandin) -> None:
    """The lock is held on a connection outside the pool: held from the pool, it took
    one of a worker's few connections away from requests for the whole sweep, and on a
    pool of one the sweep waited for itself until the pool timed out."""
    await stalled_candidate(db_url)
    week_later = LOOP_START + timedelta(days=7, minutes=5)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=standin.url, retry_handlers=[])
    db = Database(db_url, pool_size=1)
    try:
        report = await asyncio.wait_for(Sweeper(db, client).run(week_later), timeout=20)
    finally:
        await db.close()
    assert not report.locked_out and len(report.sent) == 2
