"""What the engine writes once Slack has answered (a message's transaction (2)): sent, with
what follows it; back to pending until its next try; or failed for good, and told."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outgoing, planner
from delivery import kinds
from delivery.content import Post, Work
from delivery.looks import Timing
from delivery.slack import Answer, Done, Later, Unclear
from storage import outbox, outcomes, reconcile
from storage.claims import Claimed
from storage.network import coordinators

MAX_BACKOFF = timedelta(minutes=5)


async def answer(
    session: AsyncSession,
    note: Claimed,
    work: Work,
    said: Answer,
    worker: str,
    now: datetime,
    tried: datetime,
    timing: Timing,
) -> bool:
    """Record Slack's answer to the try made at `tried`; False if the claim was lost meanwhile.

    An unclear one is looked for once Slack has had time to finish (it stays tried); a rate
    limit waits as told; an error backs off, doubling, until the notification's grace ends."""
    if isinstance(said, Done):
        mine = await outcomes.record_sent(session, note.id, worker, now, said.channel, said.ts)
        if mine and isinstance(work, Post):
            await outbox.enqueue(session, work.children, now)
        return mine
    if isinstance(said, Unclear):
        look = tried + timing.client_timeout + timing.first_look
        return await outcomes.record_later(
            session, note.id, worker, now, look, said.reason, tried_at=tried
        )
    if isinstance(said, Later):
        wait = now + timedelta(seconds=said.seconds)
        return await outcomes.record_later(
            session, note.id, worker, now, wait, note.last_error, tried_at=None
        )
    backoff = min(timedelta(seconds=2 ** min(note.attempts, 12)), MAX_BACKOFF)
    return await outcomes.record_later(  # a transient error: tried again until its grace ends
        session, note.id, worker, now, now + backoff, said.error, tried_at=None
    )


async def failed(
    session: AsyncSession,
    note: Claimed,
    worker: str,
    now: datetime,
    error: str,
    admins: Collection[str],
) -> None:
    """Failed for good: the coordinators' summary of the hour, and the person who acted (or,
    for an invitation, the coordinators) told."""
    if not await outcomes.record_end(session, note.id, worker, "failed", now, error):
        return
    if note.kind == planner.FAILURE_REPORT:
        return  # a summary that failed is not summarised
    told_admins = await coordinators(session, admins)
    await reconcile.insert(session, [kinds.failure_report(a, now) for a in told_admins], now)
    told = kinds.fallback(note, now) if note.kind == outgoing.INVITE else []
    told += [kinds.refused(note, error, now)] if note.payload.get("actor") else []
    await outbox.enqueue(session, told, now)
