"""A soak of the delivery engine: every notification ends posted once, or skipped by a §4 rule.

Thousands of notifications over many channels — scheduled reminders planned by the real planner
and immediate posts, due together — are posted by three `python -m bot clock` processes on one
PostgreSQL database to the fake Slack (`python -m tests.fake_slack`), while:
- a random clock is killed (SIGKILL) every few seconds and another started in its place;
- every connection of the clocks to PostgreSQL is dropped once (`pg_terminate_backend`; the
  server itself keeps running);
- Slack answers bursts of 429s (with Retry-After), HTTP-200 transient errors (`internal_error`,
  `service_unavailable`), slow answers (after the client's timeout, the post landing all the same)
  and connections reset after it took the post.
The engine runs with durations of seconds (lease 3 s, Slack timeout 2 s, looks 1 s and 3 s
later). It ends when every notification is sent, skipped or failed, or after `--limit` seconds.

    python bench/soak.py --server postgresql://postgres@127.0.0.1:5432/postgres

A notification neither sent nor skipped is lost; duplicates are messages in Slack beyond one per
identity. The last line is
`posted: N, lost: 0, duplicates: 0, failed: 0, max per channel in 5 s: M`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dispatch import fake_slack  # noqa: E402
from bench.postgres import scratch_database  # noqa: E402
from bot import outgoing  # noqa: E402
from bot.outcome import Message  # noqa: E402
from bot.planner import Rules  # noqa: E402
from storage import outbox  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Deadline, Network, Notification, Theme  # noqa: E402
from tests.fake_slack import max_in_window  # noqa: E402

TOKEN = "xoxb-bench"
HELSINKI = ZoneInfo("Europe/Helsinki")
Db = async_sessionmaker[AsyncSession]
SHORT = {
    "SCHEDULER_TICK_SECONDS": "0.2",
    "DELIVERY_LEASE_SECONDS": "3",
    "SLACK_TIMEOUT_SECONDS": "2",
    "DELIVERY_FIRST_LOOK_SECONDS": "1",
    "DELIVERY_SECOND_LOOK_SECONDS": "3",
}
FAULTS: list[dict[str, Any]] = [  # (method, fault) queued on the fake Slack during the run
    {"retry_after": 1, "times": 40},
    {"error": "internal_error", "times": 15},
    {"delay": 2.5, "times": 6},
    {"reset": True, "times": 10},
    {"error": "service_unavailable", "times": 15},
    {"retry_after": 2, "times": 30},
    {"delay": 2.5, "times": 6},
]


async def clock(database_url: str, api_url: str, log: Path) -> asyncio.subprocess.Process:
    env = (
        os.environ
        | SHORT
        | {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": api_url,
            "ADMIN_USER_IDS": "U0COORD01",
        }
    )
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "clock", cwd=ROOT, env=env, stdout=out, stderr=out
        )


async def seed(db: Db, channels: list[str], per_channel: int, due: datetime) -> None:
    """Per channel, half reminders of deadlines an hour after `due` (reminded `1h` before, by
    the planner) and half immediate posts, all due at `due`."""
    created = due - timedelta(days=1)
    local = (due + timedelta(hours=1)).astimezone(HELSINKI)
    async with db() as session, session.begin():
        session.add(Network(name="Soak", created_at=created))
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
            for n in range(per_channel // 2)
        )
        await session.flush()
        await outbox.plan_everything(session, Rules(HELSINKI), created)
        posts = [
            outgoing.post(f"soak:{c}:{n}", ("network", 0), c, Message(f"Tiedote {n}"), due)
            for c in channels
            for n in range(per_channel - per_channel // 2)
        ]
        await outbox.enqueue(session, posts, created)


async def states(db: Db) -> Counter[str]:
    async with db() as session:
        rows = await session.execute(
            select(Notification.state, func.count()).group_by(Notification.state)
        )
        return Counter({state: int(count) for state, count in rows})


async def drop_connections(db: Db) -> int:
    """Terminate every other connection to this database (the clocks'); how many."""
    async with db() as session, session.begin():
        found = await session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        return len(found.all())


async def soak(args: argparse.Namespace, url: str, db: Db, tmp: Path) -> str:
    channels = [f"C0S{n:03d}" for n in range(args.channels)]
    total = args.channels * args.per_channel
    fake, api_url = await fake_slack(args.latency_ms, tmp / "fake.log")
    base = api_url.removesuffix("api/")
    rng = random.Random(args.seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        await http.post("/_admin/channels", json=[{"id": c} for c in channels])
        due = datetime.now(UTC) + timedelta(seconds=5)
        await seed(db, channels, args.per_channel, due)
        clocks = [await clock(url, api_url, tmp / f"clock{n}.log") for n in range(3)]
        started, kills, dropped, faults = time.monotonic(), 0, 0, list(FAULTS)
        try:
            while time.monotonic() - started < args.limit:
                await asyncio.sleep(1)
                found = await states(db)
                if found["sent"] + found["skipped"] + found["failed"] >= total:
                    break
                elapsed = time.monotonic() - started
                if faults and elapsed > 6 + 4 * (len(FAULTS) - len(faults)):
                    await http.post(
                        "/_admin/fail", json={"method": "chat.postMessage", **faults.pop(0)}
                    )
                if elapsed > 10 and int(elapsed) % args.kill_every == 0:
                    victim = rng.randrange(len(clocks))
                    clocks[victim].send_signal(signal.SIGKILL)
                    await clocks[victim].wait()
                    clocks[victim] = await clock(url, api_url, tmp / f"clock{victim}.log")
                    kills += 1
                if not dropped and elapsed > 20:
                    dropped = await drop_connections(db)
        finally:
            for proc in clocks:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            await asyncio.gather(*(proc.wait() for proc in clocks))
        took = time.monotonic() - started
        messages: dict[str, list[dict[str, Any]]] = {}
        for channel in channels:
            got = await http.get("/_admin/messages", params={"channel": channel})
            messages[channel] = got.json()["messages"]
        calls = (await http.get("/_admin/calls")).json()["calls"]
    fake.terminate()
    await fake.wait()
    found = await states(db)
    identities = Counter(
        str(((m.get("metadata") or {}).get("event_payload") or {}).get("identity"))
        for kept in messages.values()
        for m in kept
    )
    duplicates = sum(n - 1 for n in identities.values())
    deleted = sum(1 for c in calls if c["method"] == "chat.delete")
    took_posts = sum(1 for c in calls if c["method"] == "chat.postMessage")
    # What each channel shows: its messages' timestamps (Slack's clock), a deleted one aside.
    rate = max(
        max_in_window([float(str(m["ts"])) for m in kept], 5.0) for kept in messages.values()
    )
    if args.verbose:
        worst = max(
            messages, key=lambda c: max_in_window([float(str(m["ts"])) for m in messages[c]], 5.0)
        )
        async with db() as session:
            who = dict(
                (
                    await session.execute(select(Notification.slack_ts, Notification.claimed_by))
                ).all()
            )
        stamps = sorted((float(str(m["ts"])), str(m["ts"])) for m in messages[worst])
        print(
            f"  busiest {worst}: "
            + " ".join(f"{b - stamps[0][0]:.2f}/{str(who.get(ts))[-6:]}" for b, ts in stamps)
        )
    for identity, count in identities.items():
        if count > 1:
            tries = [
                (round(c["at"], 2), c["status"])
                for c in calls
                if c["method"] == "chat.postMessage"
                and c["params"]["metadata"]["event_payload"]["identity"] == identity
            ]
            print(f"  {identity}: {count} messages; its calls (time, status): {tries}")
    lost = total - found["sent"] - found["skipped"] - found["failed"]
    print(
        f"soak: {total} notifications over {len(channels)} channels in {took:.0f} s; states"
        f" {dict(found)}; {kills} clocks killed, {dropped} connections dropped;"
        f" chat.postMessage calls {took_posts}, duplicates deleted {deleted}"
    )
    return (
        f"posted: {found['sent']}, lost: {lost}, duplicates: {duplicates},"
        f" failed: {found['failed']}, max per channel in 5 s: {rate}"
    )


async def main(args: argparse.Namespace) -> None:
    async with scratch_database(args.server) as url:
        engine = create_engine(url)
        try:
            await upgrade(url)
            db = create_session_factory(engine)
            with tempfile.TemporaryDirectory() as tmp:
                last = await soak(args, url, db, Path(tmp))
        finally:
            await engine.dispose()
    print(last)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--server", default=default, help="a PostgreSQL server (any database)")
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--per-channel", type=int, default=40)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--kill-every", type=int, default=12, help="seconds between SIGKILLs")
    parser.add_argument("--limit", type=float, default=240.0, help="seconds at most")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--verbose", action="store_true", help="the busiest channel's posts")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
