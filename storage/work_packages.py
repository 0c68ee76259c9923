"""Queries about work packages and their update log."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.work_packages.packages import PackageView
from bot.work_packages.statuses import CLOSED, PLANNED
from bot.work_packages.updates import Log, UpdateView
from storage.models import (
    Member,
    Organisation,
    OrganisationContact,
    Registration,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)
from storage.themes import counts_for

StatusCount = tuple[str, int, int]  # status, packages, of which past their due day


class Found(NamedTuple):
    """A package with its theme and the name of the organisation that owns it."""

    package: WorkPackage
    theme: Theme
    owner: str | None


async def allocate_number(session: AsyncSession, theme_id: int) -> int:
    """The theme's next package number, taken atomically: concurrent requests never share one.

    The row lock the UPDATE takes is held until the transaction ends, so a rolled-back request
    gives its number back and the numbers stay without gaps.
    """
    statement = (
        update(Theme)
        .where(Theme.id == theme_id)
        .values(next_wp_number=Theme.next_wp_number + 1)
        .returning(Theme.next_wp_number - 1)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(statement)).scalar_one())


async def add_package(
    session: AsyncSession,
    theme_id: int,
    number: int,
    view: PackageView,
    owner_organisation: int | None,
    by: str,
    at: datetime,
) -> int:
    """A new package as `view` describes it, with the log entry that says who created it;
    returns its id."""
    package = WorkPackage(
        theme_id=theme_id,
        number=number,
        title=view.title,
        owner_user_id=view.owner_user,
        owner_organisation_id=owner_organisation,
        status=PLANNED,
        progress=0,
        start_date=view.start,
        due_date=view.due,
    )
    session.add(package)
    await session.flush()
    session.add(
        WorkPackageUpdate(
            work_package_id=package.id, user_id=by, at=at, new_status=PLANNED, progress=0
        )
    )
    return package.id


async def find(session: AsyncSession, key: str, number: int, *, lock: bool = False) -> Found | None:
    """The package `<key>-<number>`, its theme and its owning organisation's name;
    `lock` holds the package against concurrent updates until the transaction ends."""
    query = (
        select(WorkPackage, Theme, Organisation.name.label("owner"))
        .join(Theme, Theme.id == WorkPackage.theme_id)
        .outerjoin(Organisation, Organisation.id == WorkPackage.owner_organisation_id)
        .where(Theme.key == key, WorkPackage.number == number)
    )
    if lock:
        query = query.with_for_update(of=WorkPackage)
    row = (await session.execute(query)).first()
    return Found(row.WorkPackage, row.Theme, row.owner) if row else None


def view_of(found: Found) -> PackageView:
    """What the bot shows of a package found with `find` (as it stands in the session)."""
    return _view(found.package, found.theme.key, found.owner)


async def owner_key(session: AsyncSession, package: WorkPackage) -> str | None:
    """The key of the organisation that owns the package, for permission checks."""
    if package.owner_organisation_id is None:
        return None
    query = select(Organisation.key).where(Organisation.id == package.owner_organisation_id)
    return await session.scalar(query)


async def page(session: AsyncSession, theme: Theme, offset: int, limit: int) -> list[PackageView]:
    """A slice of a theme's packages in reference order."""
    rows = await session.execute(
        select(WorkPackage, Organisation.name.label("owner"))
        .outerjoin(Organisation, Organisation.id == WorkPackage.owner_organisation_id)
        .where(WorkPackage.theme_id == theme.id)
        .order_by(WorkPackage.number)
        .offset(offset)
        .limit(limit)
    )
    return [_view(row.WorkPackage, theme.key, row.owner) for row in rows]


async def position(session: AsyncSession, package: WorkPackage) -> int:
    """How many packages of the theme come before this one."""
    query = select(func.count()).where(
        WorkPackage.theme_id == package.theme_id, WorkPackage.number < package.number
    )
    return int(await session.scalar(query) or 0)


async def theme_counts(
    session: AsyncSession, today: date, keys: list[str] | None = None
) -> list[tuple[str, str, list[StatusCount]]]:
    """(key, name, [(status, packages, of which past their due day)]) of the active themes, or
    of these ones; counted by the database, so a theme of any size costs a few rows."""
    past = case((WorkPackage.due_date < today, 1))
    query = (
        select(Theme.key, Theme.name, WorkPackage.status)
        .add_columns(func.count(WorkPackage.id).label("packages"), func.count(past).label("past"))
        .outerjoin(WorkPackage, WorkPackage.theme_id == Theme.id)
        .where(Theme.archived.is_(False))
        .group_by(Theme.key, Theme.name, WorkPackage.status)
        .order_by(func.lower(Theme.name), Theme.key)
    )
    if keys is not None:
        query = query.where(Theme.key.in_(keys))
    themes: dict[str, tuple[str, list[StatusCount]]] = {}
    for row in await session.execute(query):
        counts = themes.setdefault(row.key, (row.name, []))[1]
        if row.status is not None:
            counts.append((row.status, row.packages, row.past))
    return [(key, name, counts) for key, (name, counts) in themes.items()]


