"""Where each "I can't make it" alert was sent, so the change that settles it edits
each recruiter's DM to say so (its buttons gone).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cant_make_it_alert",
        sa.Column("channel", AutoString(length=32), primary_key=True),
        sa.Column("ts", AutoString(length=32), primary_key=True),
        sa.Column(
            "interview_id",
            sa.Integer(),
            sa.ForeignKey("interview.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("interviewer_id", AutoString(length=32), nullable=False),
    )
    op.create_index("ix_cant_make_it_alert_interview_id", "cant_make_it_alert", ["interview_id"])


def downgrade() -> None:
    op.drop_index("ix_cant_make_it_alert_interview_id", table_name="cant_make_it_alert")
    op.drop_table("cant_make_it_alert")
