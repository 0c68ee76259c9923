"""What `status` reads in one statement a page: the counts, the zone they were counted in, and
the packages or log entries of the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage import work_packages as store
from storage.models import Network, Theme, WorkPackage, WorkPackageUpdate

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
    assert (counted.status.counts, counted.status.overdue) == ((("planned", 1),), overdue)


async def test_before_the_network_is_made_the_default_zone_counts(session: AsyncSession) -> None:
    await _theme_with_one_package_due(session, None)
    now = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    counted = await store.counted(session, "liik", now, "Europe/Helsinki")
    assert counted is not None
    assert counted.today == date(2026, 11, 23)
    shown = await store.shown(session, "liik", 1, "Europe/Helsinki", entries=1)
    assert shown is not None
    assert shown.zone == ZoneInfo("Europe/Helsinki")


async def test_an_unknown_theme_is_none(session: AsyncSession) -> None:
    assert await store.counted(session, "nope", datetime.now(UTC), "UTC") is None


async def test_a_theme_keyed_like_the_reference_wins_over_the_package(
    session: AsyncSession,
) -> None:
    await _theme_with_one_package_due(session, "Europe/Helsinki")
    assert await store.shown(session, "liik", 1, "UTC", entries=1) is not None
    await session.execute(insert(Theme).values(key="liik-1", name="Toinen"))
    assert await store.shown(session, "liik", 1, "UTC", unless_theme="liik-1", entries=1) is None


async def _packages(session: AsyncSession, count: int) -> list[int]:
    """Theme `liik` with `count` packages; their ids in reference order."""
    theme = insert(Theme).values(key="liik", name="Liikenne").returning(Theme.id)
    theme_id = (await session.execute(theme)).scalar_one()
    made = insert(WorkPackage).returning(WorkPackage.id, sort_by_parameter_order=True)
    rows = [
        {"theme_id": theme_id, "number": n, "title": f"Paketti {n}"} for n in range(1, count + 1)
    ]
    return list((await session.scalars(made, rows)).all()) if rows else []


async def test_a_theme_comes_with_the_packages_of_the_page_asked_for(session: AsyncSession) -> None:
    await _packages(session, 7)
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    second = await store.counted(session, "liik", now, "UTC", page=2, per_page=3)
    assert second is not None
    assert second.page == 2
    assert [view.ref for view in second.shown] == ["liik-4", "liik-5", "liik-6"]
    assert second.status.counts == (("planned", 7),)
    last = await store.counted(session, "liik", now, "UTC", page=3, per_page=3)
    assert last is not None
    assert [view.ref for view in last.shown] == ["liik-7"]
    # Past the end, and far past it (a forged button): the counts, and no packages.
    for page in (4, 10**9):
        beyond = await store.counted(session, "liik", now, "UTC", page=page, per_page=3)
        assert beyond is not None
        assert (beyond.shown, beyond.status.counts) == ([], (("planned", 7),))


async def test_a_theme_without_packages_comes_once_without_any(session: AsyncSession) -> None:
    await _packages(session, 0)
    counted = await store.counted(session, "liik", datetime.now(UTC), "UTC", per_page=20)
    assert counted is not None
    assert (counted.status.name, counted.status.counts, counted.shown) == ("Liikenne", (), [])


async def test_a_package_comes_with_its_newest_entries_and_their_number(
    session: AsyncSession,
) -> None:
    await _packages(session, 2)
    ids = (
        await session.scalars(
            WorkPackage.__table__.select()
            .with_only_columns(WorkPackage.id)
            .order_by(WorkPackage.number)
        )
    ).all()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [
        {"work_package_id": ids[0], "user_id": "U1", "at": start + timedelta(hours=n),
         "new_status": "planned", "progress": n, "note": f"note {n}"}
        for n in range(5)
    ]  # fmt: skip
    await session.execute(insert(WorkPackageUpdate), entries)
    shown = await store.shown(session, "liik", 1, "UTC", entries=3)
    assert shown is not None
    assert shown.view.title == "Paketti 1"
    assert [entry.note for entry in shown.log.entries] == ["note 4", "note 3", "note 2"]
    assert shown.log.total == 5
    quiet = await store.shown(session, "liik", 2, "UTC", entries=3)
    assert quiet is not None
    assert (quiet.view.title, quiet.log.entries, quiet.log.total) == ("Paketti 2", [], 0)


async def test_only_open_packages_past_their_due_day_are_overdue(session: AsyncSession) -> None:
    ids = await _packages(session, 6)
    past, later = date(2026, 11, 1), date(2026, 12, 1)
    states = [("planned", past), ("blocked", past), ("in_progress", later), ("done", past)]
    states += [("cancelled", past), ("in_progress", None)]
    for package_id, (status, due) in zip(ids, states, strict=True):
        change = {"status": status, "due_date": due}
        await session.execute(
            WorkPackage.__table__.update().where(WorkPackage.id == package_id).values(**change)
        )
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    counted = await store.counted(session, "liik", now, "UTC", per_page=20)
    assert counted is not None
    assert counted.status.counts == (
        ("planned", 1), ("in_progress", 2), ("done", 1), ("blocked", 1), ("cancelled", 1)
    )  # fmt: skip
    assert counted.status.overdue == 2
