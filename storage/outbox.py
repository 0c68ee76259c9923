"""The outbox: the notifications that should exist, kept in step with the items they are about.

A use case that creates, edits or deletes an item calls the function for its subject inside its
own transaction, so the item and its notifications change together:

    await outbox.reconcile_deadline(session, deadline.id, rules, request.now)
    await outbox.drop(session, "deadline", deadline.id)       # before or after deleting it

(`rules = await planner_items.rules(session, caller.deployment)`.) `plan_everything` does the
same for every upcoming item and is run periodically by the clock: it covers imports, the
weekly digests and the rounds before network meetings, and repairs anything a caller missed.

How the stored notifications are brought in line with the planned ones is in
`storage.reconcile`.

A use case whose change makes the bot post at once (an announcement, a notice) writes those
posts with `enqueue`, in the same transaction. When it commits, the delivery engine of the
process is woken (`on_enqueue`), and on PostgreSQL every process listening on WAKE_CHANNEL
(the `clock` processes) too, so an immediate post goes out within a moment in every layout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Table, event, func, select, text, true, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from bot.planner import (
    Planned,
    Rules,
    plan_deadline,
    plan_meeting,
    plan_theme,
    plan_work_package,
)
from storage import planner_items as data
from storage.models import Deadline, Meeting, Notification, Theme, WorkPackage
from storage.reconcile import Subject, insert, reconcile

Planning = tuple[list[Subject], list[Planned]]
PLAN_LOCK_ID = 0x6E62_706C  # PostgreSQL advisory lock: one planner of everything at a time
_table = cast(Table, Notification.__table__)
WAKE_CHANNEL = "network_bot_outbox"  # PostgreSQL NOTIFY channel: an immediate post was committed
_ENQUEUED = "network_bot_enqueued"  # in a session's info: wake the engines at commit
_wakers: list[Callable[[], None]] = []  # this process's engines


async def enqueue(session: AsyncSession, posts: Sequence[Planned], now: datetime) -> None:
    """Write immediate posts in the caller's transaction (identities that exist are kept);
    the engines are woken when it commits."""
    if not posts:
        return
    await insert(session, list(posts), now, immediate=True)
    session.info[_ENQUEUED] = True
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(WAKE_CHANNEL, "")))


async def listen(engine: AsyncEngine, wake: Callable[[], None]) -> AsyncConnection:
    """On PostgreSQL, call `wake` whenever another process commits immediate posts: LISTEN on
    a connection of its own (kept until closed; `listening` tells whether it still is)."""
    connection = await engine.connect()
    raw = await connection.get_raw_connection()
    assert raw.driver_connection is not None
    await raw.driver_connection.add_listener(WAKE_CHANNEL, lambda *_args: wake())
    return connection


async def listening(connection: AsyncConnection) -> bool:
    """Whether a LISTEN connection is still open (a dropped one must be made again)."""
    raw = await connection.get_raw_connection()
    return raw.driver_connection is not None and not raw.driver_connection.is_closed()


def on_enqueue(wake: Callable[[], None]) -> Callable[[], None]:
    """Call `wake` whenever a transaction of this process that enqueued posts commits;
    returns the function that stops it."""
    _wakers.append(wake)
    return lambda: _wakers.remove(wake)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_ENQUEUED, False):
        for wake in list(_wakers):
            wake()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_ENQUEUED, None)


@dataclass(frozen=True)
class Context:
    """What planning needs besides the items: the rules, the time, the announcement channel."""

    rules: Rules
    now: datetime
    announcement: str | None


async def context(session: AsyncSession, rules: Rules, now: datetime) -> Context:
    """The planning context, with the network's announcement channel."""
    return Context(rules, now, await data.announcement(session))


async def reconcile_deadline(
    session: AsyncSession, deadline_id: int, rules: Rules, now: datetime
) -> None:
    """Bring a deadline's reminders in line with it (a deleted one loses its pending ones)."""
    await _reconcile(session, "deadline", deadline_id, rules, now)


async def reconcile_meeting(
    session: AsyncSession, meeting_id: int, rules: Rules, now: datetime
) -> None:
    """Bring a meeting's reminders (and the status round before a network one) in line."""
    await _reconcile(session, "meeting", meeting_id, rules, now)


async def reconcile_work_package(
    session: AsyncSession,
    package_id: int,
    rules: Rules,
    now: datetime,
    *,
    owners_changed: bool = True,
) -> None:
    """A package's own notices, and who is asked for updates before network meetings: those
    only when the package may have changed who answers for an active package (it was added,
    opened or closed, or its owner changed), since planning them reads every active package."""
    await _reconcile(session, "work_package", package_id, rules, now)
    if not owners_changed:
        return
    upcoming = (Meeting.starts_at >= now) & Meeting.audience_all.is_(True)
    await reconcile(
        session, *await _meetings(session, upcoming, await context(session, rules, now)), now
    )


