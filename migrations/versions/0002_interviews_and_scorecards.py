"""Interviews, their interviewers' seats, versioned scorecards and their ratings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "candidate_id",
            sa.Integer(),
            sa.ForeignKey("candidate.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("plan_stage", AutoString(length=32), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("scheduled_by", AutoString(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_interview_candidate_id", "interview", ["candidate_id"])

    op.create_table(
        "interview_seat",
        sa.Column(
            "interview_id",
            sa.Integer(),
            sa.ForeignKey("interview.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("interviewer_id", AutoString(length=32), primary_key=True),
        sa.Column("feedback_due_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_interview_seat_interviewer_id", "interview_seat", ["interviewer_id"])
    # The clock sweep finds due feedback by this column.
    op.create_index("ix_interview_seat_feedback_due_at", "interview_seat", ["feedback_due_at"])

    op.create_table(
        "scorecard",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "interview_id",
            sa.Integer(),
            sa.ForeignKey("interview.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("interviewer_id", AutoString(length=32), nullable=False),
        sa.Column(
            "candidate_id",
            sa.Integer(),
            sa.ForeignKey("candidate.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recommendation", sa.Integer(), nullable=False),
        sa.Column("summary", AutoString(length=3000), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        # A double submit of one version stores once: the second insert collides here.
        sa.UniqueConstraint(
            "interview_id", "interviewer_id", "version", name="uq_scorecard_version"
        ),
    )
    op.create_index("ix_scorecard_candidate", "scorecard", ["candidate_id"])

    op.create_table(
        "scorecard_rating",
        sa.Column(
            "scorecard_id",
            sa.Integer(),
            sa.ForeignKey("scorecard.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("competency", AutoString(length=32), primary_key=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("evidence", AutoString(length=2000), nullable=False),
    )

    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("feedback_complete_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("feedback_complete_at")
    op.drop_table("scorecard_rating")
    op.drop_table("scorecard")
    op.drop_table("interview_seat")
    op.drop_table("interview")
