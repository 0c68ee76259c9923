"""The events acted on (Slack's retries of one are acknowledged and not acted on again).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_event",
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_seen_event")),
    )
    op.create_index(op.f("ix_seen_event_seen_at"), "seen_event", ["seen_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_seen_event_seen_at"), table_name="seen_event")
    op.drop_table("seen_event")
