"""The tab of the app each person opened last: a Home tab is redrawn after a person's own
change only while it may be in front of them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_tab",
        sa.Column("user_id", AutoString(length=32), primary_key=True),
        sa.Column("tab", AutoString(length=16), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_tab")
