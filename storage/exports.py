"""The rows of the coordinators' CSV files: one query each, in a stable order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.csv_export import MaterialRow, RegistrationRow, WorkPackageRow
from storage.models import Material, Organisation, Registration, Theme, WorkPackage


async def registration_rows(session: AsyncSession) -> list[RegistrationRow]:
    """Every registration, by theme and then in the order they came."""
    query = (
        select(Theme.key, Theme.name, Organisation.name, Registration)
        .join(Theme, Theme.id == Registration.theme_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .order_by(Theme.key, Registration.registered_at, Registration.id)
    )
    return [
        RegistrationRow(
            key,
            name,
            organisation,
            row.user_id,
            row.registered_by,
            row.registered_at,
            row.late,
        )
        for key, name, organisation, row in await session.execute(query)
    ]


async def work_package_rows(session: AsyncSession) -> list[WorkPackageRow]:
    """Every work package, by theme and number."""
    owner = aliased(Organisation)
    query = (
        select(Theme.key, Theme.name, owner.name, WorkPackage)
        .join(Theme, Theme.id == WorkPackage.theme_id)
        .outerjoin(owner, owner.id == WorkPackage.owner_organisation_id)
        .order_by(Theme.key, WorkPackage.number)
    )
    return [
        WorkPackageRow(
            f"{key}-{row.number}",
            name,
            row.title,
            row.status,
            row.progress,
            owner_name,
            row.owner_user_id,
            row.start_date,
            row.due_date,
        )
        for key, name, owner_name, row in await session.execute(query)
    ]


async def material_rows(session: AsyncSession) -> list[MaterialRow]:
    """Every material: the network's basket first, then by theme, each in the order added."""
    query = (
        select(Theme.name, Material)
        .outerjoin(Theme, Theme.id == Material.theme_id)
        .order_by(Theme.key.is_not(None), Theme.key, Material.added_at, Material.id)
    )
    return [
        MaterialRow(
            theme,
            row.title,
            row.url,
            row.kind,
            tuple(row.tags),
            row.added_by,
            row.added_at,
        )
        for theme, row in await session.execute(query)
    ]
