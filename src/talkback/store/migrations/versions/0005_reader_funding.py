"""reader funding: campaigns and donations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from talkback.store.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "campaigns",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("goal_minor", sa.BigInteger(), nullable=False),
        sa.Column("ticks_minor", sa.JSON(), nullable=True),
        sa.Column("presets_minor", sa.JSON(), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=True),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("donor_wall", sa.Boolean(), nullable=False),
        sa.Column("raised_minor", sa.BigInteger(), nullable=False),
        sa.Column("donor_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_campaigns_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaigns_site_id_is_current", ["site_id", "is_current"], unique=False
        )

    op.create_table(
        "donations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("donor_name", sa.String(length=80), nullable=True),
        sa.Column("donor_email", sa.String(length=254), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("message_status", sa.String(length=16), nullable=True),
        sa.Column("message_moderation", sa.JSON(), nullable=True),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_ref", sa.String(length=255), nullable=False),
        sa.Column("payment_ref", sa.String(length=255), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_donations_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff.id"],
            name=op.f("fk_donations_created_by_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_donations_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donations")),
        sa.UniqueConstraint(
            "provider", "provider_ref", name=op.f("uq_donations_provider_provider_ref")
        ),
    )
    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_donations_campaign_id_created_at", ["campaign_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_donations_donor_email", ["donor_email"], unique=False)
        batch_op.create_index(
            "ix_donations_provider_payment_ref", ["provider", "payment_ref"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("donations", schema=None) as batch_op:
        batch_op.drop_index("ix_donations_provider_payment_ref")
        batch_op.drop_index("ix_donations_donor_email")
        batch_op.drop_index("ix_donations_campaign_id_created_at")

    op.drop_table("donations")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_campaigns_site_id_is_current")

    op.drop_table("campaigns")
