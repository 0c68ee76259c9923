"""Bring a database schema up (or down) to a revision with Alembic.

The revisions ship inside the package (``storage/migrations``). Alembic's commands are
synchronous and our ``env.py`` runs its own event loop, so they run in a worker thread: the
functions here can be awaited from a running loop, or run with ``asyncio.run`` from sync code.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import normalise_database_url

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def alembic_config(url: str) -> Config:
    """The Alembic configuration of the packaged migrations, aimed at ``url``."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["url"] = url
    return config


def head() -> str:
    """The newest revision the code knows."""
    revision = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    if revision is None:
        raise RuntimeError("no migrations found")
    return revision


async def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (default: the newest)."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


async def downgrade(url: str, revision: str = "base") -> None:
    """Downgrade the database at ``url`` to ``revision`` (default: empty)."""
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)


async def current(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None if it was never migrated."""
    engine = create_async_engine(normalise_database_url(url), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current_revision)
    finally:
        await engine.dispose()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
