"""Importing a file in one transaction, on SQLite and PostgreSQL: what is stored, that a
second import adds nothing, that a failure half-way leaves nothing, who may import."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot import store
from bot.domain.stages import Stage
from bot.store.engine import Database
from bot.store.tables import Candidate, StageEvent
from bot.usecases import admin, importer
from bot.usecases.errors import NotAllowed
from bot.usecases.importer import Importer, NeedsRole
from tests.cases import new_role
from tests.conftest import (
    ADMIN,
    OUTSIDER,
    RECRUITER,
    RECRUITER_2,
    START,
    count_rows,
)

pytestmark = pytest.mark.both_databases

RIYA = Importer(RECRUITER)
FILE = (
    b"Name,Email,Role,Stage,Source,Notes\n"
    b"Jane Doe,jane@example.com,MLOps Engineer,interviewing,Referral,Knows Ray\n"
    b"Bob Stone,bob@example.com,MLOps Engineer,,,\n"
    b"Old Timer,old@example.com,MLOps Engineer,rejected,,\n"
    b"Bad Email,nope,MLOps Engineer,,,\n"
)


async def candidates(db: Database) -> list[Candidate]:
    async with db.reader() as session:
        return list((await session.exec(select(Candidate).order_by(col(Candidate.id)))).all())


async def test_an_import_stores_people_with_their_event_and_fresh_clocks(db: Database) -> None:
    await new_role(db, START, title="MLOps Engineer")
    now = START + timedelta(days=30)
    done = await importer.run(db, importer=RIYA, filename="team.csv", data=FILE, now=now)
    assert len(done.candidate_ids) == 3 and done.preview.problem_rows == 1
    stored = await candidates(db)
    assert [(c.name, c.stage) for c in stored] == [
        ("Jane Doe", "interviewing"),
        ("Bob Stone", "sourced"),
        ("Old Timer", "rejected"),
    ]
    # Clocks start at the import, as if they had been added then: no alert storm.
    assert {c.stage_entered_at for c in stored} == {now}
    assert [c.next_alert_at for c in stored] == [now, now, None]
    async with db.reader() as session:
        events = await store.recent_events(session, candidate_id=stored[0].id or 0)
    [event] = events
    assert (event.from_stage, event.to_stage, event.actor_id) == (None, "interviewing", RECRUITER)
    # The history line says who (a mention); the note, where from.
    assert event.note == "imported from team.csv\nsource: Referral"
    # The file's note is a note by the importer, which only the hiring team reads.
    async with db.reader() as session:
        [note] = await store.changes.notes_of_candidate(session, candidate_id=stored[0].id or 0)
        assert await store.changes.notes_of_candidate(session, candidate_id=stored[1].id or 0) == []
    assert (note.reason, note.actor_id, note.at) == ("Knows Ray", RECRUITER, now)


async def test_importing_the_same_file_twice_adds_nothing_the_second_time(db: Database) -> None:
    await new_role(db, START, title="MLOps Engineer")
    await importer.run(db, importer=RIYA, filename="team.csv", data=FILE, now=START)
    again = await importer.run(db, importer=RIYA, filename="team.csv", data=FILE, now=START)
    assert again.candidate_ids == []
    assert len(again.preview.present) == 3  # the rejected one too: matched by email
    assert await count_rows(db, Candidate) == 3 and await count_rows(db, StageEvent) == 3
    found = await importer.preview(db, importer=RIYA, data=FILE)
    assert not isinstance(found, NeedsRole) and found.new == []


async def test_two_imports_of_one_file_at_once_import_it_once(db: Database) -> None:
    await new_role(db, START, title="MLOps Engineer")
    runs = [
        importer.run(db, importer=RIYA, filename="team.csv", data=FILE, now=START) for _ in range(2)
    ]
    done = await asyncio.gather(*runs)
    assert sorted(len(d.candidate_ids) for d in done) == [0, 3]
    assert await count_rows(db, Candidate) == 3


async def test_a_failure_half_way_imports_nothing(db: Database) -> None:
    await new_role(db, START, title="MLOps Engineer")
    lines = ["Name,Role"] + [f"Person {n},MLOps Engineer" for n in range(2500)]
    data = ("\n".join(lines) + "\n").encode()

    def fail_after_the_first_chunk(done: int, total: int) -> None:
        raise RuntimeError(f"the disk filled up after {done} of {total}")

    with pytest.raises(RuntimeError, match="after 1000 of 2500"):
        await importer.run(
            db,
            importer=RIYA,
            filename="big.csv",
            data=data,
            now=START,
            progress=fail_after_the_first_chunk,
        )
    assert await count_rows(db, Candidate) == 0 and await count_rows(db, StageEvent) == 0


async def test_ten_thousand_rows_import_in_seconds(db: Database) -> None:
    await new_role(db, START, title="MLOps Engineer")
    lines = ["Name,Email,Stage"] + [
        f"Person {n},p{n}@example.com,{('sourced', 'screening', 'interviewing')[n % 3]}"
        for n in range(10_000)
    ]
    data = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    done = await importer.run(db, importer=RIYA, filename="big.csv", data=data, now=START)
    elapsed = time.perf_counter() - started
    assert len(done.candidate_ids) == 10_000
    assert await count_rows(db, StageEvent) == 10_000
    assert elapsed < 20, f"took {elapsed:.1f}s"


async def test_only_the_hiring_team_imports_and_only_into_its_roles(db: Database) -> None:
    await new_role(db, START, title="MLOps Engineer")
    await new_role(db, START, title="Data Engineer", recruiter_ids=(RECRUITER_2,))
    with pytest.raises(NotAllowed, match="on none yet"):
        await importer.preview(db, importer=Importer(OUTSIDER), data=FILE)
    # An admin on no team is told how to get on one (admins add no candidates as such).
    await admin.seed_admins(db, user_ids={ADMIN}, now=START)
    with pytest.raises(NotAllowed, match=r"admin as you are\. Add yourself"):
        await importer.preview(db, importer=Importer(ADMIN), data=FILE)
    other = b"Name,Role\nJane,Data Engineer\n"
    found = await importer.preview(db, importer=RIYA, data=other)
    assert not isinstance(found, NeedsRole)
    # Someone else's role reads exactly as a role that does not exist.
    assert "no role called “Data Engineer”" in found.problems[0].message
    with pytest.raises(NotAllowed):
        await importer.preview(db, importer=RIYA, data=other, role_title="Data Engineer")


async def test_without_a_role_column_one_role_is_taken_and_several_ask(db: Database) -> None:
    mlops = await new_role(db, START, title="MLOps Engineer")
    data = b"Name\nJane Doe\n"
    found = await importer.preview(db, importer=RIYA, data=data)
    assert not isinstance(found, NeedsRole) and found.new[0].role.id == mlops.id
    data_role = await new_role(db, START, title="Data Engineer")
    asked = await importer.preview(db, importer=RIYA, data=data)
    assert isinstance(asked, NeedsRole) and asked.total == 1
    assert {r.title for r in asked.roles} == {"MLOps Engineer", "Data Engineer"}
    picked = await importer.preview(db, importer=RIYA, data=data, role_id=data_role.id)
    assert not isinstance(picked, NeedsRole) and picked.new[0].role.id == data_role.id


async def test_an_operator_imports_into_any_role_by_title(db: Database) -> None:
    await new_role(db, START, title="MLOps Engineer", recruiter_ids=(RECRUITER_2,))
    cli = Importer("cli:ops", operator=True)
    done = await importer.run(
        db,
        importer=cli,
        filename="x.csv",
        data=b"Name\nJane Doe\n",
        role_title="mlops engineer",
        now=START,
    )
    assert len(done.candidate_ids) == 1
    [stored] = await candidates(db)
    assert stored.created_by == "cli:ops" and Stage(stored.stage) == Stage.SOURCED
