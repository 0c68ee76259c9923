"""Statements built once run by the driver itself (`storage.direct`), on every database: they
read back exactly as through SQLAlchemy, in reading sessions that hold one connection at most."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import String, TypeDecorator, bindparam, func, select, type_coerce
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, create_reading_session_factory, dispose
from storage.direct import built_once
from storage.models import Theme
from storage.postgres import DirectSession
from storage.sqlite import InlineSession
from tests.storage.reads import (
    AT,
    LOG,
    LOG_ONCE,
    Reading,
    T,
    U,
    cursors,
    read,
    reading,
    reading_engine,
)

__all__ = ["cursors", "reading"]  # fixtures


async def test_a_statement_built_once_reads_as_through_sqlalchemy(
    reading: Reading, cursors: list[Any]
) -> None:
    since = datetime(2026, 11, 22, 23, 0, tzinfo=ZoneInfo("Europe/Helsinki"))  # 21.00 UTC
    direct = await read(reading, LOG_ONCE, since=since)
    assert cursors == [None]  # sent to the driver itself
    through = await read(reading, LOG, since=since)
    assert cursors[1] is not None
    assert direct == through == [("liik", date(2026, 12, 1), AT, "new")]
    assert direct[0][2].tzinfo == UTC  # UTCDateTime's conversion of what is read


async def test_the_values_of_a_statement_built_once_are_converted_by_their_types(
    reading: Reading,
) -> None:
    with pytest.raises(TypeError, match="expected a datetime"):  # UTCDateTime refuses it
        await read(reading, LOG_ONCE, since=date(2026, 1, 1))


class Shouted(TypeDecorator[str]):
    """Text read back in capitals: a conversion that no driver makes."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else value.upper()


async def test_the_rows_of_a_statement_built_once_are_converted_by_their_types(
    reading: Reading, cursors: list[Any]
) -> None:
    shouted = built_once(select(U.id, type_coerce(U.note, Shouted)).order_by(U.at))
    assert [row[1] for row in await read(reading, shouted)] == ["OLD", "NEW"]
    assert cursors == [None]


async def test_one_value_or_a_column_of_values(reading: Reading, cursors: list[Any]) -> None:
    notes = built_once(select(U.note).order_by(U.at))
    async with reading() as session:
        assert isinstance(session, DirectSession | InlineSession)
        assert await session.scalar(notes) == "old"
        assert list(await session.scalars(notes)) == ["old", "new"]
    assert cursors == [None, None]


async def test_a_value_left_out_is_refused(reading: Reading) -> None:
    with pytest.raises(InvalidRequestError, match="'since'"):
        await read(reading, LOG_ONCE)


async def test_the_orms_entities_are_loaded_by_sqlalchemy(
    reading: Reading, cursors: list[Any]
) -> None:
    async with reading() as session:
        theme = await session.scalar(built_once(select(Theme)))
    assert isinstance(theme, Theme) and theme.key == "liik"
    assert cursors[0] is not None


async def test_a_session_holds_one_connection_whichever_asks_first(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1, pool_timeout=5)
    reading = create_reading_session_factory(engine)
    pool = reading_engine(engine, reading).pool
    direct, orm = built_once(select(T.key)), select(Theme)
    try:
        for first, then in ((direct, orm), (orm, direct), (direct, direct)):
            async with asyncio.timeout(10), reading() as session:  # type: ignore[operator]
                await session.execute(first)
                await session.execute(then)
                await session.execute(first)
            assert pool.checkedout() == 0  # type: ignore[attr-defined]
        with pytest.raises(InvalidRequestError):
            async with reading() as session:  # type: ignore[operator]
                await session.execute(direct)
                await session.execute(LOG_ONCE)  # fails: no value given
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await dispose(engine, reading)


async def test_what_a_reading_session_would_write_is_refused(
    reading: Reading, engine: AsyncEngine
) -> None:
    with pytest.raises(RuntimeError, match="cannot write"):
        async with reading() as session:
            await session.execute(LOG_ONCE, {"since": AT})
            session.add(Theme(key="uusi", name="Uusi"))  # never flushed
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(Theme)) == 1


async def test_an_expanding_in_goes_through_sqlalchemy(
    reading: Reading, cursors: list[Any]
) -> None:
    notes = built_once(select(U.note).where(U.note.in_(bindparam("notes", expanding=True))))
    assert await read(reading, notes, notes=["new", "other"]) == [("new",)]
    assert len(cursors) == 1 and cursors[0] is not None
