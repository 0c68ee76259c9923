"""How a plan's changes reach the tables: bulk statements, and the ids learnt on the way.

Per section one bulk insert, one bulk update by primary key, one bulk delete; the row ids of new
items are read back once per section, never per item.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.diff import Changes
from bot.plan.records import PlanRecords
from storage.models import Base
from storage.plan.stored import Stored

CHUNK = 500


@dataclass
class Writer:
    """One import's writes: the session, what is stored, the plan, and the ids learnt."""

    session: AsyncSession
    stored: Stored
    plan: PlanRecords
    changes: dict[str, Changes[Any]]
    now: datetime
    ids: dict[str, dict[Hashable, int]] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        """The network's time zone: the plan's, else the stored network's."""
        if self.plan.network is None and self.stored.network is not None:
            return ZoneInfo(self.stored.network[1].timezone)
        return ZoneInfo(self.plan.timezone)

    @cached_property
    def deadlines(self) -> dict[str, date | None]:
        """Each planned theme's registration deadline, for telling late registrations."""
        return {theme.key: theme.registration_deadline for theme in self.plan.themes}

    def id_of(self, section: str, ident: Hashable | None) -> int | None:
        """The row id of an item referred to by its ident (None refers to nothing)."""
        return None if ident is None else self.ids[section][ident]


def chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """`items` in slices small enough for any database's parameter limit."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def insert_rows(session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """One bulk INSERT of the rows (column defaults such as `created_at` filled in)."""
    if rows:
        await session.execute(insert(model), rows)


async def update_rows(session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """One bulk UPDATE by primary key: each row names its `id` and the columns it sets."""
    if rows:
        await session.execute(update(model), rows)


async def delete_where(session: AsyncSession, column: Any, ids: Sequence[int]) -> None:
    """Delete the rows whose `column` holds one of `ids`, a chunk at a time."""
    for chunk in chunks(list(ids)):
        statement = delete(column.table).where(column.in_(chunk))
        await session.execute(statement.execution_options(synchronize_session=False))


async def delete_items(
    writer: Writer, model: type[Base], section: str, idents: list[Hashable]
) -> None:
    """Delete stored items of a section by their idents."""
    stored = writer.stored.ids(section)
    await delete_where(writer.session, model.__table__.c.id, [stored[i] for i in idents])


def stored_id(writer: Writer, section: str, ident: Hashable) -> int:
    """The row id of a stored item."""
    return writer.stored.sections[section][ident][0]


async def learn_ids(writer: Writer, section: str, query: Any) -> None:
    """`{ident: id}` of a section after its inserts (the first row of an ident wins)."""
    learnt: dict[Hashable, int] = {}
    for row_id, *ident in await writer.session.execute(query):
        learnt.setdefault(ident[0] if len(ident) == 1 else tuple(ident), row_id)
    writer.ids[section] = learnt


async def write_section(
    writer: Writer, model: type[Base], section: str, row: Callable[[Writer, Any], dict[str, Any]]
) -> None:
    """Insert the section's new items and update its changed ones, each as `row` makes it
    (stamped with `updated_at` where the table has one)."""
    changes = writer.changes[section]
    await insert_rows(writer.session, model, [row(writer, r) for r in changes.created])
    stamp = {"updated_at": writer.now} if "updated_at" in model.__table__.c else {}
    updated = [
        {"id": stored_id(writer, section, ident), **row(writer, r), **stamp}
        for ident, r in changes.updated
    ]
    await update_rows(writer.session, model, updated)


async def update_each(
    writer: Writer, model: type[Base], section: str, rows: dict[Hashable, dict[str, Any]]
) -> None:
    """Bulk updates, grouped by the columns they set (one statement per shape)."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for ident, row in rows.items():
        shapes.setdefault(tuple(sorted(row)), []).append(
            {"id": stored_id(writer, section, ident), **row}
        )
    for batch in shapes.values():
        await update_rows(writer.session, model, batch)
