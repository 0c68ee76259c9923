"""The themes' change count (0008) goes: its triggers, its function on PostgreSQL and the
`revision` table. No process keeps the themes in memory any longer; the materials search reads
them with an ordinary query when it needs them. The downgrade makes them again as 0008 did
(the count starts from the clock's microseconds, as after a lost row).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As 0008 made them.
COUNT = (
    "INSERT INTO revision (name, number) VALUES ('theme', {now})"
    " ON CONFLICT (name) DO UPDATE SET number = revision.number + 1"
)
CHANGED = "UPDATE OF id, key, name, archived"
POSTGRES_NOW = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
POSTGRES = (
    "CREATE FUNCTION theme_changed() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" BEGIN {COUNT.format(now=POSTGRES_NOW)}; RETURN NULL; END $$",
    f"CREATE CONSTRAINT TRIGGER theme_changed AFTER INSERT OR DELETE OR {CHANGED} ON theme"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION theme_changed()",
    "CREATE TRIGGER theme_truncated AFTER TRUNCATE ON theme"
    " FOR EACH STATEMENT EXECUTE FUNCTION theme_changed()",
)
SQLITE = {"theme_added": "INSERT", "theme_changed": CHANGED, "theme_deleted": "DELETE"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS theme_truncated ON theme")
        op.execute("DROP TRIGGER IF EXISTS theme_changed ON theme")
        op.execute("DROP FUNCTION IF EXISTS theme_changed()")
    else:
        for name in SQLITE:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("revision")


def downgrade() -> None:
    op.create_table(
        "revision",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_revision")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES:
            op.execute(statement)
        return
    count = COUNT.format(now=SQLITE_NOW)
    for name, event in SQLITE.items():
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON theme BEGIN {count}; END")
