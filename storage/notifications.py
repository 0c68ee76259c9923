"""Notifications read or requeued outside the engine's claims: the operator's list (with what
each is about, in names) and retry, the failures of a period, the state of a post another one
answers in its thread (where each goes: `storage.channels`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Deadline, Meeting, Notification, Theme, WorkPackage

_table = cast(Table, Notification.__table__)


async def parent(session: AsyncSession, identity: str) -> tuple[str, str | None, str | None] | None:
    """The state of the post `identity`, and where it landed (channel, ts) once sent."""
    row = (
        await session.execute(
            select(_table.c.state, _table.c.slack_channel, _table.c.slack_ts).where(
                _table.c.identity == identity
            )
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


async def failed_between(
    session: AsyncSession, start: datetime, end: datetime, skip_kind: str
) -> list[Notification]:
    """Notifications that failed in [start, end), but those of `skip_kind`."""
    return list(
        await session.scalars(
            select(Notification)
            .where(
                Notification.state == "failed",
                Notification.updated_at >= start,
                Notification.updated_at < end,
                Notification.kind != skip_kind,
            )
            .order_by(Notification.id)
        )
    )


async def listing(session: AsyncSession, state: str | None, limit: int) -> list[Notification]:
    """Notifications for an operator: pending ones soonest first, the others latest first."""
    query = select(Notification).limit(limit)
    if state is not None:
        query = query.where(Notification.state == state)
    order = Notification.due_at.asc() if state == "pending" else Notification.due_at.desc()
    return list(await session.scalars(query.order_by(order, Notification.id)))


async def retry(session: AsyncSession, note_id: int, now: datetime) -> bool:
    """Queue a failed notification again, due now; False if there is no such failed one.

    It remembers the time it was meant for (its grace counts from now)."""
    note = await session.get(Notification, note_id, with_for_update=True)
    if note is None or note.state != "failed":
        return False
    meant = note.payload.get("meant_for") or note.due_at.isoformat()
    note.payload = {**note.payload, "meant_for": meant}
    note.state, note.due_at, note.updated_at = "pending", now, now
    note.lease_until = note.claimed_by = note.not_before = note.tried_at = None
    note.looks = 0
    return True


Subject = tuple[str, int]  # (subject type, id)


async def subject_names(session: AsyncSession, notes: Iterable[Notification]) -> dict[Subject, str]:
    """What each notification is about: a deadline's or meeting's title, a work package's
    reference, a theme's key. An item deleted since has no name."""
    wanted: dict[str, set[int]] = {}
    for note in notes:
        if note.subject_id is not None:
            wanted.setdefault(note.subject_type, set()).add(note.subject_id)
    found: dict[Subject, str] = {}
    for kind, ids in wanted.items():
        for subject_id, name in await _names(session, kind, sorted(ids)):
            found[(kind, subject_id)] = name
    return found


async def _names(session: AsyncSession, kind: str, ids: list[int]) -> list[tuple[int, str]]:
    if kind == "deadline":
        query = select(Deadline.id, Deadline.title).where(Deadline.id.in_(ids))
    elif kind == "meeting":
        query = select(Meeting.id, Meeting.title).where(Meeting.id.in_(ids))
    elif kind == "theme":
        query = select(Theme.id, Theme.key).where(Theme.id.in_(ids))
    elif kind == "work_package":
        packages = await session.execute(
            select(WorkPackage.id, Theme.key, WorkPackage.number)
            .join(Theme, Theme.id == WorkPackage.theme_id)
            .where(WorkPackage.id.in_(ids))
        )
        return [(package_id, f"{key}-{number}") for package_id, key, number in packages]
    else:
        return []
    return [(subject_id, str(name)) for subject_id, name in await session.execute(query)]
