"""The settings `LANGUAGE`, `TIMEZONE` and `ANNOUNCEMENT_CHANNEL` are defaults: once a plan's
`network:` is imported, what it says is what the bot uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.services import Clock
from app.settings import Settings
from bot.plan import load_plan
from storage.models import Meeting
from storage.plan import import_plan
from tests.conftest import COORDINATOR, fixed
from tests.harness import Bot

PLAN = """
network: {name: Testi, language: sv, timezone: America/New_York, announcement_channel: C0PLAN}
"""
JAPANESE = "U0MEMBER4"  # a Slack language the bot does not speak: the network's is used


@pytest.fixture
def bot_clock() -> Clock:
    """Early 2055, so that the meeting typed below lies within the ten years a date may be."""
    return fixed(datetime(2055, 1, 10, 12, 0, tzinfo=UTC))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The deployment says English, Helsinki and another channel."""
    return settings.model_copy(update={"language": "en", "announcement_channel": "C0SETTING"})


async def _import(bot: Bot, text: str) -> None:
    async with bot.services.db.begin() as session:
        await import_plan(session, load_plan(text))


async def test_the_imported_network_language_wins_over_the_setting(bot: Bot) -> None:
    before = await bot.command("help", user=JAPANESE)
    assert "helps the network" in before["text"]  # no network yet: the setting
    await _import(bot, PLAN)
    after = await bot.command("help", user=JAPANESE)
    assert "hjälper nätverket" in after["text"]
    finnish = await bot.command("help", user="U0MEMBER1")  # Slack in Finnish: the person's
    assert "auttaa verkostoa" in finnish["text"]


async def test_the_imported_zone_and_announcement_channel_win(bot: Bot) -> None:
    await _import(bot, PLAN)
    await bot.command("meeting add all 20.5.2055 9.00 Tilannekatsaus", user=COORDINATOR)
    posts = await bot.wait_for("chat.postMessage", 1)
    assert posts[0].params["channel"] == "C0PLAN"
    assert "Tilannekatsaus" in str(posts[0].params["text"])
    async with bot.services.db() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None
    assert meeting.starts_at.replace(tzinfo=UTC) == datetime(2055, 5, 20, 13, 0, tzinfo=UTC)
