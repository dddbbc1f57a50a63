"""Alembic revisions: they go up and down cleanly, and they build what the models describe."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import bot.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.runtime import migrate
from bot.store.engine import create_engine

pytestmark = pytest.mark.both_databases

# Every table the models describe; the migrations must build exactly these.
TABLES = set(SQLModel.metadata.tables)


async def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision()
            )
    finally:
        await engine.dispose()


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)


async def test_upgrade_downgrade_and_upgrade_again(empty_db_url: str) -> None:
    assert await table_names(empty_db_url) == set()

    await asyncio.to_thread(migrate.upgrade, empty_db_url)
    assert await table_names(empty_db_url) == TABLES
    assert (await current_revision(empty_db_url),) == migrate.current_heads()

    await asyncio.to_thread(migrate.downgrade, empty_db_url, "base")
    assert await table_names(empty_db_url) == set()
    assert await current_revision(empty_db_url) is None

    await asyncio.to_thread(migrate.upgrade, empty_db_url)
    assert await table_names(empty_db_url) == TABLES


async def test_upgrade_twice_is_a_no_op(empty_db_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_db_url)
    await asyncio.to_thread(migrate.upgrade, empty_db_url)
    assert await table_names(empty_db_url) == TABLES


async def test_models_match_the_migrations(empty_db_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_db_url)
    engine = create_engine(empty_db_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []


async def test_the_open_name_index_is_partial_and_unique(empty_db_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_db_url)
    engine = create_engine(empty_db_url)
    try:
        async with engine.connect() as connection:
            indexes = await connection.run_sync(lambda c: inspect(c).get_indexes("candidate"))
    finally:
        await engine.dispose()
    by_name = {index["name"]: index for index in indexes}
    open_name = by_name["uq_candidate_open_name"]
    assert open_name["unique"]
    assert open_name["column_names"] == ["role_id", "name_key"]
    where = open_name.get("dialect_options", {})
    assert any("rejected" in str(v) for v in where.values()), where


def test_there_is_one_head() -> None:
    assert len(migrate.current_heads()) == 1


async def test_each_revision_steps_down_and_up_keeping_earlier_data(empty_db_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_db_url, "0001")
    engine = create_engine(empty_db_url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "INSERT INTO role (title, title_key, hiring_manager_id, channel_id, template, "
                "loop_days, feedback_hours, decision_hours, offer_hours, idle_hours, "
                "created_by, created_at) VALUES ('MLOps', 'mlops', 'UHM', 'G1', 'mlops', "
                "7, 24, 48, 48, 48, 'UA', '2026-11-16 09:00:00+00:00')"
            )
        await asyncio.to_thread(migrate.upgrade, empty_db_url)
        # Down one revision at a time to the first: each step keeps the earlier data.
        while await current_revision(empty_db_url) != "0001":
            await asyncio.to_thread(migrate.downgrade, empty_db_url, "-1")
            async with engine.connect() as connection:
                titles = (
                    (await connection.exec_driver_sql("SELECT title FROM role")).scalars().all()
                )
            assert titles == ["MLOps"]
        await asyncio.to_thread(migrate.upgrade, empty_db_url)
        assert await table_names(empty_db_url) == TABLES
    finally:
        await engine.dispose()


async def test_a_table_copied_by_a_migration_keeps_the_rows_under_it(empty_db_url: str) -> None:
    """0004 copies the interview table on SQLite (batch mode, to add a unique
    constraint): with foreign keys on, dropping the old copy deleted every seat under
    it (ON DELETE CASCADE). Migrations run with them off and check them after."""
    await asyncio.to_thread(migrate.upgrade, empty_db_url, "0003")
    at = "'2026-11-16 09:00:00+00:00'"
    engine = create_engine(empty_db_url)
    try:
        async with engine.begin() as connection:
            for sql in (
                "INSERT INTO role (id, title, title_key, hiring_manager_id, channel_id, "
                "template, loop_days, feedback_hours, decision_hours, offer_hours, idle_hours, "
                f"created_by, created_at) VALUES (1, 'MLOps', 'mlops', 'UHM', 'G1', 'mlops', "
                f"7, 24, 48, 48, 48, 'UA', {at})",
                "INSERT INTO candidate (id, role_id, name, name_key, stage, stage_entered_at, "
                f"created_by, created_at) VALUES (1, 1, 'Jane', 'jane', 'interviewing', {at}, "
                f"'UR', {at})",
                "INSERT INTO interview (id, candidate_id, plan_stage, starts_at, ends_at, "
                f"scheduled_by, created_at) VALUES (1, 1, 'incident', {at}, {at}, 'UR', {at})",
                "INSERT INTO interview_seat (interview_id, interviewer_id, feedback_due_at) "
                f"VALUES (1, 'UINT', {at})",
            ):
                await connection.exec_driver_sql(sql)
        await asyncio.to_thread(migrate.upgrade, empty_db_url)
        # …and back down through every revision that copies a table, and up again.
        await asyncio.to_thread(migrate.downgrade, empty_db_url, "0003")
        await asyncio.to_thread(migrate.upgrade, empty_db_url)
        async with engine.connect() as connection:
            seats = (
                await connection.exec_driver_sql("SELECT interviewer_id FROM interview_seat")
            ).scalars()
            assert list(seats) == ["UINT"]
    finally:
        await engine.dispose()
