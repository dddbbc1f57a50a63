"""Roles, their recruiters, candidates and the append-only stage event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Closed stages may hold several candidates of one name (rejected, then back later).
OPEN_ONLY = sa.text("stage NOT IN ('hired', 'rejected', 'withdrawn')")


def upgrade() -> None:
    op.create_table(
        "role",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", AutoString(length=150), nullable=False),
        sa.Column("title_key", AutoString(length=150), nullable=False, unique=True),
        sa.Column("hiring_manager_id", AutoString(length=32), nullable=False),
        sa.Column("channel_id", AutoString(length=32), nullable=False),
        sa.Column("template", AutoString(length=64), nullable=False),
        sa.Column("loop_days", sa.Integer(), nullable=False),
        sa.Column("feedback_hours", sa.Integer(), nullable=False),
        sa.Column("decision_hours", sa.Integer(), nullable=False),
        sa.Column("offer_hours", sa.Integer(), nullable=False),
        sa.Column("idle_hours", sa.Integer(), nullable=False),
        sa.Column("created_by", AutoString(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_role_hiring_manager_id", "role", ["hiring_manager_id"])

    op.create_table(
        "role_recruiter",
        sa.Column(
            "role_id",
            sa.Integer(),
            sa.ForeignKey("role.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", AutoString(length=32), primary_key=True),
    )
    op.create_index("ix_role_recruiter_user_id", "role_recruiter", ["user_id"])

    op.create_table(
        "candidate",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "role_id", sa.Integer(), sa.ForeignKey("role.id", ondelete="RESTRICT"), nullable=False
        ),
        sa.Column("name", AutoString(length=150), nullable=False),
        sa.Column("name_key", AutoString(length=150), nullable=False),
        sa.Column("email", AutoString(length=254), nullable=True),
        sa.Column("links", AutoString(length=2000), nullable=True),
        sa.Column("stage", AutoString(length=16), nullable=False),
        sa.Column("stage_entered_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", AutoString(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_candidate_role_stage", "candidate", ["role_id", "stage"])
    op.create_index(
        "uq_candidate_open_name",
        "candidate",
        ["role_id", "name_key"],
        unique=True,
        sqlite_where=OPEN_ONLY,
        postgresql_where=OPEN_ONLY,
    )

    op.create_table(
        "stage_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "candidate_id",
            sa.Integer(),
            sa.ForeignKey("candidate.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", AutoString(length=32), nullable=False),
        sa.Column("from_stage", AutoString(length=16), nullable=True),
        sa.Column("to_stage", AutoString(length=16), nullable=False),
        sa.Column("note", AutoString(length=3000), nullable=False),
        sa.Column("detail", AutoString(length=500), nullable=False),
    )
    op.create_index("ix_stage_event_candidate_at", "stage_event", ["candidate_id", "at"])


def downgrade() -> None:
    op.drop_table("stage_event")
    op.drop_table("candidate")
    op.drop_table("role_recruiter")
    op.drop_table("role")
