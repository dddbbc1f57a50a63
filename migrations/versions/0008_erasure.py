"""Erasure and retention: when a candidate was erased and by whom, and when the
retention notice about them went out (so it goes once).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("erased_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("erased_by", AutoString(length=32), nullable=True))
        batch.add_column(sa.Column("erasure_notice_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("erasure_notice_at")
        batch.drop_column("erased_by")
        batch.drop_column("erased_at")
