"""What an erasure at the person's request remembers of them: a digest of their email
and of their name in the role, never the text, so an old file imported later does not
bring them back (an import leaves such rows out and says why).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("erased_email_digest", AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("erased_name_digest", AutoString(length=64), nullable=True))
    op.create_index("ix_candidate_erased_email_digest", "candidate", ["erased_email_digest"])


def downgrade() -> None:
    op.drop_index("ix_candidate_erased_email_digest", table_name="candidate")
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("erased_name_digest")
        batch.drop_column("erased_email_digest")
