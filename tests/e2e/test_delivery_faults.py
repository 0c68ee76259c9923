"""Delivery against real processes and a slow, failing Slack (PostgreSQL): a web process killed
after committing, a clock woken by another process's commit, two clocks whose hosts disagree
on the time, a clock paused past its lease in the middle of a post.

The processes run the engine with durations of seconds (`SHORT`): a lease of 3 s, a client
timeout of 2 s, a first look 1 s after that and a second 3 s later.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import outgoing
from bot.outcome import Message
from storage import outbox
from storage.models import Notification
from tests.db import requires_postgres
from tests.e2e.test_delivery_processes import FakeSlackProcess
from tests.harness import BOT_TOKEN, SIGNING_SECRET
from tests.seed import CHAIR, CHANNELS, seed

pytestmark = requires_postgres

ROOT = Path(__file__).resolve().parents[2]
Db = async_sessionmaker[AsyncSession]
SHORT = {
    "DELIVERY_LEASE_SECONDS": "3",
    "SLACK_TIMEOUT_SECONDS": "2",
    "DELIVERY_FIRST_LOOK_SECONDS": "1",
    "DELIVERY_SECOND_LOOK_SECONDS": "3",
}


@pytest.fixture
def fake() -> Iterator[FakeSlackProcess]:
    slack = FakeSlackProcess()
    slack.admin("POST", "channels", json=[{"id": c} for c in [*CHANNELS, "C0NETWORK"]])
    yield slack
    slack.close()


class Processes:
    """`python -m bot …` processes with the test's database and fake Slack; all stopped after."""

    def __init__(self, database_url: str, fake: FakeSlackProcess, logs: Path) -> None:
        self.database_url, self.fake, self.logs = database_url, fake, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, shift: float | None = None, **env: str) -> subprocess.Popen[bytes]:
        environ = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.fake.url,
            "ADMIN_USER_IDS": "U0COORD01",
            "SCHEDULER_TICK_SECONDS": "0.2",
            **SHORT,
            **env,
        }
        command = ["-m", "bot", *args]
        if shift is not None:
            command = ["-m", "tests.shifted_clock", str(shift), *args]
        log = (self.logs / f"{len(self.started)}-{args[0]}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, *command], cwd=ROOT, env=environ, stdout=log, stderr=log
        )
        self.started.append(process)
        return process

    def log(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.logs.glob("*.log")))

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def processes(database_url: str, fake: FakeSlackProcess, tmp_path: Path) -> Iterator[Processes]:
    running = Processes(database_url, fake, tmp_path)
    yield running
    running.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until(check: Callable[[], Any], seconds: float, what: str) -> Any:
    """Poll `check` (sync or async) until it is truthy; fail after `seconds`."""
    limit = time.monotonic() + seconds
    while True:
        found = check()
        found = await found if asyncio.iscoroutine(found) else found
        if found:
            return found
        if time.monotonic() > limit:
            raise AssertionError(f"waited {seconds} s for {what}")
        await asyncio.sleep(0.1)


def posted(fake: FakeSlackProcess, channel: str) -> list[dict[str, Any]]:
    """The messages a channel holds (files aside)."""
    messages = fake.admin("GET", "messages", params={"channel": channel})["messages"]
    return [m for m in messages if not m.get("upload")]


def identities(fake: FakeSlackProcess) -> Counter[str]:
    calls = fake.admin("GET", "calls", params={"method": "chat.postMessage"})["calls"]
    return Counter(c["params"]["metadata"]["event_payload"]["identity"] for c in calls)


async def notes(db: Db, kind: str | None = None) -> list[Notification]:
    async with db() as session:
        query = select(Notification).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return list(await session.scalars(query))


async def serve(processes: Processes, **env: str) -> str:
    """A web process on a free port; its base URL once it answers."""
    port = free_port()
    processes.start("serve", **{"PORT": str(port), "HOST": "127.0.0.1", **env})  # type: ignore[arg-type]
    base = f"http://127.0.0.1:{port}"

    async def healthy() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"{base}/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    await until(healthy, 30, "the web process")
    return base


async def command(base: str, fake: FakeSlackProcess, text: str, user: str = CHAIR) -> None:
    """A signed slash command, as Slack sends it; returns once its reply has reached Slack."""
    before = len(fake.admin("GET", "calls", params={"method": "respond"})["calls"])
    body = urlencode(
        {
            "team_id": "T0TEAM",
            "channel_id": "C0GENERAL",
            "user_id": user,
            "command": "/network",
            "text": text,
            "response_url": f"{fake.base}/respond/r{before + 1}",
            "trigger_id": "trigger",
        }
    )
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{base}/slack/events", content=body, headers=headers)
    assert response.status_code == 200, response.text

    def replied() -> bool:
        return len(fake.admin("GET", "calls", params={"method": "respond"})["calls"]) > before

    await until(replied, 20, "the reply")


