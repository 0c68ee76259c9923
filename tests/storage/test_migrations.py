"""The migrations build exactly the schema the models describe, and take it down again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.db import create_engine, normalise_database_url
from storage.models import Base


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def tables_of(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(table_names)
    finally:
        await engine.dispose()


async def test_upgrade_to_head_and_downgrade_to_base(raw_database_url: str) -> None:
    assert await migrate.current(raw_database_url) is None

    await migrate.upgrade(raw_database_url)
    assert await migrate.current(raw_database_url) == migrate.head()
    assert await tables_of(raw_database_url) == set(Base.metadata.tables) | {"alembic_version"}

    await migrate.downgrade(raw_database_url)
    assert await migrate.current(raw_database_url) is None
    assert await tables_of(raw_database_url) <= {"alembic_version"}
    assert await functions_of(raw_database_url) == set()  # the themes' count (0008) too


async def functions_of(url: str) -> set[str]:
    """The functions the migrations made (PostgreSQL; an extension's are left out: 0007 leaves
    pg_trgm installed)."""
    if not url.startswith("postgresql"):
        return set()
    engine = create_engine(url)
    query = (
        "SELECT proname FROM pg_proc p WHERE pronamespace = 'public'::regnamespace AND NOT EXISTS"
        " (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
    )
    try:
        async with engine.connect() as connection:
            return set(await connection.scalars(text(query)))
    finally:
        await engine.dispose()


async def triggers_of(url: str) -> set[str]:
    """The triggers in the database."""
    query = (
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        if url.startswith("postgresql")
        else "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    )
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.scalars(text(query)))
    finally:
        await engine.dispose()


async def test_the_themes_change_count_is_gone_and_comes_back_on_downgrade(
    raw_database_url: str,
) -> None:
    await migrate.upgrade(raw_database_url)
    assert await triggers_of(raw_database_url) == set()
    assert await functions_of(raw_database_url) == set()
    await migrate.downgrade(raw_database_url, "0009")
    assert "revision" in await tables_of(raw_database_url)
    assert "theme_changed" in await triggers_of(raw_database_url)
    await migrate.upgrade(raw_database_url)
    assert "revision" not in await tables_of(raw_database_url)
    assert await triggers_of(raw_database_url) == set()


async def test_upgrade_twice_changes_nothing(raw_database_url: str) -> None:
    await migrate.upgrade(raw_database_url)
    await migrate.upgrade(raw_database_url)
    assert await migrate.current(raw_database_url) == migrate.head()


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


# Neither database's reflection reads expression indexes (the basket-and-address one), so the
# comparison skips it with a warning; `test_a_basket_holds_an_address_once` checks it instead.
@pytest.mark.filterwarnings("ignore:.*expression-based index uq_material_basket_url")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
async def test_models_match_the_migrated_schema(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


def check_constraints(connection: Connection) -> dict[str, set[str | None]]:
    inspector = inspect(connection)
    return {
        table: {check["name"] for check in inspector.get_check_constraints(table)}
        for table in Base.metadata.tables
    }


async def test_check_constraints_are_created_with_their_convention_names(
    engine: AsyncEngine,
) -> None:
    # Autogenerate does not compare CHECK constraints, so compare their names here.
    expected = {
        name: {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        for name, table in Base.metadata.tables.items()
    }
    async with engine.connect() as connection:
        assert await connection.run_sync(check_constraints) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@host:5432/db", "postgresql+asyncpg://u:p@host:5432/db"),
        (
            "postgresql://u@host/db?sslmode=require",
            "postgresql+asyncpg://u@host/db?sslmode=require",
        ),
        ("postgresql+psycopg2://u@host/db", "postgresql+asyncpg://u@host/db"),
        ("postgresql+asyncpg://u@host/db", "postgresql+asyncpg://u@host/db"),
        ("sqlite:///network-bot.db", "sqlite+aiosqlite:///network-bot.db"),
        ("sqlite:////var/data/bot.db", "sqlite+aiosqlite:////var/data/bot.db"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_normalise_database_url(url: str, expected: str) -> None:
    assert normalise_database_url(url) == expected


@pytest.mark.parametrize(
    "url", ["mysql://u:secret@host/db", "network-bot.db", "", "http://example.org/db"]
)
def test_normalise_database_url_refuses_other_databases(url: str) -> None:
    with pytest.raises(ValueError, match="unsupported database URL") as error:
        normalise_database_url(url)
    assert "secret" not in str(error.value)
