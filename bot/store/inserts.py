"""The dialect's INSERT … ON CONFLICT: SQLite and PostgreSQL spell it alike, but
SQLAlchemy builds it from each dialect's own insert()."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession


def insert_on_conflict(session: AsyncSession, table: Any) -> Any:
    """An INSERT with ON CONFLICT, in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
