"""The materials search on PostgreSQL uses its indexes: a rare word goes through the trigram
index, and a basket's search walks the basket newest first instead of reading every material
that holds a common word."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.materials import search_query
from storage.models import Material, Theme
from tests.db import requires_postgres

pytestmark = requires_postgres

AT = datetime(2026, 11, 22, 21, 30, tzinfo=UTC)


def _sql(engine: AsyncEngine, query: Select[Any]) -> tuple[str, list[Any]]:
    """The query as the driver gets it, and its values in order."""
    compiled = query.compile(dialect=engine.dialect)
    return compiled.string, [compiled.params[name] for name in compiled.positiontup or ()]


async def test_a_word_found_nowhere_is_looked_up_in_the_trigram_index(engine: AsyncEngine) -> None:
    words = ["seuranta", "raportti", "liikenne", "asuminen", "kaavoitus"]
    rows = [
        {"title": "T", "url": f"https://example.org/{n}", "added_by": "U1",
         "added_at": AT, "search_text": f"{words[n % 5]} {words[n * 3 % 5]} {n}"}
        for n in range(20_000)  # as many as bench/load.py holds: fewer are cheaper to read whole
    ]  # fmt: skip
    sql, values = _sql(engine, search_query(["zzzz"], None, True, 1))
    async with engine.begin() as connection:
        await connection.execute(insert(Material), rows)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE material")
        plan = await connection.exec_driver_sql("EXPLAIN " + sql, tuple(values))
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
    for theme_id in (None, themes[1]):  # the network's basket, a theme's
        sql, values = _sql(engine, search_query(["suunnitelma"], theme_id, False, 1))
        written = ", ".join(_literal(value) for value in values)
        async with engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.execute(f"PREPARE search AS {sql}")
            for _ in range(8):  # past the five runs after which PostgreSQL may plan it for all
                await raw.execute(f"EXECUTE search({written})")
            plan = "\n".join(
                line for (line,) in await raw.fetch(f"EXPLAIN EXECUTE search({written})")
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
