"""Queries about material baskets: save, find a duplicate, search in the database, who may add."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Executable, Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.materials import (
    LIKE_ESCAPE,
    PER_PAGE,
    Draft,
    Found,
    MaterialView,
    like_pattern,
    search_text,
)
from bot.permissions import ThemeRoles
from storage.direct import built_once
from storage.models import Material, Organisation, Registration, Theme
from storage.network import ZONE
from storage.reconcile import dialect_insert
from storage.themes import THEME_REVISION, counts_for, own_organisation

_MATERIAL = cast(Table, Material.__table__)
_M, _T = _MATERIAL.c, Theme.__table__.c
# Materials as they are shown (`_view` reads a row), of the tables' columns (see `_search`).
_VIEWS = select(_M.title, _M.url, _M.tags, _M.added_by, _M.added_at, _T.name).select_from(
    _MATERIAL.outerjoin(Theme.__table__, _T.id == _M.theme_id)
)


async def add(
    session: AsyncSession, theme_id: int | None, draft: Draft, by: str, at: datetime
) -> bool:
    """Put a material in a basket (the caller checked it is not there yet); False, with nothing
    written, if it is there after all: someone added the same address at the same moment, and
    the basket holds an address once (a unique index).

    `ON CONFLICT DO NOTHING`, not a savepoint: on SQLite a savepoint that opens the transaction
    commits it when released, so a later rollback of the caller's transaction would keep the
    material."""
    statement = dialect_insert(session.get_bind().dialect.name)(_MATERIAL)
    row = {
        "theme_id": theme_id,
        "title": draft.title,
        "url": draft.url,
        "kind": draft.kind,
        "tags": list(draft.tags),
        "added_by": by,
        "added_at": at,
        "search_text": search_text(draft.title, draft.tags),
    }
    added = statement.values(row).on_conflict_do_nothing().returning(_M.id)
    return await session.scalar(added) is not None


async def in_basket(session: AsyncSession, theme_id: int | None, url: str) -> MaterialView | None:
    """The material with this address in the basket (None: the network's), if there is one."""
    query = _VIEWS.where(_basket(theme_id), _M.url == url).limit(1)
    row = (await session.execute(query)).first()
    return None if row is None else _view(row)


class Searched(NamedTuple):
    """A page of a search, and what came with its rows: the network's time zone (None until the
    network is made) and the themes' revision (`storage.themes.THEME_REVISION`); both None when
    no row came back."""

    found: Found
    zone: str | None
    theme_revision: int | None


async def search(
    session: AsyncSession, words: list[str], theme_id: int | None, everywhere: bool, page: int
) -> Searched:
    """One page of the materials whose search text holds every word, newest first.

    One query does it in the database: it walks the materials newest first (an index) and
    stops once it has the page and one more, which tells whether another page follows, so a
    common word reads a page's worth of rows, not every match; nothing is counted. On
    PostgreSQL, a word that few materials hold is looked up in the trigram index instead.
    """
    basket = "all" if everywhere else "network" if theme_id is None else "theme"
    values: dict[str, Any] = {f"word{n}": like_pattern(word) for n, word in enumerate(words)}
    values |= {"theme_id": theme_id, "limit": PER_PAGE + 1, "offset": (page - 1) * PER_PAGE}
    rows = (await session.execute(_search(len(words), basket), values)).all()
    if not rows and page > 1:  # the list shrank since the page button was drawn
        return await search(session, words, theme_id, everywhere, 1)
    found = Found([_view(row) for row in rows[:PER_PAGE]], page, more=len(rows) > PER_PAGE)
    return Searched(found, *(rows[0][-2:] if rows else (None, None)))


@cache
def _search(words: int, basket: str) -> Executable:
    """The search for so many words in every basket, the network's or a theme's, each row with
    the network's zone and the themes' revision.

    Built once for each shape, with bind parameters, of the tables' columns rather than the
    mapped classes: building a statement and going through the ORM cost the bot more processor
    time than the database spends running it. The zone and the revision are columns of the
    rows, not a head joined to them (`storage.pages`): with a head, PostgreSQL came to plan the
    search in one theme's basket once for every word (a generic plan, after five runs of the
    prepared statement), which took ten times longer for a common one.
    """
    matching: list[ColumnElement[bool]] = [
        _M.search_text.like(bindparam(f"word{n}"), escape=LIKE_ESCAPE) for n in range(words)
    ]
    if basket == "network":
        matching.append(_M.theme_id.is_(None))
    elif basket == "theme":
        matching.append(_M.theme_id == bindparam("theme_id"))
    return built_once(
        _VIEWS.add_columns(ZONE.label("zone"), THEME_REVISION.label("revision"))
        .where(*matching)
        .order_by(_M.added_at.desc(), _M.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


async def is_registered(session: AsyncSession, theme_id: int, user_id: str) -> bool:
    """Whether the user is registered for the theme, themself or through their organisation."""
    query = select(Registration.id).where(Registration.theme_id == theme_id, _counts_for(user_id))
    return await session.scalar(query.limit(1)) is not None


async def registered_keys(session: AsyncSession, user_id: str) -> set[str]:
    """Keys of the active themes the user is registered for, themself or through their org."""
    rows = await session.scalars(
        select(Theme.key)
        .join(Registration, Registration.theme_id == Theme.id)
        .where(Theme.archived.is_(False), _counts_for(user_id))
    )
    return set(rows)


def _counts_for(user_id: str) -> ColumnElement[bool]:
    """A registration of the user or of their own organisation (as `mine` counts them)."""
    return counts_for(user_id, own_organisation(user_id))


async def active_roles(session: AsyncSession) -> list[ThemeRoles]:
    """Who runs each active theme, by name: the baskets a person might add to."""
    lead = aliased(Organisation)
    rows = await session.execute(
        select(Theme.key, Theme.name, Theme.chair_user_id, lead.key, lead.name)
        .outerjoin(lead, lead.id == Theme.lead_organisation_id)
        .where(Theme.archived.is_(False))
        .order_by(func.lower(Theme.name), Theme.key)
    )
    return [ThemeRoles(*row) for row in rows]


async def theme_of_channel(session: AsyncSession, channel_id: str) -> str | None:
    """The key of the active theme whose channel this is, if any."""
    return await session.scalar(
        select(Theme.key)
        .where(Theme.channel_id == channel_id, Theme.archived.is_(False))
        .order_by(Theme.key)
        .limit(1)
    )


def _basket(theme_id: int | None) -> ColumnElement[bool]:
    return _M.theme_id.is_(None) if theme_id is None else _M.theme_id == theme_id


def _view(row: Any) -> MaterialView:
    title, url, tags, added_by, added_at, theme = row[:6]
    return MaterialView(title, url, tuple(tags or ()), added_by, added_at, theme)
