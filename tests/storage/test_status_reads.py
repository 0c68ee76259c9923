"""What `status` reads in one statement: the counts and the zone they were counted in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage import work_packages as store
from storage.models import Network, Theme, WorkPackage

DUE = date(2026, 11, 22)


async def _theme_with_one_package_due(session: AsyncSession, zone: str | None) -> None:
    if zone is not None:
        await session.execute(insert(Network).values(name="Verkosto", timezone=zone))
    theme = insert(Theme).values(key="liik", name="Liikenne").returning(Theme.id)
    theme_id = (await session.execute(theme)).scalar_one()
    values = {"theme_id": theme_id, "number": 1, "title": "Seuranta", "due_date": DUE}
    await session.execute(insert(WorkPackage).values(**values))


@pytest.mark.parametrize(
    ("zone", "now", "today", "overdue"),
    [
        # 23.30 UTC is already the next day in Helsinki: the package is past its due day there.
        ("Europe/Helsinki", datetime(2026, 11, 22, 23, 30, tzinfo=UTC), date(2026, 11, 23), 1),
        # 05.00 UTC is still the day before in Honolulu: the due day has not passed yet.
        ("Pacific/Honolulu", datetime(2026, 11, 23, 5, 0, tzinfo=UTC), date(2026, 11, 22), 0),
        ("Europe/Helsinki", datetime(2026, 11, 22, 12, 0, tzinfo=UTC), date(2026, 11, 22), 0),
    ],
)
async def test_a_theme_is_counted_on_the_networks_day(
    session: AsyncSession, zone: str, now: datetime, today: date, overdue: int
) -> None:
    await _theme_with_one_package_due(session, zone)
    counted = await store.counted(session, "liik", now, "UTC")
    assert counted is not None
    assert (counted.zone, counted.today) == (ZoneInfo(zone), today)
    assert counted.counts == [("planned", 1, overdue)]


async def test_before_the_network_is_made_the_default_zone_counts(session: AsyncSession) -> None:
    await _theme_with_one_package_due(session, None)
    now = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    counted = await store.counted(session, "liik", now, "Europe/Helsinki")
    assert counted is not None
    assert counted.today == date(2026, 11, 23)
    shown = await store.shown(session, "liik", 1, "Europe/Helsinki")
    assert shown is not None
    assert shown.zone == ZoneInfo("Europe/Helsinki")


async def test_an_unknown_theme_is_none(session: AsyncSession) -> None:
    assert await store.counted(session, "nope", datetime.now(UTC), "UTC") is None


async def test_a_theme_keyed_like_the_reference_wins_over_the_package(
    session: AsyncSession,
) -> None:
    await _theme_with_one_package_due(session, "Europe/Helsinki")
    assert await store.shown(session, "liik", 1, "UTC") is not None
    await session.execute(insert(Theme).values(key="liik-1", name="Toinen"))
    assert await store.shown(session, "liik", 1, "UTC", unless_theme="liik-1") is None
