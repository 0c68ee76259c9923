"""SQLite connections that make at most one trip to their thread per statement.

aiosqlite runs each sqlite3 connection in a thread of its own, and SQLAlchemy's adapter makes
four trips to it per statement (open a cursor, execute, fetch the rows, close the cursor), then
one to commit and one to roll back when the connection returns to the pool, even when no
transaction was begun. A trip costs 0.1–0.2 ms of waking threads up, several times what a small
query costs SQLite, so a page of four queries spent most of its time travelling. Here:

- a query (SELECT) runs where it is asked, on the event loop, like any other short computation:
  a database file is in WAL mode (`storage.db`), where a reader never waits for a writer, so it
  reads what is committed and returns (an in-memory database, one connection shared by all,
  keeps every statement in its thread);
- a write, which may wait for another process's write lock, makes one trip: its cursor is
  opened, executed and fetched in the connection's thread;
- commit and rollback travel only when a transaction is open.

The price: a long query (an export, a search that matches nothing) holds the event loop for its
duration, where the thread left it free (bench/ack_latency.py measured both; see BENCHMARKS.md).

A use case that only reads (`status`, `materials`, `themes`) goes further: its session
(`ReadingSessions`) is SQLAlchemy's synchronous one over plain sqlite3 connections, awaited
without suspending. The queries run on the event loop just the same, but without the asynchronous
adapter's work around each statement (two greenlet switches and the adapter's own calls) and each
session (a task to close it), which cost the bot more than SQLite spent answering. Its
statements built once (`storage.direct`) skip SQLAlchemy's execution too: sqlite3 runs them on
a connection of the pool, taken at the first and returned when the session closes.

Everything else is aiosqlite's: its worker thread, queue and error handling (`Connection._execute`,
which its own cursor uses). The cursor fetches every row at once, as SQLAlchemy's adapter does
anyway for everything but server-side cursors, which this project does not use.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar, cast

import aiosqlite
from sqlalchemy import URL, Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable

from storage.direct import announce, plan_of
from storage.reading import ReadOnlySession

Rows = list[Any]
T = TypeVar("T")


def connect(database: str, *, in_memory: bool, **kwargs: Any) -> Connection:
    """What SQLAlchemy's aiosqlite dialect calls to connect (`async_creator_fn`, with
    `in_memory` as `storage.db` decided it): a connection whose thread does not keep the process
    alive, as aiosqlite's own are made by the dialect.

    A file's connection is used from the event loop's thread too, never at the same time:
    SQLAlchemy's adapter runs one statement at a time on a connection, and each trip is awaited
    before the next. An in-memory database is one connection shared by every session at once,
    so everything it does goes through its thread, in turn."""
    kwargs["check_same_thread"] = in_memory
    factory = partial(sqlite3.connect, database, **kwargs)
    connection = Connection(factory, iter_chunk_size=64, queries_here=not in_memory)
    connection._thread.daemon = True
    return connection


class Connection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors make at most one trip per statement."""

    def __init__(
        self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int, queries_here: bool
    ) -> None:
        super().__init__(connector, iter_chunk_size)
        self.queries_here = queries_here  # whether a query runs on the event loop

    def cursor(self) -> Cursor:  # type: ignore[override]
        """A cursor, made without a trip (its sqlite3 cursor is made with the statement)."""
        return Cursor(self)

    async def run(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """`function(connection)` in the connection's thread: one trip."""
        return cast(T, await self._execute(function, self._conn))  # type: ignore[no-untyped-call]

    async def commit(self) -> None:
        """Commit, if a transaction is open."""
        if self.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        """Roll back, if a transaction is open."""
        if self.in_transaction:
            await super().rollback()


class Cursor:
    """The part of aiosqlite's cursor that SQLAlchemy uses, with the rows fetched in the
    statement's own trip."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._cursor: sqlite3.Cursor | None = None
        self._rows: deque[Any] = deque()

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *error: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        """Run one statement and keep all its rows."""
        if self._connection.queries_here and sql.startswith("SELECT"):
            self._cursor, rows = _execute(sql, parameters, self._connection._conn)
        else:
            self._cursor, rows = await self._connection.run(partial(_execute, sql, parameters))
        self._rows = deque(rows)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        """Run one statement for each set of parameters."""
        self._cursor = await self._connection.run(partial(_executemany, sql, parameters))
        self._rows.clear()
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Rows:
        return [self._rows.popleft() for _ in range(min(size or 1, len(self._rows)))]

    async def fetchall(self) -> Rows:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        """Forget the rows; the statement itself finished in its trip."""
        self._rows.clear()

    @property
    def description(self) -> Any:
        return self._cursor.description if self._cursor else None

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount if self._cursor else -1

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid if self._cursor else None

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize if self._cursor else 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        if self._cursor:
            self._cursor.arraysize = value


def _execute(sql: str, parameters: Any, connection: sqlite3.Connection) -> tuple[Any, Rows]:
    cursor = connection.execute(sql, parameters)
    return cursor, cursor.fetchall() if cursor.description else []


def _executemany(sql: str, parameters: Any, connection: sqlite3.Connection) -> sqlite3.Cursor:
    return connection.executemany(sql, parameters)


class ReadingSessions:
    """Sessions for a use case that only reads a SQLite file: `AsyncSession`s whose statements run
    at once through SQLAlchemy's synchronous engine (see the module's notes). They refuse to
    write. The engine's connections are made like the asynchronous ones (`on_connect`), in a
    pool of their own; `dispose` closes them."""

    def __init__(self, url: URL, on_connect: Callable[[Any, Any], None], **kw: Any) -> None:
        sync_url = url.set(drivername="sqlite")
        connect_args = {"check_same_thread": False}  # made in one thread, closed in another
        self.engine = create_sync_engine(sync_url, connect_args=connect_args, **kw)
        event.listen(self.engine, "connect", on_connect)

    def __call__(self) -> AsyncSession:
        return InlineSession(self.engine)

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()


class InlineSession(AsyncSession):
    """An `AsyncSession` over a synchronous `ReadOnlySession`, whose statements are answered
    without suspending; those built once run on a sqlite3 connection of the pool (one that
    SQLAlchemy's queries hold already serves them too: a session holds one connection at most).
    What is not overridden here still works, through a greenlet."""

    _pooled: PoolProxiedConnection | None = None

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.sync_session = self._proxied = self._assign_proxied(
            ReadOnlySession(engine, expire_on_commit=False)
        )
        self._engine = engine

    async def execute(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        plan = None if kw else plan_of(statement, self._engine.dialect)
        if plan is None:
            self._give_back()
            return self.sync_session.execute(statement, params, **kw)
        arguments = plan.arguments(params or {})
        announce(self._engine, plan, arguments)
        return plan.result(self._connection().execute(plan.sql, arguments).fetchall())

    async def scalar(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalar()

    async def scalars(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalars()

    def begin(self) -> Any:
        self._give_back()  # SQLAlchemy's session takes a connection of its own
        return _begun(self.sync_session)

    async def close(self) -> None:
        try:
            self._give_back()
        finally:
            self.sync_session.close()

    async def __aexit__(self, *error: object) -> None:
        await self.close()

    def _connection(self) -> sqlite3.Connection:
        """The connection taken for these statements, else SQLAlchemy's if it holds one, else
        one of the pool's."""
        connection = self._pooled
        if connection is None:
            if self.sync_session.in_transaction():
                connection = self.sync_session.connection().connection
            else:
                connection = self._pooled = self._engine.pool.connect()
        return cast(sqlite3.Connection, connection.driver_connection)

    def _give_back(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            pooled.close()


@asynccontextmanager
async def _begun(session: Session) -> AsyncIterator[SessionTransaction]:
    with session.begin() as transaction:
        yield transaction
