"""A database outage is told in one line when it starts and one when it ends, without a
traceback on each of the clock's runs."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from app.clock import Clock, start_clock, stop_clock
from app.services import Services
from app.settings import Settings
from bot.commands import Registry
from bot.outage import Outage
from handlers import fill_registry
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade


def test_an_outage_is_told_when_it_starts_and_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    outage = Outage(logging.getLogger("network_bot.test"), "the database")
    outage.recovered()
    for _ in range(5):
        outage.failed(OSError("[Errno 111] Connect call failed\nmore detail"))
    outage.recovered()
    outage.recovered()
    outage.failed(RuntimeError())
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        (
            "ERROR",
            "the database is unreachable; retrying quietly until it answers:"
            " OSError: [Errno 111] Connect call failed",
        ),
        ("INFO", "the database answers again, after 5 failed runs"),
        ("ERROR", "the database is unreachable; retrying quietly until it answers: RuntimeError"),
    ]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(1_000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the clock never got there")


async def _clock_on(settings: Settings, url: str) -> tuple[Services, Clock]:
    fast = settings.model_copy(update={"database_url": url, "scheduler_tick_seconds": 0.02})
    services = Services(fast, create_session_factory(create_engine(url)), Registry())
    fill_registry(services.registry)
    return services, await start_clock(services)


def _told(records: list[logging.LogRecord]) -> list[tuple[str, str]]:
    """What was told of the outage (and any warning), without the error's own words."""
    assert not [record for record in records if record.exc_info or record.stack_info]
    return [
        (record.levelname, re.sub(r"[0-9]+", "N", record.getMessage().split(":")[0]))
        for record in records
        if record.levelno >= logging.WARNING or "answers again" in record.getMessage()
    ]


async def test_the_clock_tells_an_outage_once_and_its_end_once(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    folder, ready = tmp_path / "not-yet", tmp_path / "ready"
    url = f"sqlite+aiosqlite:///{folder}/bot.db"  # its folder missing: it cannot be opened
    services, clock = await _clock_on(settings, url)
    try:
        await _until(lambda: clock.outage.failures >= 10)
        ready.mkdir()
        await upgrade(f"sqlite+aiosqlite:///{ready}/bot.db")
        ready.rename(folder)  # the database is there at once, whole
        await _until(lambda: not clock.outage.down)
        records = list(caplog.records)  # stopping may cancel a tick: not this test's matter
    finally:
        await stop_clock(clock)
        await services.dispose()
    assert _told(records) == [
        ("ERROR", "the database is unreachable; retrying quietly until it answers"),
        ("INFO", "the database answers again, after N failed runs"),
    ]


async def test_a_database_server_that_does_not_answer_is_told_once(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    url = f"postgresql+asyncpg://bot@127.0.0.1:{_closed_port()}/network"
    services, clock = await _clock_on(settings, url)
    try:
        await _until(lambda: clock.outage.failures >= 10)
        records = list(caplog.records)
    finally:
        clock.scheduler.shutdown(wait=False)
        session = clock.engine.client.session
        if session is not None:
            await session.close()
        await services.dispose()
    assert _told(records) == [
        ("ERROR", "the database is unreachable; retrying quietly until it answers")
    ]
