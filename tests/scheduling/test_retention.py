"""Retention, run by the sweep: rejected and withdrawn candidates are erased
RETENTION_DAYS (180 by default) after they closed, after one notice a week before to
each of their role's recruiters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot import store
from bot.runtime.settings import Settings
from bot.scheduling import retention
from bot.slack.app import make_sweeper
from bot.store import erasure as erasure_rows
from bot.store.tables import Candidate, Change
from tests.cases import new_role
from tests.conftest import HM, RECRUITER, RECRUITER_2, START, Running, serving
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    blocks_text,
    candidate_named,
    create_role,
    schedule,
    stored,
)
from tests.scheduling.test_sweep import messages_to, sweep

pytestmark = pytest.mark.both_databases

DAYS = 180
REASON = "went with another company"


def notices_to(app: Running, user: str, since: int = 0) -> list[str]:
    return [
        blocks_text(m["blocks"])
        for m in messages_to(app, user, since)
        if "will be erased in a week" in m["text"]
    ]


async def close(app: Running, name: str, stage: str) -> None:
    reply = await app.slack.command(f"move {name} to {stage}: {REASON}", user=RECRUITER)
    assert reply.status_code == 200, reply.text
    await app.settle()


async def by_id(app: Running, candidate: Candidate) -> Candidate:
    async with app.deps.db.reader() as session:
        found = await session.get(Candidate, candidate.id)
    assert found is not None
    return found


def test_the_default_is_six_months_and_zero_means_never() -> None:
    assert Settings.model_fields["retention_days"].default == DAYS


async def test_notice_a_week_before_then_erasure_at_the_limit(app: Running, clock: Any) -> None:
    role = await create_role(app, recruiters=(RECRUITER, RECRUITER_2))
    jane = await add_candidate(app, "Jane Doe", role=role, email="jane@example.com")
    bob = await add_candidate(app, "Bob Stone", role=role)
    carl = await add_candidate(app, "Carl Open", role=role)
    await close(app, "Jane Doe", "rejected")  # closed at START
    clock.set(START + timedelta(days=10))
    await close(app, "Bob Stone", "withdrawn")

    # START is 09:00: a week before her limit is a day of notices, from its midnight.
    clock.set(START + timedelta(days=DAYS - 7) - timedelta(hours=9, minutes=1))
    before = len(app.standin.calls)
    await sweep(app)
    assert notices_to(app, RECRUITER, before) == []  # not the day a week before yet

    clock.set(START + timedelta(days=DAYS - 7) - timedelta(hours=8, minutes=59))
    await sweep(app)
    [first] = notices_to(app, RECRUITER, before)
    [second] = notices_to(app, RECRUITER_2, before)
    assert first == second
    assert "*Jane Doe* · MLOps Engineer · rejected · erased" in first
    assert "Bob Stone" not in first and "Carl" not in first
    assert notices_to(app, HM, before) == []  # recruiters only
    assert (await by_id(app, jane)).erasure_notice_at == clock.now()

    clock.advance(timedelta(days=1))
    again = len(app.standin.calls)
    await sweep(app)
    assert notices_to(app, RECRUITER, again) == []  # once

    clock.set(START + timedelta(days=DAYS) - timedelta(minutes=1))
    await sweep(app)
    assert (await by_id(app, jane)).erased_at is None  # not before the limit

    clock.set(START + timedelta(days=DAYS, minutes=1))
    await sweep(app)
    erased = await by_id(app, jane)
    assert (erased.name, erased.email) == (f"Erased candidate #{jane.id}", None)
    assert (erased.erased_at, erased.erased_by, erased.stage) == (
        clock.now(),
        "retention",
        "rejected",
    )
    # Not at their request: no digest kept, so one who applies again imports as new.
    assert (erased.erased_email_digest, erased.erased_name_digest) == (None, None)
    [record] = [c for c in await stored(app, Change) if c.kind == "candidate_erased"]
    assert (record.candidate_id, record.actor_id) == (jane.id, "retention")
    assert (await candidate_named(app, "Bob Stone")).erased_at is None  # closed 10 days later
    assert (await by_id(app, carl)).name == "Carl Open"  # open candidates are never due
    # Bob's turn comes ten days on, with his own notice.
    clock.set(START + timedelta(days=DAYS + 3, minutes=1))
    later = len(app.standin.calls)
    await sweep(app)
    [bobs] = notices_to(app, RECRUITER, later)
    assert "*Bob Stone* · MLOps Engineer · withdrawn" in bobs and "Erased" not in bobs
    clock.set(START + timedelta(days=DAYS + 10, minutes=2))
    await sweep(app)
    assert (await by_id(app, bob)).name == f"Erased candidate #{bob.id}"


async def test_a_day_s_closures_come_in_one_notice(app: Running, clock: Any) -> None:
    """Closed at 09:00 and at 15:00 the same day: the sweeps of the day a week before
    the limit send one notice naming both, not one a sweep as each one's time comes."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Bob Stone", role=role)
    await close(app, "Jane Doe", "rejected")
    clock.set(START + timedelta(hours=6))
    await close(app, "Bob Stone", "withdrawn")
    before = len(app.standin.calls)
    for hours in range(0, 24, 2):  # that whole day, a sweep every two hours
        clock.set(START - timedelta(hours=9) + timedelta(days=DAYS - 7, hours=hours))
        await sweep(app)
    [notice] = [m for m in messages_to(app, RECRUITER, before) if "erased in a week" in m["text"]]
    assert notice["text"] == "Loopkeeper: 2 closed candidates will be erased in a week"
    shown = blocks_text(notice["blocks"])
    assert "*Jane Doe*" in shown and "*Bob Stone*" in shown


