"""Reading sessions on PostgreSQL, which hand the statements built once to asyncpg directly.

A use case that only reads runs its statements on PostgreSQL without a transaction (AUTOCOMMIT,
`storage.db.create_reading_session_factory`). A statement marked `built_once` (`storage.direct`)
runs on a connection taken from the engine's pool at the first such statement and returned when
the session closes, or on the session's own if SQLAlchemy holds one already: a session never
holds two. In the web process, between requests, SQLAlchemy's layers run with cold caches: a
`status` page spent 2.5 ms in the session (opening it 0.25, the query 1.8, closing it 0.4), of
which asyncpg's own `fetch`, the database's work included, was 1.0 ms; run directly, 1.8 ms
(0.1, 1.4 and 0.3; BENCHMARKS.md, session 5).

The SQLAlchemy session behind a reading session is made only when a statement needs it: a use
case whose statements all run directly never makes one, and closing it only gives the
connection back. In the web process, making, closing and tearing down the unused session (a
task of its own, a greenlet) cost more than the statement itself. After a failed statement the
connection is treated as SQLAlchemy treats its own: a lost one makes the pool replace every
connection as old as it, and an interrupted one is closed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable
from sqlalchemy.util import greenlet_spawn

from storage.direct import announce, plan_of
from storage.reading import ReadOnlySession


class DirectSession(AsyncSession):
    """A reading session whose statements marked `built_once` run on an asyncpg connection of
    the engine's pool, taken at the first such statement and returned when the session closes.
    A session holds one connection at most: one that SQLAlchemy's queries hold already serves
    the direct statements too, and the direct one goes back to the pool before such a query.

    `AsyncSession.__init__` runs when something first needs the SQLAlchemy session (its
    `sync_session`): until then the session is only its engine and its direct connection."""

    sync_session_class = ReadOnlySession
    _pooled: PoolProxiedConnection | None = None
    _made: Session | None = None

    def __init__(self, bind: AsyncEngine, **kw: Any) -> None:
        self._engine, self._deferred = bind.sync_engine, kw
        self._async_bind, self._async_binds = bind, {}

    @property
    def sync_session(self) -> Session:
        """The SQLAlchemy session, made the first time it is needed."""
        if self._made is None:
            AsyncSession.__init__(self, self._async_bind, **self._deferred)
        assert self._made is not None
        return self._made

    @sync_session.setter
    def sync_session(self, made: Session) -> None:  # by `AsyncSession.__init__`
        self._made = made

    _proxied = sync_session  # what AsyncSession's proxied methods call

    async def execute(  # type: ignore[override]
        self, statement: Executable, params: dict[str, Any] | None = None, **kw: Any
    ) -> Result[Any]:
        engine = self._engine
        plan = None if kw else plan_of(statement, engine.dialect)
        if plan is None:
            await self._give_back()
            return await super().execute(statement, params, **kw)
        arguments = plan.arguments(params or {})
        connection = await self._connection(engine)
        driver: Any = connection.driver_connection
        announce(engine, plan, arguments)
        try:
            records = await driver.fetch(plan.sql, *arguments)
        except BaseException as error:
            await self._after(engine, connection, driver, error)
            raise
        return plan.result(records)

    async def scalar(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalar()

    async def scalars(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalars()

    async def close(self) -> None:
        try:
            await self._give_back()
        finally:
            if self._made is not None:
                await super().close()

    async def __aexit__(self, *error: object) -> None:
        if self._made is None:  # nothing of SQLAlchemy's to tear down in a task of its own
            await self._give_back()
        else:
            await super().__aexit__(*error)

    async def _connection(self, engine: Engine) -> PoolProxiedConnection:
        """The session's connection if SQLAlchemy holds one, else one of the pool's."""
        if self._pooled is not None:
            return self._pooled
        if self._made is not None and self._made.in_transaction():
            return await (await self.connection()).get_raw_connection()
        self._pooled = await greenlet_spawn(engine.pool.connect)
        return self._pooled

    async def _give_back(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            await greenlet_spawn(pooled.close)

    async def _after(
        self, engine: Engine, connection: PoolProxiedConnection, driver: Any, error: BaseException
    ) -> None:
        """What SQLAlchemy does after a failed statement: a lost connection makes the pool
        replace every connection as old as it (the server went away), and an interrupted one
        (cancelled, or stopped by a timeout) is closed, its state unknown."""
        lost = driver.is_closed()
        if lost or not isinstance(error, Exception):
            if connection is self._pooled:
                self._pooled = None
            if lost:
                await greenlet_spawn(engine.pool._invalidate, connection, error)
            else:
                await greenlet_spawn(connection.invalidate, error)
