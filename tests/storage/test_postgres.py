"""Reading sessions on PostgreSQL: statements built once go to asyncpg directly, and read back
exactly as SQLAlchemy reads them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from asyncpg import InterfaceError  # type: ignore[import-untyped]
from sqlalchemy import String, TypeDecorator, bindparam, event, func, insert, select, type_coerce
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.materials import like_pattern
from storage.db import create_engine, create_reading_session_factory
from storage.materials import _search
from storage.models import Material, Theme, WorkPackage, WorkPackageUpdate
from storage.postgres import DirectSession, built_once
from storage.reading import ReadOnlySession
from tests.db import requires_postgres

pytestmark = requires_postgres

_W, _U, _T = WorkPackage.__table__.c, WorkPackageUpdate.__table__.c, Theme.__table__.c
AT = datetime(2026, 11, 22, 21, 30, tzinfo=UTC)
_LOG = (
    select(_T.key, _W.due_date, _U.at, _U.note)
    .select_from(WorkPackageUpdate.__table__.join(WorkPackage.__table__).join(Theme.__table__))
    .where(_U.at >= bindparam("since"))
    .order_by(_U.id)
)
_LOG_ONCE = built_once(_LOG)


@pytest_asyncio.fixture
async def reading(engine: AsyncEngine) -> Callable[[], AsyncSession]:
    """The reading sessions, with a package that has two log entries."""
    async with engine.begin() as connection:
        theme = await connection.scalar(insert(Theme).values(key="liik", name="L").returning(_T.id))
        values = {"theme_id": theme, "number": 1, "title": "T", "due_date": date(2026, 12, 1)}
        package = await connection.scalar(insert(WorkPackage).values(values).returning(_W.id))
        entries = [
            {"note": "old", "at": datetime(2026, 1, 1, tzinfo=UTC)},
            {"note": "new", "at": AT},
        ]
        common = {
            "work_package_id": package,
            "user_id": "U1",
            "new_status": "planned",
            "progress": 0,
        }
        await connection.execute(insert(WorkPackageUpdate), [common | e for e in entries])
    return create_reading_session_factory(engine)  # type: ignore[return-value]


@pytest.fixture
def cursors(engine: AsyncEngine) -> Iterator[list[Any]]:
    """The cursor of every statement sent (None: sent to asyncpg directly)."""
    seen: list[Any] = []

    def record(_connection: Any, cursor: Any, *_: Any) -> None:
        seen.append(cursor)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _read(reading: Callable[[], AsyncSession], statement: Any, **values: Any) -> list[Any]:
    async with reading() as session:  # as `request.reading()` opens it
        return [tuple(row) for row in await session.execute(statement, values)]


async def test_a_statement_built_once_reads_as_through_sqlalchemy(
    reading: Callable[[], AsyncSession], cursors: list[Any]
) -> None:
    since = datetime(2026, 11, 22, 23, 0, tzinfo=ZoneInfo("Europe/Helsinki"))  # 21.00 UTC
    direct = await _read(reading, _LOG_ONCE, since=since)
    assert cursors == [None]  # sent to asyncpg itself
    through = await _read(reading, _LOG, since=since)
    assert cursors[1] is not None
    assert direct == through == [("liik", date(2026, 12, 1), AT, "new")]
    assert direct[0][2].tzinfo == UTC  # UTCDateTime's conversion of what is read


async def test_the_values_of_a_statement_built_once_are_converted_by_their_types(
    reading: Callable[[], AsyncSession],
) -> None:
    with pytest.raises(TypeError, match="expected a datetime"):  # UTCDateTime refuses it
        await _read(reading, _LOG_ONCE, since=date(2026, 1, 1))


class Shouted(TypeDecorator[str]):
    """Text read back in capitals: a conversion that asyncpg does not make."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else value.upper()


async def test_the_rows_of_a_statement_built_once_are_converted_by_their_types(
    reading: Callable[[], AsyncSession], cursors: list[Any]
) -> None:
    shouted = built_once(select(_U.id, type_coerce(_U.note, Shouted)).order_by(_U.at))
    assert [row[1] for row in await _read(reading, shouted)] == ["OLD", "NEW"]
    assert cursors == [None]


