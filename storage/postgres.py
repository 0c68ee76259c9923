"""Reading sessions on PostgreSQL that hand the statements built once straight to asyncpg.

A use case that only reads runs its statements on PostgreSQL without a transaction (AUTOCOMMIT,
`storage.db.create_reading_session_factory`). For a small query, SQLAlchemy's asynchronous layer
costs the bot more than the database spends answering it: the session's transaction and its
connection, the execution context, a greenlet switched to and back around each call of the
driver, the driver's adapter, then the result. In the web process, between requests, that code
runs with cold caches: a `status` page spent 2.5 ms in the session (opening it 0.25, the query
1.8, closing it 0.4), of which asyncpg's own `fetch`, the database's work included, was 1.0 ms.

So a statement marked `built_once` (built once and run on every request, like a status page's)
is compiled by SQLAlchemy the first time a reading session runs it, and from then on sent to
asyncpg as it stands. Its values and rows are converted by the columns' types as SQLAlchemy would
convert them, a missing value is refused, and the rows come back as an ordinary `Result`. It runs
on a connection taken from the engine's pool at the first such statement and returned when the
session closes, or on the session's own if SQLAlchemy holds one already: a session never holds
two. The same page spends 1.8 ms (0.1, 1.4 and 0.3; BENCHMARKS.md, session 5).

Everything else (the ORM's queries and entities, statements built per call, a marked statement
that needs an expanding IN) goes through SQLAlchemy as usual. The SQLAlchemy session behind a
reading session is made only when such a statement comes: a use case whose statements all run
directly never makes one, and closing it only gives the connection back. In the web process,
making, closing and tearing down the unused session (a task of its own, a greenlet) cost more
than the statement itself. After a failed statement the
connection is treated as SQLAlchemy treats its own: a lost one makes the pool replace every
connection as old as it, and an interrupted one is closed. Errors are asyncpg's own, not wrapped
in SQLAlchemy's, and listeners of the engine's `before_cursor_execute` hear of every statement,
with no connection, cursor or context (no other event is sent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Dialect, Engine
from sqlalchemy.engine import IteratorResult, Result
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable, Select
from sqlalchemy.types import TypeEngine
from sqlalchemy.util import greenlet_spawn

from storage.reading import ReadOnlySession

S = TypeVar("S", bound=Executable)
Converts = tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, conversion)


def built_once(statement: S) -> S:
    """Mark a statement built once and run often: reading sessions on PostgreSQL run it through
    asyncpg directly (see the module's notes). Elsewhere the mark changes nothing."""
    return statement.execution_options(built_once=Plans())


@dataclass(frozen=True)
class Plan:
    """A statement as asyncpg runs it: its SQL, its parameters in order (those the statement
    binds itself with their values, and those a caller must give), which parameters and columns
    need converting, and what the rows are made of."""

    sql: str
    names: tuple[str, ...]
    bound: dict[str, Any]
    required: frozenset[str]
    binds: Converts
    results: Converts
    metadata: SimpleResultMetaData

    def arguments(self, values: dict[str, Any]) -> list[Any]:
        """The parameters in order, converted; a missing one is refused, as SQLAlchemy does."""
        for name in self.required.difference(values):
            raise InvalidRequestError(f"A value is required for bind parameter {name!r}")
        given = {**self.bound, **values}
        return _converted([given[name] for name in self.names], self.binds)

    def result(self, records: list[Any]) -> Result[Any]:
        """The rows as a `Result`, converted."""
        rows = [_converted(list(row), self.results) for row in records] if self.results else records
        return IteratorResult(self.metadata, iter(rows))


class Plans:
    """The value of a statement's `built_once` option: its plan for each dialect and driver,
    made the first time (None when the statement cannot run directly)."""

    def __init__(self) -> None:
        self.made: dict[tuple[str, str], Plan | None] = {}

    def plan(self, statement: Executable, dialect: Dialect) -> Plan | None:
        key = dialect.name, dialect.driver
        if key not in self.made:
            self.made[key] = _plan(statement, dialect)
        return self.made[key]


def _plan(statement: Executable, dialect: Dialect) -> Plan | None:
    if not isinstance(statement, Select):
        return None
    if any(not isinstance(c["type"], TypeEngine) for c in statement.column_descriptions):
        return None  # the ORM's entities, which SQLAlchemy loads as objects
    compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params or compiled.literal_execute_params:
        return None  # its SQL is finished at each execution
    names = tuple(compiled.positiontup or ())
    required = frozenset(name for name in names if compiled.binds[name].required)
    try:  # a conversion that needs what only the driver's cursor knows is left to SQLAlchemy
        binds = [
            compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names
        ]
        columns = statement.selected_columns
        results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
    except Exception:
        return None
    metadata = SimpleResultMetaData(list(columns.keys()))
    bound = dict(compiled.params)
    return Plan(compiled.string, names, bound, required, _needed(binds), _needed(results), metadata)


def _needed(converts: Iterable[Callable[[Any], Any] | None]) -> Converts:
    """The positions that need converting, each with its conversion."""
    return tuple((n, convert) for n, convert in enumerate(converts) if convert is not None)


def _converted(values: list[Any], converts: Converts) -> list[Any]:
    for n, convert in converts:
        values[n] = convert(values[n])
    return values


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
        plan = None if kw else _plan_of(statement, engine.dialect)
        if plan is None:
            await self._give_back()
            return await super().execute(statement, params, **kw)
        arguments = plan.arguments(params or {})
        connection = await self._connection(engine)
        driver: Any = connection.driver_connection
        if engine.dispatch.before_cursor_execute:  # with no connection, cursor or context
            engine.dispatch.before_cursor_execute(None, None, plan.sql, arguments, None, False)
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


def _plan_of(statement: Executable, dialect: Dialect) -> Plan | None:
    plans = statement.get_execution_options().get("built_once")
    return plans.plan(statement, dialect) if isinstance(plans, Plans) else None
