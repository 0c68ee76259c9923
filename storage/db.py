"""Engines and sessions: one async engine per process, sessions made by a factory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, make_url, select, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import NullPool

#: How long a SQLite connection waits for another process's write lock, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 15_000

#: Database connections per process unless told (DATABASE_POOL_SIZE): the web process and
#: each clock (whose lanes hold one during each step) stay well within PostgreSQL's default
#: 100 connections.
POOL_SIZE = 20
POOL_RECYCLE_SECONDS = 1800

_BACKENDS = {"postgres": "postgresql", "postgresql": "postgresql", "sqlite": "sqlite"}
_ASYNC_DRIVERS = {"postgresql": ("asyncpg", "psycopg"), "sqlite": ("aiosqlite",)}


def normalise_database_url(url: str) -> str:
    """Return ``url`` with an async driver: ``postgres://`` → ``postgresql+asyncpg://``.

    SQLite gets ``aiosqlite``; a URL that already names an async driver is kept. Raises
    ``ValueError`` for any other database (the message never repeats the URL's password).
    """
    scheme, sep, rest = url.strip().partition("://")
    backend, _, driver = scheme.lower().partition("+")
    if not sep or backend not in _BACKENDS:
        raise ValueError(
            f"unsupported database URL scheme {scheme!r}: use sqlite:///<file> or postgresql://…"
        )
    backend = _BACKENDS[backend]
    drivers = _ASYNC_DRIVERS[backend]
    return f"{backend}+{driver if driver in drivers else drivers[0]}://{rest}"


def create_engine(
    url: str,
    *,
    connect_timeout: float | None = None,
    command_timeout: float | None = None,
    idle_in_transaction: float | None = None,
    **kw: Any,
) -> AsyncEngine:
    """Create the async engine for ``url`` (any form ``normalise_database_url`` accepts).

    Connections stay open in a fixed pool (`POOL_SIZE`, no overflow: a burst waits for a free
    one rather than opening more than the server allows), the one used last handed out first;
    PostgreSQL's are replaced after `POOL_RECYCLE_SECONDS`. On PostgreSQL (asyncpg) opening a
    connection gives up after `connect_timeout` seconds and a statement after `command_timeout`,
    and the connection of a statement that timed out is dropped, not rolled back (which would
    wait as long again): the bot's processes set both (`app.web.build_services`), so a database
    that does not answer costs a person that long before they are told to try again (None: the
    libraries' own, for one-off work). Waiting for a free pooled connection keeps SQLAlchemy's
    30 s (a busy moment is not an outage; the holders' own timeouts free them). The first error on
    a connection the server closed drops every pooled one of that age. With `idle_in_transaction`,
    the server ends a session that leaves a transaction waiting longer than that for its next
    statement (a process paused or hung mid-transaction), so that the locks it held (the
    claimers' lock among them) do not stop every other process. SQLite
    connections enforce foreign keys, wait for other writers instead of failing at once, and
    use WAL journaling for files so that readers and a writer in other processes do not block
    each other.
    """
    url = normalise_database_url(url)
    on_sqlite = url.startswith("sqlite")
    memory = on_sqlite and _is_memory(url)
    if memory:  # one shared connection: no pool to size
        kw.pop("pool_size", None)
    else:
        kw.setdefault("pool_size", POOL_SIZE)
        kw.setdefault("max_overflow", 0)
        kw.setdefault("pool_use_lifo", True)
    if not on_sqlite:
        kw.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    if url.startswith("postgresql+asyncpg") and connect_timeout is not None:
        kw["connect_args"] = {"timeout": connect_timeout, **kw.get("connect_args", {})}
    if url.startswith("postgresql+asyncpg") and command_timeout is not None:
        kw["connect_args"] = {"command_timeout": command_timeout, **kw.get("connect_args", {})}
    if url.startswith("postgresql+asyncpg") and idle_in_transaction is not None:
        server = {"idle_in_transaction_session_timeout": str(round(idle_in_transaction * 1000))}
        kw["connect_args"] = {"server_settings": server, **kw.get("connect_args", {})}
    engine = _create_async_engine(url, **kw)
    if command_timeout is not None:
        event.listen(engine.sync_engine, "handle_error", _timed_out_is_gone)
    if on_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(wal=not memory))
    return engine


async def run_outside_transaction(url: str, *statements: str) -> None:
    """Run statements that cannot run in a transaction (CREATE DATABASE, VACUUM) on `url`,
    over a connection of their own."""
    engine = _create_async_engine(
        normalise_database_url(url), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (no surprise reloads)."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine, timeout: float = 5.0) -> bool:
    """Whether the database answers ``SELECT 1`` within ``timeout`` seconds."""
    try:
        async with asyncio.timeout(timeout), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return False
    return True


def _is_memory(url: str) -> bool:
    """Whether a SQLite URL names an in-memory database (no file)."""
    parsed = make_url(url)
    database = parsed.database or ""
    return (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or parsed.query.get("mode") == "memory"
    )


def _timed_out_is_gone(context: ExceptionContext) -> None:
    """A statement that timed out has its connection closed at once and dropped (alone: the
    others may be fine), so that nothing waits on it again, not even a polite goodbye (a
    `handle_error` event listener)."""
    if not isinstance(context.original_exception, TimeoutError):
        return
    context.is_disconnect = True
    context.invalidate_pool_on_disconnect = False
    fairy = context.connection.connection if context.connection is not None else None
    if fairy is not None and fairy.driver_connection is not None:
        fairy.driver_connection.terminate()


def _sqlite_pragmas(*, wal: bool) -> Callable[[Any, Any], None]:
    """What every new SQLite connection is told (a `connect` event listener)."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    return on_connect


async def database_now(session: AsyncSession) -> datetime:
    """The database's clock (PostgreSQL's `now()`); SQLite's is this machine's. Every process
    sharing a PostgreSQL database so agrees on what is due and whose lease ran out."""
    if session.get_bind().dialect.name != "postgresql":
        return datetime.now(UTC)
    found: datetime | None = await session.scalar(select(func.now()))
    assert found is not None
    return found.astimezone(UTC)
