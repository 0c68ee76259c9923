"""The newest-first index of materials carries their search text, so a search reads only it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD, NEW = "ix_material_added_at_id", "ix_material_added_at_id_search_text"


def upgrade() -> None:
    op.create_index(op.f(NEW), "material", ["added_at", "id", "search_text"])
    op.drop_index(op.f(OLD), table_name="material")


def downgrade() -> None:
    op.create_index(op.f(OLD), "material", ["added_at", "id"])
    op.drop_index(op.f(NEW), table_name="material")
