"""The network plan's use cases for the command line: import a file, export, load the example.

Each runs in one transaction of its own, all or nothing. An import plans the notifications of
what it wrote in the same transaction (PRODUCT.md §4), so a reminder due minutes later is not
left to the clock's next round of planning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deployment import Deployment
from bot.plan import PlanError, format_problems, load_plan
from bot.plan.diff import Summary, format_summary
from bot.plan.records import NetworkRecord, PlanRecords
from storage import outbox, planner_items
from storage.models import utcnow
from storage.network import NEW_NETWORK_NAME
from storage.plan import export_plan, import_plan, stored_network
from usecases.caller import Sessions


@dataclass(frozen=True)
class Report:
    """What the command line prints, and whether it went well."""

    ok: bool
    text: str


async def import_file(
    db: Sessions, deployment: Deployment, path: Path, *, prune: bool = False, dry_run: bool = False
) -> Report:
    """Import a plan file in one transaction; every problem is listed and nothing is written."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Report(False, f"{path}: cannot read the plan: {error}")
    try:
        async with db.begin() as session:
            try:
                plan = load_plan(text, await current_network(session, deployment))
            except PlanError as error:
                return Report(False, format_problems(path.name, error.problems))
            if dry_run:
                summary = await import_plan(session, plan, dry_run=True, prune=prune)
            else:
                summary = await import_and_plan(session, plan, deployment, prune=prune)
    except DBAPIError as error:
        refused = f"{path.name}: the database refused the import, nothing was written: {error.orig}"
        return Report(False, refused)
    return Report(True, format_summary(summary, path.name))


async def import_and_plan(
    session: AsyncSession, plan: PlanRecords, deployment: Deployment, *, prune: bool = False
) -> Summary:
    """Import, then reconcile every upcoming item's notifications, in the caller's transaction.

    The planners' turn is taken first, waiting for a clock planning right now: taken after
    the import's writes, a clock holding it could wait for rows the import holds.
    """
    await outbox.wait_for_planning_turn(session)
    now = utcnow()
    summary = await import_plan(session, plan, prune=prune, now=now.replace(microsecond=0))
    await outbox.plan_everything(session, await planner_items.rules(session, deployment), now)
    return summary


async def current_network(session: AsyncSession, deployment: Deployment) -> NetworkRecord:
    """The network as it stands: stored, or the one the settings would make."""
    stored = await stored_network(session)
    return stored if stored is not None else defaults(deployment)


def defaults(deployment: Deployment) -> NetworkRecord:
    """The network the settings make the first time one is needed (`storage.network`)."""
    return NetworkRecord(
        NEW_NETWORK_NAME, deployment.timezone, deployment.language, deployment.announcement_channel
    )


async def export_text(db: Sessions) -> str:
    """The stored network as plan text, read in one transaction."""
    async with db() as session:
        return await export_plan(session)


async def load_example(db: Sessions, deployment: Deployment, path: Path) -> str | None:
    """Import the example plan into a database without a network; the line to print, if any."""
    if not path.is_file():
        return None
    async with db.begin() as session:
        if await stored_network(session) is not None:
            return None
        plan = load_plan(path.read_text(encoding="utf-8"), defaults(deployment))
        summary = await import_and_plan(session, plan, deployment)
    created = sum(c.created for c in summary.counts.values())
    return f"Loaded the example network from {path.name} ({created} items)."
