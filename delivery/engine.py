"""The delivery engine: everything the bot posts by itself goes out here, once, paced per target.

A tick claims, in one statement, the due notifications of whole targets (a channel, or a
person's direct messages) that no other worker holds, a few per target, with each target's
last post. Each target is served by one lane of this process, which posts at most one message a
second there: the first a second after the target's last post (from whichever process), each
next a second after the previous answer. When a lane runs out it claims its target's next few.

One message is two transactions: (1) just before the Slack call, the lease is checked and
extended, a try is marked (`tried_at`) and the content read; (2) the answer is recorded.
An unclear answer (`delivery.slack`) is resolved by looking for the message by its metadata
once Slack has had time to finish, and again about two minutes later, before posting again; a
claim taken over from a worker that vanished mid-try is looked for the same way
(`delivery.looks`). Whether a
notification is due and whether a lease ran out are decided by the database's clock (`now`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deployment import Deployment
from delivery import calls, kinds, records, slack
from delivery.content import (
    Post,
    Replan,
    Setup,
    Wait,
    Work,
    prepare,
    setup,
)
from delivery.looks import Looks, Timing
from delivery.slack import Answer, Done, Refused, Unclear
from storage import claims, outbox, outcomes, planner_items
from storage.claims import Claimed

logger = logging.getLogger("network_bot.delivery")

Now = Callable[[], Awaitable[datetime]]
Sleep = Callable[[float], Awaitable[None]]
PER_TARGET = 25  # claimed per target at a time (a lane claims its next few every 25 posts)
MAX_LANES = 70  # targets served at once by one process
WAIT_FOR_PARENT = timedelta(seconds=2)
MAX_BACKOFF = timedelta(minutes=5)


def worker_name() -> str:
    """Who holds a claim: host, process and a random part (unique across restarts)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Engine:
    """One process's sender; several may run against one database."""

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        deployment: Deployment,
        client: AsyncWebClient,
        now: Now,
        sleep: Sleep = asyncio.sleep,
        worker: str | None = None,
        timing: Timing | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db, self.deployment, self.client = db, deployment, client
        self.now, self.sleep = now, sleep
        self.monotonic = monotonic  # a lane's pace: immune to the database clock's re-reads
        self.worker = worker or worker_name()
        self.timing = timing or Timing()
        self.started: datetime | None = None
        self.stopping = asyncio.Event()
        self.woken = asyncio.Event()
        self.untried: set[int] = set()
        self._ticking = asyncio.Lock()
        self.looks = Looks(db, client, now, sleep, self.worker, self.timing)

    def wake(self) -> None:
        """Something is due now: a running tick claims again at once."""
        self.woken.set()

    async def tick(self) -> int:
        """Post everything due; how many notifications were handled. A claim the database
        refuses ends the tick once its lanes are done, with that error (the clock tells an
        outage once, not on every tick)."""
        handled, lanes = 0, dict[str, "asyncio.Task[int]"]()
        async with self._ticking:
            self.started = self.started or await self.now()
            try:
                while not self.stopping.is_set():
                    self.woken.clear()
                    if await self._open_lanes(lanes):
                        continue  # the claim came back full: there may be more
                    if not lanes and not self.woken.is_set():
                        break
                    woken = asyncio.ensure_future(self.woken.wait())
                    await asyncio.wait(
                        [*lanes.values(), woken],
                        timeout=self.timing.tick_seconds,
                        return_when=FIRST_COMPLETED,
                    )
                    woken.cancel()
                    for target in [t for t, lane in lanes.items() if lane.done()]:
                        handled += _count(lanes.pop(target))
            finally:  # stopping, or a bug: no lane outlives its tick (nor runs beside another)
                if lanes:
                    await asyncio.wait(lanes.values())
                handled += sum(_count(lane) for lane in lanes.values())
        return handled

    async def plan(self) -> None:
        """Reconcile every upcoming item's notifications (the clock's periodic job)."""
        now = await self.now()
        async with self.db() as session, session.begin():
            rules = await planner_items.rules(session, self.deployment)
            await outbox.plan_everything(session, rules, now)

    async def stop(self) -> None:
        """Finish the posts in flight and give back every claim not yet tried."""
        self.stopping.set()
        async with self._ticking, self.db() as session, session.begin():
            released = await claims.release(session, self.worker, self.untried)
        self.looks.cancel()
        if released:
            logger.info("released %d claims", released)

    async def _open_lanes(self, lanes: dict[str, asyncio.Task[int]]) -> bool:
        """Claim whole targets for the free lanes and start them; True if the claim was full."""
        room = (MAX_LANES - len(lanes)) * PER_TARGET
        if room == 0:
            return False
        batch, facts = await self._claim(room, skip=set(lanes))
        for target, notes in batch.notes.items():
            slot = self._first_slot(batch, target)
            lanes[target] = asyncio.create_task(self._lane(target, notes, slot, facts))
        return sum(len(notes) for notes in batch.notes.values()) == room

    async def _claim(
        self, limit: int, skip: set[str] | None = None, target: str | None = None
    ) -> tuple[claims.Batch, Setup]:
        now, lease = await self.now(), self.timing.lease
        async with self.db() as session, session.begin():
            batch = await claims.claim(
                session, now, self.worker, lease, limit, PER_TARGET, skip or set(), target
            )
            facts = await setup(session, self.deployment, self._language) if batch.notes else None
        self.untried.update(note.id for notes in batch.notes.values() for note in notes)
        return batch, facts or Setup(planner_items.rules_of(None, self.deployment), None, "", "")

    def _first_slot(self, batch: claims.Batch, target: str) -> float | None:
        """When a claimed target's first post may go (this process's monotonic clock): a second
        after its last post, reckoned against the database's time of the claim."""
        last = batch.last_sent.get(target)
        if last is None:
            return None
        return self.monotonic() + (last + self.timing.pace - batch.at).total_seconds()

    async def _language(self, user: str, default: str) -> str:
        return await slack.language(self.client, user, default)

    async def _lane(
        self, target: str, notes: list[Claimed], slot: float | None, facts: Setup
    ) -> int:
        """One target's notifications in order, a second apart. The next few are claimed while
        the last one is still held (so no other worker takes the target meanwhile), until none
        is due. The database failing ends the lane: its claims run out and are taken again."""
        handled = 0
        refill: asyncio.Task[tuple[claims.Batch, Setup]] | None = None
        try:
            while notes and not self.stopping.is_set():
                for note in notes:
                    if self.stopping.is_set():
                        break
                    if note is notes[-1]:
                        refill = asyncio.create_task(self._claim(PER_TARGET, target=target))
                    slot = await self._guarded(note, facts, slot)
                    handled += 1
                if refill is None:
                    break  # stopping
                batch, facts = await refill
                notes, refill = batch.notes.get(target, []), None
        except (SQLAlchemyError, OSError) as error:
            logger.error("lane %s stopped, the database failed: %s", target, error)
        finally:
            if refill is not None:
                refill.cancel()
        return handled

    async def _guarded(self, note: Claimed, facts: Setup, slot: float | None) -> float | None:
        """One notification; a bug in it fails it (and is logged), and stops nothing else."""
        try:
            return await self._one(note, facts, slot)
        except (SQLAlchemyError, OSError):
            raise
        except Exception as error:
            logger.exception("notification %s failed: %s", note.identity, error)
            await self._fail(note, f"error: {type(error).__name__}")
            return slot
        finally:
            if not self.stopping.is_set():  # stopping, untried claims are given back as such
                self.untried.discard(note.id)

    async def _pause(self, seconds: float) -> bool:
        """Sleep, unless the engine stops first; False if it did."""
        sleeping = asyncio.ensure_future(self.sleep(seconds))
        stopping = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait((sleeping, stopping), return_when=FIRST_COMPLETED)
        sleeping.cancel()
        stopping.cancel()
        return not self.stopping.is_set()

    async def _one(self, note: Claimed, facts: Setup, slot: float | None) -> float | None:
        """Resolve an earlier unclear try, then try; returns when the next call may go."""
        if note.tried_at is not None and await self.looks.resolved(note):
            # What was found may have just landed: the next post waits a pace after now.
            return max(slot or 0.0, self.monotonic() + self.timing.pace.total_seconds())
        async with self.db() as session, session.begin():  # transaction (1)
            now = await self.now()
            if not await claims.start_try(session, note, self.worker, now, self.timing.lease):
                return slot  # taken over: its new holder looks before posting
            step = await prepare(session, note, facts, now, self.started or now)
            if isinstance(step, Replan):
                await outcomes.record_end(
                    session, note.id, self.worker, "cancelled", now, step.reason
                )
                await outbox.reconcile_item(
                    session, note.subject_type, note.subject_id or 0, facts.rules, now
                )
            elif isinstance(step, Wait):
                await outcomes.record_later(
                    session, note.id, self.worker, now, now + WAIT_FOR_PARENT, None, tried_at=None
                )
            elif isinstance(step, kinds.Drop) and step.state != "failed":
                await outcomes.record_end(
                    session, note.id, self.worker, step.state, now, step.reason
                )
        if isinstance(step, kinds.Drop) and step.state == "failed":
            await self._fail(note, step.reason)
        if not isinstance(step, Work):
            return slot
        wait = slot - self.monotonic() if slot is not None else 0.0
        if wait > 0 and not await self._pause(wait):
            return slot  # stopping: the claim is given back untried
        answer = await self._call(note, step, time.monotonic())
        answered = self.monotonic()
        await self._record(note, step, answer, now)
        # An unclear post may still land: the target waits for it as for the look.
        settle = self.timing.first_look if isinstance(answer, Unclear) else timedelta(0)
        return answered + (self.timing.pace + settle).total_seconds()

    async def _call(self, note: Claimed, work: Work, started: float) -> Answer:
        """The Slack call, if the lease is surely still ours."""
        if time.monotonic() - started > self.timing.lease.total_seconds() / 2:
            return Unclear("paused before the call")  # e.g. stopped: the lease may be gone
        return await calls.make(self.client, note.identity, work)

    async def _record(self, note: Claimed, work: Work, answer: Answer, tried: datetime) -> None:
        """Transaction (2): the answer."""
        if isinstance(answer, Refused) and answer.permanent:
            await self._fail(note, answer.error)
            return
        async with self.db() as session, session.begin():
            now = await self.now()
            mine = await records.answer(
                session, note, work, answer, self.worker, now, tried, self.timing
            )
        if isinstance(answer, Done) and not mine and isinstance(work, Post):
            self.looks.check_later(note, tried)

    async def _fail(self, note: Claimed, error: str) -> None:
        """Failed for good: recorded, and told (`delivery.records.failed`)."""
        async with self.db() as session, session.begin():
            now = await self.now()
            await records.failed(session, note, self.worker, now, error, self.deployment.admins)


def _count(lane: asyncio.Task[int]) -> int:
    """What a finished lane handled (a lane that crashed is logged: it handled nothing)."""
    if lane.exception() is not None:
        logger.error("a lane crashed", exc_info=lane.exception())
        return 0
    return lane.result()
