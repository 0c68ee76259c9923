"""Queries about work packages and their update log."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.work_packages import (
    CLOSED,
    OPEN_STATUSES,
    PLANNED,
    STATUSES,
    Log,
    PackageView,
    ThemeStatus,
    UpdateView,
    theme_status,
)
from storage.direct import built_once
from storage.models import (
    Member,
    Organisation,
    OrganisationContact,
    Registration,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)
from storage.network import ZONE
from storage.pages import head_and_rows
from storage.themes import counts_for

StatusCount = tuple[str, int, int]  # status, packages, of which past their due day


class Counted(NamedTuple):
    """A theme found by its key, with its packages counted on `today` in the network's time zone
    `zone`, and the packages `shown` on the `page` asked for."""

    id: int
    archived: bool
    status: ThemeStatus
    zone: ZoneInfo
    today: date
    page: int
    shown: list[PackageView]


class Shown(NamedTuple):
    """A package as `status` shows it, found by its reference: its id, its theme's name, whether
    the theme is archived, the network's time zone and the newest entries of its log."""

    id: int
    view: PackageView
    theme: str
    archived: bool
    zone: ZoneInfo
    log: Log


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
        select(WorkPackage, Theme, Organisation.name)
        .join(Theme, Theme.id == WorkPackage.theme_id)
        .outerjoin(Organisation, Organisation.id == WorkPackage.owner_organisation_id)
        .where(Theme.key == key, WorkPackage.number == number)
    )
    if lock:
        query = query.with_for_update(of=WorkPackage)
    row = (await session.execute(query)).first()
    return Found(row[0], row[1], row[2]) if row else None


def view_of(found: Found) -> PackageView:
    """What the bot shows of a package found with `find` (as it stands in the session)."""
    return _view(found.package, found.theme.key, found.owner)


async def owner_key(session: AsyncSession, package: WorkPackage) -> str | None:
    """The key of the organisation that owns the package, for permission checks."""
    if package.owner_organisation_id is None:
        return None
    query = select(Organisation.key).where(Organisation.id == package.owner_organisation_id)
    return await session.scalar(query)


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
        select(Theme.key, Theme.name, WorkPackage.status, func.count(WorkPackage.id))
        .add_columns(func.count(past))
        .outerjoin(WorkPackage, WorkPackage.theme_id == Theme.id)
        .where(Theme.archived.is_(False))
        .group_by(Theme.key, Theme.name, WorkPackage.status)
        .order_by(func.lower(Theme.name), Theme.key)
    )
    if keys is not None:
        query = query.where(Theme.key.in_(keys))
    themes: dict[str, tuple[str, list[StatusCount]]] = {}
    for key, name, status, count, past_due in await session.execute(query):
        counts = themes.setdefault(key, (name, []))[1]
        if status is not None:
            counts.append((status, count, past_due))
    return [(key, name, counts) for key, (name, counts) in themes.items()]


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


async def open_packages(session: AsyncSession, user_id: str, orgs: set[int]) -> list[PackageView]:
    """Packages of active themes owned by the user or `orgs`, neither done nor cancelled,
    the earliest due first (those without a due date last)."""
    rows = await session.execute(
        select(WorkPackage, Theme.key, Organisation.name)
        .join(Theme, Theme.id == WorkPackage.theme_id)
        .outerjoin(Organisation, Organisation.id == WorkPackage.owner_organisation_id)
        .where(
            Theme.archived.is_(False),
            WorkPackage.status.not_in(sorted(CLOSED)),
            or_(
                WorkPackage.owner_user_id == user_id,
                WorkPackage.owner_organisation_id.in_(orgs),
            ),
        )
        .order_by(
            WorkPackage.due_date.is_(None), WorkPackage.due_date, Theme.key, WorkPackage.number
        )
    )
    return [_view(package, key, org) for package, key, org in rows]


