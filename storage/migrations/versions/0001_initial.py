"""The initial schema: the network, its organisations, members and themes, work packages,
materials, meetings, deadlines and the notification outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the values in storage.models: a later change needs a new revision.
LANGUAGES = "'fi', 'sv', 'en'"
WP_STATUSES = "'planned', 'in_progress', 'done', 'blocked', 'cancelled'"

TABLES = (  # in creation order; dropped in reverse
    "network",
    "organisation",
    "organisation_contact",
    "member",
    "theme",
    "registration",
    "work_package",
    "work_package_update",
    "material",
    "meeting",
    "meeting_theme",
    "agenda_item",
    "meeting_material",
    "rsvp",
    "meeting_announcement",
    "deadline",
    "notification",
)


def aware(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def slack_id(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(32), nullable=nullable)


def key(length: int) -> sa.Column[Any]:
    return sa.Column("key", sa.String(length), nullable=False)


def primary_key(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def timestamps() -> list[sa.Column[Any]]:
    return [aware("created_at"), aware("updated_at")]


def check(table: str, name: str, sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def references(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def index(table: str, *columns: str, **kw: Any) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns), **kw)


def upgrade() -> None:
    op.create_table(
        "network",
        *primary_key("network"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        slack_id("announcement_channel", nullable=True),
        sa.Column("calendar_token", sa.String(64), nullable=False),
        *timestamps(),
        check("network", "language", f"language IN ({LANGUAGES})"),
        unique("network", "calendar_token"),
    )
    op.create_table(
        "organisation",
        *primary_key("organisation"),
        key(64),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        *timestamps(),
        check("organisation", "kind", "kind IN ('region', 'municipality', 'agency', 'other')"),
        references("organisation", "parent_id", "organisation", "SET NULL"),
        unique("organisation", "key"),
    )
    index("organisation", "parent_id")
    op.create_table(
        "organisation_contact",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        slack_id("user_id"),
        sa.PrimaryKeyConstraint("organisation_id", "user_id", name=op.f("pk_organisation_contact")),
        references("organisation_contact", "organisation_id", "organisation", "CASCADE"),
    )
    index("organisation_contact", "user_id")
    op.create_table(
        "member",
        *primary_key("member"),
        slack_id("user_id"),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("locale", sa.String(16), nullable=True),
        *timestamps(),
        check("member", "role", "role IN ('coordinator', 'member')"),
        references("member", "organisation_id", "organisation", "SET NULL"),
        unique("member", "user_id"),
    )
    index("member", "organisation_id")
    op.create_table(
        "theme",
        *primary_key("theme"),
        key(64),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        slack_id("channel_id", nullable=True),
        sa.Column("lead_organisation_id", sa.Integer(), nullable=True),
        slack_id("chair_user_id", nullable=True),
        sa.Column("registration_deadline", sa.Date(), nullable=True),
        sa.Column("language", sa.String(2), nullable=True),
        sa.Column("digest_enabled", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("next_wp_number", sa.Integer(), nullable=False),
        *timestamps(),
        check("theme", "language", f"language IN ({LANGUAGES})"),
        check("theme", "next_wp_number", "next_wp_number >= 1"),
        references("theme", "lead_organisation_id", "organisation", "SET NULL"),
        unique("theme", "key"),
    )
    index("theme", "lead_organisation_id")
    op.create_table(
        "registration",
        *primary_key("registration"),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        slack_id("user_id", nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        slack_id("registered_by"),
        aware("registered_at"),
        sa.Column("late", sa.Boolean(), nullable=False),
        check("registration", "who", "user_id IS NOT NULL OR organisation_id IS NOT NULL"),
        references("registration", "theme_id", "theme", "CASCADE"),
        references("registration", "organisation_id", "organisation", "CASCADE"),
        unique("registration", "theme_id", "user_id"),
        unique("registration", "theme_id", "organisation_id"),
    )
    index("registration", "user_id")
    index("registration", "organisation_id")
    op.create_table(
        "work_package",
        *primary_key("work_package"),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=True),
        slack_id("owner_user_id", nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        *timestamps(),
        check("work_package", "status", f"status IN ({WP_STATUSES})"),
        check("work_package", "progress", "progress BETWEEN 0 AND 100"),
        references("work_package", "theme_id", "theme", "CASCADE"),
        references("work_package", "owner_organisation_id", "organisation", "SET NULL"),
        unique("work_package", "theme_id", "number"),
    )
    index("work_package", "owner_organisation_id")
    index("work_package", "owner_user_id")
    op.create_table(
        "work_package_update",
        *primary_key("work_package_update"),
        sa.Column("work_package_id", sa.Integer(), nullable=False),
        slack_id("user_id"),
        aware("at"),
        sa.Column("old_status", sa.String(20), nullable=True),
        sa.Column("new_status", sa.String(20), nullable=False),
        sa.Column("old_progress", sa.Integer(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        check("work_package_update", "old_status", f"old_status IN ({WP_STATUSES})"),
        check("work_package_update", "new_status", f"new_status IN ({WP_STATUSES})"),
        check("work_package_update", "old_progress", "old_progress BETWEEN 0 AND 100"),
        check("work_package_update", "progress", "progress BETWEEN 0 AND 100"),
        references("work_package_update", "work_package_id", "work_package", "CASCADE"),
    )
    index("work_package_update", "work_package_id", "at")
    op.create_table(
        "material",
        *primary_key("material"),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        slack_id("added_by"),
        aware("added_at"),
        sa.Column("search_text", sa.Text(), nullable=False),
        *timestamps(),
        check("material", "kind", "kind IN ('link', 'file', 'document', 'other')"),
        references("material", "theme_id", "theme", "CASCADE"),
    )
    index("material", "theme_id", "added_at")
    index("material", "search_text", postgresql_ops={"search_text": "text_pattern_ops"})
    op.create_table(
        "meeting",
        *primary_key("meeting"),
        key(100),
        sa.Column("title", sa.String(500), nullable=False),
        aware("starts_at"),
        aware("ends_at", nullable=True),
        sa.Column("place", sa.String(500), nullable=False),
        sa.Column("online_url", sa.String(2000), nullable=True),
        sa.Column("audience_all", sa.Boolean(), nullable=False),
        sa.Column("remind", sa.JSON(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        slack_id("created_by", nullable=True),
        *timestamps(),
        check("meeting", "ends_at", "ends_at IS NULL OR ends_at >= starts_at"),
        unique("meeting", "key"),
    )
    index("meeting", "starts_at")
    op.create_table(
        "meeting_theme",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "theme_id", name=op.f("pk_meeting_theme")),
        references("meeting_theme", "meeting_id", "meeting", "CASCADE"),
        references("meeting_theme", "theme_id", "theme", "CASCADE"),
    )
    index("meeting_theme", "theme_id")
    op.create_table(
        "agenda_item",
        *primary_key("agenda_item"),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("time", sa.Time(), nullable=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("presenter", sa.String(200), nullable=False),
        references("agenda_item", "meeting_id", "meeting", "CASCADE"),
    )
    index("agenda_item", "meeting_id")
    op.create_table(
        "meeting_material",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "material_id", name=op.f("pk_meeting_material")),
        references("meeting_material", "meeting_id", "meeting", "CASCADE"),
        references("meeting_material", "material_id", "material", "CASCADE"),
    )
    index("meeting_material", "material_id")
    op.create_table(
        "rsvp",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        slack_id("user_id"),
        sa.Column("answer", sa.String(10), nullable=False),
        aware("at"),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_rsvp")),
        check("rsvp", "answer", "answer IN ('yes', 'no', 'maybe')"),
        references("rsvp", "meeting_id", "meeting", "CASCADE"),
    )
    op.create_table(
        "meeting_announcement",
        *primary_key("meeting_announcement"),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        slack_id("channel_id"),
        sa.Column("ts", sa.String(32), nullable=False),
        references("meeting_announcement", "meeting_id", "meeting", "CASCADE"),
        unique("meeting_announcement", "meeting_id", "channel_id"),
    )
    op.create_table(
        "deadline",
        *primary_key("deadline"),
        key(100),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("due_time", sa.Time(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("remind", sa.JSON(), nullable=False),
        sa.Column("registration", sa.Boolean(), nullable=False),
        slack_id("created_by", nullable=True),
        *timestamps(),
        references("deadline", "theme_id", "theme", "CASCADE"),
        unique("deadline", "key"),
    )
    index("deadline", "due_date")
    index("deadline", "theme_id")
    op.create_table(
        "notification",
        *primary_key("notification"),
        sa.Column("identity", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject_type", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        slack_id("target"),
        aware("due_at"),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        aware("lease_until", nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        aware("sent_at", nullable=True),
        slack_id("slack_channel", nullable=True),
        sa.Column("slack_ts", sa.String(32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        *timestamps(),
        check(
            "notification",
            "state",
            "state IN ('pending', 'claimed', 'sent', 'failed', 'skipped', 'cancelled')",
        ),
        check(
            "notification",
            "subject_type",
            "subject_type IN ('meeting', 'deadline', 'work_package', 'theme', 'network')",
        ),
        check("notification", "attempts", "attempts >= 0"),
        unique("notification", "identity"),
    )
    index("notification", "state", "due_at")
    index("notification", "subject_type", "subject_id")
    index("notification", "target", "state")


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints with it.
    for table in reversed(TABLES):
        op.drop_table(table)