async def test_a_candidate_past_the_limit_still_gets_a_week_of_notice(
    app: Running, clock: Any
) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane", interviewers=(INTERVIEWER,))
    await close(app, "Jane Doe", "withdrawn")

    # The sweep first runs long after the limit (it was off, or the setting was lowered).
    clock.set(START + timedelta(days=DAYS + 100))
    before = len(app.standin.calls)
    await sweep(app)
    [notice] = notices_to(app, RECRUITER, before)
    assert "Jane Doe" in notice
    assert (await by_id(app, jane)).erased_at is None

    clock.advance(timedelta(days=7))
    erasing = len(app.standin.calls)
    await sweep(app)
    assert (await by_id(app, jane)).erased_at == clock.now()
    # Her interviewer's kit DM named her: it is rewritten too.
    [kit] = [c.args for c in app.standin.calls[erasing:] if c.method == "chat.update"]
    assert kit["channel"] == f"D{INTERVIEWER}" and "Jane" not in kit["text"]


async def test_zero_keeps_everyone(db_url: str, standin: Any, clock: Any) -> None:
    async with serving(db_url, standin, clock, retention_days=0) as app:
        role = await create_role(app)
        await add_candidate(app, "Jane Doe", role=role)
        await close(app, "Jane Doe", "rejected")
        clock.set(START + timedelta(days=3 * DAYS))
        before = len(app.standin.calls)
        await sweep(app)
        assert notices_to(app, RECRUITER, before) == []
        async with app.deps.db.reader() as session:
            [jane] = (await session.exec(select(Candidate))).all()
        assert (jane.name, jane.erased_at, jane.erasure_notice_at) == ("Jane Doe", None, None)


async def test_a_backlog_is_erased_a_slice_per_sweep_oldest_first(
    app: Running, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "ERASE_PER_SWEEP", 2)
    role = await create_role(app)
    names = ("Ann One", "Ben Two", "Cat Three")
    for n, name in enumerate(names):
        clock.set(START + timedelta(hours=n))
        await add_candidate(app, name, role=role)
        await close(app, name, "rejected")
    clock.set(START + timedelta(days=DAYS + 30))
    await sweep(app)  # the notice
    clock.advance(timedelta(days=7))
    await sweep(app)
    erased = [(await candidate_named_or_erased(app, name)) for name in names]
    assert erased == [True, True, False]  # the two oldest
    clock.advance(timedelta(minutes=1))
    await sweep(app)
    assert [(await candidate_named_or_erased(app, name)) for name in names] == [True] * 3


async def candidate_named_or_erased(app: Running, name: str) -> bool:
    """Whether the candidate once called `name` is erased (erased ones lose the name)."""
    rows = [c for c in await stored(app, Candidate) if c.name == name]
    return not rows


