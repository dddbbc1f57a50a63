"""Why an offer was declined: one of a few reasons (bot.domain.declines), counted in the
hiring numbers, and the candidate's words. Offers declined before stay without one.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offer") as batch:
        batch.add_column(sa.Column("decline_reason", AutoString(length=32), nullable=True))
        batch.add_column(sa.Column("decline_details", AutoString(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offer") as batch:
        batch.drop_column("decline_details")
        batch.drop_column("decline_reason")
