"""Two `python -m bot clock` processes on one PostgreSQL database post each scheduled
announcement exactly once (counted per identity among the fake Slack's recorded posts)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.announcements import Draft
from bot.deployment import Deployment
from storage.models import Network, Notification, Theme
from tests.db import requires_postgres
from tests.e2e.test_delivery_processes import FakeSlackProcess, clock_process, sent
from usecases import announcements
from usecases.caller import Caller

pytestmark = requires_postgres

COORDINATOR = "U0COORD01"
CHANNELS = [f"C0ANN{n}" for n in range(4)]
PER_CHANNEL = 5
HELSINKI = ZoneInfo("Europe/Helsinki")
METADATA = "network_bot_notification"


@pytest.fixture
def fake() -> Iterator[FakeSlackProcess]:
    slack = FakeSlackProcess()
    slack.admin("POST", "channels", json=[{"id": c} for c in [*CHANNELS, "C0NETWORK"]])
    yield slack
    slack.close()


async def schedule_all(db: async_sessionmaker[AsyncSession]) -> datetime:
    """Five announcements per theme channel and one to the network, typed by a coordinator for
    the next whole minute at least five seconds away; that minute."""
    now = datetime.now(UTC)
    due = (now + timedelta(seconds=65)).replace(second=0, microsecond=0)
    async with db() as session, session.begin():
        session.add(Network(name="Verkosto", announcement_channel="C0NETWORK"))
        for n, channel in enumerate(CHANNELS):
            session.add(Theme(key=f"t{n}", name=f"Teema {n}", channel_id=channel))
    caller = Caller(COORDINATOR, now, Deployment(admins=frozenset({COORDINATOR})))
    local = due.astimezone(HELSINKI)
    for audience in [*(f"t{n}" for n in range(len(CHANNELS)) for _ in range(PER_CHANNEL)), "all"]:
        draft = Draft(audience, local.date(), local.time(), f"Tiedote {audience} <!channel>")
        await announcements.post(db, caller, draft)
    return due


async def test_two_clocks_post_each_scheduled_announcement_once(
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    fake: FakeSlackProcess,
    tmp_path: Path,
) -> None:
    due = await schedule_all(session_factory)
    total = len(CHANNELS) * PER_CHANNEL + 1
    clocks = [clock_process(database_url, fake.url, tmp_path / f"clock{n}.log") for n in range(2)]
    try:
        deadline = time.monotonic() + (due - datetime.now(UTC)).total_seconds() + 60
        while await sent(session_factory) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)  # a second post of any of them would come now
    finally:
        for process in clocks:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process in clocks]
    logs = "\n".join((tmp_path / f"clock{n}.log").read_text()[-2000:] for n in range(2))
    assert await sent(session_factory) == total, logs
    assert codes == [0, 0], logs
    calls = fake.admin("GET", "calls", params={"method": "chat.postMessage"})["calls"]
    posted = Counter(c["params"]["metadata"]["event_payload"]["identity"] for c in calls)
    assert len(posted) == total
    assert set(posted.values()) == {1}
    async with session_factory() as session:  # none before its time
        first = await session.scalar(select(func.min(Notification.sent_at)))
    assert first is not None and first >= due
    assert not any("<!channel>" in str(c["params"]) for c in calls)
