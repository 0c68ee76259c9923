"""The delivery engine under load: many notifications due at once, and the tick's cost.

1. Dispatch. 10,000 reminders over 200 channels fall due at the same moment; three
   `python -m bot clock` processes share one PostgreSQL database and post them to the fake
   Slack (`python -m tests.fake_slack --latency-ms 20`). One message a second per channel makes
   the floor 10,000 / 200 × 1 s = 50 s; the figure is the time from the moment they fell due
   to the last post Slack received, over that floor. Duplicates are counted per identity among
   the recorded `chat.postMessage` calls.
2. Tick. The claim the tick runs, on an empty due set, with 1,000 future notifications in the
   outbox and then with 1,000,000 (inserted in bulk): the median time of each, and their ratio.

    python bench/dispatch.py --server postgresql://postgres@127.0.0.1:5432/postgres

The last line is `floor ratio: X.XX, duplicates: N, tick 1M/1k: Y.YY`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psutil  # type: ignore[import-untyped]
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.postgres import scratch_database  # noqa: E402
from bot.planner import Rules  # noqa: E402
from storage import claims, outbox  # noqa: E402
from storage.db import create_engine, create_session_factory, run_outside_transaction  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Deadline, Network, Notification, Theme  # noqa: E402

TOKEN = "xoxb-bench"
ROUNDS = 5
HELSINKI = ZoneInfo("Europe/Helsinki")
Db = async_sessionmaker[AsyncSession]


async def fake_slack(latency_ms: float, log: Path) -> tuple[asyncio.subprocess.Process, str]:
    args = ("-m", "tests.fake_slack", "--latency-ms", str(latency_ms), "--token", TOKEN)
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=err
        )
    assert proc.stdout is not None
    url = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().split()[-1]
    return proc, url


async def clock(database_url: str, api_url: str, log: Path) -> asyncio.subprocess.Process:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": api_url,
        "SCHEDULER_TICK_SECONDS": "0.2",
        "ADMIN_USER_IDS": "U0COORD01",
    }
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "clock", cwd=ROOT, env=env, stdout=out, stderr=out
        )


async def seed(db: Db, channels: list[str], per_channel: int, due: datetime) -> None:
    """Deadlines an hour after `due`, each reminded `1h` before, planned by the real planner."""
    created = due - timedelta(days=1)
    local = (due + timedelta(hours=1)).astimezone(HELSINKI)
    async with db() as session, session.begin():
        session.add(Network(name="Bench", created_at=created))
        themes = [
            Theme(key=f"t{n}", name=f"T{n}", channel_id=c, digest_enabled=False, created_at=created)
            for n, c in enumerate(channels)
        ]
        session.add_all(themes)
        await session.flush()
        session.add_all(
            Deadline(
                key=f"d{t.id}-{n}",
                title=f"Määräaika {n}",
                theme_id=t.id,
                due_date=local.date(),
                due_time=local.time(),
                remind=["1h"],
                created_at=created,
            )
            for t in themes
            for n in range(per_channel)
        )
        await session.flush()
        await outbox.plan_everything(session, Rules(HELSINKI), created)


def cpu(processes: list[psutil.Process]) -> list[float]:
    """User and system CPU seconds of each process so far."""
    return [sum(p.cpu_times()[:2]) for p in processes]


async def count_sent(db: Db) -> int:
    async with db() as session:
        found = await session.scalar(
            select(func.count()).select_from(Notification).where(Notification.state == "sent")
        )
    return int(found or 0)


async def dispatch(args: argparse.Namespace, url: str, db: Db, tmp: Path) -> tuple[float, int]:
    """Run the dispatch part; the floor ratio and the number of duplicate posts."""
    channels = [f"C0B{n:04d}" for n in range(args.channels)]
    total = args.channels * args.per_channel
    fake, api_url = await fake_slack(args.latency_ms, tmp / "fake.log")
    base = api_url.removesuffix("api/")
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        await http.post("/_admin/channels", json=[{"id": c} for c in channels])
        due = datetime.now(UTC) + timedelta(seconds=args.lead)
        await seed(db, channels, args.per_channel, due)
        due_monotonic = time.monotonic() + (due - datetime.now(UTC)).total_seconds()
        clocks = [await clock(url, api_url, tmp / f"clock{n}.log") for n in range(3)]
        watched = [psutil.Process(p.pid) for p in (*clocks, fake)]
        try:
            while datetime.now(UTC) < due:
                await asyncio.sleep(0.1)
            before = cpu(watched)
            limit = time.monotonic() + 10 * total / args.channels
            while await count_sent(db) < total and time.monotonic() < limit:
                await asyncio.sleep(0.5)
            used = [after - start for start, after in zip(before, cpu(watched), strict=True)]
        finally:
            for proc in clocks:
                proc.send_signal(signal.SIGTERM)
            await asyncio.gather(*(proc.wait() for proc in clocks))
        calls = (await http.get("/_admin/calls", params={"method": "chat.postMessage"})).json()
    fake.terminate()
    await fake.wait()
    sent = await count_sent(db)
    posted = Counter(c["params"]["metadata"]["event_payload"]["identity"] for c in calls["calls"])
    gaps, starts = pacing(calls["calls"], due_monotonic)
    print(
        f"dispatch: first post per channel after {statistics.median(starts):.2f} s (median),"
        f" {max(starts):.2f} s (last); gaps between posts to a channel: median"
        f" {statistics.median(gaps):.3f} s, 90th percentile {quantile(gaps, 0.9):.3f} s,"
        f" 99th {quantile(gaps, 0.99):.3f} s, shortest {min(gaps):.3f} s"
    )
    elapsed = max(c["at"] for c in calls["calls"]) - due_monotonic
    floor = total / args.channels
    print(
        f"dispatch: {sent}/{total} sent in {elapsed:.1f} s after falling due (floor {floor:.0f} s)"
    )
    per = [1000 * seconds / max(sent, 1) for seconds in used]
    clocks_ms, fake_ms = sum(per[:3]), per[3]
    print(
        f"dispatch: CPU per message {clocks_ms:.2f} ms in the clocks, {fake_ms:.2f} ms in the fake"
    )
    if sent < total:
        print(f"  not all sent; see {tmp}", file=sys.stderr)
    return elapsed / floor, sum(n - 1 for n in posted.values())


def pacing(calls: list[dict[str, Any]], due: float) -> tuple[list[float], list[float]]:
    """Seconds between posts to the same channel, and from falling due to each first post."""
    times: dict[str, list[float]] = {}
    for call in calls:
        times.setdefault(call["params"]["channel"], []).append(call["at"])
    gaps, starts = [], []
    for found in times.values():
        found.sort()
        starts.append(found[0] - due)
        gaps += [later - earlier for earlier, later in itertools.pairwise(found)]
    return gaps, starts


def quantile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


FUTURE_ROWS = (
    "INSERT INTO notification (identity, kind, subject_type, subject_id, target, due_at, state,"
    " attempts, payload, created_at, updated_at)"
    " SELECT 'bench:' || n, 'deadline_reminder', 'deadline', n, 'C0F' || (n % 500),"
    " now() + interval '1 day' + n * interval '1 second', 'pending', 0, '{{}}', now(), now()"
    " FROM generate_series({first}, {last}) AS n"
)


async def claim_times(db: Db, runs: int) -> list[float]:
    """Milliseconds of the tick's claim (its own transaction) on an empty due set."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        async with db() as session, session.begin():
            found = await claims.claim(
                session, datetime.now(UTC), "bench", timedelta(seconds=30), 1000, 5
            )
        times.append((time.perf_counter() - start) * 1000)
        assert found.notes == {}
    return times


