"""`status` counts on the network's day, in its time zone (the use case called with its `now`),
and an exact theme key wins over a work package reference."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services import Services
from bot.i18n import language
from storage.models import Network, Theme, WorkPackage
from usecases.caller import Caller
from usecases.work_packages.status import status

DUE = date(2026, 11, 22)
USER = "U0MEMBER3"


async def _theme_with_one_package_due(engine: AsyncEngine, zone: str | None) -> None:
    async with engine.begin() as connection:
        if zone is not None:
            await connection.execute(insert(Network).values(name="Verkosto", timezone=zone))
        theme = insert(Theme).values(key="liik", name="Liikenne").returning(Theme.id)
        theme_id = (await connection.execute(theme)).scalar_one()
        values = {"theme_id": theme_id, "number": 1, "title": "Seuranta", "due_date": DUE}
        await connection.execute(insert(WorkPackage).values(**values))


async def _status(services: Services, now: datetime, *words: str) -> str:
    with language("en"):
        caller = Caller(USER, now, services.settings.deployment)
        outcome = await status(services.db, caller, " ".join(words))
    return outcome.reply.text


@pytest.mark.parametrize(
    ("zone", "now", "overdue"),
    [
        # 23.30 UTC is already the next day in Helsinki: the package is past its due day there.
        ("Europe/Helsinki", datetime(2026, 11, 22, 23, 30, tzinfo=UTC), True),
        # 05.00 UTC is still the day before in Honolulu: the due day has not passed yet.
        ("Pacific/Honolulu", datetime(2026, 11, 23, 5, 0, tzinfo=UTC), False),
        ("Europe/Helsinki", datetime(2026, 11, 22, 12, 0, tzinfo=UTC), False),
    ],
)
async def test_a_theme_is_counted_on_the_networks_day(
    services: Services, engine: AsyncEngine, zone: str, now: datetime, overdue: bool
) -> None:
    await _theme_with_one_package_due(engine, zone)
    assert ("1 overdue" in await _status(services, now, "liik")) is overdue
    assert ("1 overdue" in await _status(services, now)) is overdue  # the overview


async def test_before_the_network_is_made_its_default_zone_counts_and_nothing_is_written(
    services: Services, engine: AsyncEngine
) -> None:
    await _theme_with_one_package_due(engine, None)
    now = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # the 23rd in Helsinki, the default
    assert services.settings.timezone == "Europe/Helsinki"
    assert "1 overdue" in await _status(services, now, "liik")
    assert "overdue" in await _status(services, now, "liik-1")
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(Network)) == 0


async def test_a_theme_keyed_like_the_reference_wins_over_the_package(
    services: Services, engine: AsyncEngine
) -> None:
    await _theme_with_one_package_due(engine, "Europe/Helsinki")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    assert "*Seuranta*" in await _status(services, now, "liik-1")  # the package
    async with engine.begin() as connection:
        await connection.execute(insert(Theme).values(key="liik-1", name="Toinen"))
    assert "*Toinen*" in await _status(services, now, "liik-1")  # the theme
