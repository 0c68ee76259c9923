"""Databases for the benches: scratch PostgreSQL ones made fresh for one run and dropped after it,
and any database settled after a bulk load."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import make_url

from storage.db import normalise_database_url, run_outside_transaction


@asynccontextmanager
async def scratch_database(server: str) -> AsyncIterator[str]:
    """A new, empty database on the PostgreSQL `server` (any database of it, any URL form that
    `normalise_database_url` accepts), dropped on leaving; its URL."""
    server = normalise_database_url(server)
    name = f"nb_bench_{uuid.uuid4().hex[:12]}"
    await run_outside_transaction(server, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        await run_outside_transaction(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def settle(url: str) -> None:
    """What autovacuum does after a bulk load on PostgreSQL, done now: the visibility map that
    lets an index answer a count without reading the table (VACUUM), and statistics for the
    planner (ANALYZE). On SQLite the same two compact the file and gather statistics."""
    await run_outside_transaction(url, "VACUUM", "ANALYZE")
