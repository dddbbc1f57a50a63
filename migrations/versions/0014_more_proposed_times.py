"""An interviewer who can't make an interview may propose up to three times that work for
them (interview_seat.proposed_start_at, then proposed_start_at_2 and _3), so the
recruiter can pick one without asking again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.engine import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interview_seat") as batch:
        batch.add_column(sa.Column("proposed_start_at_2", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("proposed_start_at_3", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interview_seat") as batch:
        batch.drop_column("proposed_start_at_3")
        batch.drop_column("proposed_start_at_2")