# --- what `status` reads: one statement a page, built once, of the tables' columns ------------
# A status page is read often, so each is one statement, built once with bind parameters and of
# the tables rather than the mapped classes: building a statement, loading mapped objects and a
# round trip to the database each cost the bot more than the database spends answering.
#
# A statement joins a head of one row (the theme with its counts, or the package, each with the
# network's time zone) to the rows of the page (packages, or log entries): `storage.pages`.

_W, _T = WorkPackage.__table__, Theme.__table__
_O, _U = Organisation.__table__, WorkPackageUpdate.__table__
_PACKAGE_COLUMNS = (
    _W.c.number, _W.c.title, _W.c.status, _W.c.progress, _W.c.owner_user_id, _O.c.name,
    _W.c.due_date, _W.c.start_date, _W.c.description,
)  # fmt: skip
_WITH_OWNER = _W.outerjoin(_O, _O.c.id == _W.c.owner_organisation_id)
_KEY: BindParameter[str] = bindparam("key")

# Today in the network's zone is yesterday, today or tomorrow in UTC. The open packages (those
# that can be overdue) are counted due before the first of the three days and on each of the
# first two, so the zone that comes along picks the count past due. Each count seeks the (theme,
# status, due date) index; on PostgreSQL, a count of each kind of the three costs less than
# grouping the theme's rows by status.
_DAYS = (-1, 0, 1)
# Written into the statement (they are the code's own words), so that it needs no expanding IN,
# which a statement built once cannot send to the driver directly (`storage.direct`).
_OPEN: list[ColumnElement[str]] = [literal_column(f"'{status}'") for status in OPEN_STATUSES]


def _due_on(n: int) -> ColumnElement[bool]:
    return and_(_W.c.due_date >= bindparam(f"day{n}"), _W.c.due_date < bindparam(f"day{n + 1}"))


def _count(*where: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).where(_W.c.theme_id == _T.c.id, *where).scalar_subquery()


_OPEN_DUE = (_W.c.due_date < bindparam("day-1"), _due_on(-1), _due_on(0))
_COUNTS = [
    *(_count(_W.c.status == status) for status in STATUSES),
    *(_count(_W.c.status.in_(_OPEN), due) for due in _OPEN_DUE),
]


