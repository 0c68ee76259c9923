"""What the tests of reading sessions share: a package with its log, the sessions, a listener."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import Engine, bindparam, event, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import create_reading_session_factory
from storage.direct import built_once
from storage.models import Theme, WorkPackage, WorkPackageUpdate
from storage.sqlite import ReadingSessions

Reading = Callable[[], AsyncSession]
W, U, T = WorkPackage.__table__.c, WorkPackageUpdate.__table__.c, Theme.__table__.c
AT = datetime(2026, 11, 22, 21, 30, tzinfo=UTC)
LOG = (
    select(T.key, W.due_date, U.at, U.note)
    .select_from(WorkPackageUpdate.__table__.join(WorkPackage.__table__).join(Theme.__table__))
    .where(U.at >= bindparam("since"))
    .order_by(U.id)
)
LOG_ONCE = built_once(LOG)


@pytest_asyncio.fixture
async def reading(engine: AsyncEngine) -> Reading:
    """The reading sessions, with a package that has two log entries."""
    async with engine.begin() as connection:
        theme = await connection.scalar(insert(Theme).values(key="liik", name="L").returning(T.id))
        values = {"theme_id": theme, "number": 1, "title": "T", "due_date": date(2026, 12, 1)}
        package = await connection.scalar(insert(WorkPackage).values(values).returning(W.id))
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


def reading_engine(engine: AsyncEngine, reading: object) -> Engine:
    """The engine the reading sessions run on (a SQLite file's have one of their own)."""
    return reading.engine if isinstance(reading, ReadingSessions) else engine.sync_engine


@pytest.fixture
def cursors(engine: AsyncEngine, reading: Reading) -> Iterator[list[Any]]:
    """The cursor of every statement the reading sessions send (None: to the driver directly)."""
    seen: list[Any] = []

    def record(_connection: Any, cursor: Any, *_: Any) -> None:
        seen.append(cursor)

    listened = reading_engine(engine, reading)
    event.listen(listened, "before_cursor_execute", record)
    yield seen
    event.remove(listened, "before_cursor_execute", record)


async def read(reading: Reading, statement: Any, **values: Any) -> list[Any]:
    """The rows of one statement, in a session opened as `request.reading()` opens it."""
    async with reading() as session:
        return [tuple(row) for row in await session.execute(statement, values)]
