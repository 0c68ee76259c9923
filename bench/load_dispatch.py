"""`bench/load.py --dispatch N`: the same load while a clock dispatches N notifications.

The bot is measured twice under the same rate and mix: idle (no clock runs), then while one
`python -m bot clock` process (started before the second phase's warm-up, once its start-up
work is done, on the same database and fake Slack) posts N messages that all fall due the
moment the measured part begins, spread evenly over the network's theme channels (one a second
per channel, at most `MAX_LANES` channels at once: 5,000 take over a minute). The figure is the
commands' p99 while dispatching over its idle value (goal: at most 2). Nothing may be lost: a
dispatched notification not sent within a minute (and a second for every ten) after the phase
counts as an error; the fake Slack's answered `chat.postMessage` calls meanwhile are printed
beside the count sent.

The last line is `p99 idle ms: X, p99 dispatching ms: Y, ratio: Z, errors: N`.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil  # type: ignore[import-untyped]
from sqlalchemy import func, select

from bench.ack_latency import Process, started
from bench.load_figures import Phase, failures, kinds_table, percentile, phase_lines
from bot import outgoing
from bot.outcome import Message
from bot.plan.records import PlanRecords
from delivery.engine import MAX_LANES
from storage import outbox
from storage.db import create_engine, create_session_factory
from storage.models import Notification

PREFIX = "bench-dispatch"  # the identities of the dispatched notifications begin so


@dataclass
class Dispatch:
    """The clock process and what it was given: how many, when they fell due, and the count of
    them sent (at the end of the measured phase, and at last) and how long all took."""

    clock: Process
    total: int
    channels: list[str]
    due: float = 0.0  # time.monotonic() when they fell due
    during: int = 0
    sent: int = 0
    seconds: float = float("nan")
    posts_before: int = 0  # chat.postMessage calls answered before they fell due


async def begin(
    stack: AsyncExitStack, env: dict[str, str], tmp: Path, total: int, plan: PlanRecords
) -> Dispatch:
    """A `python -m bot clock` process on the bot's database and fake Slack (until `stack`
    closes), to dispatch `total` notifications over the plan's theme channels once they fall
    due."""
    clock = await stack.enter_async_context(started(tmp / "clock.log", env, "-m", "bot", "clock"))
    began = time.monotonic()
    await quiet(clock)
    print(f"clock: started, and quiet after {time.monotonic() - began:.1f} s", flush=True)
    return Dispatch(clock, total, [theme.channel for theme in plan.themes if theme.channel])


async def quiet(proc: Process, limit: float = 180.0) -> None:
    """Wait until the process uses under a tenth of a core for two seconds running (a clock's
    start: its first plan of everything upcoming is not the dispatch's cost), at most `limit`."""
    watched, calm, give_up = psutil.Process(proc.pid), 0, time.monotonic() + limit
    used = sum(watched.cpu_times()[:2])
    while calm < 2 and time.monotonic() < give_up:
        await asyncio.sleep(1)
        now = sum(watched.cpu_times()[:2])
        calm, used = (calm + 1 if now - used < 0.1 else 0), now


async def fall_due(url: str, dispatch: Dispatch, calls: dict[str, int]) -> None:
    """Write the notifications, all due now, in one transaction (its commit wakes the clock);
    `calls`: the fake Slack's answered calls so far."""
    dispatch.posts_before = calls.get("chat.postMessage", 0)
    engine = create_engine(url)
    try:
        now = datetime.now(UTC)
        channels = dispatch.channels
        rows = [
            outgoing.post(
                f"{PREFIX}:{n}",
                ("network", n),
                channels[n % len(channels)],
                Message(f"Tiedote {n}: verkoston kuukausikirje on julkaistu."),
                now,
            )
            for n in range(dispatch.total)
        ]
        async with create_session_factory(engine).begin() as session:
            await outbox.enqueue(session, rows, now)
        dispatch.due = time.monotonic()
    finally:
        await engine.dispose()


async def count_sent(url: str) -> int:
    """How many of the dispatched notifications are sent."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.identity.startswith(PREFIX), Notification.state == "sent")
            )
        return int(found or 0)
    finally:
        await engine.dispose()


async def finish(url: str, dispatch: Dispatch, limit: float) -> None:
    """Wait (at most `limit` seconds) for every dispatched notification to be sent."""
    dispatch.during = await count_sent(url)
    give_up = time.monotonic() + limit
    while (sent := await count_sent(url)) < dispatch.total and time.monotonic() < give_up:
        await asyncio.sleep(0.5)
    dispatch.sent = sent
    if sent == dispatch.total:
        dispatch.seconds = time.monotonic() - dispatch.due


async def end(
    url: str,
    dispatch: Dispatch,
    phases: dict[str, Phase],
    calls: dict[str, int],
    writes: tuple[str, int],
    log: str,
    tmp: Path,
) -> None:
    """Wait for the dispatch to finish (a minute, and a second for every ten), then report."""
    await finish(url, dispatch, 60 + dispatch.total / 10)
    logs = {"bot": log, "clock": (tmp / "clock.log").read_text(errors="replace")}
    posts = calls.get("chat.postMessage", 0)
    report(phases["bot"], phases["dispatching"], dispatch, posts, writes, logs)


def report(
    idle: Phase,
    busy: Phase,
    dispatch: Dispatch,
    posts_after: int,
    writes: tuple[str, int],
    logs: dict[str, str],
) -> None:
    """Print both phases and the dispatch; last the line a threshold is checked on."""
    print(f"bot while dispatching, per kind ({len(busy.results)} requests):")
    print("\n".join(kinds_table(busy)))
    for phase in (idle, busy):
        print("\n".join(phase_lines(phase)))
    posts = posts_after - dispatch.posts_before
    floor = dispatch.total / min(len(dispatch.channels), MAX_LANES)
    print(
        f"dispatch: {dispatch.total} notifications over {len(dispatch.channels)} channels,"
        f" {dispatch.during} sent by the end of the measured phase, {dispatch.sent} in all,"
        f" all in {dispatch.seconds:.1f} s after falling due (floor {floor:.0f} s);"
        f" chat.postMessage answered meanwhile: {posts} (the load's own notices included)"
    )
    for name, log in logs.items():
        print(f"{name} log, errors: {failures(log)}")
    line, missing = writes
    print(line)
    lost = dispatch.total - dispatch.sent
    errors = idle.error_count + busy.error_count + missing + lost
    p99_idle, p99_busy = percentile(idle.times, 99), percentile(busy.times, 99)
    print(
        f"p99 idle ms: {p99_idle:.1f}, p99 dispatching ms: {p99_busy:.1f},"
        f" ratio: {p99_busy / p99_idle:.2f}, errors: {errors}"
    )
