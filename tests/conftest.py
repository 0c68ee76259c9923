"""Shared fixtures: a fresh database (tests/db.py), a fake Slack, and the bot wired to both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services import Clock, Services, now_utc
from app.settings import Settings, load_settings
from bot.commands import Registry
from handlers import fill_registry
from storage.db import create_session_factory
from tests.fake_slack import FakeSlack
from tests.harness import BOT_TOKEN, SIGNING_SECRET, Bot, start_bot

pytest_plugins = ["tests.db"]

COORDINATOR = "U0COORD01"
USERS = {
    "U0COORD01": ("Koordinaattori Kaisa", "fi-FI"),
    "U0MEMBER1": ("Maija Meikäläinen", "fi-FI"),
    "U0MEMBER2": ("Sven Svensson", "sv-SE"),
    "U0MEMBER3": ("Emma English", "en-US"),
    "U0MEMBER4": ("Pekka Plain", "ja-JP"),
}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API on a free local port, with the test users; at the end, no call
    it recorded held a live `<!channel>`, `<!here>`, `<!everyone>` or `<!subteam^…>` (nor a
    marker the test watched for)."""
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        for user_id, (name, locale) in USERS.items():
            fake.add_user(user_id, name=name, locale=locale)
        yield fake
    assert fake.pings == [], f"live pings reached Slack: {fake.pings}"


@pytest.fixture
def settings(database_url: str, slack: FakeSlack) -> Settings:
    """Settings pointing at the fresh database and the fake Slack."""
    return load_settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        database_url=database_url,
        admin_user_ids=COORDINATOR,
        run_scheduler=False,
    )


@pytest.fixture
def bot_clock() -> Clock:
    """When the bot takes a request to be made: now, unless a module fixes the moment (dates
    typed far ahead stay within the ten years a typed date may be)."""
    return now_utc


def fixed(moment: datetime) -> Clock:
    """A clock that always says `moment`."""
    return lambda: moment


@pytest.fixture
def services(settings: Settings, engine: AsyncEngine, bot_clock: Clock) -> Services:
    """The long-lived parts of the bot, on the test database."""
    services = Services(settings, create_session_factory(engine), Registry(), clock=bot_clock)
    fill_registry(services.registry)
    return services


@pytest.fixture
async def bot(services: Services, slack: FakeSlack) -> AsyncIterator[Bot]:
    """The bot's web app, started as uvicorn starts it (its shared connections to Slack open)
    and driven by signed HTTP requests."""
    harness = await start_bot(services, slack)
    async with harness.web.router.lifespan_context(harness.web):
        yield harness
        await harness.settle()
    await harness.http.aclose()
