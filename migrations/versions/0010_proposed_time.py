"""An interviewer who can't make an interview may propose a time that works for them
(interview_seat.proposed_start_at), so the recruiter's Reschedule form opens on it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.engine import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interview_seat") as batch:
        batch.add_column(sa.Column("proposed_start_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interview_seat") as batch:
        batch.drop_column("proposed_start_at")
