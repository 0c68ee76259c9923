"""On PostgreSQL, materials' search text gets a trigram index: a search for a word that few
materials hold, or none, is answered from the index instead of reading every material.

It replaces a b-tree (text_pattern_ops) that served only `LIKE 'prefix%'`, which the search
never asks: it finds words anywhere. pg_trgm is a trusted extension (PostgreSQL 13 and later),
so the database's owner may create it. SQLite keeps its plain index.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_material_search_text"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.drop_index(NAME, table_name="material")
    trigrams = {"search_text": "gin_trgm_ops"}
    op.create_index(
        NAME, "material", ["search_text"], postgresql_using="gin", postgresql_ops=trigrams
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="material")
    patterns = {"search_text": "text_pattern_ops"}
    op.create_index(NAME, "material", ["search_text"], postgresql_ops=patterns)
