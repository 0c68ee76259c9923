"""Write a plan's changes: work packages with their logs, materials, meetings and deadlines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from bot.materials.search import search_text
from bot.plan.diff import Changes
from bot.plan.records import (
    DeadlineRecord,
    MaterialRecord,
    MeetingRecord,
    UpdateRecord,
    WorkPackageRecord,
)
from storage.models import (
    AgendaItem,
    Deadline,
    Material,
    Meeting,
    MeetingMaterial,
    MeetingTheme,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)
from storage.plan.writer import (
    Writer,
    chunks,
    delete_where,
    insert_rows,
    learn_ids,
    update_rows,
    write_section,
)


def _package_row(writer: Writer, record: WorkPackageRecord) -> dict[str, Any]:
    return {
        "theme_id": writer.ids["themes"][record.theme],
        "number": record.number,
        "title": record.title,
        "description": record.description,
        "owner_organisation_id": writer.id_of("organisations", record.owner),
        "owner_user_id": record.owner_user,
        "status": record.status,
        "progress": record.progress,
        "start_date": record.start,
        "due_date": record.due,
    }


async def work_packages(writer: Writer) -> None:
    await write_section(writer, WorkPackage, "work_packages", _package_row)
    w, t = WorkPackage.__table__.c, Theme.__table__.c
    query = select(w.id, t.key, w.number).join(Theme.__table__, t.id == w.theme_id)
    await learn_ids(writer, "work_packages", query)
    await _logs(writer, writer.changes["work_packages"])


def _log_rows(package_id: int, updates: Iterable[UpdateRecord]) -> Iterator[dict[str, Any]]:
    previous: UpdateRecord | None = None
    for entry in updates:
        yield {
            "work_package_id": package_id,
            "user_id": entry.user,
            "at": entry.at,
            "old_status": previous.status if previous else None,
            "new_status": entry.status,
            "old_progress": previous.progress if previous else None,
            "progress": entry.progress,
            "note": entry.note,
        }
        previous = entry


async def _logs(writer: Writer, changes: Changes[WorkPackageRecord]) -> None:
    stored = writer.stored.records("work_packages")
    rewrite = [r for _i, r in changes.updated if r.updates != stored[r.ident].updates] + [
        r for r in changes.created if r.updates
    ]
    ids = [writer.ids["work_packages"][(r.theme, r.number)] for r in rewrite]
    await delete_where(writer.session, WorkPackageUpdate.__table__.c.work_package_id, ids)
    rows = [
        row
        for package_id, r in zip(ids, rewrite, strict=True)
        for row in _log_rows(package_id, r.updates or ())
    ]
    await insert_rows(writer.session, WorkPackageUpdate, rows)


# --- materials ----------------------------------------------------------------------------


def _material_row(writer: Writer, record: MaterialRecord) -> dict[str, Any]:
    return {
        "theme_id": writer.id_of("themes", record.basket),
        "title": record.title,
        "url": record.url,
        "kind": record.kind,
        "tags": list(record.tags),
        "added_by": record.added_by,
        "added_at": record.added_at or writer.now,
        "search_text": search_text(record.title, record.tags),
    }


async def materials(writer: Writer) -> None:
    await write_section(writer, Material, "materials", _material_row)
    m, t = Material.__table__.c, Theme.__table__.c
    query = select(m.id, t.key, m.url).outerjoin(Theme.__table__, t.id == m.theme_id).order_by(m.id)
    await learn_ids(writer, "materials", query)


# --- meetings and deadlines ---------------------------------------------------------------


def _meeting_row(record: MeetingRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "title": record.title,
        "starts_at": record.start,
        "ends_at": record.end,
        "place": record.place,
        "online_url": record.online,
        "audience_all": not record.audience,
        "remind": list(record.remind),
        "cancelled": record.cancelled,
    }


def _moved(old: MeetingRecord, new: MeetingRecord) -> bool:
    """Whether calendars must be told (iCalendar SEQUENCE): time, place or title changed."""
    return (old.start, old.end, old.place, old.title) != (new.start, new.end, new.place, new.title)


async def meetings(writer: Writer) -> None:
    changes: Changes[MeetingRecord] = writer.changes["meetings"]
    await insert_rows(writer.session, Meeting, [_meeting_row(r) for r in changes.created])
    stored = writer.stored.sections["meetings"]
    sequences = await _sequences(writer, [stored[i][0] for i, _r in changes.updated])
    rows = []
    for ident, record in changes.updated:
        row_id, old = stored[ident]
        bump = 1 if _moved(old, record) else 0
        rows.append(
            {
                "id": row_id,
                **_meeting_row(record),
                "sequence": sequences[row_id] + bump,
                "updated_at": writer.now,
            }
        )
    await update_rows(writer.session, Meeting, rows)
    m = Meeting.__table__.c
    await learn_ids(writer, "meetings", select(m.id, m.key))
    await _meeting_parts(writer, [*changes.created, *(r for _i, r in changes.updated)])


async def _sequences(writer: Writer, ids: list[int]) -> dict[int, int]:
    m = Meeting.__table__.c
    found: dict[int, int] = {}
    for chunk in chunks(ids):
        found.update(
            dict(
                list(await writer.session.execute(select(m.id, m.sequence).where(m.id.in_(chunk))))
            )
        )
    return found


async def _meeting_parts(writer: Writer, records: list[MeetingRecord]) -> None:
    """Audience, agenda and linked materials of new and changed meetings, written afresh."""
    ids = [writer.ids["meetings"][r.key] for r in records]
    for column in (
        MeetingTheme.__table__.c.meeting_id,
        AgendaItem.__table__.c.meeting_id,
        MeetingMaterial.__table__.c.meeting_id,
    ):
        await delete_where(writer.session, column, ids)
    themes, agenda, materials = [], [], []
    for meeting_id, record in zip(ids, records, strict=True):
        themes += [
            {"meeting_id": meeting_id, "theme_id": writer.ids["themes"][k]} for k in record.audience
        ]
        agenda += [
            {
                "meeting_id": meeting_id,
                "position": n,
                "time": a.time,
                "title": a.title,
                "presenter": a.presenter,
            }
            for n, a in enumerate(record.agenda)
        ]
        materials += [
            {"meeting_id": meeting_id, "material_id": writer.ids["materials"][k]}
            for k in record.materials
        ]
    await insert_rows(writer.session, MeetingTheme, themes)
    await insert_rows(writer.session, AgendaItem, agenda)
    await insert_rows(writer.session, MeetingMaterial, materials)


def _deadline_row(writer: Writer, record: DeadlineRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "title": record.title,
        "due_date": record.due_date,
        "due_time": record.due_time,
        "theme_id": writer.id_of("themes", record.theme),
        "remind": list(record.remind),
        "registration": record.registration,
    }


async def deadlines(writer: Writer) -> None:
    await write_section(writer, Deadline, "deadlines", _deadline_row)
