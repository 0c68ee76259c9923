"""Events acted on, remembered an hour by their `event_id` and shared by every process."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SeenEvent
from storage.reconcile import dialect_insert

_seen = cast(Table, SeenEvent.__table__)
#: Slack retries an event at once, after a minute and after five; an hour is ample.
REMEMBERED = timedelta(hours=1)


async def first_sighting(session: AsyncSession, event_id: str, now: datetime) -> bool:
    """Record the event; True for the one process (and the one delivery) that records it first.

    The others find it recorded (ON CONFLICT DO NOTHING inserts no row). Whoever records also
    forgets the events older than REMEMBERED, through the index on `seen_at`.
    """
    insert = dialect_insert(session.get_bind().dialect.name)(_seen)
    recorded = await session.scalar(
        insert.values(event_id=event_id, seen_at=now)
        .on_conflict_do_nothing()
        .returning(_seen.c.event_id)
    )
    await session.execute(delete(_seen).where(_seen.c.seen_at < now - REMEMBERED))
    return recorded is not None
