"""Latency of `status` on a theme of 500 work packages and on a package with 1,000 updates.

What is measured is the user's whole wait: from sending the signed slash command until its reply
reaches the response_url, timed where it lands (the fake Slack of `tests/fake_slack.py`, run in
this process so the clock is the same one). The baseline is a bare bolt `AsyncApp` whose listener
acks and responds a fixed text through the same response_url path (bolt's `respond`), served the
same way as the bot (uvicorn, bolt's Starlette adapter, signature checks). Each of the
`--concurrency` clients waits for its reply before sending the next command, and the requests
alternate between the two apps in blocks, so machine noise hits both alike. The 99th percentile
is taken of 1,000 replies of each app by default: of 200 it was the second slowest, which a
single stall of the machine decided. Every reply of the bot is also checked against Block Kit's
limits (50 blocks, 3,000 characters a section).

It reuses `bench/ack_latency.py`'s helpers (the bare app, subprocesses, signed commands,
percentiles).

    python bench/status.py --requests 1000 --concurrency 4
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/status.py` from anywhere

import httpx  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bench.ack_latency import (  # noqa: E402
    TOKEN,
    USER,
    alternate,
    bench_parser,
    bot_env,
    p99_ratio,
    percentile_line,
    run,
    run_bench,
    serve_both,
    signed,
)
from bench.postgres import settle  # noqa: E402
from storage.db import create_engine  # noqa: E402
from storage.models import (  # noqa: E402
    Network,
    Organisation,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)
from tests.fake_slack import FakeSlack, Reply  # noqa: E402

TEXTS = {"status theme": "status iso", "status package": "status iso-1"}
STATUSES = ("planned", "in_progress", "done", "blocked", "cancelled")


class TimedSlack(FakeSlack):
    """The fake Slack, telling the benchmark's loop when each reply lands at a response_url."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(bot_token=TOKEN)
        self.loop = loop
        self.waiting: dict[str, asyncio.Future[float]] = {}

    def expect(self, name: str) -> asyncio.Future[float]:
        """A future that gets the moment the reply for `respond/<name>` arrives."""
        self.waiting[name] = self.loop.create_future()
        return self.waiting[name]

    def handle_request(self, verb: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        arrived = time.perf_counter()
        if target.startswith("/respond/"):
            future = self.waiting.get(target.removeprefix("/respond/"))
            if future is not None:
                self.loop.call_soon_threadsafe(_resolve, future, arrived)
        return super().handle_request(verb, target, headers, body)


def _resolve(future: asyncio.Future[float], moment: float) -> None:
    if not future.done():
        future.set_result(moment)


async def seed(url: str) -> None:
    """Theme `iso` with 500 packages (some overdue), and `iso-1` with 1,000 updates."""
    engine = create_engine(url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(insert(Network), [{"name": "Bench", "language": "en"}])
        await connection.execute(
            insert(Organisation), [{"key": "tampere", "name": "Tampereen seutu"}]
        )
        await connection.execute(
            insert(Theme),
            [{"key": "iso", "name": "Iso teema", "next_wp_number": 501, "channel_id": "C0ISO"}],
        )
        await connection.execute(insert(WorkPackage), [_package(n) for n in range(500)])
        await connection.execute(
            insert(WorkPackageUpdate),
            [_update(n, start + timedelta(hours=n)) for n in range(1000)],
        )
    await engine.dispose()


def _package(n: int) -> dict[str, Any]:
    return {
        "theme_id": 1,
        "number": n + 1,
        "title": f"Työpaketti {n + 1}: seudullisen liikennejärjestelmän seuranta",
        "description": "Kuvaus " * 40,
        "status": STATUSES[n % 5],
        "progress": (n * 7) % 101,
        "owner_user_id": USER if n % 2 else None,
        "owner_organisation_id": None if n % 2 else 1,
        "due_date": date(2020 + n % 12, 1 + n % 12, 1 + n % 28),
    }


def _update(n: int, at: datetime) -> dict[str, Any]:
    return {
        "work_package_id": 1,
        "user_id": USER,
        "at": at,
        "old_status": STATUSES[n % 4],
        "new_status": STATUSES[(n + 1) % 4],
        "old_progress": n % 100,
        "progress": (n + 1) % 100,
        "note": f"Päivitys {n}: aineistoa koottu ja kommentoitu " + "x" * 100,
    }


async def burst(
    http: httpx.AsyncClient, slack: TimedSlack, label: str, text: str, numbers: range, clients: int
) -> list[float]:
    """The commands `numbers` from `clients` senders, each waiting for its reply; times in ms."""
    pending, times = iter(numbers), []

    async def sender() -> None:
        for n in pending:
            name = f"{label}-{time.perf_counter_ns()}-{n}"
            arrived = slack.expect(name)
            body, headers = signed(text, f"{slack.base}/respond/{name}", n)
            sent = time.perf_counter()
            response = await http.post("/slack/events", content=body, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code} {response.text}")
            times.append((await asyncio.wait_for(arrived, 30) - sent) * 1000)
            del slack.waiting[name]

    await asyncio.gather(*(sender() for _ in range(clients)))
    return times


async def measure(
    targets: dict[str, httpx.AsyncClient], slack: TimedSlack, text: str, args: argparse.Namespace
) -> dict[str, list[float]]:
    """The reply times of `text` from both apps (see `ack_latency.alternate`)."""

    def send(name: str, numbers: range) -> Awaitable[list[float]]:
        return burst(targets[name], slack, name, text, numbers, args.concurrency)

    return await alternate(targets, send, args)


def limits(slack: TimedSlack, prefix: str) -> tuple[int, int, int]:
    """The most blocks, the longest section text and the number of replies over a limit."""
    most = longest = over = 0
    for call in slack.calls_to("respond"):
        if not call.path.startswith(f"/respond/{prefix}-"):
            continue
        found = call.params.get("blocks") or []
        sizes = [len(block.get("text", {}).get("text", "")) for block in found]
        most, longest = max(most, len(found)), max([longest, *sizes])
        over += len(found) > 50 or any(size > 3000 for size in sizes)
    return most, longest, over


async def bench(args: argparse.Namespace, tmp: Path) -> None:
    slack = TimedSlack(asyncio.get_running_loop())
    slack.start()
    slack.add_user(USER, name="Bench", locale="en-US")
    try:
        await _bench(args, tmp, slack)
    finally:
        slack.stop()


async def _bench(args: argparse.Namespace, tmp: Path, slack: TimedSlack) -> None:
    database = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    env = bot_env(slack.url, database, LANGUAGE="en")
    await run(tmp / "migrate.log", env, "-m", "bot", "migrate")
    await seed(database)
    await settle(database)
    async with AsyncExitStack() as stack:
        targets, _processes = await serve_both(stack, env, tmp, args.concurrency, reply="ok")
        await _report(targets, slack, args)


async def _report(
    targets: dict[str, httpx.AsyncClient], slack: TimedSlack, args: argparse.Namespace
) -> None:
    texts = dict(TEXTS) | ({"reference": args.reference} if args.reference else {})
    ratios: dict[str, float] = {}
    for label, text in texts.items():
        slack.clear()
        times = await measure(targets, slack, text, args)
        print(f"{text!r} ({label}): {args.requests} replies each, {args.concurrency} clients")
        for name, values in times.items():
            print(percentile_line(name, values))
        most, longest, over = limits(slack, "bot")
        print(f"  bot replies: at most {most} blocks, longest section {longest} chars,", end="")
        print(f" {over} over Block Kit's limits", flush=True)
        ratios[label] = p99_ratio(times)
    # The reference (the bot's cheapest command) first: the last two lines are the verdict.
    for label in sorted(ratios, key=lambda label: label in TEXTS):
        print(f"ratio p99 bot/bare ({label}): {ratios[label]:.2f}")


def main() -> int:
    parser = bench_parser(__doc__, requests=1000, concurrency=4, warmup=50, timeout=600)
    parser.add_argument(
        "--reference", default="help", help="a cheap text measured too, for scale ('' for none)"
    )
    parser.add_argument("--database-url", help="an empty database to use, not a tmp SQLite")
    return run_bench("status", bench, parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
