"""Event receipts (Slack's retries are ignored), weekly reports (sent once a week), and
a one-time key on interviews (a schedule form submitted twice books once).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interview") as batch:
        batch.add_column(sa.Column("request_key", AutoString(length=32), nullable=True))
        batch.create_unique_constraint("uq_interview_request_key", ["request_key"])
    op.create_table(
        "event_receipt",
        sa.Column("event_id", AutoString(length=64), primary_key=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    # Old receipts are pruned by age.
    op.create_index("ix_event_receipt_received_at", "event_receipt", ["received_at"])
    op.create_table(
        "weekly_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "role_id", sa.Integer(), sa.ForeignKey("role.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("week", AutoString(length=10), nullable=False),
        sa.Column("status", AutoString(length=16), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("error", AutoString(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("role_id", "week", name="uq_weekly_report_week"),
    )


def downgrade() -> None:
    op.drop_table("weekly_report")
    op.drop_table("event_receipt")
    with op.batch_alter_table("interview") as batch:
        batch.drop_constraint("uq_interview_request_key", type_="unique")
        batch.drop_column("request_key")
