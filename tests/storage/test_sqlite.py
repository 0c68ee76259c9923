"""SQLite connections that make one trip to their thread per statement (`storage.sqlite`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite
from storage.db import create_engine, create_reading_session_factory, create_session_factory
from storage.models import Organisation
from tests.db import sqlite_url


@pytest_asyncio.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A file database with one table, on this project's engine (whatever the test run's
    database: the driver only serves SQLite)."""
    engine = create_engine(sqlite_url(tmp_path / "trips.db"))
    async with engine.begin() as connection:
        await connection.run_sync(Organisation.__table__.create)
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function that travels to a connection's thread from now on."""
    made: list[str] = []
    original = sqlite.Connection._execute

    async def counted(
        self: sqlite.Connection, function: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        made.append(getattr(function, "func", function).__name__)
        return await original(self, function, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(sqlite.Connection, "_execute", counted)
    return made


async def test_the_engine_connects_sqlite_through_this_driver(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, sqlite.Connection)


async def test_queries_run_on_the_event_loop_and_writes_make_one_trip(
    sqlite_engine: AsyncEngine, trips: list[str]
) -> None:
    async with sqlite_engine.connect() as warm:  # the pool's connection exists already
        await warm.execute(text("SELECT 1"))
    trips.clear()
    factory = create_session_factory(sqlite_engine)
    async with factory() as session, session.begin():
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
        assert await session.scalar(select(func.count()).select_from(Organisation)) == 0
    # No commit and no rollback travel either: nothing was begun.
    assert trips == []
    async with factory() as session, session.begin():
        await session.execute(insert(Organisation).values(key="tre", name="Tampere"))
        assert await session.scalar(select(func.count()).select_from(Organisation)) == 1
    assert trips == ["_execute", "commit"]


async def test_an_in_memory_database_runs_everything_in_its_thread(trips: list[str]) -> None:
    engine = create_engine("sqlite+aiosqlite://")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Organisation.__table__.create)
        trips.clear()
        async with create_session_factory(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(Organisation)) == 0
        assert trips == ["_execute"]
    finally:
        await engine.dispose()


async def test_writes_commit_with_ids_and_counts(
    sqlite_engine: AsyncEngine, trips: list[str]
) -> None:
    factory = create_session_factory(sqlite_engine)
    async with factory() as session, session.begin():
        first = Organisation(key="tre", name="Tampere")
        session.add(first)
        await session.flush()
        assert first.id == 1  # lastrowid
        changed = await session.execute(
            update(Organisation).where(Organisation.key == "tre").values(name="Tampereen seutu")
        )
        assert changed.rowcount == 1  # type: ignore[attr-defined]
    assert "commit" in trips
    async with factory() as session:
        assert await session.scalar(select(Organisation.name)) == "Tampereen seutu"


async def test_a_rolled_back_transaction_leaves_nothing(sqlite_engine: AsyncEngine) -> None:
    factory = create_session_factory(sqlite_engine)
    with pytest.raises(RuntimeError):
        async with factory() as session, session.begin():
            await session.execute(insert(Organisation).values(key="tre", name="Tampere"))
            raise RuntimeError("undo")
    async with factory() as session:
        assert await session.scalar(select(func.count()).select_from(Organisation)) == 0


async def test_rows_are_fetched_one_many_or_all(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as connection:
        rows = [{"key": f"o{n}", "name": f"Org {n}"} for n in range(5)]
        await connection.execute(insert(Organisation), rows)
    async with sqlite_engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert isinstance(raw, sqlite.Connection)
        cursor = await raw.cursor().execute("SELECT key FROM organisation ORDER BY key")
        assert await cursor.fetchone() == ("o0",)
        assert await cursor.fetchmany(2) == [("o1",), ("o2",)]
        assert await cursor.fetchall() == [("o3",), ("o4",)]
        assert await cursor.fetchone() is None
        assert [column[0] for column in cursor.description] == ["key"]


async def test_reading_sessions_read_a_file_without_suspending_or_writing(
    sqlite_engine: AsyncEngine, trips: list[str]
) -> None:
    reader = create_reading_session_factory(sqlite_engine)
    assert isinstance(reader, sqlite.ReadingSessions)
    try:
        async with create_session_factory(sqlite_engine)() as session, session.begin():
            session.add(Organisation(key="tre", name="Tampere"))
        trips.clear()
        async with reader() as session:  # as `request.reading()` opens it
            # What another connection committed is there, and no statement travelled.
            assert await session.scalar(select(Organisation.name)) == "Tampere"
            assert list(await session.scalars(select(Organisation.key))) == ["tre"]
            count = select(func.count()).select_from(Organisation)
            assert (await session.execute(count)).scalar_one() == 1
        assert trips == []
        # A use case that only reads cannot write by mistake: nothing is saved.
        with pytest.raises(RuntimeError, match="cannot write"):
            async with reader() as session:
                session.add(Organisation(key="hki", name="Helsinki"))
                await session.scalar(select(Organisation.id).where(Organisation.key == "hki"))
        with pytest.raises(RuntimeError, match="cannot write"):  # never flushed: told at close
            async with reader() as session:
                session.add(Organisation(key="esp", name="Espoo"))
        async with sqlite_engine.connect() as connection:
            names = await connection.scalars(select(Organisation.key))
            assert list(names) == ["tre"]
    finally:
        reader.dispose()


async def test_an_in_memory_database_reads_through_its_one_connection() -> None:
    engine = create_engine("sqlite+aiosqlite://")
    try:
        reader = create_reading_session_factory(engine)
        assert not isinstance(reader, sqlite.ReadingSessions)
        async with engine.begin() as connection:
            await connection.run_sync(Organisation.__table__.create)
            await connection.execute(insert(Organisation).values(key="tre", name="Tampere"))
        # Any other connection would open a database of its own, without the table.
        async with reader() as session:
            assert list(await session.scalars(select(Organisation.key))) == ["tre"]
    finally:
        await engine.dispose()
