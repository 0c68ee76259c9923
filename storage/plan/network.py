"""Write a plan's changes: the network, organisations, members, themes and registrations.

The caller (`storage.plan.transfer.import_plan`) owns the transaction and has already compared
the plan with the stored network (`bot.plan.diff`); nothing here decides what changes, only how
the rows are written, section by section in the order the references between them need. The
rest of the sections are in `storage.plan.work`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from bot.plan.diff import Changes
from bot.plan.records import (
    MemberRecord,
    NetworkRecord,
    OrganisationRecord,
    PlanRecords,
    RegistrationRecord,
    ThemeRecord,
)
from bot.themes import is_late
from storage import outbox
from storage.models import (
    Deadline,
    Material,
    Meeting,
    Member,
    Network,
    Organisation,
    OrganisationContact,
    Registration,
    Theme,
    WorkPackage,
)
from storage.plan.work import deadlines, materials, meetings, work_packages
from storage.plan.writer import (
    Writer,
    delete_items,
    insert_rows,
    learn_ids,
    stored_id,
    update_each,
    update_rows,
    write_section,
)

NOTIFIED = {
    "themes": "theme",
    "work_packages": "work_package",
    "meetings": "meeting",
    "deadlines": "deadline",
}
PRUNE_ORDER = (
    ("deadlines", Deadline),
    ("meetings", Meeting),
    ("materials", Material),
    ("work_packages", WorkPackage),
    ("registrations", Registration),
    ("themes", Theme),
    ("members", Member),
    ("organisations", Organisation),
)


async def write(writer: Writer, *, prune: bool) -> None:
    """Carry out every section's changes, in the order the references between them need."""
    await _network(writer)
    await _organisations(writer)
    await _members(writer)
    await _themes(writer)
    await _registrations(writer)
    await work_packages(writer)
    await materials(writer)
    await meetings(writer)
    await deadlines(writer)
    if prune:
        await _drop_notifications(writer)
        for section, model in PRUNE_ORDER:
            await delete_items(writer, model, section, writer.changes[section].absent)


async def _drop_notifications(writer: Writer) -> None:
    """Pending notifications of the items a prune deletes are cancelled with them."""
    for section, subject in NOTIFIED.items():
        for ident in writer.changes[section].absent:
            await outbox.drop(writer.session, subject, stored_id(writer, section, ident))


# --- network, organisations, members ------------------------------------------------------


def _network_row(record: NetworkRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "timezone": record.timezone,
        "language": record.language,
        "announcement_channel": record.announcement_channel,
    }


async def _network(writer: Writer) -> None:
    changes = writer.changes["network"]
    await insert_rows(writer.session, Network, [_network_row(r) for r in changes.created])
    if changes.updated and writer.stored.network is not None:
        row = _network_row(changes.updated[0][1]) | {"updated_at": writer.now}
        await update_rows(writer.session, Network, [{"id": writer.stored.network[0], **row}])


async def _organisations(writer: Writer) -> None:
    changes: Changes[OrganisationRecord] = writer.changes["organisations"]
    rows = [{"key": r.key, "name": r.name, "kind": r.kind} for r in changes.created]
    await insert_rows(writer.session, Organisation, rows)
    o = Organisation.__table__.c
    await learn_ids(writer, "organisations", select(o.id, o.key))
    parent = [
        {
            "id": writer.ids["organisations"][r.key],
            "parent_id": writer.id_of("organisations", r.parent),
        }
        for r in changes.created
        if r.parent is not None
    ]
    await update_rows(writer.session, Organisation, parent)
    await update_rows(
        writer.session,
        Organisation,
        [
            {
                "id": stored_id(writer, "organisations", ident),
                "name": r.name,
                "kind": r.kind,
                "parent_id": writer.id_of("organisations", r.parent),
                "updated_at": writer.now,
            }
            for ident, r in changes.updated
        ],
    )
    await _contacts(writer, changes)


async def _contacts(writer: Writer, changes: Changes[OrganisationRecord]) -> None:
    stored = writer.stored.records("organisations")
    records = [*changes.created, *(r for _ident, r in changes.updated)]
    add, remove = [], []
    for record in records:
        org_id = writer.ids["organisations"][record.key]
        before = set(stored[record.key].contacts) if record.key in stored else set()
        add += [
            {"organisation_id": org_id, "user_id": u} for u in sorted(set(record.contacts) - before)
        ]
        remove += [(org_id, u) for u in sorted(before - set(record.contacts))]
    await insert_rows(writer.session, OrganisationContact, add)
    for org_id, user in remove:  # rare: a contact who no longer is one
        statement = delete(OrganisationContact).where(
            OrganisationContact.organisation_id == org_id, OrganisationContact.user_id == user
        )
        await writer.session.execute(statement.execution_options(synchronize_session=False))


def _member_row(writer: Writer, record: MemberRecord) -> dict[str, Any]:
    organisation = writer.id_of("organisations", record.organisation)
    return {"user_id": record.user, "organisation_id": organisation, "role": record.role}


async def _members(writer: Writer) -> None:
    await write_section(writer, Member, "members", _member_row)


# --- themes and registrations -------------------------------------------------------------


def _next_numbers(plan: PlanRecords) -> dict[str, int]:
    """The number each theme's next work package must get at least."""
    highest: dict[str, int] = {}
    for package in plan.work_packages:
        highest[package.theme] = max(highest.get(package.theme, 0), package.number)
    return {theme: number + 1 for theme, number in highest.items()}


def _theme_row(writer: Writer, record: ThemeRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "name": record.name,
        "description": record.description,
        "channel_id": record.channel,
        "lead_organisation_id": writer.id_of("organisations", record.lead),
        "chair_user_id": record.chair,
        "registration_deadline": record.registration_deadline,
        "language": record.language,
        "digest_enabled": record.digest,
        "archived": record.archived,
    }


async def _themes(writer: Writer) -> None:
    changes: Changes[ThemeRecord] = writer.changes["themes"]
    needed = _next_numbers(writer.plan)
    rows = [
        _theme_row(writer, r) | {"next_wp_number": needed.get(r.key, 1)} for r in changes.created
    ]
    await insert_rows(writer.session, Theme, rows)
    updated = {
        ident: _theme_row(writer, r) | {"updated_at": writer.now} for ident, r in changes.updated
    }
    for key, number in needed.items():
        if writer.stored.next_wp_number.get(key, number) < number:
            updated.setdefault(key, {})["next_wp_number"] = number
    await update_each(writer, Theme, "themes", updated)
    t = Theme.__table__.c
    await learn_ids(writer, "themes", select(t.id, t.key))


def _registration_row(writer: Writer, record: RegistrationRecord) -> dict[str, Any]:
    deadline = writer.deadlines.get(record.theme)
    at = record.at or writer.now
    return {
        "theme_id": writer.ids["themes"][record.theme],
        "organisation_id": writer.id_of("organisations", record.organisation),
        "user_id": record.user,
        "registered_by": record.by,
        "registered_at": at,
        "late": is_late(deadline, at, writer.zone),
    }


async def _registrations(writer: Writer) -> None:
    replaced = writer.changes["registrations"].replaced
    await delete_items(writer, Registration, "registrations", replaced)
    await write_section(writer, Registration, "registrations", _registration_row)
