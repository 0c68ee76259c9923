"""What became of a claimed notification: sent, back to pending for later, or ended; recorded
only while the claim is still the worker's (`storage.claims` takes the claims)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Notification

_table = cast(Table, Notification.__table__)
_NOW: Any = bindparam("now")

_MINE = and_(
    _table.c.id == bindparam("note_id"),
    _table.c.state == "claimed",
    _table.c.claimed_by == bindparam("worker"),
)
# Built once: they run for every message, and a statement object keeps its cache key.
_HOLD = update(_table).where(_MINE).values(lease_until=bindparam("until")).returning(_table.c.id)
_SENT = (
    update(_table)
    .where(_MINE)
    .values(
        state="sent",
        sent_at=_NOW,
        slack_channel=bindparam("channel"),
        slack_ts=bindparam("ts"),
        lease_until=None,
        tried_at=None,
        not_before=None,
        last_error=None,
        updated_at=_NOW,
    )
    .returning(_table.c.id)
)


async def hold(
    session: AsyncSession, note_id: int, worker: str, now: datetime, lease: timedelta
) -> bool:
    """Keep a claim for a lease from now (before a look); False if it is no longer ours."""
    params = {"note_id": note_id, "worker": worker, "until": now + lease}
    return (await session.execute(_HOLD, params)).first() is not None


async def record_sent(
    session: AsyncSession, note_id: int, worker: str, now: datetime, channel: str, ts: str
) -> bool:
    """It is in Slack: sent, with where and when. False if the claim was lost meanwhile."""
    params = {"note_id": note_id, "worker": worker, "now": now, "channel": channel, "ts": ts}
    return (await session.execute(_SENT, params)).first() is not None


async def record_later(
    session: AsyncSession,
    note_id: int,
    worker: str,
    now: datetime,
    not_before: datetime,
    error: str | None,
    *,
    tried_at: datetime | None,
    looks: int = 0,
) -> bool:
    """Back to pending, not before `not_before`: deferred (a rate limit, a backoff, a parent
    not yet posted), or an unclear try (`tried_at` kept) to be looked for then."""
    result = await session.execute(
        update(_table)
        .where(_MINE)
        .values(
            state="pending",
            not_before=not_before,
            tried_at=tried_at,
            looks=looks,
            last_error=error,
            claimed_by=None,
            lease_until=None,
            updated_at=now,
        )
        .returning(_table.c.id),
        {"note_id": note_id, "worker": worker},
    )
    return result.first() is not None


async def record_end(
    session: AsyncSession, note_id: int, worker: str, state: str, now: datetime, reason: str
) -> bool:
    """Close a claim without a post: `failed`, `skipped` or `cancelled`, with the reason."""
    result = await session.execute(
        update(_table)
        .where(_MINE)
        .values(state=state, last_error=reason, lease_until=None, tried_at=None, updated_at=now)
        .returning(_table.c.id),
        {"note_id": note_id, "worker": worker},
    )
    return result.first() is not None


async def repoint(session: AsyncSession, note_id: int, channel: str, ts: str) -> None:
    """A sent notification's message is the one at `channel`/`ts` (a duplicate was deleted)."""
    await session.execute(
        update(_table)
        .where(_table.c.id == note_id, _table.c.state == "sent")
        .values(slack_channel=channel, slack_ts=ts)
    )
