"""The themes' revision: database triggers count each change that can rename a basket."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, insert, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import Revision, Theme
from storage.themes import KnownThemes, known_themes
from tests.db import is_postgres, requires_postgres

TRIGGERS = {  # what migration 0008 made, which a migration rebuilding `theme` must make again
    "postgresql": "SELECT tgname FROM pg_trigger"
    " WHERE tgrelid = 'theme'::regclass AND NOT tgisinternal",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'theme'",
}


async def known(factory: async_sessionmaker[AsyncSession]) -> KnownThemes:
    async with factory() as session:
        return await known_themes(session)


async def change(engine: AsyncEngine, *statements: object) -> None:
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(statement)  # type: ignore[call-overload]


async def test_the_triggers_are_there(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        found = set(await connection.scalars(text(TRIGGERS[engine.dialect.name])))
    expected = {"theme_changed", "theme_truncated"}
    assert found == (
        expected if is_postgres() else {"theme_added", "theme_changed", "theme_deleted"}
    )


async def test_each_change_to_the_themes_is_counted_and_no_other(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    assert (await known(session_factory)).choices == []
    changes = [
        insert(Theme).values(key="liik", name="Liikenne"),
        insert(Theme).values(key="asu", name="Asuminen"),
        update(Theme).where(Theme.key == "liik").values(name="Liikenne ja saavutettavuus"),
        update(Theme).where(Theme.key == "asu").values(key="asuminen"),
        update(Theme).where(Theme.key == "asuminen").values(archived=True),
        update(Theme).where(Theme.key == "asuminen").values(id=Theme.id + 100),
    ]
    revisions = [(await known(session_factory)).revision]
    for statement in changes:
        await change(engine, statement)
        revisions.append((await known(session_factory)).revision)
    assert revisions == sorted(set(revisions))  # each change counted
    themes = await known(session_factory)
    assert themes.choices == [("liik", "Liikenne ja saavutettavuus", themes.choices[0][2])]
    # What names no basket (the next package number) is not counted.
    await change(engine, update(Theme).values(next_wp_number=Theme.next_wp_number + 1))
    assert (await known(session_factory)).revision == revisions[-1]
    await change(engine, delete(Theme).where(Theme.key == "asuminen"))
    assert (await known(session_factory)).revision > revisions[-1]


async def test_a_lost_count_starts_again_from_no_number_a_process_holds(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await change(engine, insert(Theme).values(key="liik", name="Liikenne"))
    held = (await known(session_factory)).revision
    await change(engine, delete(Revision))
    assert (await known(session_factory)).revision == 0
    await change(engine, update(Theme).values(name="Liikenne 2"))
    assert (await known(session_factory)).revision > held  # the clock's microseconds


@requires_postgres
async def test_truncating_the_themes_is_counted(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await change(engine, insert(Theme).values(key="liik", name="Liikenne"))
    held = (await known(session_factory)).revision
    await change(engine, text("TRUNCATE theme CASCADE"))
    assert (await known(session_factory)) == KnownThemes(held + 1, [])


@requires_postgres
async def test_a_transaction_holds_the_count_only_while_it_commits(engine: AsyncEngine) -> None:
    await change(engine, insert(Theme).values(key="asu", name="Asuminen"))
    async with engine.begin() as slow:  # an import, say, that has added a theme and goes on
        await slow.execute(insert(Theme).values(key="liik", name="Liikenne"))
        async with asyncio.timeout(5):  # a command archiving another theme is not kept waiting
            await change(engine, update(Theme).where(Theme.key == "asu").values(archived=True))
