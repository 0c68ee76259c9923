"""The local clock: APScheduler's `AsyncIOScheduler` runs the delivery engine's two jobs.

Only the clock lives in APScheduler: every notification lives in the database (the outbox),
so any number of processes can share the work (APScheduler's job stores cannot be shared
between processes), and every user-facing time comes from `bot.planner`, never from its
cron triggers (whose arithmetic has had DST bugs). The jobs take nothing but the engine:
- the tick, every SCHEDULER_TICK_SECONDS and at once when something is enqueued (by this
  process, or on PostgreSQL by any: LISTEN on the outbox's channel); one at a time;
- the planner of everything upcoming, at start and every few minutes.
"Now" is the database's (`storage.db.database_now`), read at most once a second and carried
forward on this process's monotonic clock in between.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from app.services import Services
from app.settings import Settings
from bot.outage import Outage, watched
from delivery import slack
from delivery.engine import Engine
from delivery.looks import Timing
from storage import outbox
from storage.db import database_now

logger = logging.getLogger("network_bot.clock")

PLAN_EVERY_MINUTES = 5
READ_EVERY_SECONDS = 1.0  # how often the database's clock is read
#: What a job meets while the database is down: told once by the clock's `Outage`.
DATABASE_DOWN = (SQLAlchemyError, OSError)


class DatabaseClock:
    """The database's clock, read at most once a second (see the module docstring)."""

    def __init__(self, db: async_sessionmaker[AsyncSession]) -> None:
        self.db = db
        self._read: tuple[float, datetime] | None = None

    async def __call__(self) -> datetime:
        if self._read is None or time.monotonic() - self._read[0] > READ_EVERY_SECONDS:
            before = time.monotonic()
            async with self.db() as session:
                found = await database_now(session)
            self._read = ((before + time.monotonic()) / 2, found)  # mid-way through the read
        at, then = self._read
        return then + timedelta(seconds=time.monotonic() - at)


class Clock:
    """The scheduler and the engine it drives, started and stopped together."""

    def __init__(self, engine: Engine, services: Services) -> None:
        self.engine, self.services = engine, services
        self.outage = Outage(logger, "the database")
        self.listener: AsyncConnection | None = None
        self._unhook: Callable[[], None] | None = None
        # Its warnings are skipped runs of a tick still draining (by design), its infos noise.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        now, tick = datetime.now(UTC), services.settings.scheduler_tick_seconds
        for name, job, every in (
            ("tick", self._tick, {"seconds": tick}),
            ("plan", engine.plan, {"minutes": PLAN_EVERY_MINUTES}),
        ):
            self.scheduler.add_job(
                watched(job, self.outage, DATABASE_DOWN),
                "interval",
                **every,
                id=name,
                max_instances=1,
                coalesce=True,
                next_run_time=now,
            )

    async def start(self) -> None:
        """Start ticking on the running event loop, woken by what is enqueued."""
        self._unhook = outbox.on_enqueue(self.wake)
        self.scheduler.start()  # its first tick listens (and tells of a database that is down)
        logger.info("clock started: worker=%s", self.engine.worker)

    def wake(self) -> None:
        """Something was enqueued: tick now (a running tick claims again at once)."""
        self.engine.wake()
        if self.scheduler.running and (job := self.scheduler.get_job("tick")) is not None:
            job.modify(next_run_time=datetime.now(UTC))

    async def _tick(self) -> None:
        """Post what is due, then make sure this process listens (the database failing either
        way is the one outage the clock tells of)."""
        await self.engine.tick()
        await self._listen()

    async def _listen(self) -> None:
        """On PostgreSQL, LISTEN for other processes' immediate posts (again, if dropped)."""
        if self.services.engine.dialect.name != "postgresql":
            return
        if self.listener is not None and await outbox.listening(self.listener):
            return
        if self.listener is not None:
            await self.listener.invalidate()
            self.listener = None
        self.listener = await outbox.listen(self.services.engine, self.wake)

    async def stop(self) -> None:
        """No new ticks; the posts in flight finish and unstarted claims are given back."""
        if self._unhook is not None:
            self._unhook()
        self.scheduler.shutdown(wait=False)
        await self.engine.stop()
        if self.listener is not None:
            await self.listener.close()
        logger.info("clock stopped: worker=%s", self.engine.worker)


def timing(settings: Settings) -> Timing:
    """The engine's durations as the settings give them."""
    return Timing(
        timedelta(seconds=settings.delivery_lease_seconds),
        timedelta(seconds=settings.slack_timeout_seconds),
        timedelta(seconds=settings.delivery_first_look_seconds),
        timedelta(seconds=settings.delivery_second_look_seconds),
        tick_seconds=settings.scheduler_tick_seconds,
    )


async def start_clock(services: Services) -> Clock:
    """Build the engine on its own Slack connection and start the clock (call in a loop)."""
    settings = services.settings
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    session = slack.http_session(settings.slack_timeout_seconds)
    client = slack.client(token, settings.slack_api_url, session)
    clock_now = DatabaseClock(services.db)
    engine = Engine(services.db, settings.deployment, client, clock_now, timing=timing(settings))
    clock = Clock(engine, services)
    await clock.start()
    return clock


async def stop_clock(clock: Clock) -> None:
    """Stop the clock and close its Slack connection."""
    await clock.stop()
    if clock.engine.client.session is not None:
        await clock.engine.client.session.close()


async def run_until_signal(
    services: Services, work: Coroutine[Any, Any, Any] | None, with_clock: bool
) -> None:
    """Run `work` (and the clock) until SIGTERM or SIGINT, or until `work` ends; then stop.

    `python -m bot clock` runs the clock alone (no work); `socket` runs Socket Mode as the
    work, with the clock when RUN_SCHEDULER is true.
    """
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    clock = await start_clock(services) if with_clock else None
    waiters = [asyncio.ensure_future(stopping.wait())]
    if work is not None:
        waiters.append(asyncio.ensure_future(work))
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if clock is not None:
            await stop_clock(clock)
        for waiter in waiters:
            waiter.cancel()
        await services.dispose()