# Typed into a real web process, whose "now" is the machine's: a date within the year ahead.
DAY = date.today() + timedelta(days=200)
ADD = f'meeting add liikenne {DAY.day}.{DAY.month}.{DAY.year} 9.00 "Verkostotapaaminen"'


async def test_a_web_process_killed_after_committing_a_meeting_still_announces_it_once(
    processes: Processes, fake: FakeSlackProcess, session_factory: Db
) -> None:
    await seed(session_factory)
    # Its own clock posts the announcement at once, and Slack takes 3 s to answer: the web
    # process is killed with the post in flight (or not yet made).
    fake.admin("POST", "fail", json={"method": "chat.postMessage", "delay": 3})
    web = await serve(processes, RUN_SCHEDULER="true")
    await command(web, fake, ADD)
    processes.started[0].send_signal(signal.SIGKILL)
    processes.start("clock")
    await until(lambda: posted(fake, "C0LIIKENNE"), 30, "the announcement")
    await asyncio.sleep(6)  # time enough for a second post, were one to come
    [announcement] = posted(fake, "C0LIIKENNE")
    assert "Verkostotapaaminen" in announcement["text"]
    [row] = await notes(session_factory, "meeting_announcement")
    assert (row.state, row.slack_ts) == ("sent", announcement["ts"])
    assert set(identities(fake).values()) == {1}, processes.log()


async def test_a_web_process_without_a_scheduler_wakes_the_clock_process(
    processes: Processes, fake: FakeSlackProcess, session_factory: Db
) -> None:
    await seed(session_factory)
    processes.start("clock", SCHEDULER_TICK_SECONDS="60")  # only a wake-up posts it soon
    web = await serve(processes, RUN_SCHEDULER="false")
    await asyncio.sleep(2)  # the clock's first tick and its LISTEN are done
    await command(web, fake, ADD)
    started = time.monotonic()
    await until(lambda: posted(fake, "C0LIIKENNE"), 2.5, "the announcement")
    assert time.monotonic() - started < 2.5, processes.log()


async def due_now(db: Db, count: int, channels: list[str]) -> None:
    """`count` immediate posts spread over `channels`, due now by the database's clock."""
    now = datetime.now(UTC)
    rows = [
        outgoing.post(
            f"test:{n}", ("network", n), channels[n % len(channels)], Message(f"m{n}"), now
        )
        for n in range(count)
    ]
    async with db() as session, session.begin():
        await outbox.enqueue(session, rows, now)


async def test_two_clocks_a_minute_apart_post_each_once_and_keep_the_pace(
    processes: Processes, fake: FakeSlackProcess, session_factory: Db
) -> None:
    channels = list(CHANNELS)
    await due_now(session_factory, 60, channels)
    processes.start("clock")
    processes.start("clock", shift=60)  # its host's clock runs a minute ahead

    async def all_sent() -> bool:
        return all(n.state == "sent" for n in await notes(session_factory))

    await until(all_sent, 60, "every post")
    assert len(identities(fake)) == 60
    assert set(identities(fake).values()) == {1}, processes.log()
    for channel in channels:
        rate = fake.admin("GET", "max_per_second", params={"channel": channel})
        assert rate["max_per_second"] == 1, processes.log()


async def test_a_clock_paused_past_its_lease_during_a_post_does_not_post_twice(
    processes: Processes, fake: FakeSlackProcess, session_factory: Db
) -> None:
    await due_now(session_factory, 1, ["C0LIIKENNE"])
    fake.admin("POST", "fail", json={"method": "chat.postMessage", "delay": 1.5})
    first = processes.start("clock")

    def in_flight() -> bool:
        calls = fake.admin("GET", "calls", params={"method": "chat.postMessage"})["calls"]
        return bool(calls)

    await until(in_flight, 30, "the first clock's post")
    first.send_signal(signal.SIGSTOP)  # paused with its post in flight
    processes.start("clock")  # takes the claim over once the lease (3 s) has run out
    await until(lambda: posted(fake, "C0LIIKENNE"), 10, "the post to land")

    async def sent() -> bool:
        return (await notes(session_factory))[0].state == "sent"

    await until(sent, 30, "the second clock to find the post")
    first.send_signal(signal.SIGCONT)  # it wakes up to an answer for a claim it lost
    await asyncio.sleep(6)  # its check after the settle delay, and any second post
    assert len(posted(fake, "C0LIIKENNE")) == 1, processes.log()
    assert sum(identities(fake).values()) == 1
    [note] = await notes(session_factory)
    assert note.slack_ts == posted(fake, "C0LIIKENNE")[0]["ts"]
