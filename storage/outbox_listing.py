"""What the operator's outbox listing shows besides the notifications: what each is about, in
names rather than ids (where each goes: `storage.channels`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Deadline, Meeting, Notification, Theme, WorkPackage

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
