"""Slack's events, each acted on once: whichever delivery of an `event_id` records it first."""

from __future__ import annotations

from datetime import datetime

from storage.seen_events import first_sighting
from usecases.caller import Sessions


async def first_delivery(db: Sessions, event_id: str, now: datetime) -> bool:
    """Record the event as seen; True for the one delivery (in any process) that records it."""
    async with db.begin() as session:
        return await first_sighting(session, event_id, now)
