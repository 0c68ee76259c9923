"""Queries about themes, organisations, members and registrations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.blocks import page_within
from bot.permissions import ThemeRoles
from bot.themes import THEMES_PER_PAGE, ThemeView
from storage.models import Member, Organisation, Registration, Theme


async def theme_choices(session: AsyncSession, archived: bool = False) -> list[tuple[str, str]]:
    """`(key, name)` of the active themes (or of the archived ones), by key."""
    query = select(Theme.key, Theme.name).where(Theme.archived.is_(archived)).order_by(Theme.key)
    return [(row.key, row.name) for row in await session.execute(query)]


async def active_themes(session: AsyncSession) -> list[tuple[str, str, int]]:
    """`(key, name, id)` of the active themes, by key."""
    query = select(Theme.key, Theme.name, Theme.id).where(Theme.archived.is_(False))
    rows = await session.execute(query.order_by(Theme.key))
    return [(row.key, row.name, row.id) for row in rows]


async def theme_by_key(session: AsyncSession, key: str) -> Theme | None:
    """The theme with this key, archived or not."""
    return await session.scalar(select(Theme).where(Theme.key == key))


async def add_theme(session: AsyncSession, theme: Theme) -> Theme:
    """Store a new theme; it has its id when this returns."""
    session.add(theme)
    await session.flush()
    return theme


async def theme_roles(session: AsyncSession, theme: Theme) -> ThemeRoles:
    """Who runs the theme, for permission checks."""
    lead = None
    if theme.lead_organisation_id is not None:
        lead = await session.get(Organisation, theme.lead_organisation_id)
    return ThemeRoles(
        theme.key,
        theme.name,
        theme.chair_user_id,
        lead.key if lead else None,
        lead.name if lead else None,
    )


_LISTED = Theme.archived.is_(False)
_BY_NAME = (func.lower(Theme.name), Theme.key)


async def theme_page(session: AsyncSession, page: int) -> tuple[list[ThemeView], int, int]:
    """A page of the active themes by name, with their lead, member count and registered
    organisations; the number of active themes, and the page's number (the nearest there is).

    Only the page's themes are read, with their counts and organisations: the list is paged
    because a network can have hundreds."""
    total = await session.scalar(select(func.count()).select_from(Theme).where(_LISTED)) or 0
    page = page_within(page, total, THEMES_PER_PAGE)
    lead = aliased(Organisation)
    members = (
        select(func.count())
        .where(Registration.theme_id == Theme.id, Registration.user_id.is_not(None))
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Theme, lead.name.label("lead"), members.label("members"))
        .outerjoin(lead, lead.id == Theme.lead_organisation_id)
        .where(_LISTED)
        .order_by(*_BY_NAME)
        .limit(THEMES_PER_PAGE)
        .offset((page - 1) * THEMES_PER_PAGE)
    )
    shown = [(row.Theme, row.lead, row.members) for row in rows]
    organisations = await _registered_organisations(session, [theme.id for theme, *_ in shown])
    views = [
        ThemeView(
            theme.key,
            theme.name,
            theme.description,
            theme.channel_id,
            lead_name,
            theme.chair_user_id,
            theme.registration_deadline,
            members,
            tuple(organisations[theme.id]),
        )
        for theme, lead_name, members in shown
    ]
    return views, total, page


async def _registered_organisations(
    session: AsyncSession, theme_ids: list[int]
) -> defaultdict[int, list[str]]:
    """The names of the organisations registered for each of these themes, by name."""
    rows = await session.execute(
        select(Registration.theme_id, Organisation.name)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.theme_id.in_(theme_ids))
        .order_by(Organisation.name)
    )
    organisations: defaultdict[int, list[str]] = defaultdict(list)
    for row in rows:
        organisations[row.theme_id].append(row.name)
    return organisations


async def active_keys(session: AsyncSession) -> list[str]:
    """The keys of the active themes, in the list's order."""
    return list(await session.scalars(select(Theme.key).where(_LISTED).order_by(*_BY_NAME)))


