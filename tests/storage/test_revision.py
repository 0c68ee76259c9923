"""The themes' revision: a database trigger counts each change that can rename a basket."""

from __future__ import annotations

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import Revision, Theme
from storage.themes import KnownThemes, known_themes


async def known(factory: async_sessionmaker[AsyncSession]) -> KnownThemes:
    async with factory() as session:
        return await known_themes(session)


async def test_each_change_to_the_themes_is_counted_and_no_other(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    assert await known(session_factory) == KnownThemes(0, [])  # no theme, no count yet
    changes = [
        insert(Theme).values(key="liik", name="Liikenne"),
        insert(Theme).values(key="asu", name="Asuminen"),
        update(Theme).where(Theme.key == "liik").values(name="Liikenne ja saavutettavuus"),
        update(Theme).where(Theme.key == "asu").values(key="asuminen"),
        update(Theme).where(Theme.key == "asuminen").values(archived=True),
    ]
    revisions = []
    for change in changes:
        async with engine.begin() as connection:
            await connection.execute(change)
        revisions.append((await known(session_factory)).revision)
    assert revisions == sorted(set(revisions))  # each change counted
    themes = await known(session_factory)
    assert themes.choices == [("liik", "Liikenne ja saavutettavuus", themes.choices[0][2])]
    async with engine.begin() as connection:  # what names no basket: the package numbers
        await connection.execute(update(Theme).values(next_wp_number=Theme.next_wp_number + 1))
    assert (await known(session_factory)).revision == revisions[-1]
    async with engine.begin() as connection:
        await connection.execute(delete(Theme).where(Theme.key == "asuminen"))
    assert (await known(session_factory)).revision > revisions[-1]


async def test_a_lost_count_starts_again(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(Theme).values(key="liik", name="Liikenne"))
        await connection.execute(delete(Revision))
    assert (await known(session_factory)).revision == 0
    async with engine.begin() as connection:
        await connection.execute(update(Theme).values(name="Liikenne 2"))
    assert (await known(session_factory)).revision == 1
