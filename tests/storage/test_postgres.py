"""Reading sessions on PostgreSQL: SQLAlchemy's session made only when needed, connections
treated as SQLAlchemy treats its own, the materials' trigram index (`storage.postgres`; what
every database does is in test_direct.py)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from asyncpg import InterfaceError  # type: ignore[import-untyped]
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.materials import like_pattern
from storage.db import create_engine, create_reading_session_factory
from storage.direct import built_once
from storage.materials import _search
from storage.models import Material, Theme
from storage.postgres import DirectSession
from storage.reading import ReadOnlySession
from tests.db import requires_postgres
from tests.storage.reads import AT, LOG_ONCE, Reading, read, reading

__all__ = ["reading"]  # a fixture

pytestmark = requires_postgres


async def test_sqlalchemys_session_is_made_only_for_a_statement_that_needs_it(
    reading: Reading, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[ReadOnlySession] = []

    class Counted(ReadOnlySession):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            made.append(self)

    monkeypatch.setattr(DirectSession, "sync_session_class", Counted)
    assert await read(reading, LOG_ONCE, since=AT) == [("liik", date(2026, 12, 1), AT, "new")]
    assert made == []  # made, closed and torn down without SQLAlchemy's session
    async with reading() as session:
        await session.execute(LOG_ONCE, {"since": AT})
        assert made == []
        theme = await session.scalar(select(Theme))  # the ORM: now it is needed
        assert len(made) == 1 and session.sync_session is made[0]
        assert theme is not None and theme in session  # the session's proxied methods work
        await session.execute(LOG_ONCE, {"since": AT})
    assert len(made) == 1


async def test_a_lost_connection_is_replaced(engine: AsyncEngine, reading: Reading) -> None:
    pid = built_once(select(func.pg_backend_pid()))
    [(first,)] = await read(reading, pid)
    async with engine.connect() as connection:  # the same one: the pool hands out the last used
        (await connection.get_raw_connection()).driver_connection.terminate()  # as if cut off
    with pytest.raises(InterfaceError, match="connection is closed"):
        await read(reading, pid)
    [(second,)] = await read(reading, pid)  # on a new connection
    assert second != first


async def test_a_word_found_nowhere_is_looked_up_in_the_trigram_index(engine: AsyncEngine) -> None:
    words = ["seuranta", "raportti", "liikenne", "asuminen", "kaavoitus"]
    rows = [
        {"title": "T", "url": f"https://example.org/{n}", "added_by": "U1",
         "added_at": AT, "search_text": f"{words[n % 5]} {words[n * 3 % 5]} {n}"}
        for n in range(20_000)  # as many as bench/materials.py: fewer are cheaper to read whole
    ]  # fmt: skip
    search = _search(1, "all").compile(dialect=engine.dialect)
    given = {**search.params, "word0": like_pattern("zzzz"), "limit": 16, "offset": 0}
    async with engine.begin() as connection:
        await connection.execute(insert(Material), rows)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE material")
        arguments = tuple(given[name] for name in search.positiontup or ())
        plan = await connection.exec_driver_sql("EXPLAIN " + search.string, arguments)
        assert "Bitmap Index Scan on ix_material_search_text" in "\n".join(line for (line,) in plan)


async def test_a_basket_search_never_comes_to_read_all_that_hold_the_word(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        themes = [
            await connection.scalar(
                insert(Theme).values(key=f"t{n}", name=f"T{n}").returning(Theme.id)
            )
            for n in range(12)
        ]
        rows = [
            {"theme_id": None if n % 13 == 0 else themes[n % 12], "title": "T",
             "url": f"https://example.org/{n}", "added_by": "U1", "added_at": AT,
             "search_text": f"{('suunnitelma raportti' if n % 8 == 0 else 'seuranta')} {n}"}
            for n in range(20_000)
        ]  # fmt: skip
        await connection.execute(insert(Material), rows)
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as connection:  # as autovacuum would after a bulk load
        await connection.exec_driver_sql("VACUUM ANALYZE material")
    for basket, theme_id in (("network", None), ("theme", themes[1])):
        search = _search(1, basket).compile(dialect=engine.dialect)
        given = {**search.params, "word0": like_pattern("suunnitelma"), "limit": 16, "offset": 0}
        given["theme_id"] = theme_id
        values = ", ".join(_literal(given[name]) for name in search.positiontup or ())
        async with engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            await raw.execute(f"PREPARE search AS {search.string}")
            for _ in range(8):  # past the five runs after which PostgreSQL may plan it for all
                await raw.execute(f"EXECUTE search({values})")
            plan = "\n".join(
                line for (line,) in await raw.fetch(f"EXPLAIN EXECUTE search({values})")
            )
            await raw.execute("DEALLOCATE search")
        # Materials newest first until the page is full (or the basket's whole index, when
        # PostgreSQL plans it for every word): not every material that holds the word.
        assert "Bitmap" not in plan, plan


def _literal(value: object) -> str:
    """A test's own value written into SQL."""
    if value is None:
        return "NULL"
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


async def test_an_interrupted_statement_does_not_go_back_to_the_pool(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1)
    reading = create_reading_session_factory(engine)
    pid, sleep = built_once(select(func.pg_backend_pid())), built_once(select(func.pg_sleep(5)))
    try:
        [(first,)] = await read(reading, pid)  # type: ignore[arg-type]
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await read(reading, sleep)  # type: ignore[arg-type]
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        [(second,)] = await read(reading, pid)  # type: ignore[arg-type]
        assert second != first  # the interrupted connection was closed, not reused
    finally:
        await engine.dispose()
