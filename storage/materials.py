"""Queries about material baskets: save, find a duplicate, search in the database, who may add."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Select, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.materials.material import Draft, MaterialView
from bot.materials.search import LIKE_ESCAPE, PER_PAGE, Found, like_pattern, search_text
from bot.permissions import ThemeRoles
from storage.models import Material, Organisation, Registration, Theme
from storage.reconcile import dialect_insert
from storage.themes import counts_for, own_organisation

_MATERIAL = cast(Table, Material.__table__)
# Materials as they are shown (`_view`), with the name of their basket's theme.
_VIEWS = (
    select(
        Material.title,
        Material.url,
        Material.tags,
        Material.added_by,
        Material.added_at,
        Theme.name.label("theme"),
    )
    .select_from(Material)
    .outerjoin(Theme, Theme.id == Material.theme_id)
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
    added = statement.values(row).on_conflict_do_nothing().returning(_MATERIAL.c.id)
    return await session.scalar(added) is not None


async def in_basket(session: AsyncSession, theme_id: int | None, url: str) -> MaterialView | None:
    """The material with this address in the basket (None: the network's), if there is one."""
    query = _VIEWS.where(_basket(theme_id), Material.url == url).limit(1)
    row = (await session.execute(query)).first()
    return None if row is None else _view(row)


async def search(
    session: AsyncSession, words: list[str], theme_id: int | None, everywhere: bool, page: int
) -> Found:
    """One page of the materials whose search text holds every word, newest first: in every
    basket, or in the theme's (None: the network's); the first page when `page` is past the end
    (the list shrank since its page button was drawn)."""
    rows = (await session.execute(search_query(words, theme_id, everywhere, page))).all()
    if not rows and page > 1:
        return await search(session, words, theme_id, everywhere, 1)
    return Found([_view(row) for row in rows[:PER_PAGE]], page, more=len(rows) > PER_PAGE)


def search_query(
    words: list[str], theme_id: int | None, everywhere: bool, page: int
) -> Select[*tuple[Any, ...]]:
    """The search of `search`, done by the database: it walks the materials newest first (an
    index per basket) and stops once it has the page and one more, which tells whether another
    page follows, so a common word reads a page's worth of rows, not every match; nothing is
    counted. On PostgreSQL, a word that few materials hold is looked up in the trigram index
    instead."""
    query = _VIEWS.where(
        *(Material.search_text.like(like_pattern(word), escape=LIKE_ESCAPE) for word in words)
    )
    if not everywhere:
        query = query.where(_basket(theme_id))
    return (
        query.order_by(Material.added_at.desc(), Material.id.desc())
        .limit(PER_PAGE + 1)
        .offset((page - 1) * PER_PAGE)
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


def _basket(theme_id: int | None) -> ColumnElement[bool]:
    return Material.theme_id.is_(None) if theme_id is None else Material.theme_id == theme_id


def _view(row: Row[*tuple[Any, ...]]) -> MaterialView:
    tags = tuple(row.tags or ())
    return MaterialView(row.title, row.url, tags, row.added_by, row.added_at, row.theme)
