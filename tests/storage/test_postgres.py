"""Reading sessions on PostgreSQL: SQLAlchemy's session made only when needed, connections
treated as SQLAlchemy treats its own, the materials' trigram index (`storage.postgres`; what
every database does is in test_direct.py)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from asyncpg import InterfaceError  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, create_reading_session_factory
from storage.direct import built_once
from storage.models import Theme
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
