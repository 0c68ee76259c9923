"""A theme's basket and the network's each get a newest-first index that carries the search
text, as every basket's has had since 0005, so a search in one basket reads only its own
materials' index entries. On PostgreSQL they also carry what a page shows (title, address,
tags, who added it), so the walk reads no table at all.

Why it matters on PostgreSQL: after five runs of a prepared statement, PostgreSQL compares the
plan made for the words (walk the basket newest first until the page is full) with one plan for
every word (a generic plan) and keeps the cheaper-looking one. The walk, reading the table for
each material it passes, looked dear, so a basket's search came to be planned once for every
word: an intersection of the trigram and basket indexes that read every material holding the
word, 0.9-1 ms for a common one. With the table out of the walk, the search is planned for its
words (0.1-0.3 ms), and where it is not, the plan walks the basket's index (0.3-0.6 ms).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "ix_material_theme_id_added_at"
SHOWN = ["title", "url", "tags", "added_by"]
NETWORK = sa.text("theme_id IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_material_theme_basket",
        "material",
        ["theme_id", "added_at", "id", "search_text"],
        postgresql_include=SHOWN,
    )
    op.create_index(
        "ix_material_network_basket",
        "material",
        ["added_at", "id", "search_text"],
        postgresql_include=SHOWN,
        postgresql_where=NETWORK,
        sqlite_where=NETWORK,
    )
    op.drop_index(op.f(OLD), table_name="material")


def downgrade() -> None:
    op.create_index(op.f(OLD), "material", ["theme_id", "added_at"])
    op.drop_index("ix_material_network_basket", table_name="material")
    op.drop_index("ix_material_theme_basket", table_name="material")
