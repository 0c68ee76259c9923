"""Statements built once, run by the database driver itself in a reading session.

A use case that only reads (`request.reading()`) runs few statements, each small, and for them
SQLAlchemy's layers cost the web process more than the database spends answering: the
session's transaction and connection, the execution context, on PostgreSQL a greenlet switched
to and back around each call of the driver, then the result. A statement marked `built_once`
(built once and run on every request, like a status page's) is compiled by SQLAlchemy the
first time a reading session runs it, for that database, and from then on handed to the driver
as it stands: asyncpg on PostgreSQL (`storage.postgres.DirectSession`), sqlite3 on a SQLite file
(`storage.sqlite.InlineSession`). Its values and rows are converted by the columns' types as
SQLAlchemy would convert them, a missing value is refused, and the rows come back as an
ordinary `Result`.

What cannot run that way (the ORM's entities, a statement that needs an expanding IN, a type
whose conversion needs the driver's cursor) goes through SQLAlchemy as usual. Errors are the
driver's own, not wrapped in SQLAlchemy's, and listeners of the engine's `before_cursor_execute`
hear of every statement, with no connection, cursor or context (no other event is sent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Dialect, Engine
from sqlalchemy.engine import IteratorResult, Result
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.sql import Executable, Select
from sqlalchemy.types import TypeEngine

S = TypeVar("S", bound=Executable)
Converts = tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, conversion)


def built_once(statement: S) -> S:
    """Mark a statement built once and run often: reading sessions hand it to the driver
    directly (see the module's notes). Elsewhere the mark changes nothing."""
    return statement.execution_options(built_once=Plans())


@dataclass(frozen=True)
class Plan:
    """A statement as the driver runs it: its SQL, its parameters in order (those the statement
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


def plan_of(statement: Executable, dialect: Dialect) -> Plan | None:
    """How the driver runs a statement marked `built_once` on this database (made the first
    time); None for any other statement, or one that cannot run directly."""
    plans = statement.get_execution_options().get("built_once")
    return plans.plan(statement, dialect) if isinstance(plans, Plans) else None


def announce(engine: Engine, plan: Plan, arguments: list[Any]) -> None:
    """Tell the engine's `before_cursor_execute` listeners of a statement run directly."""
    if engine.dispatch.before_cursor_execute:  # with no connection, cursor or context
        engine.dispatch.before_cursor_execute(None, None, plan.sql, arguments, None, False)
