"""Every change to the themes that name a basket (a theme added, deleted, renamed, its key
changed or archived) is counted in `revision` by a trigger, so a process can keep the themes
in memory and know from the number, read with its queries, when to read them again.

The count is an upsert: a missing row (a database emptied by hand) starts again from 1, and
readers take a missing row for 0.

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
    "INSERT INTO revision (name, number) VALUES ('theme', 1)"
    " ON CONFLICT (name) DO UPDATE SET number = revision.number + 1"
)
# SQLite's triggers fire for each row; PostgreSQL's once a statement (an import's many rows
# count once), through a function.
SQLITE_EVENTS = {
    "theme_added": "INSERT",
    "theme_changed": "UPDATE OF key, name, archived",
    "theme_deleted": "DELETE",
}
POSTGRES = (
    "CREATE FUNCTION theme_changed() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" BEGIN {COUNT}; RETURN NULL; END $$",
    "CREATE TRIGGER theme_changed AFTER INSERT OR DELETE OR UPDATE OF key, name, archived"
    " ON theme FOR EACH STATEMENT EXECUTE FUNCTION theme_changed()",
)


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
    for name, event in SQLITE_EVENTS.items():
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON theme BEGIN {COUNT}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER theme_changed ON theme")
        op.execute("DROP FUNCTION theme_changed()")
    else:
        for name in SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("revision")
