"""Clocks: offers, recorded pauses, the alert outbox, and when to look at each clock.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _candidate_fk() -> sa.Column[int]:
    return sa.Column(
        "candidate_id",
        sa.Integer(),
        sa.ForeignKey("candidate.id", ondelete="RESTRICT"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "offer",
        sa.Column("id", sa.Integer(), primary_key=True),
        _candidate_fk(),
        sa.Column("terms", AutoString(length=3000), nullable=False),
        sa.Column("extended_by", AutoString(length=32), nullable=False),
        sa.Column("extended_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("status", AutoString(length=16), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", AutoString(length=32), nullable=True),
    )
    op.create_index("ix_offer_candidate_id", "offer", ["candidate_id"])

    op.create_table(
        "clock_pause",
        sa.Column("id", sa.Integer(), primary_key=True),
        _candidate_fk(),
        sa.Column("clock", AutoString(length=16), nullable=False),
        sa.Column("subject", AutoString(length=64), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("actor_id", AutoString(length=32), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("reason", AutoString(length=500), nullable=False),
    )
    op.create_index("ix_clock_pause_candidate", "clock_pause", ["candidate_id", "clock"])

    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        # The alert's identity: its unique index is what makes every alert go out once.
        sa.Column("key", AutoString(length=255), nullable=False, unique=True),
        _candidate_fk(),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("kind", AutoString(length=32), nullable=False),
        sa.Column("subject", AutoString(length=64), nullable=False),
        sa.Column("recipient_id", AutoString(length=32), nullable=False),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("breach", sa.Boolean(), nullable=False),
        sa.Column("status", AutoString(length=16), nullable=False),
        sa.Column("deliver_after", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("claim", AutoString(length=32), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("error", AutoString(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_alert_candidate_id", "alert", ["candidate_id"])
    # The sweep's delivery query: pending alerts whose time has come.
    op.create_index("ix_alert_ready", "alert", ["status", "deliver_after"])

    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("next_alert_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_candidate_next_alert_at", ["next_alert_at"])
    with op.batch_alter_table("interview_seat") as batch:
        batch.add_column(sa.Column("next_alert_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_interview_seat_next_alert_at", ["next_alert_at"])

    # Clocks already running before this revision: the first sweep plans them.
    op.execute(
        "UPDATE candidate SET next_alert_at = CURRENT_TIMESTAMP "
        "WHERE stage NOT IN ('hired', 'rejected', 'withdrawn')"
    )
    op.execute(
        "UPDATE interview_seat SET next_alert_at = CURRENT_TIMESTAMP WHERE NOT EXISTS "
        "(SELECT 1 FROM scorecard WHERE scorecard.interview_id = interview_seat.interview_id "
        "AND scorecard.interviewer_id = interview_seat.interviewer_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("interview_seat") as batch:
        batch.drop_index("ix_interview_seat_next_alert_at")
        batch.drop_column("next_alert_at")
    with op.batch_alter_table("candidate") as batch:
        batch.drop_index("ix_candidate_next_alert_at")
        batch.drop_column("next_alert_at")
    op.drop_table("alert")
    op.drop_table("clock_pause")
    op.drop_table("offer")
