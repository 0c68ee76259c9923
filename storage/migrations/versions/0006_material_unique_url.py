"""One material per address in a basket, so two people adding it at once cannot both save it.

Duplicates already stored are merged into the first of them (its meeting links move to it).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "uq_material_basket_url"
DUPLICATES = """
    SELECT material.id, first.id FROM material JOIN (
        SELECT coalesce(theme_id, 0) AS basket, url, min(id) AS id FROM material
        GROUP BY coalesce(theme_id, 0), url HAVING count(*) > 1
    ) AS first ON coalesce(material.theme_id, 0) = first.basket AND material.url = first.url
    WHERE material.id <> first.id
"""


def upgrade() -> None:
    bind = op.get_bind()
    for duplicate, first in bind.execute(sa.text(DUPLICATES)).all():
        ids = {"duplicate": duplicate, "first": first}
        bind.execute(
            sa.text(
                "DELETE FROM meeting_material WHERE material_id = :duplicate AND meeting_id IN"
                " (SELECT meeting_id FROM meeting_material WHERE material_id = :first)"
            ),
            ids,
        )
        move = "UPDATE meeting_material SET material_id = :first WHERE material_id = :duplicate"
        bind.execute(sa.text(move), ids)
        bind.execute(sa.text("DELETE FROM material WHERE id = :duplicate"), ids)
    op.create_index(NAME, "material", [sa.text("coalesce(theme_id, 0)"), "url"], unique=True)


def downgrade() -> None:
    op.drop_index(NAME, table_name="material")
