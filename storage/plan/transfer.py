"""Import and export a whole network as a plan file (PRODUCT.md §6), all or nothing.

`import_plan` and `export_plan` work in a session whose transaction the caller owns;
`import_file`, `export_file` and `load_example` are the command line's use cases, each in
one transaction of its own. An import plans the notifications of what it wrote in the same
transaction (PRODUCT.md §4), so a reminder due minutes later is not left to the clock's next
round of planning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from bot.plan import PlanError, format_problems, load_plan
from bot.plan.diff import Summary, compare, count, format_summary, settle_plan
from bot.plan.records import NetworkRecord, PlanRecords
from bot.plan.writing import render
from storage import delivery_data, outbox
from storage.db import create_engine, create_session_factory
from storage.models import Network, utcnow
from storage.network import NEW_NETWORK_NAME
from storage.plan.network import write
from storage.plan.stored import load, stored_network
from storage.plan.writer import Writer


async def import_plan(
    session: AsyncSession,
    plan: PlanRecords,
    *,
    prune: bool = False,
    dry_run: bool = False,
    now: datetime | None = None,
) -> Summary:
    """Bring the stored network in line with the plan (a dry run only counts what it would do).

    What the plan's items leave out keeps what is stored; `null` has already cleared a field.
    """
    stored = await load(session)
    records = {name: stored.records(name) for name in stored.sections}
    if stored.network is not None:
        records["network"] = {"network": stored.network[1]}
    plan = settle_plan(plan, records)
    changes = compare(plan, records)
    if not dry_run:
        await write(
            Writer(session, stored, plan, changes, now or utcnow().replace(microsecond=0)),
            prune=prune,
        )
    counts = {section: count(section_changes) for section, section_changes in changes.items()}
    return Summary(counts, dry_run=dry_run, prune=prune)


async def export_plan(session: AsyncSession) -> str:
    """The stored network as plan text."""
    return render((await load(session)).plan())


@dataclass(frozen=True)
class Report:
    """What the command line prints, and whether it went well."""

    ok: bool
    text: str


async def import_file(
    settings: Settings, path: Path, *, prune: bool = False, dry_run: bool = False
) -> Report:
    """Import a plan file in one transaction; every problem is listed and nothing is written."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Report(False, f"{path}: cannot read the plan: {error}")
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            try:
                plan = load_plan(text, await current_network(session, settings))
            except PlanError as error:
                return Report(False, format_problems(path.name, error.problems))
            if dry_run:
                summary = await import_plan(session, plan, dry_run=True, prune=prune)
            else:
                summary = await import_and_plan(session, plan, settings, prune=prune)
    except DBAPIError as error:
        refused = f"{path.name}: the database refused the import, nothing was written: {error.orig}"
        return Report(False, refused)
    finally:
        await engine.dispose()
    return Report(True, format_summary(summary, path.name))


async def import_and_plan(
    session: AsyncSession, plan: PlanRecords, settings: Settings, *, prune: bool = False
) -> Summary:
    """Import, then reconcile every upcoming item's notifications, in the caller's transaction.

    The planners' turn is taken first, waiting for a clock planning right now: taken after
    the import's writes, a clock holding it could wait for rows the import holds.
    """
    await outbox.wait_for_planning_turn(session)
    now = utcnow()
    summary = await import_plan(session, plan, prune=prune, now=now.replace(microsecond=0))
    await outbox.plan_everything(
        session, await delivery_data.rules(session, settings.deployment), now
    )
    return summary


async def current_network(session: AsyncSession, settings: Settings) -> NetworkRecord:
    """The network as it stands: stored, or the one the settings would make."""
    stored = await stored_network(session)
    return stored if stored is not None else defaults(settings)


def defaults(settings: Settings) -> NetworkRecord:
    """The network the settings make the first time one is needed (`storage.network`)."""
    return NetworkRecord(
        NEW_NETWORK_NAME, settings.timezone, settings.language, settings.announcement_channel
    )


async def export_file(database_url: str) -> str:
    """The stored network as plan text, read in one transaction."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            return await export_plan(session)
    finally:
        await engine.dispose()


async def load_example(settings: Settings, path: Path) -> str | None:
    """Import the example plan into a database without a network; the line to print, if any."""
    if not path.is_file():
        return None
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            if await session.scalar(select(func.count()).select_from(Network)):
                return None
            plan = load_plan(path.read_text(encoding="utf-8"), defaults(settings))
            summary = await import_and_plan(session, plan, settings)
    finally:
        await engine.dispose()
    created = sum(c.created for c in summary.counts.values())
    return f"Loaded the example network from {path.name} ({created} items)."
