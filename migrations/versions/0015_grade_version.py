"""A take-home grade can be edited by its grader: takehome_grade.version counts the
edits (1: as first submitted), so the card and the history can say it was edited.

Added in place (ALTER TABLE … ADD COLUMN on both databases), never by copying the
table: SQLite's batch copy drops the old table, and with foreign keys on that would
delete every part rating under it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "takehome_grade",
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    # SQLite (3.35 and later) and PostgreSQL both drop a column in place.
    op.execute("ALTER TABLE takehome_grade DROP COLUMN version")
