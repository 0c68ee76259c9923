"""One delivery path: the outbox holds every post, the engine paces channels in memory.

- `notification` gains what the engine needs to post exactly once and to heal: `immediate`
  (a post caused by a person's action: due once committed, whatever the clock of the process
  that wrote it, and served before scheduled ones of its target; a partial index finds them),
  `not_before` (deferred by a rate limit, a backoff, or until its unclear try can be looked
  for), `tried_at` (a try started and not yet resolved) and `looks` (looks made for it), and
  an index on (target, sent_at) for each target's last post, which paces a target's first post.
- `channel_pace`, the per-channel gate polled in the database, is dropped.
- Where meetings were announced moves into the outbox: each `meeting_announcement` becomes a
  sent `meeting_announcement` notification with its channel and ts, which the updates and
  notices in its thread name by identity; the table is dropped.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IDENTITY = "'meeting:' || meeting_id || ':announcement:' || channel_id"


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(
            sa.Column("immediate", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("tried_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("looks", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_notification_target_sent_at", ["target", "sent_at"])
        batch.create_index(
            "ix_notification_immediate_state",
            ["state"],
            postgresql_where=sa.text("immediate"),
            sqlite_where=sa.text("immediate"),
        )
    op.drop_table("channel_pace")
    now = "CURRENT_TIMESTAMP"
    op.execute(
        "INSERT INTO notification (identity, kind, subject_type, subject_id, target, due_at,"
        " state, attempts, sent_at, slack_channel, slack_ts, payload, immediate, looks,"
        " created_at, updated_at)"
        f" SELECT {_IDENTITY}, 'meeting_announcement', 'meeting', meeting_id, channel_id, {now},"
        f" 'sent', 1, {now}, channel_id, ts, '{{}}', true, 0, {now}, {now}"
        " FROM meeting_announcement"
    )
    op.drop_table("meeting_announcement")


def downgrade() -> None:
    op.create_table(
        "meeting_announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_announcement_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_announcement")),
        sa.UniqueConstraint(
            "meeting_id", "channel_id", name=op.f("uq_meeting_announcement_meeting_id_channel_id")
        ),
    )
    op.execute(
        "INSERT INTO meeting_announcement (meeting_id, channel_id, ts)"
        " SELECT subject_id, slack_channel, slack_ts FROM notification"
        " WHERE kind = 'meeting_announcement' AND state = 'sent'"
        " AND subject_id IN (SELECT id FROM meeting)"
    )
    op.create_table(
        "channel_pace",
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("next_ms", sa.BigInteger(), nullable=False),
        sa.Column("done_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_channel_pace")),
    )
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_immediate_state")
        batch.drop_index("ix_notification_target_sent_at")
        batch.drop_column("looks")
        batch.drop_column("tried_at")
        batch.drop_column("not_before")
        batch.drop_column("immediate")
