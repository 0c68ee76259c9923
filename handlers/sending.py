"""Sending one notification: prepare it, wait for its slot and its channel's gate, post it,
write the result (see `handlers.delivery` for the engine that runs these steps, lane by lane).

Preparing is one transaction: the previous post's result is written, the content rendered
(`handlers.compose`), the target's next slot reserved, the lease extended past it and, as a
rule, the channel's gate opened for that slot (`storage.pace`): the previous post there, from
any process, was answered a second before it. At the slot the sender posts (`handlers.posting`);
when the gate could not be opened ahead (a post from elsewhere still in flight) it waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outcome import Posted
from bot.planner import FAILURE_REPORT
from handlers.compose import Moved, Setup, compose
from handlers.contents import Drop, Ready, failure_reports
from handlers.posting import Failed, Result, deliver
from handlers.request import Services
from storage import claims, pace, reconcile
from storage.claims import Claimed
from storage.network import coordinators

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]

# At most one message a second per channel (Slack's limit). The pace counts from the previous
# post's answer, which comes after Slack received it, so posts arrive a second apart or more.
PACE = timedelta(seconds=1)
LEASE = timedelta(seconds=30)  # a claim not yet worked on; renewed before each try
MAX_CLAIMS = 5  # a notification claimed this often without a result has failed
HTTP_TIMEOUT = 15  # seconds for one Web API call
POST_HOLD = timedelta(seconds=HTTP_TIMEOUT) + PACE  # the channel busy for one post at most
GATE_POLL = timedelta(milliseconds=50)  # asking again while the previous post is in flight
GATE_MARGIN = timedelta(seconds=5)  # lease left, beyond a post's longest, to pass the gate


@dataclass
class Gate:
    """A channel this sender is posting to, and its busy mark there (see `storage.pace`)."""

    channel: str
    mark: int


@dataclass(frozen=True)
class Done:
    """A post made, whose result is still to be written."""

    note: Claimed
    ready: Ready
    result: Result
    gate: Gate
    answered: datetime


@dataclass
class Sender:
    """The steps of one notification, for one worker; `stop` ends every wait at once."""

    services: Services
    client: AsyncWebClient
    clock: Clock
    sleep: Sleep
    worker: str
    started: datetime  # when the engine started: what fell due before is posted marked late
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    untried: set[int] = field(default_factory=set)  # claims this worker holds, not yet tried

    async def one(self, note: Claimed, facts: Setup, done: Done | None) -> Done | None:
        """Prepare (writing the previous post's result), wait for the slot and the gate, post.

        Returns the post made, whose result is written with the next preparation.
        """
        if note.attempts > MAX_CLAIMS:
            await self.write(done)
            await self.fail(note, f"claimed {note.attempts} times without a result")
            return None
        prepared = await self.prepare(note, facts, done)
        if prepared is None:
            return None
        ready, slot, gate = prepared
        if not await self.pause((slot - self.clock()).total_seconds()):
            await self.shut(gate, slot)
            return None  # stopping: the claim is given back
        gate = gate or await self.open_gate(note, slot + LEASE)
        if gate is None:
            return None  # stopping, or the claim is someone else's now
        self.untried.discard(note.id)
        keeper = self.keeper(note, gate)
        result = await deliver(self.client, note, ready.message, note.attempts > 1, keeper)
        posted = Done(note, ready, result, gate, self.clock())
        if isinstance(result, Failed):
            await self.write(posted)
            return None
        return posted

    async def prepare(
        self, note: Claimed, facts: Setup, done: Done | None
    ) -> tuple[Ready, datetime, Gate | None] | None:
        """Render, reserve the slot, keep the claim past it and, as a rule, open the gate for
        it (the previous post, written here, was answered); None: nothing to post now."""
        now = self.clock()
        async with self.services.db() as session, session.begin():
            await self.write_in(session, done)
            composed = await compose(session, note, facts, now, self.started)
            if isinstance(composed, Drop):
                reason = composed.reason
                await claims.record_end(session, note.id, self.worker, composed.state, now, reason)
                return None
            if isinstance(composed, Moved):
                await claims.reschedule(session, note.id, self.worker, composed.plan)
                return None
            slot = await pace.take_slot(session, note.target, now, PACE)
            if not await claims.hold(session, note.id, self.worker, slot + LEASE):
                return None  # another sender took it over (that slot goes unused: rare)
            mark = await pace.open_gate(session, note.target, slot, POST_HOLD)
            return composed, slot, Gate(note.target, mark) if mark is not None else None

    async def open_gate(self, note: Claimed, lease_until: datetime) -> Gate | None:
        """Wait until the channel's previous post was answered a second ago, and go."""
        while True:
            now = self.clock()
            async with self.services.db() as session, session.begin():
                if lease_until - now < POST_HOLD + GATE_MARGIN:
                    # A long wait at the gate: keep the claim for the post to come.
                    lease_until = now + LEASE
                    if not await claims.hold(session, note.id, self.worker, lease_until):
                        return None
                mark = await pace.open_gate(session, note.target, now, POST_HOLD)
                opens = await pace.gate_opens_at(session, note.target) if mark is None else now
            if mark is not None:
                return Gate(note.target, mark)
            # Within a second it opens a second after the previous answer: wait just that.
            # Further off, the previous post is still in flight: ask again soon.
            wait = opens - now if opens - now <= PACE else GATE_POLL
            if not await self.pause(max(wait.total_seconds(), 0.001)):
                return None

    async def shut(self, gate: Gate | None, slot: datetime) -> None:
        """Give back a gate opened for a slot that will not be used (stopping)."""
        if gate is not None:
            async with self.services.db() as session, session.begin():
                await pace.shut_gate(session, gate.channel, gate.mark, slot)

    async def write(self, done: Done | None) -> None:
        """Write a post's result in a transaction of its own."""
        if done is not None:
            async with self.services.db() as session, session.begin():
                await self.write_in(session, done)
            if isinstance(done.result, Failed):
                await self.fail(done.note, done.result.error)

    async def write_in(self, session: AsyncSession, done: Done | None) -> None:
        """The gate opens again a second after the answer; a message in Slack is `sent`."""
        if done is None:
            return
        channel, at = done.gate.channel, done.answered
        await pace.close_gate(session, channel, done.gate.mark, at, PACE)
        if isinstance(done.result, Posted):
            await claims.record_sent(session, done.note.id, at, done.result.channel, done.result.ts)
            await reconcile.insert(session, done.ready.children, at)

    async def fail(self, note: Claimed, error: str) -> None:
        """Failed for good; the coordinators hear of it once (but not of failed reports)."""
        now = self.clock()
        async with self.services.db() as session, session.begin():
            ended = await claims.record_end(session, note.id, self.worker, "failed", now, error)
            if ended and note.kind != FAILURE_REPORT:
                admins = await coordinators(session, self.services.settings.admin_user_ids)
                await reconcile.insert(session, failure_reports(note, error, admins, now), now)

    def keeper(self, note: Claimed, gate: Gate) -> Callable[[float], Awaitable[bool]]:
        """Before each retry: keep the claim and the channel for the wait and the try, then wait."""

        async def keep(seconds: float) -> bool:
            now = self.clock()
            wait = timedelta(seconds=seconds)
            async with self.services.db() as session, session.begin():
                if not await claims.hold(session, note.id, self.worker, now + wait + LEASE):
                    return False
                mark = await pace.hold_gate(
                    session, gate.channel, gate.mark, now + wait + POST_HOLD
                )
            if mark is None:
                return False
            gate.mark = mark
            return await self.pause(seconds)

        return keep

    async def pause(self, seconds: float) -> bool:
        """Sleep, unless the engine stops first; False if it did."""
        if seconds > 0:
            sleeping = asyncio.ensure_future(self.sleep(seconds))
            stopping = asyncio.ensure_future(self.stop.wait())
            await asyncio.wait((sleeping, stopping), return_when=asyncio.FIRST_COMPLETED)
            sleeping.cancel()
            stopping.cancel()
        return not self.stop.is_set()
