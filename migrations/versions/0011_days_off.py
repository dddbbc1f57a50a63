"""Company days off (public holidays): alerts that wait for working hours skip them as
they skip weekends; admins set them with `/hire holidays add` and `remove`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "day_off",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("name", AutoString(length=80), nullable=False),
        sa.Column("added_by", AutoString(length=32), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("day_off")
