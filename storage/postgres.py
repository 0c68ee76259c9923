"""Reading sessions on PostgreSQL that hand the statements built once straight to asyncpg.

A use case that only reads runs its statements on PostgreSQL without a transaction (AUTOCOMMIT,
`storage.db.create_reading_session_factory`). For a small query, SQLAlchemy's asynchronous layer
costs the bot more than the database spends answering it: the session's transaction and its
connection, the execution context, a greenlet switched to and back around each call of the
driver, the driver's adapter, then the result. In the web process, between requests, that code
runs with cold caches: a `status` page spent 2.5 ms in the session (opening it 0.25, the query
1.8, closing it 0.4), of which asyncpg's own `fetch`, the database's work included, was 1.0 ms.

So a statement marked `built_once` (built at import and run on every request, like a status
page's) is compiled by SQLAlchemy the first time a reading session runs it, and from then on
sent to asyncpg as it stands, on a connection of the engine's pool (checked out at the first
such statement and returned when the session closes). Its values and rows are converted by the
columns' types as SQLAlchemy would convert them, and the rows come back as an ordinary `Result`.
The same page now spends 1.8 ms (0.1, 1.4 and 0.3; BENCHMARKS.md). Everything else (the ORM's
queries, statements built per call, and a marked statement that needs an expanding IN) goes
through SQLAlchemy as usual. A connection found lost is invalidated, so the pool replaces it, as
SQLAlchemy itself would; listeners of the engine's `before_cursor_execute` hear of every
statement (with no connection, cursor or context).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Dialect, Engine
from sqlalchemy.engine import IteratorResult, Result
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable, Select
from sqlalchemy.util import greenlet_spawn

S = TypeVar("S", bound=Executable)
Converts = tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, conversion)


def built_once(statement: S) -> S:
    """Mark a statement built once and run often: reading sessions on PostgreSQL run it through
    asyncpg directly (see the module's notes). Elsewhere the mark changes nothing."""
    return statement.execution_options(built_once=Compiled())


@dataclass(frozen=True)
class Plan:
    """A statement as asyncpg runs it: its SQL, its parameters in order with the values bound
    in the statement itself, which parameters and columns need converting, and the rows' keys."""

    sql: str
    names: tuple[str, ...]
    bound: dict[str, Any]
    binds: Converts
    results: Converts
    keys: SimpleResultMetaData

    def arguments(self, values: dict[str, Any]) -> list[Any]:
        """The parameters in order, converted."""
        given = {**self.bound, **values}
        return _converted([given[name] for name in self.names], self.binds)

    def result(self, records: list[Any]) -> Result[Any]:
        """The rows as a `Result`, converted."""
        rows = [_converted(list(row), self.results) for row in records] if self.results else records
        return IteratorResult(self.keys, iter(rows))


class Compiled:
    """The value of a statement's `built_once` option: its plan, made once per dialect (None
    when it cannot be run directly)."""

    def __init__(self) -> None:
        self.plans: dict[tuple[str, str], Plan | None] = {}

    def plan(self, statement: Executable, dialect: Dialect) -> Plan | None:
        key = dialect.name, dialect.driver
        if key not in self.plans:
            self.plans[key] = _plan(statement, dialect)
        return self.plans[key]


def _plan(statement: Executable, dialect: Dialect) -> Plan | None:
    if not isinstance(statement, Select):
        return None
    compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params or compiled.literal_execute_params:
        return None  # its SQL is finished at each execution
    names = tuple(compiled.positiontup or ())
    binds = (
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    columns = statement.selected_columns
    results = (
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    keys = SimpleResultMetaData(list(columns.keys()))
    return Plan(
        compiled.string, names, dict(compiled.params), _needed(binds), _needed(results), keys
    )


def _needed(converts: Iterable[Callable[[Any], Any] | None]) -> Converts:
    """The positions that need converting, each with its conversion."""
    return tuple((n, convert) for n, convert in enumerate(converts) if convert is not None)


def _converted(values: list[Any], converts: Converts) -> list[Any]:
    for n, convert in converts:
        values[n] = convert(values[n])
    return values


class DirectSession(AsyncSession):
    """A reading session whose statements marked `built_once` run on an asyncpg connection of
    the engine's pool, checked out the first time and returned when the session closes (the
    session's own connection, if SQLAlchemy's queries need one, is another)."""

    _pooled: PoolProxiedConnection | None = None

    async def execute(  # type: ignore[override]
        self, statement: Executable, params: dict[str, Any] | None = None, **kw: Any
    ) -> Result[Any]:
        engine = self.sync_session.get_bind()
        plan = None if kw else _plan_of(statement, engine.dialect)
        if plan is None or not isinstance(engine, Engine):
            return await super().execute(statement, params, **kw)
        pooled = self._pooled
        if pooled is None:
            pooled = self._pooled = await greenlet_spawn(engine.pool.connect)
        driver: Any = pooled.driver_connection
        arguments = plan.arguments(params or {})
        if engine.dispatch.before_cursor_execute:  # with no connection, cursor or context
            engine.dispatch.before_cursor_execute(None, None, plan.sql, arguments, None, False)
        try:
            records = await driver.fetch(plan.sql, *arguments)
        except Exception as error:
            if driver.is_closed():  # lost (SQLAlchemy's own test): the pool must not reuse it
                await greenlet_spawn(pooled.invalidate, error)
            raise
        return plan.result(records)

    async def scalar(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalar()

    async def scalars(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalars()

    async def close(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            await greenlet_spawn(pooled.close)  # back to the pool
        await super().close()


def _plan_of(statement: Executable, dialect: Dialect) -> Plan | None:
    compiled = statement.get_execution_options().get("built_once")
    return compiled.plan(statement, dialect) if isinstance(compiled, Compiled) else None
