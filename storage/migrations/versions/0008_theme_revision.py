"""Every change to the themes that name a basket (a theme added, deleted, renamed, its key or id
changed, archived) is counted in `revision` by triggers, so a process can keep the themes in
memory and know from the number, read with its queries, when to read them again.

- The number moves in the same transaction as the change, so whoever reads the themes and the
  number in one statement reads them as they belong together.
- On PostgreSQL the count waits for the commit (a deferred constraint trigger): a transaction
  holds the one counter row only while it commits, never while it waits for a theme another
  holds, so two transactions that change themes cannot deadlock over it. `TRUNCATE` counts too.
- A missing row (the table emptied by hand) starts again from the clock's microseconds, not
  from a small number a process may hold already; readers take a missing row for 0.
- SQLite drops a table's triggers when a migration rebuilds it (`batch_alter_table("theme")`):
  such a migration must create them again (`tests/storage/test_revision.py` checks they exist).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER theme_truncated ON theme")
        op.execute("DROP TRIGGER theme_changed ON theme")
        op.execute("DROP FUNCTION theme_changed()")
    else:
        for name in SQLITE:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("revision")
