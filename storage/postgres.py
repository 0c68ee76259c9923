"""Reading sessions on PostgreSQL that hand the statements built once straight to asyncpg.

A use case that only reads runs its statements on PostgreSQL without a transaction (AUTOCOMMIT,
`storage.db.create_reading_session_factory`). For a small query, SQLAlchemy's asynchronous layer
costs the bot more than the database spends answering it: the session's execution context, a
greenlet switched to and back around each call of the driver, the driver's adapter, then the
result. In the web process, between requests, that code runs with cold caches: a `status` page
spent 1.9 ms in the session's `execute` against 1.0 ms for asyncpg's own `fetch` of the same
statement, the database's work included (BENCHMARKS.md).

So a statement marked `built_once` (built at import and run on every request, like a status
page's) is compiled by SQLAlchemy the first time a reading session runs it, and from then on
sent to asyncpg as it stands, on the session's own pooled connection. Its values and rows are
converted by the columns' types as SQLAlchemy would convert them, and the rows come back as an
ordinary `Result`. Everything else (the ORM's queries, statements built per call, and a marked
statement that needs an expanding IN) goes through SQLAlchemy as usual. A connection found lost
is invalidated, so the pool replaces it, as SQLAlchemy itself would; listeners of
`before_cursor_execute` hear of every statement (with no cursor or execution context).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Dialect
from sqlalchemy.engine import IteratorResult, Result
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import Executable, Select

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
    """A reading session whose statements marked `built_once` run on its connection's asyncpg
    connection itself."""

    _direct: tuple[AsyncConnection, Any] | None = None

    async def execute(  # type: ignore[override]
        self, statement: Executable, params: dict[str, Any] | None = None, **kw: Any
    ) -> Result[Any]:
        plan = None if kw else self._plan(statement)
        if plan is None:
            return await super().execute(statement, params, **kw)
        connection, driver = await self._driver()
        arguments = plan.arguments(params or {})
        sync = connection.sync_connection
        if sync is not None and sync.dispatch.before_cursor_execute:  # with no cursor or context
            sync.dispatch.before_cursor_execute(sync, None, plan.sql, arguments, None, False)
        try:
            records = await driver.fetch(plan.sql, *arguments)
        except Exception as error:
            if driver.is_closed():  # lost (SQLAlchemy's own test): the pool must not reuse it
                await connection.invalidate(error)
            raise
        return plan.result(records)

    async def scalar(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalar()

    async def scalars(self, statement: Executable, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalars()

    async def close(self) -> None:
        self._direct = None
        await super().close()

    def _plan(self, statement: Executable) -> Plan | None:
        compiled = statement.get_execution_options().get("built_once")
        if not isinstance(compiled, Compiled):
            return None
        return compiled.plan(statement, self.sync_session.get_bind().dialect)

    async def _driver(self) -> tuple[AsyncConnection, Any]:
        """The session's connection (checked out the first time) and its asyncpg connection."""
        if self._direct is None:
            connection = await self.connection()
            self._direct = connection, (await connection.get_raw_connection()).driver_connection
        return self._direct
