"""Each person's own days away (vacation, leave): alerts to them that wait for working
hours skip them as they skip company days off; each person sets theirs with
`/hire away add` and `remove`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "day_away",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "day", name="uq_day_away_user_day"),
    )


def downgrade() -> None:
    op.drop_table("day_away")
