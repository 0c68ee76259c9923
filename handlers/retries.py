"""Slack's retries of an event: each `event_id` is acted on once, whichever delivery comes first.

Slack sends an event again (with `X-Slack-Retry-Num`) when it saw no acknowledgement in time,
also when the first delivery did arrive and is still being handled. Dropping every retry would
lose the events whose first delivery failed before anything acted on it, so the event's id is
recorded in the database instead (`usecases.events`, shared by every process): the delivery
that records it acts; a later one, retry or not, is acknowledged and does nothing. A delivery
that fails to record it (the database down) is not acknowledged, and Slack's retry acts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from usecases.caller import Sessions
from usecases.events import first_delivery

Clock = Callable[[], datetime]


class OncePerEvent(AsyncMiddleware):
    """A global bolt middleware: events already acted on are acknowledged, not acted on."""

    def __init__(self, db: Sessions, clock: Clock) -> None:
        self.db, self.clock = db, clock

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        event_id = _event_id(req.body)
        if event_id is None:
            return await next()
        if not await first_delivery(self.db, event_id, self.clock()):
            return BoltResponse(status=200, body="")
        return await next()


def _event_id(body: dict[str, object]) -> str | None:
    """The id of an Events API event (commands and interactions have none)."""
    event_id = body.get("event_id")
    if body.get("type") != "event_callback" or not isinstance(event_id, str):
        return None
    return event_id if 0 < len(event_id) <= 255 else None
