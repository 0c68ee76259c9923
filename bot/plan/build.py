"""A checked plan's items as records: local times in UTC, references by key, defaults filled,
and the fields each item left out noted (`PlanRecords.left_out`), to keep what is stored."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import fields, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.moments import to_utc
from bot.plan.checks import resolve_material
from bot.plan.items import Indexed, Items
from bot.plan.models import MeetingIn, RegistrationIn, ThemeIn, WorkPackageIn, local_end, ref_parts
from bot.plan.records import (
    SECTIONS,
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
    """The records of a plan in which nothing was found wrong."""
    zone = items.zone
    organisations = tuple(
        OrganisationRecord(o.key, o.name, o.kind, o.parent, tuple(sorted(set(o.contacts))))
        for o in (entry.item for entry in items.organisations)
    )
    contacts = {organisation.key: organisation.contacts for organisation in organisations}
    plan = PlanRecords(
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
    return replace(plan, left_out=_left_out(items, plan))


# What names an item rather than describes it: never kept from the stored item.
_IDENTS = {"registrations": {"theme", "organisation", "user"}, "work_packages": {"theme"}}


def _left_out(items: Items, plan: PlanRecords) -> dict[str, dict[Hashable, frozenset[str]]]:
    """Per section, the record fields each item's mapping did not write."""
    found: dict[str, dict[Hashable, frozenset[str]]] = {}
    if items.network is not None and plan.network is not None:
        missing = _missing("network", items.network, plan.network)
        if missing:
            found["network"] = {plan.network.ident: missing}
    for section in SECTIONS[1:]:
        entries: list[Indexed[BaseModel]] = getattr(items, section)
        records: list[Any] = getattr(plan, section)
        if not records:
            continue
        described = _described(section, type(entries[0].item), type(records[0]))
        left = {
            record.ident: frozenset(described - entry.item.model_fields_set)
            for entry, record in zip(entries, records, strict=True)
            if not described <= entry.item.model_fields_set
        }
        if left:
            found[section] = left
    return found


def _described(section: str, model: type[BaseModel], record: type[Any]) -> frozenset[str]:
    """The fields of a section's records that its items may leave out (not their idents)."""
    names = {f.name for f in fields(record)} & set(model.model_fields)
    return frozenset(names - _IDENTS.get(section, set()))


def _missing(section: str, item: BaseModel, record: Any) -> frozenset[str]:
    return _described(section, type(item), type(record)) - item.model_fields_set


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
    """The network; what its mapping leaves out is the network's as it stands."""
    network = items.network
    if network is None:
        return None
    record = NetworkRecord(
        network.name, network.timezone, network.language, network.announcement_channel
    )
    missing = _missing("network", network, record)
    return replace(record, **{name: getattr(items.base, name) for name in missing})


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
        end=_utc(local_end(item.start, item.end), zone),
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
