"""The local clock: APScheduler's `AsyncIOScheduler` runs the delivery engine's two jobs.

Only the clock lives in APScheduler: every notification lives in the database (the outbox),
so any number of processes can share the work (APScheduler's job stores cannot be shared
between processes), and every user-facing time comes from `bot.planner`, never from its
cron triggers (whose arithmetic has had DST bugs). The jobs take nothing but the engine:
- the tick, every SCHEDULER_TICK_SECONDS (one at a time; a missed run is not made up for,
  since each tick drains everything due anyway);
- the planner of everything upcoming, at start and every few minutes.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError

from bot.outage import Outage, watched
from handlers.delivery import Delivery, delivery_client, http_session
from handlers.request import Services

logger = logging.getLogger("network_bot.clock")

PLAN_EVERY_MINUTES = 5
#: What a job meets while the database is down: told once by the clock's `Outage`.
DATABASE_DOWN = (SQLAlchemyError, OSError)


class Clock:
    """The scheduler and the engine it drives, started and stopped together."""

    def __init__(self, engine: Delivery, tick_seconds: float) -> None:
        self.engine = engine
        self.outage = Outage(logger, "the database")
        # Its warnings are skipped runs of a tick still draining (by design), its infos noise.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        now = datetime.now(UTC)
        self.scheduler.add_job(
            watched(engine.tick, self.outage, DATABASE_DOWN),
            "interval",
            seconds=tick_seconds,
            id="tick",
            max_instances=1,
            coalesce=True,
            next_run_time=now,
        )
        self.scheduler.add_job(
            watched(engine.plan, self.outage, DATABASE_DOWN),
            "interval",
            minutes=PLAN_EVERY_MINUTES,
            id="plan",
            max_instances=1,
            coalesce=True,
            next_run_time=now,
        )

    def start(self) -> None:
        """Start ticking on the running event loop."""
        self.scheduler.start()
        logger.info("clock started: worker=%s", self.engine.worker)

    async def stop(self) -> None:
        """No new ticks; the posts in flight finish and unstarted claims are given back."""
        self.scheduler.shutdown(wait=False)
        await self.engine.stop()
        logger.info("clock stopped: worker=%s", self.engine.worker)


async def start_clock(services: Services) -> Clock:
    """Build the engine on its own Slack connection and start the clock (call in a loop)."""
    client = delivery_client(services.settings, http_session())
    clock = Clock(Delivery(services, client), services.settings.scheduler_tick_seconds)
    clock.start()
    return clock


async def stop_clock(clock: Clock) -> None:
    """Stop the clock and close its Slack connection."""
    await clock.stop()
    if clock.engine.sender.client.session is not None:
        await clock.engine.sender.client.session.close()


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
