"""An index on materials newest first, which a search walks until it has a page.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_material_added_at_id"), "material", ["added_at", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_material_added_at_id"), table_name="material")
