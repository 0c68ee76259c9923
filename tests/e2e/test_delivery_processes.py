"""Three `python -m bot clock` processes on one PostgreSQL database, one killed mid-run.

A thousand reminders across twenty channels fall due at once. Every one must be posted exactly
once (counted per identity among the fake Slack's recorded `chat.postMessage` calls), none may
be lost, and no channel may get more than one message a second. One more notification plays the
crash between Slack's reply and the commit: its message is already in the channel and its
claim has expired with no result recorded; the next claimer must find it and not post again.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.planner import Rules
from storage import outbox
from storage.models import Deadline, Network, Notification, Theme
from tests.db import requires_postgres
from tests.harness import BOT_TOKEN

pytestmark = requires_postgres

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = [f"C0CH{n:02d}" for n in range(20)]
PER_CHANNEL = 50
CRASHED = "C0CRASH"
METADATA = "network_bot_notification"
HELSINKI = ZoneInfo("Europe/Helsinki")
# The engine's durations in seconds, not minutes: a killed clock's claims run out in 5 s, and an
# unclear try is looked for 1 s after a 2 s client timeout, and again 3 s later.
SHORT = {
    "DELIVERY_LEASE_SECONDS": "5",
    "SLACK_TIMEOUT_SECONDS": "2",
    "DELIVERY_FIRST_LOOK_SECONDS": "1",
    "DELIVERY_SECOND_LOOK_SECONDS": "3",
}


class FakeSlackProcess:
    """`python -m tests.fake_slack` in its own process, driven through its admin endpoints."""

    def __init__(self, latency_ms: float = 0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_slack", "--latency-ms", str(latency_ms)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().split()[1]
        self.base = self.url.removesuffix("/api/")
        self.http = httpx.Client(base_url=self.base, timeout=30)

    def admin(self, verb: str, path: str, **kw: Any) -> dict[str, Any]:
        response = self.http.request(verb, f"/_admin/{path}", **kw)
        response.raise_for_status()
        return dict(response.json())

    def post(self, method: str, **params: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {BOT_TOKEN}"}
        return dict(self.http.post(f"/api/{method}", json=params, headers=headers).json())

    def close(self) -> None:
        self.http.close()
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def fake() -> Iterator[FakeSlackProcess]:
    slack = FakeSlackProcess()
    slack.admin("POST", "channels", json=[{"id": c} for c in [*CHANNELS, CRASHED, "C0NETWORK"]])
    yield slack
    slack.close()


def clock_process(database_url: str, api_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": api_url,
        "SCHEDULER_TICK_SECONDS": "0.2",
        "ADMIN_USER_IDS": "U0COORD01",
        **SHORT,
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "clock"], cwd=ROOT, env=env, stdout=out, stderr=out
        )


async def thousand_reminders(db: async_sessionmaker[AsyncSession], due: datetime) -> None:
    """50 deadlines per channel (and one in CRASHED), each reminded `1h` before: all at `due`."""
    created = due - timedelta(days=1)
    local = (due + timedelta(hours=1)).astimezone(HELSINKI)
    counts = {channel: PER_CHANNEL for channel in CHANNELS} | {CRASHED: 1}
    async with db() as session, session.begin():
        session.add(Network(name="Verkosto", announcement_channel="C0NETWORK", created_at=created))
        for n, (channel, count) in enumerate(counts.items()):
            theme = Theme(
                key=f"t{n:02d}",
                name=f"Teema {n}",
                channel_id=channel,
                digest_enabled=False,
                created_at=created,
            )
            session.add(theme)
            await session.flush()
            session.add_all(
                Deadline(
                    key=f"d{n}-{i}",
                    title=f"Määräaika {i}",
                    theme_id=theme.id,
                    due_date=local.date(),
                    due_time=local.time(),
                    remind=["1h"],
                    created_at=created,
                )
                for i in range(count)
            )
        await session.flush()
        await outbox.plan_everything(session, Rules(HELSINKI), created)


async def crashed_after_posting(
    db: async_sessionmaker[AsyncSession], fake: FakeSlackProcess, due: datetime
) -> str:
    """The reminder in CRASHED was posted, then its sender died before the commit."""
    async with db() as session, session.begin():
        note = await session.scalar(select(Notification).where(Notification.target == CRASHED))
        assert note is not None
        note.state, note.claimed_by, note.attempts, note.lease_until = "claimed", "dead", 1, due
        note.tried_at = due - timedelta(seconds=1)
    fake.post(
        "chat.postMessage",
        channel=CRASHED,
        text="Reminder",
        metadata={"event_type": METADATA, "event_payload": {"identity": note.identity}},
    )
    return note.identity


async def sent(db: async_sessionmaker[AsyncSession]) -> int:
    async with db() as session:
        count = await session.scalar(
            select(func.count()).select_from(Notification).where(Notification.state == "sent")
        )
    return int(count or 0)


async def test_three_clocks_one_killed_post_every_reminder_exactly_once(
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    fake: FakeSlackProcess,
    tmp_path: Path,
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=8)
    await thousand_reminders(session_factory, due)
    crashed = await crashed_after_posting(session_factory, fake, due)
    total = len(CHANNELS) * PER_CHANNEL + 1
    clocks = [clock_process(database_url, fake.url, tmp_path / f"clock{n}.log") for n in range(3)]
    try:
        while await sent(session_factory) < 100:  # posting is under way
            await asyncio.sleep(0.2)
        clocks[0].send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 150
        while await sent(session_factory) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
    finally:
        for process in clocks[1:]:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process in clocks]
    logs = "\n".join((tmp_path / f"clock{n}.log").read_text()[-2000:] for n in range(3))
    assert await sent(session_factory) == total, logs
    assert codes == [-signal.SIGKILL, 0, 0], logs

    calls = fake.admin("GET", "calls", params={"method": "chat.postMessage"})["calls"]
    posted = Counter(c["params"]["metadata"]["event_payload"]["identity"] for c in calls)
    assert len(posted) == total
    assert set(posted.values()) == {1}, [i for i, n in posted.items() if n > 1]
    assert posted[crashed] == 1  # the crashed sender's own post, not repeated
    for channel in CHANNELS:
        rate = fake.admin("GET", "max_per_second", params={"channel": channel})
        assert rate["max_per_second"] == 1, (channel, _gaps(calls, channel))


def _gaps(calls: list[dict[str, Any]], channel: str) -> list[float]:
    """Seconds between one post to a channel and the next, as the fake Slack received them."""
    times = sorted(c["at"] for c in calls if c["params"]["channel"] == channel)
    return [later - earlier for earlier, later in itertools.pairwise(times)]
