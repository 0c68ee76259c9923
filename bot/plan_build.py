"""A checked plan's items as records: local times in UTC, references by key, defaults filled."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.moments import to_utc
from bot.plan_check import meeting_end, ref_parts, resolve_material
from bot.plan_items import Items
from bot.plan_models import MeetingIn, RegistrationIn, ThemeIn, WorkPackageIn
from bot.plan_records import (
    AgendaRecord,
    DeadlineRecord,
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


def build(items: Items) -> PlanRecords:
    """The records of a plan that `bot.plan_check.check` found nothing wrong with."""
    zone = items.zone
    organisations = tuple(
        OrganisationRecord(o.key, o.name, o.kind, o.parent, tuple(sorted(set(o.contacts))))
        for o in (entry.item for entry in items.organisations)
    )
    contacts = {organisation.key: organisation.contacts for organisation in organisations}
    return PlanRecords(
        network=_network(items),
        organisations=organisations,
        members=tuple(
            MemberRecord(m.item.user, m.item.organisation, m.item.role) for m in items.members
        ),
        themes=tuple(_theme(entry.item) for entry in items.themes),
        registrations=tuple(
            registration(entry.item, contacts, zone) for entry in items.registrations
        ),
        work_packages=tuple(_work_package(entry.item, zone) for entry in items.work_packages),
        materials=tuple(
            MaterialRecord(
                m.theme,
                m.url,
                m.title,
                m.kind,
                tuple(m.tags),
                m.added_by or "",
                _utc(m.added_at, zone),
            )
            for m in (entry.item for entry in items.materials)
        ),
        meetings=tuple(_meeting(entry.item, items, zone) for entry in items.meetings),
        deadlines=tuple(
            DeadlineRecord(
                d.key, d.title, d.due.day, d.due.at, d.audience, d.remind, d.registration
            )
            for d in (entry.item for entry in items.deadlines)
        ),
    )


def default_registrant(
    organisation: str | None, user: str | None, contacts: dict[str, tuple[str, ...]]
) -> str:
    """Who registered, when a plan does not say: the user, else the organisation's first contact."""
    if user is not None:
        return user
    listed = contacts.get(organisation or "", ())
    return listed[0] if listed else ""


def registration(
    item: RegistrationIn, contacts: dict[str, tuple[str, ...]], zone: ZoneInfo
) -> RegistrationRecord:
    """A registration with who registered it filled in."""
    by = item.by or default_registrant(item.organisation, item.user, contacts)
    return RegistrationRecord(item.theme, item.organisation, item.user, by, _utc(item.at, zone))


def _network(items: Items) -> NetworkRecord | None:
    network = items.network
    if network is None:
        return None
    return NetworkRecord(
        network.name, network.timezone, network.language, network.announcement_channel
    )


def _theme(item: ThemeIn) -> ThemeRecord:
    return ThemeRecord(
        item.key,
        item.name,
        item.description,
        item.channel,
        item.lead,
        item.chair,
        item.registration_deadline,
        item.language,
        item.digest,
        item.archived,
    )


def _work_package(item: WorkPackageIn, zone: ZoneInfo) -> WorkPackageRecord:
    parts = ref_parts(item.ref)
    assert parts is not None
    updates = None
    if item.updates is not None:
        listed = [
            UpdateRecord(_moment(u.at, zone), u.user, u.status, u.progress, u.note)
            for u in item.updates
        ]
        updates = tuple(sorted(listed, key=lambda update: update.at))
    return WorkPackageRecord(
        parts[0],
        parts[1],
        item.title,
        item.description,
        item.owner,
        item.owner_user,
        item.status,
        item.progress,
        item.start,
        item.due,
        updates,
    )


def _meeting(item: MeetingIn, items: Items, zone: ZoneInfo) -> MeetingRecord:
    materials = {resolve_material(ref.url, ref.theme, items)[0] for ref in item.materials}
    return MeetingRecord(
        key=item.key,
        title=item.title,
        start=_moment(item.start, zone),
        audience=tuple(sorted(set(item.audience))),
        end=_utc(meeting_end(item), zone),
        place=item.place,
        online=item.online,
        agenda=tuple(AgendaRecord(a.title, a.time, a.presenter) for a in item.agenda),
        materials=tuple(sorted(materials, key=material_order)),
        remind=item.remind,
        cancelled=item.cancelled,
    )


def _moment(local: datetime, zone: ZoneInfo) -> datetime:
    moment = to_utc(local, zone)
    assert moment is not None, "checked: every local time exists"
    return moment


def _utc(local: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if local is None else _moment(local, zone)
