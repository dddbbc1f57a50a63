"""When a candidate's loop was first complete (every scorecard and grade in), kept
when a later booking reopens the loop's feedback: the hiring numbers' "loops inside N
days" read a loop's end from it, so a past loop does not change its result when one
more interview is booked weeks later. Filled from feedback_complete_at where set.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.engine import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("loop_completed_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE candidate SET loop_completed_at = feedback_complete_at")


def downgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("loop_completed_at")
