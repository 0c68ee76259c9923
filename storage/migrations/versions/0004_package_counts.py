"""An index from which a theme's packages are counted by status and due date.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_work_package_theme_id_status_due_date"


def upgrade() -> None:
    op.create_index(op.f(NAME), "work_package", ["theme_id", "status", "due_date"])


def downgrade() -> None:
    op.drop_index(op.f(NAME), table_name="work_package")