async def test_noticing_tens_of_thousands_at_once_fits_postgresqls_limit(
    db: Any, clock: Any
) -> None:
    # A first sweep over years of closed candidates: more ids than one statement may carry.
    role = await new_role(db, clock.now())
    async with db.transaction() as session:
        candidate = await store.add_candidate(
            session,
            role_id=role.id or 0,
            name="Jane Doe",
            email=None,
            links=None,
            actor_id=RECRUITER,
            now=clock.now(),
        )
        ids = [*range(10_000_000, 10_040_000), candidate.id or 0]
        await erasure_rows.mark_notified(session, candidate_ids=ids, now=clock.now())
    async with db.reader() as session:
        marked = await session.get(Candidate, candidate.id)
    assert marked is not None and marked.erasure_notice_at == clock.now()


def test_a_long_notice_names_everyone_in_whole_lines() -> None:
    """79 people due: the notice showed 23, its last line cut mid-token (raw
    `<!date^…` on screen), and no word of the other 56, all erased a week later."""
    from datetime import UTC, datetime

    from bot.playground.standin import message_problems
    from bot.slack.blocks.erasure import retention_notice
    from bot.slack.blocks.jsonify import as_json_list
    from bot.store.tables import Candidate, Role

    at = datetime(2027, 6, 2, 9, 0, tzinfo=UTC)
    role = Role(
        id=1,
        title="Data Scientist",
        title_key="data scientist",
        hiring_manager_id="UHM",
        channel_id="G1",
        created_by="UADMIN",
        created_at=at,
    )
    due = [
        (
            Candidate(
                id=n,
                name=f"Mateo Larsen {n}",
                name_key=f"mateo larsen {n}",
                role_id=1,
                stage="rejected",
                stage_entered_at=at,
                created_by="UREC",
                created_at=at,
            ),
            role,
            at,
        )
        for n in range(79)
    ]
    text, blocks = retention_notice(due, retention_days=DAYS)
    shown = blocks_text(as_json_list(blocks))
    assert text == "Loopkeeper: 79 closed candidates will be erased in a week"
    assert all(f"*Mateo Larsen {n}*" in shown for n in range(79))
    assert shown.count("<!date^") == 79 == shown.count("UTC>")  # every token whole
    assert message_problems(as_json_list(blocks)) == []


async def test_a_dry_run_lists_the_notices_and_erasures_and_makes_none(
    app: Running, clock: Any
) -> None:
    """Erasure cannot be undone: `loopkeeper sweep --dry-run` listed only alerts, so an
    operator trying a sweep first learned of an erasure after it was done."""
    role = await create_role(app, recruiters=(RECRUITER, RECRUITER_2))
    jane = await add_candidate(app, "Jane Doe", role=role)
    bob = await add_candidate(app, "Bob Stone", role=role)
    await close(app, "Jane Doe", "rejected")
    await close(app, "Bob Stone", "withdrawn")
    dry = make_sweeper(app.deps)

    clock.set(START + timedelta(days=DAYS - 7))
    before = len(app.standin.calls)
    lines = await dry.dry_run(clock.now())
    both = f"candidates #{jane.id}, #{bob.id} will be erased in a week (retention)"
    assert f"would tell {RECRUITER} that {both}" in lines
    assert f"would tell {RECRUITER_2} that {both}" in lines
    assert notices_to(app, RECRUITER, before) == []  # nothing sent…
    assert (await by_id(app, jane)).erasure_notice_at is None  # …nor recorded

    await sweep(app)  # the notices go
    clock.set(START + timedelta(days=DAYS, minutes=1))
    lines = await dry.dry_run(clock.now())
    assert f"would erase candidate #{jane.id} (retention: closed over {DAYS} days ago)" in lines
    assert f"would erase candidate #{bob.id} (retention: closed over {DAYS} days ago)" in lines
    assert not any("would tell" in line for line in lines)  # noticed once already
    assert (await by_id(app, jane)).name == "Jane Doe"  # not erased
    await sweep(app)
    assert (await by_id(app, jane)).name == f"Erased candidate #{jane.id}"
    assert await dry.dry_run(clock.now()) == ["Nothing is due."]