def _packages_of(theme_id: ColumnElement[int]) -> Select[Any]:
    """A slice of a theme's packages in reference order."""
    return (
        select(*_PACKAGE_COLUMNS)
        .select_from(_WITH_OWNER)
        .where(_W.c.theme_id == theme_id)
        .order_by(_W.c.number)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


_THEME_ID = select(_T.c.id).where(_T.c.key == _KEY).scalar_subquery()
_COUNTED = built_once(
    head_and_rows(
        select(_T.c.id, _T.c.key, _T.c.name, _T.c.archived, ZONE, *_COUNTS).where(_T.c.key == _KEY),
        _packages_of(_THEME_ID),
        "number",
    )
)
_PAGE = built_once(_packages_of(bindparam("theme_id")))

# The package, unless a theme has the whole reference as its key (an exact key wins), with the
# newest entries of its log, each with the number of all. The count is not correlated, so the
# database counts once (reading only the (package, at) index), and the limit still stops the
# walk early.
_THEME_KEYED = _T.alias()
_PACKAGE = _W.join(_T, _T.c.id == _W.c.theme_id)
_OF_REF = (_T.c.key == _KEY, _W.c.number == bindparam("number"))
_PACKAGE_ID = select(_W.c.id).select_from(_PACKAGE).where(*_OF_REF).scalar_subquery()
_ENTRIES = select(func.count()).where(_U.c.work_package_id == _PACKAGE_ID).scalar_subquery()
_SHOWN = built_once(head_and_rows(
    select(_W.c.id, _T.c.key, _T.c.name, _T.c.archived, ZONE, *_PACKAGE_COLUMNS)
    .select_from(_WITH_OWNER.join(_T, _T.c.id == _W.c.theme_id))
    .where(*_OF_REF, ~exists().where(_THEME_KEYED.c.key == bindparam("theme_key"))),
    select(
        _U.c.user_id, _U.c.at, _U.c.old_status, _U.c.new_status, _U.c.old_progress,
        _U.c.progress, _U.c.note, _ENTRIES.label("entries"), _U.c.id.label("entry"),
    )
    .where(_U.c.work_package_id == _PACKAGE_ID)
    .order_by(_U.c.at.desc(), _U.c.id.desc())
    .limit(bindparam("limit")),
    "at", "entry", newest=True,
))  # fmt: skip
# Where a row's parts begin: a theme's head is its id, key, name, archived and the zone, then a
# count per status and the three of open packages by due day; a package's head is its id, its
# theme's key, name and archived, the zone, then the package; a log entry is what `UpdateView`
# holds, then the number of entries.
_TOTALS, _OPEN_COUNTS = 5, 5 + len(STATUSES)
_THEME_HEAD, _PACKAGE_HEAD = 5 + len(_COUNTS), 5 + len(_PACKAGE_COLUMNS)
_ENTRY = len(fields(UpdateView))


async def counted(
    session: AsyncSession,
    key: str,
    now: datetime,
    default_zone: str,
    page: int = 1,
    per_page: int = 0,
) -> Counted | None:
    """The theme with this key (archived or not), its packages counted by status, today in the
    network's zone (`default_zone` until the network is made), and its packages on `page` of
    `per_page` (none when the page is past the end)."""
    utc_day = now.astimezone(UTC).date()
    days = {f"day{n}": utc_day + timedelta(days=n) for n in _DAYS}  # the zone picks one
    offset = (max(page, 1) - 1) * per_page
    values = {"key": key, "limit": per_page, "offset": offset, **days}
    rows = (await session.execute(_COUNTED, values)).all()
    if not rows:
        return None
    head = rows[0]
    theme_id, key, name, archived, zone_name = head[:5]
    zone = ZoneInfo(zone_name or default_zone)
    today = now.astimezone(zone).date()
    totals, open_due = head[_TOTALS:_OPEN_COUNTS], head[_OPEN_COUNTS:_THEME_HEAD]
    status = theme_status(key, name, totals, open_due, list(days.values()), today)
    shown = [_shown(key, row[_THEME_HEAD:]) for row in rows if row[_THEME_HEAD] is not None]
    return Counted(theme_id, archived, status, zone, today, page, shown)


async def page(
    session: AsyncSession, theme_id: int, theme_key: str, offset: int, limit: int
) -> list[PackageView]:
    """A slice of a theme's packages in reference order."""
    values = {"theme_id": theme_id, "offset": offset, "limit": limit}
    return [_shown(theme_key, row) for row in await session.execute(_PAGE, values)]


async def shown(
    session: AsyncSession,
    key: str,
    number: int,
    default_zone: str,
    unless_theme: str = "",
    *,
    entries: int,
) -> Shown | None:
    """The package `<key>-<number>` as `status` shows it, with the newest `entries` of its log and
    the network's zone (`default_zone` until the network is made); None if there is none, or if
    a theme has the key `unless_theme` (the whole reference: an exact theme key wins over it)."""
    values = {"key": key, "number": number, "theme_key": unless_theme, "limit": entries}
    rows = (await session.execute(_SHOWN, values)).all()
    if not rows:
        return None
    package_id, theme_key, theme_name, archived, zone, *columns = rows[0][:_PACKAGE_HEAD]
    logged = [row[_PACKAGE_HEAD:] for row in rows if row[_PACKAGE_HEAD] is not None]
    newest = [UpdateView(*entry[:_ENTRY]) for entry in logged]
    log = Log(newest, logged[0][_ENTRY] if logged else 0)
    view = _shown(theme_key, columns)
    return Shown(package_id, view, theme_name, archived, ZoneInfo(zone or default_zone), log)


def _shown(theme_key: str, row: Any) -> PackageView:
    number, *rest = row
    return PackageView(f"{theme_key}-{number}", *rest)


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
