"""Scheduled announcements: each is its own outbox row (kind `announce`, not immediate), due at
its time; listing reads them there, cancelling marks the row so that it is never posted.

An announcement is about a theme (`subject_type` `theme`) or the whole network (`network`, 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outgoing import ANNOUNCE
from bot.planner import Planned
from storage.models import Notification, Theme
from storage.reconcile import insert

NETWORK = ("network", 0)


@dataclass(frozen=True)
class Scheduled:
    """A scheduled announcement as stored: who wrote it, for when, where, what it says."""

    id: int
    due_at: datetime
    theme_id: int | None
    theme: str | None  # its name when it was written
    author: str  # user id
    author_name: str
    text: str  # sanitised mrkdwn


async def schedule(session: AsyncSession, planned: Planned, now: datetime) -> int:
    """Store an announcement for its time (the engine posts it then); its id."""
    await insert(session, [planned], now)
    found = await session.scalar(
        select(Notification.id).where(Notification.identity == planned.identity)
    )
    assert found is not None
    return found


async def scheduled(session: AsyncSession, theme_id: int | None = None) -> list[Scheduled]:
    """The announcements still waiting for their time, soonest first; of one theme if given."""
    query = select(Notification).where(_waiting())
    if theme_id is not None:
        query = query.where(
            Notification.subject_type == "theme", Notification.subject_id == theme_id
        )
    rows = await session.scalars(query.order_by(Notification.due_at, Notification.id))
    return [_scheduled(row) for row in rows]


async def one(session: AsyncSession, note_id: int) -> Scheduled | None:
    """The scheduled announcement with this id, if it is still waiting."""
    row = await session.scalar(select(Notification).where(_waiting(), Notification.id == note_id))
    return _scheduled(row) if row else None


async def cancel(session: AsyncSession, note_id: int, now: datetime) -> bool:
    """Cancel it, unless the engine took it meanwhile; whether it was cancelled."""
    result = await session.execute(
        update(Notification)
        .where(_waiting(), Notification.id == note_id)
        .values(state="cancelled", updated_at=now, last_error="cancelled by a person")
    )
    return bool(getattr(result, "rowcount", 0))


async def themes(session: AsyncSession, ids: set[int]) -> dict[int, Theme]:
    """The themes of some announcements, by id."""
    if not ids:
        return {}
    return {t.id: t for t in await session.scalars(select(Theme).where(Theme.id.in_(ids)))}


def _waiting() -> ColumnElement[bool]:
    return (
        (Notification.kind == ANNOUNCE)
        & (Notification.state == "pending")
        & Notification.immediate.is_(False)
    )


def _scheduled(row: Notification) -> Scheduled:
    theme_id = row.subject_id if row.subject_type == "theme" else None
    said = row.payload
    return Scheduled(
        row.id,
        row.due_at,
        theme_id,
        said.get("theme"),
        said["actor"],
        said.get("author", ""),
        said.get("text", ""),
    )