async def reconcile_theme(
    session: AsyncSession, theme_id: int, rules: Rules, now: datetime
) -> None:
    """A theme's digest and registration reminders, and its items' (its channel may change)."""
    await _reconcile(session, "theme", theme_id, rules, now)
    ctx = await context(session, rules, now)
    for planning in (
        await _deadlines(session, Deadline.theme_id == theme_id, ctx),
        await _packages(session, WorkPackage.theme_id == theme_id, ctx),
        await _meetings(session, Meeting.starts_at >= now, ctx),
    ):
        await reconcile(session, *planning, now)


async def drop(session: AsyncSession, subject_type: str, subject_id: int) -> None:
    """Cancel every pending notification of a deleted item (its immediate posts too)."""
    await session.execute(
        update(_table)
        .where(
            _table.c.subject_type == subject_type,
            _table.c.subject_id == subject_id,
            _table.c.state == "pending",
        )
        .values(state="cancelled")
    )


async def planned_for(
    session: AsyncSession, subject_type: str, subject_id: int, ctx: Context
) -> list[Planned]:
    """What the planner says one item should have now (also the sender's last check)."""
    plan, column = _SUBJECTS[subject_type]
    _subjects, planned = await plan(session, column == subject_id, ctx)
    return planned


async def plan_everything(session: AsyncSession, rules: Rules, now: datetime) -> bool:
    """Reconcile every upcoming item; False when another process is doing it right now."""
    if not await _plan_lock(session):
        return False
    today = now.astimezone(rules.zone).date()
    ctx = await context(session, rules, now)
    for planning in (
        await _deadlines(session, Deadline.due_date >= today - timedelta(days=1), ctx),
        await _packages(session, WorkPackage.due_date >= today - timedelta(days=2), ctx),
        await _themes(session, true(), ctx),
        await _meetings(session, Meeting.starts_at >= now - timedelta(days=1), ctx),
    ):
        await reconcile(session, *planning, now)
    return True


async def reconcile_item(
    session: AsyncSession, subject_type: str, subject_id: int, rules: Rules, now: datetime
) -> None:
    """Bring one item's notifications in line with it (the engine, finding one out of date)."""
    await _reconcile(session, subject_type, subject_id, rules, now)


async def _reconcile(
    session: AsyncSession, subject_type: str, subject_id: int, rules: Rules, now: datetime
) -> None:
    await session.flush()  # the caller's changes, so that the loaders see them
    ctx = await context(session, rules, now)
    planned = await planned_for(session, subject_type, subject_id, ctx)
    await reconcile(session, [(subject_type, subject_id)], planned, now)


async def _deadlines(session: AsyncSession, where: ColumnElement[bool], ctx: Context) -> Planning:
    items = await data.deadline_items(session, where, ctx.announcement)
    planned = [p for i in items for p in plan_deadline(i, ctx.rules)]
    return [("deadline", i.id) for i in items], planned


async def _meetings(session: AsyncSession, where: ColumnElement[bool], ctx: Context) -> Planning:
    items = await data.meeting_items(session, where, ctx.announcement)
    planned = [p for i in items for p in plan_meeting(i, ctx.rules)]
    return [("meeting", i.id) for i in items], planned


async def _packages(session: AsyncSession, where: ColumnElement[bool], ctx: Context) -> Planning:
    items = await data.package_items(session, where)
    planned = [p for i in items for p in plan_work_package(i, ctx.rules)]
    return [("work_package", i.id) for i in items], planned


async def _themes(session: AsyncSession, where: ColumnElement[bool], ctx: Context) -> Planning:
    items = await data.theme_items(session, where)
    planned = [p for i in items for p in plan_theme(i, ctx.rules, ctx.now)]
    return [("theme", i.id) for i in items], planned


_SUBJECTS = {
    "deadline": (_deadlines, Deadline.id),
    "meeting": (_meetings, Meeting.id),
    "work_package": (_packages, WorkPackage.id),
    "theme": (_themes, Theme.id),
}


async def wait_for_planning_turn(session: AsyncSession) -> None:
    """Take the planners' turn for the rest of the transaction, waiting for it if need be
    (`plan_everything` in the same transaction then has it already)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": PLAN_LOCK_ID})


async def _plan_lock(session: AsyncSession) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite runs one writer at a time anyway
    lock = text("SELECT pg_try_advisory_xact_lock(:id)")
    return bool(await session.scalar(lock, {"id": PLAN_LOCK_ID}))
