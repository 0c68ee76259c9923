"""Queries about deadlines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.deadlines import DeadlineView
from storage.models import Deadline


async def deadline_choices(session: AsyncSession, today: date) -> list[tuple[str, str]]:
    """`(key, title)` of the deadlines from today on, for naming one."""
    rows = await session.execute(
        select(Deadline.key, Deadline.title)
        .where(Deadline.due_date >= today)
        .order_by(Deadline.due_date)
    )
    return [(key, title) for key, title in rows]


async def deadline_by_key(session: AsyncSession, key: str) -> Deadline | None:
    """The deadline with this key, with its theme."""
    return await session.scalar(
        select(Deadline).where(Deadline.key == key).options(selectinload(Deadline.theme))
    )


async def add_deadline(session: AsyncSession, deadline: Deadline) -> Deadline:
    """Store a new deadline; it has its id when this returns."""
    session.add(deadline)
    await session.flush()
    return deadline


async def deadline_keys(session: AsyncSession, prefix: str) -> set[str]:
    """The keys already taken that begin with `prefix`."""
    taken = select(Deadline.key).where(Deadline.key.startswith(prefix, autoescape=True))
    return set(await session.scalars(taken))


async def remove(session: AsyncSession, deadline_id: int) -> None:
    """Delete a deadline."""
    await session.execute(delete(Deadline).where(Deadline.id == deadline_id))


async def upcoming(
    session: AsyncSession, today: date, theme_ids: Iterable[int] | None = None
) -> list[Deadline]:
    """Deadlines from today on, by due date and time; with `theme_ids`, theirs and all's."""
    query = select(Deadline).where(Deadline.due_date >= today).options(selectinload(Deadline.theme))
    if theme_ids is not None:
        query = query.where(
            or_(Deadline.theme_id.is_(None), Deadline.theme_id.in_(list(theme_ids)))
        )
    # A day's timed deadlines before its all-day ones, the same on every database.
    order = (Deadline.due_date, Deadline.due_time.is_(None), Deadline.due_time, Deadline.id)
    rows = await session.scalars(query.order_by(*order))
    return list(rows)


def views(deadlines: Sequence[Deadline]) -> list[DeadlineView]:
    """Deadlines as they are shown (their theme loaded with them)."""
    return [
        DeadlineView(
            d.key,
            d.title,
            d.due_date,
            d.due_time,
            d.theme.name if d.theme else None,
            d.registration,
        )
        for d in deadlines
    ]
