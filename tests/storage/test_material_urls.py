"""A basket holds an address once: the unique index, the add that meets it, the migration."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.materials.material import Draft
from storage import materials as store
from storage import migrate
from storage.db import create_engine
from storage.models import Material, Meeting, MeetingMaterial, Theme

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
URL = "https://example.org/seurantaraportti.pdf"


def _draft(title: str = "Seurantaraportti") -> Draft:
    return Draft("liikenne", URL, title)


async def _theme(session: AsyncSession, key: str) -> int:
    statement = insert(Theme).values(key=key, name=key.capitalize()).returning(Theme.id)
    return int((await session.execute(statement)).scalar_one())


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Material)) or 0)


async def test_a_basket_holds_an_address_once(session: AsyncSession) -> None:
    liikenne, asuminen = await _theme(session, "liikenne"), await _theme(session, "asuminen")
    assert await store.add(session, liikenne, _draft(), "U1", NOW)
    # The same address again, as if someone else had added it a moment earlier: refused,
    # nothing written, and the session goes on.
    assert not await store.add(session, liikenne, _draft("Toinen otsikko"), "U2", NOW)
    assert await _count(session) == 1
    # Another basket may hold it, and so may the network's, but that one only once too.
    assert await store.add(session, asuminen, _draft(), "U1", NOW)
    assert await store.add(session, None, _draft(), "U1", NOW)
    assert not await store.add(session, None, _draft(), "U2", NOW)
    await session.commit()
    assert await _count(session) == 3
    found = await store.in_basket(session, liikenne, URL)
    assert found is not None
    assert found.title == "Seurantaraportti"


async def test_a_rolled_back_add_leaves_nothing(session: AsyncSession) -> None:
    """As in the add use case: a look-up, then the add as the transaction's first write."""
    liikenne = await _theme(session, "liikenne")
    await session.commit()
    assert await store.in_basket(session, liikenne, URL) is None
    assert await store.add(session, liikenne, _draft(), "U1", NOW)
    assert await _count(session) == 1  # written, until the rollback
    await session.rollback()
    assert await _count(session) == 0


async def test_the_migration_merges_duplicates_into_the_first(raw_database_url: str) -> None:
    await migrate.upgrade(raw_database_url, "0005")
    engine = create_engine(raw_database_url)
    try:
        async with engine.begin() as connection:
            theme = insert(Theme).values(key="liikenne", name="Liikenne").returning(Theme.id)
            theme_id = (await connection.execute(theme)).scalar_one()
            rows = [
                {"theme_id": basket, "title": title, "url": URL, "added_by": "U1", "added_at": NOW}
                for basket, title in [
                    (theme_id, "Eka"), (theme_id, "Toka"), (None, "Verkosto"), (None, "Taas"),
                ]
            ]  # fmt: skip
            ids = (
                await connection.execute(
                    insert(Material).returning(Material.id, sort_by_parameter_order=True), rows
                )
            ).all()
            first, second, network, again = (row[0] for row in ids)
            meetings = [{"key": f"m{n}", "title": "Kokous", "starts_at": NOW} for n in (1, 2)]
            one, two = (
                row[0]
                for row in await connection.execute(
                    insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True), meetings
                )
            )
            links = [(one, first), (one, second), (two, second), (two, again)]
            await connection.execute(
                insert(MeetingMaterial),
                [{"meeting_id": meeting, "material_id": material} for meeting, material in links],
            )
        await migrate.upgrade(raw_database_url)
        async with engine.connect() as connection:
            kept = (await connection.execute(select(Material.id, Material.title))).all()
            linked = (await connection.execute(select(MeetingMaterial.__table__))).all()
    finally:
        await engine.dispose()
    assert sorted(kept) == [(first, "Eka"), (network, "Verkosto")]
    assert sorted(linked) == sorted([(one, first), (two, first), (two, network)])