async def future_rows(db: Db, url: str, first: int, last: int) -> None:
    """Insert future notifications in one statement, then vacuum and analyse the table."""
    async with db() as session, session.begin():
        await session.execute(text(FUTURE_ROWS.format(first=first, last=last)))
    await run_outside_transaction(url, "VACUUM ANALYZE notification")
    await asyncio.sleep(2)  # let the server settle


async def claim_cost(db: Db, runs: int) -> float:
    """The tick's claim on an empty due set: the lowest median of a few rounds, in ms."""
    await claim_times(db, 50)  # warm up
    return min([statistics.median(await claim_times(db, runs)) for _ in range(ROUNDS)])


async def tick_cost(args: argparse.Namespace, db: Db, url: str) -> float:
    """The claim's time with 1,000,000 future notifications over that with 1,000."""
    async with db() as session, session.begin():
        await session.execute(text("DELETE FROM notification"))
    await future_rows(db, url, 1, 1000)
    small = await claim_cost(db, args.runs)
    started = time.perf_counter()
    await future_rows(db, url, 1001, 1_000_000)
    print(f"tick: 999,000 rows inserted (and analysed) in {time.perf_counter() - started:.1f} s")
    large = await claim_cost(db, args.runs)
    print(f"tick: claim on an empty due set, median {small:.2f} ms (1k), {large:.2f} ms (1M)")
    async with db() as session:
        plan = await session.execute(
            text(
                "EXPLAIN SELECT id FROM notification WHERE (state = 'pending' AND due_at <= now())"
                " OR (state = 'claimed' AND lease_until < now())"
            )
        )
        print("tick: " + "\n      ".join(row[0] for row in plan))
    return large / small


async def main(args: argparse.Namespace) -> None:
    async with scratch_database(args.server) as url:
        engine = create_engine(url)
        try:
            await upgrade(url)
            db = create_session_factory(engine)
            with tempfile.TemporaryDirectory() as tmp:
                ratio, duplicates = await dispatch(args, url, db, Path(tmp))
            tick = await tick_cost(args, db, url)
        finally:
            await engine.dispose()
    print(f"floor ratio: {ratio:.2f}, duplicates: {duplicates}, tick 1M/1k: {tick:.2f}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--server", default=default, help="a PostgreSQL server (any database)")
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--per-channel", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument(
        "--lead", type=float, default=25.0, help="seconds until they fall due (the clocks start)"
    )
    parser.add_argument("--runs", type=int, default=300, help="claims timed for each size")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
