"""Alembic environment: runs the revisions on an async engine.

The caller gives the database URL as ``config.attributes["url"]`` (see ``storage.migrate``);
only the ``alembic`` command line falls back to ``DATABASE_URL``. A caller that already holds
a (sync-facing) connection may pass it as ``config.attributes["connection"]`` instead.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from alembic import context
from sqlalchemy import Connection, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import normalise_database_url
from storage.models import Base

#: Any constant: concurrent `migrate` runs against one PostgreSQL database take turns.
MIGRATION_LOCK_ID = 0x6E65_7477

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    url = config.attributes.get("url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("no database URL: pass one to storage.migrate or set DATABASE_URL")
    return normalise_database_url(str(url))


def configure(**kw: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        **kw,
    )


def run_migrations(connection: Connection) -> None:
    configure(connection=connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()
    if connection.dialect.name == "sqlite":
        # Foreign keys are not enforced while tables are copied; make sure nothing broke.
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")


async def run_async_migrations() -> None:
    # A plain engine: SQLite must not enforce foreign keys here, or copying a table in a batch
    # migration would cascade-delete the rows that refer to it.
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    configure(url=database_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (shared := config.attributes.get("connection")) is not None:
    run_migrations(shared)
else:
    asyncio.run(run_async_migrations())
