"""Resolving an unclear try: is its message in Slack? (PRODUCT.md §4, README "Delivery".)

A try whose outcome is unclear (`delivery.slack.Unclear`), or whose worker vanished mid-try (a
claim taken over with `tried_at` set), is looked for by its identity in the message metadata of
the conversation (a thread's replies, a person's direct messages) only once Slack has had time
to finish: `client_timeout` + `first_look` after the try, and again `second_look` later; found,
it is sent; twice not found, it is posted again. Two messages of one identity leave the earliest.
A worker that finds, when recording, that it lost its claim after posting looks too, after the
same delay, and so deletes its own message if an earlier one exists.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import outgoing
from delivery import slack
from delivery.slack import Problem
from storage import notifications, outcomes
from storage.claims import Claimed

logger = logging.getLogger("network_bot.delivery")

Now = Callable[[], Awaitable[datetime]]
Sleep = Callable[[float], Awaitable[None]]
HISTORY_MARGIN = timedelta(minutes=1)  # a try's message is looked for from a little before it


@dataclass(frozen=True)
class Timing:
    """The engine's durations (settings, so tests run them in seconds: `app.clock.timing`)."""

    lease: timedelta = timedelta(seconds=60)
    client_timeout: timedelta = timedelta(seconds=15)
    first_look: timedelta = timedelta(seconds=15)  # after the client timeout
    second_look: timedelta = timedelta(seconds=120)  # after the first look
    pace: timedelta = timedelta(seconds=1)
    tick_seconds: float = 5.0


class Looks:
    """One worker's looks for the messages of its unclear tries."""

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        client: AsyncWebClient,
        now: Now,
        sleep: Sleep,
        worker: str,
        timing: Timing,
    ) -> None:
        self.db, self.client, self.now, self.sleep = db, client, now, sleep
        self.worker, self.timing = worker, timing
        self._checks: set[asyncio.Task[None]] = set()

    async def resolved(self, note: Claimed) -> bool:
        """Look for an earlier try's message once Slack has had time to finish; True when the
        notification is settled for now (found, or looked at again later). A redraw or an
        invitation is simply made again (twice is harmless), and so is an ephemeral message
        (it cannot be looked for)."""
        assert note.tried_at is not None
        now = await self.now()
        wait = self.timing.first_look if note.looks == 0 else self.timing.second_look
        look_at = note.tried_at + self.timing.client_timeout + wait
        if note.kind in (outgoing.REDRAW, outgoing.INVITE, outgoing.EPHEMERAL):
            return False
        async with self.db() as session, session.begin():
            if now < look_at:
                await outcomes.record_later(
                    session,
                    note.id,
                    self.worker,
                    now,
                    look_at,
                    note.last_error,
                    tried_at=note.tried_at,
                    looks=note.looks,
                )
                return True
            if not await outcomes.hold(session, note.id, self.worker, now, self.timing.lease):
                return True
            where = await self._where(session, note)
        try:
            found = await self._look(note, where, note.tried_at)
        except Problem as problem:
            found = None
            logger.warning("looking for %s failed: %s", note.identity, problem.answer)
        async with self.db() as session, session.begin():
            now = await self.now()
            if found is None:
                await outcomes.record_later(
                    session,
                    note.id,
                    self.worker,
                    now,
                    now + self.timing.first_look,
                    note.last_error,
                    tried_at=note.tried_at,
                    looks=note.looks,
                )
            elif found:
                await outcomes.record_sent(session, note.id, self.worker, now, found[0], found[1])
            elif note.looks == 0:
                await outcomes.record_later(
                    session,
                    note.id,
                    self.worker,
                    now,
                    now + self.timing.second_look,
                    note.last_error,
                    tried_at=note.tried_at,
                    looks=1,
                )
            else:
                return False  # looked twice, not there: post again
        return True

    async def _where(self, session: AsyncSession, note: Claimed) -> tuple[str, str | None]:
        """The conversation (target, or its parent's channel) and thread a try posted to."""
        of = note.payload.get("thread_of")
        found = await notifications.parent(session, of) if of else None
        if found and found[1] and found[2]:
            return found[1], found[2]
        return note.target, None

    async def _look(
        self, note: Claimed, where: tuple[str, str | None], tried: datetime
    ) -> tuple[str, str] | tuple[()]:
        """The earliest message of this notification since its try (later ones are deleted:
        one message per identity), or () when there is none."""
        channel = await slack.conversation(self.client, where[0])
        since = tried - HISTORY_MARGIN
        if note.kind == outgoing.FILE:
            name = note.payload["filename"]
            found = await slack.find(self.client, channel, since, thread_ts=where[1], filename=name)
            return (channel, found[0]) if found else ()
        found = await slack.find(self.client, channel, since, note.identity, where[1])
        for extra in found[1:]:
            logger.warning("two messages for %s: deleting the later one %s", note.identity, extra)
            await slack.delete(self.client, channel, extra)
        return (channel, found[0]) if found else ()

    def check_later(self, note: Claimed, tried: datetime) -> None:
        """This worker posted after its claim was taken over: once the settle delay has passed,
        make sure only the earliest message of the notification stays."""

        async def check() -> None:
            await self.sleep((self.timing.client_timeout + self.timing.first_look).total_seconds())
            async with self.db() as session:
                where = await self._where(session, note)
            kept = await self._look(note, where, tried)
            if kept:
                async with self.db() as session, session.begin():
                    await outcomes.repoint(session, note.id, *kept)

        task = asyncio.create_task(check())
        self._checks.add(task)
        task.add_done_callback(self._checks.discard)

    def cancel(self) -> None:
        """Stopping: the checks still waiting are dropped."""
        for check in list(self._checks):
            check.cancel()