async def test_one_value_or_a_column_of_values(
    reading: Callable[[], AsyncSession], cursors: list[Any]
) -> None:
    notes = built_once(select(_U.note).order_by(_U.at))
    async with reading() as session:
        assert isinstance(session, DirectSession)
        assert await session.scalar(notes) == "old"
        assert list(await session.scalars(notes)) == ["old", "new"]
    assert cursors == [None, None]


async def test_sqlalchemys_session_is_made_only_for_a_statement_that_needs_it(
    reading: Callable[[], AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[ReadOnlySession] = []

    class Counted(ReadOnlySession):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            made.append(self)

    monkeypatch.setattr(DirectSession, "sync_session_class", Counted)
    assert await _read(reading, _LOG_ONCE, since=AT) == [("liik", date(2026, 12, 1), AT, "new")]
    assert made == []  # made, closed and torn down without SQLAlchemy's session
    async with reading() as session:
        await session.execute(_LOG_ONCE, {"since": AT})
        assert made == []
        theme = await session.scalar(select(Theme))  # the ORM: now it is needed
        assert len(made) == 1 and session.sync_session is made[0]
        assert theme is not None and theme in session  # the session's proxied methods work
        await session.execute(_LOG_ONCE, {"since": AT})
    assert len(made) == 1


async def test_a_value_left_out_is_refused(reading: Callable[[], AsyncSession]) -> None:
    with pytest.raises(InvalidRequestError, match="'since'"):
        await _read(reading, _LOG_ONCE)


async def test_the_orms_entities_are_loaded_by_sqlalchemy(
    reading: Callable[[], AsyncSession], cursors: list[Any]
) -> None:
    async with reading() as session:
        theme = await session.scalar(built_once(select(Theme)))
    assert isinstance(theme, Theme) and theme.key == "liik"
    assert cursors[0] is not None


async def test_a_session_holds_one_connection_whichever_asks_first(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1, pool_timeout=5)
    reading = create_reading_session_factory(engine)
    direct, orm = built_once(select(_T.key)), select(Theme)
    try:
        for first, then in ((direct, orm), (orm, direct), (direct, direct)):
            async with asyncio.timeout(10), reading() as session:  # type: ignore[operator]
                await session.execute(first)
                await session.execute(then)
                await session.execute(first)
            assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        with pytest.raises(InvalidRequestError):
            async with reading() as session:  # type: ignore[operator]
                await session.execute(direct)
                await session.execute(_LOG_ONCE)  # fails: no value given
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_what_a_reading_session_would_write_is_refused(
    reading: Callable[[], AsyncSession], engine: AsyncEngine
) -> None:
    with pytest.raises(RuntimeError, match="cannot write"):
        async with reading() as session:
            await session.execute(_LOG_ONCE, {"since": AT})
            session.add(Theme(key="uusi", name="Uusi"))  # never flushed
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(Theme)) == 1


async def test_an_expanding_in_goes_through_sqlalchemy(
    reading: Callable[[], AsyncSession], cursors: list[Any]
) -> None:
    notes = built_once(select(_U.note).where(_U.note.in_(bindparam("notes", expanding=True))))
    assert await _read(reading, notes, notes=["new", "other"]) == [("new",)]
    assert len(cursors) == 1 and cursors[0] is not None


async def test_a_lost_connection_is_replaced(
    engine: AsyncEngine, reading: Callable[[], AsyncSession]
) -> None:
    pid = built_once(select(func.pg_backend_pid()))
    [(first,)] = await _read(reading, pid)
    async with engine.connect() as connection:  # the same one: the pool hands out the last used
        (await connection.get_raw_connection()).driver_connection.terminate()  # as if cut off
    with pytest.raises(InterfaceError, match="connection is closed"):
        await _read(reading, pid)
    [(second,)] = await _read(reading, pid)  # on a new connection
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


async def test_an_interrupted_statement_does_not_go_back_to_the_pool(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1)
    reading = create_reading_session_factory(engine)
    pid, sleep = built_once(select(func.pg_backend_pid())), built_once(select(func.pg_sleep(5)))
    try:
        [(first,)] = await _read(reading, pid)  # type: ignore[arg-type]
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await _read(reading, sleep)  # type: ignore[arg-type]
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        [(second,)] = await _read(reading, pid)  # type: ignore[arg-type]
        assert second != first  # the interrupted connection was closed, not reused
    finally:
        await engine.dispose()
