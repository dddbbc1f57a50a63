"""When plans change: interview status and versions, "can't make it" flags, the change
record, roles that close, admins and installed templates kept in the database.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from bot.store.engine import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("role") as batch:
        batch.add_column(
            sa.Column("reminder_minutes", sa.Integer(), nullable=False, server_default="30")
        )
        batch.add_column(
            sa.Column("status", AutoString(length=16), nullable=False, server_default="open")
        )
        batch.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("closed_by", AutoString(length=32), nullable=True))

    with op.batch_alter_table("interview") as batch:
        batch.add_column(
            sa.Column("status", AutoString(length=16), nullable=False, server_default="scheduled")
        )
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("template", AutoString(length=64), nullable=True))

    with op.batch_alter_table("interview_seat") as batch:
        batch.add_column(sa.Column("cant_make_it_at", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column(
                "cant_make_it_reason", AutoString(length=500), nullable=False, server_default=""
            )
        )
        batch.add_column(sa.Column("kit_channel", AutoString(length=32), nullable=True))
        batch.add_column(sa.Column("kit_ts", AutoString(length=32), nullable=True))

    op.create_table(
        "change_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", AutoString(length=32), nullable=False),
        sa.Column(
            "role_id", sa.Integer(), sa.ForeignKey("role.id", ondelete="RESTRICT"), nullable=True
        ),
        sa.Column(
            "candidate_id",
            sa.Integer(),
            sa.ForeignKey("candidate.id", ondelete="RESTRICT"),
            nullable=True,
        ),
        sa.Column(
            "interview_id",
            sa.Integer(),
            sa.ForeignKey("interview.id", ondelete="RESTRICT"),
            nullable=True,
        ),
        sa.Column("kind", AutoString(length=32), nullable=False),
        sa.Column("summary", AutoString(length=1000), nullable=False),
        sa.Column("reason", AutoString(length=3000), nullable=False),
    )
    op.create_index("ix_change_candidate_at", "change_record", ["candidate_id", "at"])
    op.create_index("ix_change_role_at", "change_record", ["role_id", "at"])

    op.create_table(
        "admin",
        sa.Column("user_id", AutoString(length=32), primary_key=True),
        sa.Column("added_by", AutoString(length=32), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
    )

    op.create_table(
        "template_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", AutoString(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", AutoString(length=100000), nullable=False),
        sa.Column("installed_by", AutoString(length=32), nullable=False),
        sa.Column("installed_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_template_version"),
    )


def downgrade() -> None:
    op.drop_table("template_version")
    op.drop_table("admin")
    op.drop_index("ix_change_role_at", table_name="change_record")
    op.drop_index("ix_change_candidate_at", table_name="change_record")
    op.drop_table("change_record")
    with op.batch_alter_table("interview_seat") as batch:
        batch.drop_column("kit_ts")
        batch.drop_column("kit_channel")
        batch.drop_column("cant_make_it_reason")
        batch.drop_column("cant_make_it_at")
    with op.batch_alter_table("interview") as batch:
        batch.drop_column("template")
        batch.drop_column("version")
        batch.drop_column("status")
    with op.batch_alter_table("role") as batch:
        batch.drop_column("closed_by")
        batch.drop_column("closed_at")
        batch.drop_column("status")
        batch.drop_column("reminder_minutes")
