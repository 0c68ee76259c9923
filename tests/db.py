"""Database fixtures, a pytest plugin (``pytest_plugins = ["tests.db"]`` in conftest.py).

Tests run on SQLite. With ``TEST_DATABASE_URL`` naming a PostgreSQL server, the same tests run
on PostgreSQL instead, in databases this run creates (``nb_test_<random>``) and drops at the
end, so parallel runs on one server never meet.

Every test that asks for ``database_url`` (or ``engine``, ``session_factory``, ``session``)
gets a clean database migrated to head: on SQLite a copy of a template migrated once per run,
on PostgreSQL one database migrated once per run and emptied before each test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
import pytest_asyncio
from alembic import command
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import (
    create_engine,
    create_session_factory,
    normalise_database_url,
    run_outside_transaction,
)
from storage.migrate import alembic_config
from storage.models import Base


def server_url() -> str | None:
    """The PostgreSQL server given by ``TEST_DATABASE_URL`` (async form), if any."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        return None
    url = normalise_database_url(url)
    return url if url.startswith("postgresql") else None


def is_postgres() -> bool:
    """Whether this run's databases are PostgreSQL."""
    return server_url() is not None


requires_postgres = pytest.mark.skipif(
    not is_postgres(), reason="needs TEST_DATABASE_URL naming a PostgreSQL server"
)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _in_thread(work: Callable[[], object]) -> None:
    """Run blocking set-up work (which may start its own event loop) off the test's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(work).result()


def _run(coroutine: Callable[[], Coroutine[object, object, None]]) -> None:
    _in_thread(lambda: asyncio.run(coroutine()))


@pytest.fixture(scope="session")
def new_postgres_database() -> Iterator[Callable[[], str]]:
    """Make empty PostgreSQL databases, dropped when the run ends."""
    created: list[str] = []

    def make() -> str:
        server = server_url()
        assert server is not None, "TEST_DATABASE_URL names no PostgreSQL server"
        name = f"nb_test_{uuid.uuid4().hex[:12]}"
        _run(lambda: run_outside_transaction(server, f'CREATE DATABASE "{name}"'))
        created.append(name)
        return _with_database(server, name)

    yield make
    if server := server_url():
        drops = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in created]
        _run(lambda: run_outside_transaction(server, *drops))


@pytest.fixture(scope="session")
def migrated_template(
    new_postgres_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A database migrated to head once per run (SQLite: a template file to copy)."""
    if is_postgres():
        url = new_postgres_database()
    else:
        url = sqlite_url(tmp_path_factory.mktemp("template") / "template.db")
    _in_thread(lambda: command.upgrade(alembic_config(url), "head"))
    return url


class _PostgresState:
    emptying: str | None = None  # the SQL that empties the migrated database
    dirty = False


async def _emptying_sql(connection: asyncpg.Connection) -> str:
    # DELETE, children first, is far quicker than TRUNCATE on the few rows a test writes.
    rows = await connection.fetch(
        "SELECT tablename FROM pg_tables"
        " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
    )
    present = {row["tablename"] for row in rows}
    known = [table.name for table in reversed(Base.metadata.sorted_tables)]
    tables = sorted(present - set(known)) + [table for table in known if table in present]
    deletes = "".join(f'DELETE FROM "{table}";' for table in tables)
    restart = (
        "SELECT setval(c.oid, 1, false) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'S' AND n.nspname = 'public';"
    )
    # A test that left a transaction open fails the next set-up instead of hanging it.
    return "SET lock_timeout = '10s';" + deletes + restart


async def _empty_postgres(url: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        if _PostgresState.emptying is None:
            _PostgresState.emptying = await _emptying_sql(connection)
        await connection.execute(_PostgresState.emptying)
    finally:
        await connection.close()


@pytest_asyncio.fixture
async def database_url(migrated_template: str, tmp_path: Path) -> str:
    """The URL of a clean database migrated to head, for this test alone."""
    if not is_postgres():
        path = tmp_path / "test.db"
        shutil.copyfile(make_url(migrated_template).database or "", path)
        return sqlite_url(path)
    if _PostgresState.dirty:
        await _empty_postgres(migrated_template)
    _PostgresState.dirty = True
    return migrated_template


@pytest.fixture(scope="session")
def _raw_postgres(new_postgres_database: Callable[[], str]) -> str | None:
    return new_postgres_database() if is_postgres() else None


@pytest_asyncio.fixture
async def raw_database_url(_raw_postgres: str | None, tmp_path: Path) -> str:
    """The URL of an empty database, never migrated (for the migration tests)."""
    if _raw_postgres is None:
        return sqlite_url(tmp_path / "raw.db")
    await run_outside_transaction(
        _raw_postgres, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public"
    )
    return _raw_postgres


@pytest_asyncio.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The application's engine on this test's database."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest_asyncio.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session
