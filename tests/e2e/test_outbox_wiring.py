"""Creating, editing and deleting an item reconciles its notifications in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.services import Clock
from storage.models import Notification
from tests.conftest import COORDINATOR, fixed
from tests.harness import Bot
from tests.seed import CHANNELS, seed

NOW = datetime(2055, 1, 10, 8, 0, tzinfo=UTC)  # commands are typed then: 2055 is near


@pytest.fixture
def bot_clock() -> Clock:
    return fixed(NOW)


async def _notes(bot: Bot) -> list[tuple[str, str, datetime]]:
    async with bot.services.db() as session:
        rows = await session.execute(
            select(Notification.identity, Notification.state, Notification.due_at).order_by(
                Notification.due_at, Notification.identity
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_deadline_gets_its_reminders_edit_moves_them_and_delete_drops_them(
    bot: Bot,
) -> None:
    await seed(bot.services.db)
    for channel_id, name in CHANNELS.items():
        bot.slack.add_channel(channel_id, name)
    await bot.command("deadline add liikenne 28.4.2055 Raportti", user=COORDINATOR)
    notes = await _notes(bot)
    assert [(identity.split(":")[2], state) for identity, state, _ in notes] == [
        ("7d", "pending"),
        ("1d", "pending"),
        ("0d", "pending"),
    ]
    assert notes[0][2] == datetime(2055, 4, 21, 6, 0, tzinfo=UTC)  # 9.00 in Helsinki (UTC+3)
    await bot.command("deadline edit raportti 30.4.2055", user=COORDINATOR)
    pending = [due for _, state, due in await _notes(bot) if state == "pending"]
    assert pending == [
        datetime(2055, 4, 23, 6, 0, tzinfo=UTC),  # 7 days before the new date
        datetime(2055, 4, 29, 6, 0, tzinfo=UTC),
        datetime(2055, 4, 30, 6, 0, tzinfo=UTC),
    ]
    await bot.command("deadline delete raportti", user=COORDINATOR)
    assert {state for _, state, _ in await _notes(bot)} == {"cancelled"}
