"""Take-home assignments: sent with a window, received or not, graded part by part.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "takehome",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "candidate_id",
            sa.Integer(),
            sa.ForeignKey("candidate.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("sent_by", AutoString(length=32), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("note", AutoString(length=500), nullable=False),
        sa.Column("status", AutoString(length=16), nullable=False),
        sa.Column("submission_url", AutoString(length=2000), nullable=True),
        sa.Column("recorded_by", AutoString(length=32), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=True),
        sa.Column("next_alert_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_takehome_candidate_id", "takehome", ["candidate_id"])
    # The clock sweep finds take-homes to look at by this column.
    op.create_index("ix_takehome_next_alert_at", "takehome", ["next_alert_at"])

    op.create_table(
        "takehome_grader",
        sa.Column(
            "takehome_id",
            sa.Integer(),
            sa.ForeignKey("takehome.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("grader_id", AutoString(length=32), primary_key=True),
    )
    op.create_index("ix_takehome_grader_grader_id", "takehome_grader", ["grader_id"])

    op.create_table(
        "takehome_grade",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "takehome_id",
            sa.Integer(),
            sa.ForeignKey("takehome.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("grader_id", AutoString(length=32), nullable=False),
        sa.Column("summary", AutoString(length=3000), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        # A double submit stores once: the second insert collides here.
        sa.UniqueConstraint("takehome_id", "grader_id", name="uq_takehome_grade"),
    )

    op.create_table(
        "takehome_rating",
        sa.Column(
            "grade_id",
            sa.Integer(),
            sa.ForeignKey("takehome_grade.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("part", AutoString(length=32), primary_key=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("evidence", AutoString(length=2000), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("takehome_rating")
    op.drop_table("takehome_grade")
    op.drop_table("takehome_grader")
    op.drop_table("takehome")
