"""The stored network as plan records (`bot.plan.records`), each section in one query.

Both directions of the plan use it: export renders these records; import compares the plan
with them. Items come in the order they were stored; each record's row id is kept beside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.records import (
    AgendaRecord,
    DeadlineRecord,
    MaterialKey,
    MaterialRecord,
    MeetingRecord,
    MemberRecord,
    NetworkRecord,
    OrganisationRecord,
    PlanRecords,
    RegistrationRecord,
    ThemeRecord,
    UpdateRecord,
    WorkPackageRecord,
    material_order,
)
from storage import planner_items
from storage.models import (
    AgendaItem,
    Deadline,
    Material,
    Meeting,
    MeetingMaterial,
    MeetingTheme,
    Member,
    Organisation,
    OrganisationContact,
    Registration,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)

Section = dict[Hashable, tuple[int, Any]]


@dataclass
class Stored:
    """Every section as `{ident: (row id, record)}`, in the order the rows were stored."""

    network: tuple[int, NetworkRecord] | None = None
    sections: dict[str, Section] = field(default_factory=dict)
    next_wp_number: dict[str, int] = field(default_factory=dict)

    def ids(self, section: str) -> dict[Hashable, int]:
        """`{ident: row id}` of one section."""
        return {ident: row_id for ident, (row_id, _record) in self.sections[section].items()}

    def records(self, section: str) -> dict[Hashable, Any]:
        """`{ident: record}` of one section."""
        return {ident: record for ident, (_row_id, record) in self.sections[section].items()}

    def plan(self) -> PlanRecords:
        """The whole stored network as one plan."""
        listed: dict[str, Any] = {
            name: tuple(self.records(name).values()) for name in self.sections
        }
        return PlanRecords(network=self.network[1] if self.network else None, **listed)


async def load(session: AsyncSession) -> Stored:
    """Read the whole network: a handful of queries, none per item."""
    stored = Stored(network=await _network(session))
    organisations = await _organisations(session)
    org_keys = {row_id: record.key for row_id, record in organisations.values()}
    stored.sections["organisations"] = organisations
    stored.sections["members"] = await _members(session, org_keys)
    themes, stored.next_wp_number = await _themes(session, org_keys)
    stored.sections["themes"] = themes
    theme_keys = {row_id: record.key for row_id, record in themes.values()}
    stored.sections["registrations"] = await _registrations(session, theme_keys, org_keys)
    stored.sections["work_packages"] = await _work_packages(session, theme_keys, org_keys)
    materials = await _materials(session, theme_keys)
    stored.sections["materials"] = materials
    material_keys = {row_id: record.ident for row_id, record in materials.values()}
    stored.sections["meetings"] = await _meetings(session, theme_keys, material_keys)
    stored.sections["deadlines"] = await _deadlines(session, theme_keys)
    return stored


async def stored_network(session: AsyncSession) -> NetworkRecord | None:
    """The stored network, if one was made yet."""
    found = await _network(session)
    return found[1] if found else None


async def _network(session: AsyncSession) -> tuple[int, NetworkRecord] | None:
    row = await planner_items.network(session)
    if row is None:
        return None
    record = NetworkRecord(row.name, row.timezone, row.language, row.announcement_channel)
    return row.id, record


async def _rows(session: AsyncSession, *columns: Any, order: Any) -> list[Any]:
    return list(await session.execute(select(*columns).order_by(*order)))


async def _organisations(session: AsyncSession) -> Section:
    o = Organisation.__table__.c
    rows = await _rows(session, o.id, o.key, o.name, o.kind, o.parent_id, order=[o.id])
    contacts: dict[int, list[str]] = defaultdict(list)
    c = OrganisationContact.__table__.c
    for org_id, user in await _rows(session, c.organisation_id, c.user_id, order=[c.user_id]):
        contacts[org_id].append(user)
    keys = {row.id: row.key for row in rows}
    return {
        row.key: (
            row.id,
            OrganisationRecord(
                row.key, row.name, row.kind, keys.get(row.parent_id), tuple(contacts[row.id])
            ),
        )
        for row in rows
    }


async def _members(session: AsyncSession, org_keys: dict[int, str]) -> Section:
    m = Member.__table__.c
    rows = await _rows(session, m.id, m.user_id, m.organisation_id, m.role, order=[m.id])
    return {
        row.user_id: (
            row.id,
            MemberRecord(row.user_id, org_keys.get(row.organisation_id), row.role),
        )
        for row in rows
    }


async def _themes(
    session: AsyncSession, org_keys: dict[int, str]
) -> tuple[Section, dict[str, int]]:
    t = Theme.__table__.c
    rows = await _rows(session, Theme.__table__, order=[t.id])
    themes: Section = {}
    for row in rows:
        record = ThemeRecord(
            row.key,
            row.name,
            row.description,
            row.channel_id,
            org_keys.get(row.lead_organisation_id),
            row.chair_user_id,
            row.registration_deadline,
            row.language,
            row.digest_enabled,
            row.archived,
        )
        themes[row.key] = (row.id, record)
    return themes, {row.key: row.next_wp_number for row in rows}


async def _registrations(
    session: AsyncSession, theme_keys: dict[int, str], org_keys: dict[int, str]
) -> Section:
    r = Registration.__table__.c
    rows = await _rows(session, Registration.__table__, order=[r.id])
    section: Section = {}
    for row in rows:
        record = RegistrationRecord(
            theme_keys[row.theme_id],
            org_keys.get(row.organisation_id),
            row.user_id,
            row.registered_by,
            row.registered_at,
        )
        section[record.ident] = (row.id, record)
    return section


async def _work_packages(
    session: AsyncSession, theme_keys: dict[int, str], org_keys: dict[int, str]
) -> Section:
    w = WorkPackage.__table__.c
    rows = await _rows(session, WorkPackage.__table__, order=[w.theme_id, w.number])
    updates = await _updates(session)
    section: Section = {}
    for row in rows:
        record = WorkPackageRecord(
            theme_keys[row.theme_id],
            row.number,
            row.title,
            row.description,
            org_keys.get(row.owner_organisation_id),
            row.owner_user_id,
            row.status,
            row.progress,
            row.start_date,
            row.due_date,
            tuple(updates[row.id]),
        )
        section[record.ident] = (row.id, record)
    return section


async def _updates(session: AsyncSession) -> dict[int, list[UpdateRecord]]:
    u = WorkPackageUpdate.__table__.c
    columns = (u.work_package_id, u.at, u.user_id, u.new_status, u.progress, u.note)
    found: dict[int, list[UpdateRecord]] = defaultdict(list)
    for package, at, user, status, progress, note in await _rows(
        session, *columns, order=[u.work_package_id, u.at, u.id]
    ):
        found[package].append(UpdateRecord(at, user, status, progress, note))
    return found


async def _materials(session: AsyncSession, theme_keys: dict[int, str]) -> Section:
    m = Material.__table__.c
    columns = (m.id, m.theme_id, m.url, m.title, m.kind, m.tags, m.added_by, m.added_at)
    section: Section = {}
    for row in await _rows(session, *columns, order=[m.id]):
        basket = theme_keys.get(row.theme_id) if row.theme_id is not None else None
        record = MaterialRecord(
            basket, row.url, row.title, row.kind, tuple(row.tags), row.added_by, row.added_at
        )
        # The same url twice in one basket: the first stands for both (a plan names one).
        section.setdefault(record.ident, (row.id, record))
    return section


async def _meetings(
    session: AsyncSession, theme_keys: dict[int, str], material_keys: dict[int, MaterialKey]
) -> Section:
    m = Meeting.__table__.c
    rows = await _rows(session, Meeting.__table__, order=[m.id])
    audiences = await _pairs(session, MeetingTheme.__table__.c, "theme_id")
    linked = await _pairs(session, MeetingMaterial.__table__.c, "material_id")
    agendas = await _agendas(session)
    section: Section = {}
    for row in rows:
        materials = {material_keys[i] for i in linked[row.id] if i in material_keys}
        record = MeetingRecord(
            key=row.key,
            title=row.title,
            start=row.starts_at,
            audience=()
            if row.audience_all
            else tuple(sorted(theme_keys[i] for i in audiences[row.id])),
            end=row.ends_at,
            place=row.place,
            online=row.online_url,
            agenda=tuple(agendas[row.id]),
            materials=tuple(sorted(materials, key=material_order)),
            remind=tuple(row.remind),
            cancelled=row.cancelled,
        )
        section[row.key] = (row.id, record)
    return section


async def _pairs(session: AsyncSession, columns: Any, other: str) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for meeting_id, other_id in await _rows(
        session, columns.meeting_id, columns[other], order=[columns.meeting_id]
    ):
        found[meeting_id].append(other_id)
    return found


async def _agendas(session: AsyncSession) -> dict[int, list[AgendaRecord]]:
    a = AgendaItem.__table__.c
    found: dict[int, list[AgendaRecord]] = defaultdict(list)
    for meeting_id, time, title, presenter in await _rows(
        session, a.meeting_id, a.time, a.title, a.presenter, order=[a.meeting_id, a.position, a.id]
    ):
        found[meeting_id].append(AgendaRecord(title, time, presenter))
    return found


async def _deadlines(session: AsyncSession, theme_keys: dict[int, str]) -> Section:
    d = Deadline.__table__.c
    section: Section = {}
    for row in await _rows(session, Deadline.__table__, order=[d.id]):
        record = DeadlineRecord(
            row.key,
            row.title,
            row.due_date,
            row.due_time,
            theme_keys.get(row.theme_id) if row.theme_id is not None else None,
            tuple(row.remind),
            row.registration,
        )
        section[row.key] = (row.id, record)
    return section
