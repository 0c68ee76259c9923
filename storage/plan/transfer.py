"""Import and export a whole network as a plan file (PRODUCT.md §6), all or nothing.

Both work in a session whose transaction the caller owns (`usecases.plans`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.diff import Summary, compare, count, settle_plan
from bot.plan.records import PlanRecords
from bot.plan.writing import render
from storage.models import utcnow
from storage.plan.network import write
from storage.plan.stored import load
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