def counts_for(
    user_id: str, organisations: Collection[int] | ScalarSelect[Any]
) -> ColumnElement[bool]:
    """A registration that counts for the user: their own, or one of `organisations`' (ids, or
    a query of them such as `own_organisation`)."""
    return or_(Registration.user_id == user_id, Registration.organisation_id.in_(organisations))


def own_organisation(user_id: str) -> ScalarSelect[Any]:
    """The organisation the user belongs to, as a query inside another."""
    return select(Member.organisation_id).where(Member.user_id == user_id).scalar_subquery()


async def joined_keys(session: AsyncSession, user_id: str) -> set[str]:
    """Keys of the themes the user is registered for."""
    query = select(Theme.key).join(Registration).where(Registration.user_id == user_id)
    return set(await session.scalars(query))


async def organisation_choices(session: AsyncSession) -> list[tuple[str, str]]:
    """`(key, name)` of every organisation."""
    rows = await session.execute(
        select(Organisation.key, Organisation.name).order_by(Organisation.key)
    )
    return [(key, name) for key, name in rows]


async def organisation_by_key(session: AsyncSession, key: str) -> Organisation | None:
    """The organisation with this key."""
    return await session.scalar(select(Organisation).where(Organisation.key == key))


async def registration(
    session: AsyncSession,
    theme: Theme,
    *,
    user_id: str | None = None,
    organisation: int | None = None,
) -> Registration | None:
    """The user's or the organisation's registration for the theme, if there is one."""
    query = select(Registration).where(Registration.theme_id == theme.id)
    if user_id is not None:
        query = query.where(Registration.user_id == user_id)
    else:
        query = query.where(Registration.organisation_id == organisation)
    return await session.scalar(query)


def register(
    session: AsyncSession,
    theme: Theme,
    by: str,
    at: datetime,
    late: bool,
    *,
    user_id: str | None = None,
    organisation: int | None = None,
) -> None:
    """Add a registration (the caller checked there was none)."""
    session.add(
        Registration(
            theme_id=theme.id,
            user_id=user_id,
            organisation_id=organisation,
            registered_by=by,
            registered_at=at,
            late=late,
        )
    )


async def unregister(session: AsyncSession, registration_id: int) -> None:
    """Remove a registration."""
    await session.execute(delete(Registration).where(Registration.id == registration_id))


async def member(session: AsyncSession, user_id: str) -> Member:
    """The member row of a Slack user, created the first time it is needed."""
    found = await session.scalar(select(Member).where(Member.user_id == user_id))
    if found is None:
        found = Member(user_id=user_id, role="member")
        session.add(found)
        await session.flush()
    return found


async def organisation_name(session: AsyncSession, organisation_id: int | None) -> str | None:
    """The name of an organisation by id."""
    if organisation_id is None:
        return None
    return await session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))


async def registered_theme_names(
    session: AsyncSession, user_id: str, organisation_id: int | None
) -> list[tuple[str, str, bool]]:
    """`(name, key, through organisation)` of the themes the user or their organisation joined."""
    mine = (
        select(Theme.name, Theme.key)
        .join(Registration)
        .where(Registration.user_id == user_id, Theme.archived.is_(False))
    )
    own = {(name, key) for name, key in await session.execute(mine)}
    through: set[tuple[str, str]] = set()
    if organisation_id is not None:
        theirs = (
            select(Theme.name, Theme.key)
            .join(Registration)
            .where(Registration.organisation_id == organisation_id, Theme.archived.is_(False))
        )
        through = {(name, key) for name, key in await session.execute(theirs)} - own
    rows = [(n, k, False) for n, k in own] + [(n, k, True) for n, k in through]
    return sorted(rows, key=lambda row: row[0].lower())


async def theme_of_channel(session: AsyncSession, channel_id: str) -> Theme | None:
    """The active theme whose channel this is, if any (the first by key if several share it)."""
    query = select(Theme).where(Theme.channel_id == channel_id, Theme.archived.is_(False))
    return await session.scalar(query.order_by(Theme.key).limit(1))