async def latest_updates(session: AsyncSession, package_id: int, limit: int) -> Log:
    """The newest `limit` entries of a package's log and how many there are.

    Two queries: the count reads only the (package, at) index, while a window count would make
    the database read every entry of a long log before the limit applies.
    """
    rows = await session.scalars(
        select(WorkPackageUpdate)
        .where(WorkPackageUpdate.work_package_id == package_id)
        .order_by(WorkPackageUpdate.at.desc(), WorkPackageUpdate.id.desc())
        .limit(limit)
    )
    entries = [
        UpdateView(
            row.user_id,
            row.at,
            row.old_status,
            row.new_status,
            row.old_progress,
            row.progress,
            row.note,
        )
        for row in rows
    ]
    total = await session.scalar(
        select(func.count()).where(WorkPackageUpdate.work_package_id == package_id)
    )
    return Log(entries, int(total or 0))


def record_update(
    session: AsyncSession,
    package: WorkPackage,
    by: str,
    at: datetime,
    status: str,
    progress: int,
    note: str,
) -> None:
    """Change the package and append the change to its log."""
    session.add(
        WorkPackageUpdate(
            work_package_id=package.id,
            user_id=by,
            at=at,
            old_status=package.status,
            new_status=status,
            old_progress=package.progress,
            progress=progress,
            note=note,
        )
    )
    package.status, package.progress = status, progress


async def organisation_ids(session: AsyncSession, user_id: str) -> set[int]:
    """The user's own organisation and those they are a contact of."""
    own = await session.scalar(select(Member.organisation_id).where(Member.user_id == user_id))
    contact = await session.scalars(
        select(OrganisationContact.organisation_id).where(OrganisationContact.user_id == user_id)
    )
    return set(contact) | ({own} if own is not None else set())


async def registered_keys(session: AsyncSession, user_id: str, orgs: set[int]) -> list[str]:
    """Keys of the active themes the user is registered for, personally or through `orgs`."""
    rows = await session.scalars(
        select(Theme.key)
        .join(Registration, Registration.theme_id == Theme.id)
        .where(Theme.archived.is_(False), counts_for(user_id, orgs))
        .distinct()
    )
    return list(rows)


async def open_packages(
    session: AsyncSession, user_id: str, orgs: set[int], limit: int | None = None
) -> list[PackageView]:
    """Packages of active themes owned by the user or `orgs`, neither done nor cancelled,
    the earliest due first (those without a due date last); the first `limit` of them."""
    rows = await session.execute(
        select(WorkPackage, Theme.key, Organisation.name.label("owner"))
        .join(Theme, Theme.id == WorkPackage.theme_id)
        .outerjoin(Organisation, Organisation.id == WorkPackage.owner_organisation_id)
        .where(*_open_of(user_id, orgs))
        .order_by(
            WorkPackage.due_date.is_(None), WorkPackage.due_date, Theme.key, WorkPackage.number
        )
        .limit(limit)
    )
    return [_view(row.WorkPackage, row.key, row.owner) for row in rows]


async def count_open_packages(session: AsyncSession, user_id: str, orgs: set[int]) -> int:
    """How many packages `open_packages` gives without a limit."""
    query = select(func.count()).select_from(WorkPackage).join(Theme)
    return int(await session.scalar(query.where(*_open_of(user_id, orgs))) or 0)


def _open_of(user_id: str, orgs: set[int]) -> list[ColumnElement[bool]]:
    return [
        Theme.archived.is_(False),
        WorkPackage.status.not_in(sorted(CLOSED)),
        or_(WorkPackage.owner_user_id == user_id, WorkPackage.owner_organisation_id.in_(orgs)),
    ]


def _view(package: WorkPackage, theme_key: str, org: str | None) -> PackageView:
    return PackageView(
        f"{theme_key}-{package.number}",
        package.title,
        package.status,
        package.progress,
        package.owner_user_id,
        org,
        package.due_date,
        package.start_date,
        package.description,
    )
