"""Reconciling stored notifications with planned ones: the difference, and the bulk writes.

Only the planner's kinds are reconciled: an immediate post (an announcement, a notice) is never
cancelled because the planner does not plan it.

Reconciling inserts what is missing (never anything already due: a notification whose time
passed before it was planned is not posted), reschedules pending ones whose time, target or
content changed, revives cancelled ones planned again, and cancels pending ones no longer
planned. Claimed, sent, failed and skipped ones are never touched, nor the time of one tried
before. Every step is one bulk statement (a chunk of ids at a time), and concurrent planners
are harmless: inserts skip identities that exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.planner import PLANNED_KINDS, Planned
from storage.models import Notification

Subject = tuple[str, int]
CHUNK = 1000  # ids per IN (…): well under every driver's limit of bound parameters
_table = cast(Table, Notification.__table__)


@dataclass(frozen=True)
class Stored:
    """What reconciling needs to know of a stored notification."""

    id: int
    identity: str
    kind: str
    state: str
    target: str
    due_at: datetime
    payload: dict[str, Any]
    attempts: int = 0


@dataclass(frozen=True)
class Changes:
    """What to write: notifications to insert, to reschedule or revive, and to cancel."""

    insert: list[Planned] = field(default_factory=list)
    update: list[tuple[int, Planned]] = field(default_factory=list)
    cancel: list[int] = field(default_factory=list)


async def reconcile(
    session: AsyncSession, subjects: Iterable[Subject], planned: Sequence[Planned], now: datetime
) -> None:
    """Make the pending notifications of `subjects` exactly the `planned` ones (see above)."""
    changes = diff(await _stored(session, subjects), planned, now)
    await insert(session, changes.insert, now)
    await _update(session, changes.update, now)
    await _cancel(session, changes.cancel, now)


def diff(stored: dict[str, Stored], planned: Sequence[Planned], now: datetime) -> Changes:
    """The writes that turn the stored notifications into the planned ones (pure)."""
    wanted = {p.identity: p for p in planned}
    changes = Changes(
        insert=[p for p in wanted.values() if p.identity not in stored and p.due_at >= now],
        cancel=[r.id for r in stored.values() if r.state == "pending" and r.identity not in wanted],
    )
    for identity, plan in wanted.items():
        row = stored.get(identity)
        if row is None or row.state not in ("pending", "cancelled"):
            continue  # new, or in the sender's hands, or done with: never touched
        if row.attempts:
            # Tried before (and given back): it may be in Slack already, and the search for
            # it starts from its time, so that time stays. It still goes if no longer planned.
            continue
        if plan.due_at < now:
            # Moved into the past: as if planned now, it is not posted.
            if row.state == "pending" and _differs(row, plan):
                changes.cancel.append(row.id)
        elif row.state == "cancelled" or _differs(row, plan):
            changes.update.append((row.id, plan))
    return changes


def payload(plan: Planned) -> dict[str, Any]:
    """The stored payload: the planner's, and the time of the event it is about."""
    event = {"event_at": plan.event_at.isoformat()} if plan.event_at else {}
    return {**plan.payload, **event}


def _differs(row: Stored, plan: Planned) -> bool:
    return (row.due_at, row.target, row.kind, row.payload) != (
        plan.due_at,
        plan.target,
        plan.kind,
        payload(plan),
    )


async def _stored(session: AsyncSession, subjects: Iterable[Subject]) -> dict[str, Stored]:
    """The planned-kind notifications of these subjects, by identity, a chunk of ids a query."""
    ids: dict[str, set[int]] = defaultdict(set)
    for subject_type, subject_id in subjects:
        ids[subject_type].add(subject_id)
    found: dict[str, Stored] = {}
    columns = [getattr(Notification, name) for name in Stored.__dataclass_fields__]
    for subject_type, chunk in _chunks(ids):
        rows = await session.execute(
            select(*columns).where(
                Notification.subject_type == subject_type,
                Notification.subject_id.in_(chunk),
                Notification.kind.in_(sorted(PLANNED_KINDS)),
            )
        )
        found.update({row.identity: Stored(*row) for row in rows})
    return found


def _chunks(ids: dict[str, set[int]]) -> Iterable[tuple[str, list[int]]]:
    for subject_type, found in ids.items():
        ordered = sorted(found)
        for start in range(0, len(ordered), CHUNK):
            yield subject_type, ordered[start : start + CHUNK]


async def insert(
    session: AsyncSession, plans: list[Planned], now: datetime, immediate: bool = False
) -> None:
    """Insert, skipping identities that exist (another planner inserted them meanwhile)."""
    if not plans:
        return
    rows = [
        {
            "identity": p.identity,
            "kind": p.kind,
            "subject_type": p.subject_type,
            "subject_id": p.subject_id,
            "target": p.target,
            "due_at": p.due_at,
            "state": "pending",
            "attempts": 0,
            "payload": payload(p),
            "immediate": immediate,
            "looks": 0,
            "created_at": now,
            "updated_at": now,
        }
        for p in plans
    ]
    dialect = session.get_bind().dialect.name
    statement = dialect_insert(dialect)(_table).on_conflict_do_nothing(index_elements=["identity"])
    for start in range(0, len(rows), CHUNK):
        await session.execute(statement, rows[start : start + CHUNK])


def dialect_insert(dialect: str) -> Callable[[Table], Any]:
    """The dialect's INSERT, which knows `ON CONFLICT` (PostgreSQL and SQLite alike)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def _update(session: AsyncSession, changed: list[tuple[int, Planned]], now: datetime) -> None:
    """Reschedule or revive, in id order (so concurrent planners lock rows alike)."""
    if not changed:
        return
    statement = (
        update(_table)
        .where(
            _table.c.id == bindparam("row_id"),
            # Not IN (…): an expanding parameter cannot go into an executemany.
            or_(_table.c.state == "pending", _table.c.state == "cancelled"),
        )
        .values(
            state="pending",
            kind=bindparam("new_kind"),
            target=bindparam("new_target"),
            due_at=bindparam("new_due_at"),
            payload=bindparam("new_payload"),
            updated_at=now,
        )
    )
    params = [
        {
            "row_id": row_id,
            "new_kind": p.kind,
            "new_target": p.target,
            "new_due_at": p.due_at,
            "new_payload": payload(p),
        }
        for row_id, p in sorted(changed, key=lambda pair: pair[0])
    ]
    await session.execute(statement, params)


async def _cancel(session: AsyncSession, ids: list[int], now: datetime) -> None:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        await session.execute(
            update(_table)
            .where(_table.c.id.in_(ordered[start : start + CHUNK]), _table.c.state == "pending")
            .values(state="cancelled", updated_at=now)
        )
