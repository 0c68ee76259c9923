"""The delivery engine: claims due notifications and posts each once, paced per channel.

Each target (a channel, or a person's direct messages) is served by one lane at a time, in
one process: a lane works through its target's due notifications in order and claims the
next few when it runs out, until none is due. A tick hands out whole targets that no sender
holds (a claim is a lease in the database, so any number of processes share the work), at
most MAX_LANES per process, again at once while its claims come back full and every tick
interval while lanes are busy. One notification's steps are in `handlers.sending`. The clock
and the sleep are injected, so tests never really wait.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from asyncio import FIRST_COMPLETED as FIRST
from collections.abc import Collection
from datetime import UTC, datetime
from functools import partial
from itertools import groupby

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from app.settings import Settings
from handlers.compose import Setup, setup
from handlers.request import Services
from handlers.sending import HTTP_TIMEOUT, LEASE, Clock, Done, Sender, Sleep
from storage import claims, delivery_data, outbox
from storage.claims import Claimed

logger = logging.getLogger("network_bot.delivery")

Lanes = dict[str, "asyncio.Task[int]"]

PER_TARGET = 10  # claimed per target at a time: its posts take PER_TARGET seconds or more
# Targets served at once by one process (as many messages a second, which its CPU sustains);
# further ones are left to other processes, or to lanes that finish.
MAX_LANES = 70


def _count(lane: asyncio.Task[int]) -> int:
    """What a finished lane handled (a lane that crashed is logged: it handled nothing)."""
    if lane.exception() is not None:
        logger.error("a lane crashed", exc_info=lane.exception())
        return 0
    return lane.result()


def now_utc() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def worker_name() -> str:
    """Who holds a claim: host, process and a random part (unique across restarts)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def delivery_client(settings: Settings, session: aiohttp.ClientSession) -> AsyncWebClient:
    """The engine's own Web API client: no retry handlers (see `handlers.posting`)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token, base_url=settings.slack_api_url, session=session, retry_handlers=[]
    )


def http_session() -> aiohttp.ClientSession:
    """Connections kept open between posts, every call bounded in time."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT))


class Delivery:
    """One process's sender; several may run against one database."""

    def __init__(
        self,
        services: Services,
        client: AsyncWebClient,
        clock: Clock = now_utc,
        sleep: Sleep = asyncio.sleep,
        worker: str | None = None,
    ) -> None:
        self.services, self.clock = services, clock
        self.worker = worker or worker_name()
        # The moment this engine started, by its own clock: a notification that fell due
        # before it went out late (the bot was down); one delayed by its pace did not.
        self.started = clock()
        self.sender = Sender(services, client, clock, sleep, self.worker, self.started)
        self.tick_seconds = services.settings.scheduler_tick_seconds
        self._ticking = asyncio.Lock()

    async def tick(self) -> int:
        """Post everything due; how many notifications were handled.

        Each target gets one lane, which keeps its target's queue until it is empty; the
        tick hands out the targets no sender holds, again at once while its claims come back
        full, and every tick interval while lanes are busy, until nothing is left.
        """
        handled, lanes = 0, Lanes()
        async with self._ticking:
            while not self.sender.stop.is_set():
                if await self._open_lanes(lanes):
                    continue  # the claim came back full: there may be more
                if not lanes:
                    break
                await asyncio.wait(lanes.values(), timeout=self.tick_seconds, return_when=FIRST)
                for target in [target for target, lane in lanes.items() if lane.done()]:
                    handled += _count(lanes.pop(target))
            if lanes:  # stopping: the lanes finish their posts in flight
                await asyncio.wait(lanes.values())
            handled += sum(_count(lane) for lane in lanes.values())
        return handled

    async def _open_lanes(self, lanes: Lanes) -> bool:
        """Claim whole targets for the free lanes and start them; True if the claim was full."""
        room = (MAX_LANES - len(lanes)) * PER_TARGET
        if room == 0:
            return False
        batch = await self._claim(room, skip=set(lanes))
        if not batch:
            return False
        async with self.services.db() as session:
            locale = partial(self.services.people.language, self.sender.client)
            facts = await setup(session, self.services.settings, locale)
        for target, notes in groupby(batch, key=lambda note: note.target):
            lanes[target] = asyncio.create_task(self._lane(target, list(notes), facts))
        return len(batch) == room

    async def plan(self) -> None:
        """Reconcile every upcoming item's notifications (the clock's periodic job)."""
        async with self.services.db() as session, session.begin():
            rules = await delivery_data.rules(session, self.services.settings.deployment)
            await outbox.plan_everything(session, rules, self.clock())

    async def stop(self) -> None:
        """Finish the posts in flight and give back every claim not yet tried."""
        self.sender.stop.set()
        async with self._ticking, self.services.db() as session, session.begin():
            released = await claims.release(session, self.worker, self.sender.untried)
        if released:
            logger.info("released %d claims", released)

    async def _claim(
        self, limit: int, skip: Collection[str] = (), target: str | None = None
    ) -> list[Claimed]:
        """Whole targets' due notifications (or one target's next few), by target."""
        async with self.services.db() as session, session.begin():
            batch = await claims.claim(
                session, self.clock(), self.worker, LEASE, limit, PER_TARGET, skip, target
            )
        self.sender.untried.update(note.id for note in batch)
        return sorted(batch, key=lambda note: (note.target, note.due_at, note.id))

    async def _lane(self, target: str, notes: list[Claimed], facts: Setup) -> int:
        """One target's notifications in order, each at its slot, refilled until none is due.

        Each post's result is written with the next notification's preparation (one
        transaction fewer per message), and the next few are claimed while the last one
        waits for its slot, so a refill never delays a post. The database failing ends the
        lane: its claims run out and are tried again later.
        """
        handled, done, refill = 0, None, None
        try:
            while notes and not self.sender.stop.is_set():
                for note in notes:
                    if self.sender.stop.is_set():
                        break
                    if note is notes[-1]:  # the next few are claimed while it waits its slot
                        refill = asyncio.create_task(self._claim(PER_TARGET, target=target))
                    done = await self._guarded(note, facts, done)
                    handled += 1
                notes = await refill if refill is not None else []
                refill = None
            await self.sender.write(done)
        except (SQLAlchemyError, OSError) as error:
            logger.error("lane %s stopped, the database failed: %s", target, error)
        finally:
            if refill is not None:  # the lane failed while claiming: its claims run out
                refill.cancel()
        return handled

    async def _guarded(self, note: Claimed, facts: Setup, done: Done | None) -> Done | None:
        """One notification; a bug in it fails it (and is reported), and stops nothing else."""
        try:
            return await self.sender.one(note, facts, done)
        except (SQLAlchemyError, OSError):
            raise
        except Exception as error:
            logger.exception("notification %s failed: %s", note.identity, error)
            await self.sender.write(done)  # its transaction was undone; writing it again is safe
            await self.sender.fail(note, f"error: {type(error).__name__}")
            return None
        finally:
            if not self.sender.stop.is_set():  # stopping, untried claims are given back as such
                self.sender.untried.discard(note.id)
