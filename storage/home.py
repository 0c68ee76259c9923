"""What the Home tab reads that no other feature's queries give: the themes a person does not
run or has not joined, late packages, registrations per theme, failed notifications. Each list
reads only what the tab shows and counts the rest in the database."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.work_packages.packages import PackageView
from bot.work_packages.statuses import BLOCKED, CLOSED
from storage.models import Member, Notification, Organisation, Registration, Theme, WorkPackage

Page = tuple[list[Theme], int]
_ACTIVE = Theme.archived.is_(False)
_BY_NAME = (func.lower(Theme.name), Theme.key)


async def other_themes(session: AsyncSession, joined: Collection[str], limit: int) -> Page:
    """The active themes but `joined` (keys), by name: the first `limit`, and how many."""
    where = [_ACTIVE, Theme.key.not_in(list(joined))]
    return await _page(session, select(Theme).where(*where).order_by(*_BY_NAME), limit)


async def managed_themes(
    session: AsyncSession, user_id: str, lead_of: Collection[str], limit: int
) -> Page:
    """The active themes the person chairs or whose lead organisation (`lead_of`: keys) they
    are a contact of, by name: the first `limit`, and how many."""
    leads = select(Organisation.id).where(Organisation.key.in_(list(lead_of)))
    runs = or_(Theme.chair_user_id == user_id, Theme.lead_organisation_id.in_(leads))
    return await _page(session, select(Theme).where(_ACTIVE, runs).order_by(*_BY_NAME), limit)


async def _page(session: AsyncSession, query: Select[Any], limit: int) -> Page:
    themes = list(await session.scalars(query.limit(limit)))
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return themes, int(total or 0)


async def late_packages(
    session: AsyncSession, today: date, theme_id: int | None, limit: int
) -> tuple[list[PackageView], int]:
    """Open packages past their due day (and, of one theme, also the blocked ones), the
    earliest due first: the first `limit`, and how many (across active themes without a theme)."""
    late: ColumnElement[bool] = WorkPackage.due_date < today
    where: list[ColumnElement[bool]] = [_ACTIVE, WorkPackage.status.not_in(sorted(CLOSED))]
    if theme_id is not None:
        where += [WorkPackage.theme_id == theme_id]
        late = or_(late, WorkPackage.status == BLOCKED)
    query = select(WorkPackage, Theme.key).join(Theme).where(*where, late)
    order = (WorkPackage.due_date.is_(None), WorkPackage.due_date, Theme.key, WorkPackage.number)
    rows = await session.execute(query.order_by(*order).limit(limit))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    views = [
        PackageView(f"{key}-{p.number}", p.title, p.status, p.progress, due=p.due_date)
        for p, key in rows
    ]
    return views, int(total or 0)


def _expected() -> ColumnElement[bool]:
    return Organisation.parent_id.is_(None)


async def expected_count(session: AsyncSession) -> int:
    """How many organisations are expected to register (those without a parent)."""
    query = select(func.count()).select_from(Organisation).where(_expected())
    return int(await session.scalar(query) or 0)


async def registrations(session: AsyncSession, limit: int) -> tuple[list[tuple[str, int]], int]:
    """`(theme name, expected organisations registered)` of the active themes by name: the
    first `limit`, and how many themes there are."""
    registered = (
        select(func.count(func.distinct(Registration.organisation_id)))
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.theme_id == Theme.id, _expected())
        .scalar_subquery()
    )
    query = select(Theme.name, registered).where(_ACTIVE).order_by(*_BY_NAME).limit(limit)
    rows = [(name, int(count or 0)) for name, count in await session.execute(query)]
    total = await session.scalar(select(func.count()).select_from(Theme).where(_ACTIVE))
    return rows, int(total or 0)


async def failed(session: AsyncSession, limit: int) -> tuple[list[Notification], int]:
    """The notifications that failed, the latest first: the first `limit`, and how many."""
    where = Notification.state == "failed"
    query = select(Notification).where(where)
    order = (Notification.updated_at.desc(), Notification.id.desc())
    rows = list(await session.scalars(query.order_by(*order).limit(limit)))
    total = await session.scalar(select(func.count()).select_from(Notification).where(where))
    return rows, int(total or 0)


async def own_organisation(session: AsyncSession, user_id: str) -> tuple[int, str] | None:
    """The id and name of the person's own organisation, if they told it."""
    query = select(Organisation.id, Organisation.name).join(
        Member, Member.organisation_id == Organisation.id
    )
    found = (await session.execute(query.where(Member.user_id == user_id))).first()
    return (found[0], found[1]) if found else None
