"""The theme, organisation or audience a user's words name, or a `UserError` saying why not.

Shared by every feature: a theme (or organisation) is named by its key, or by an unambiguous
prefix of its key or name, ignoring case and accents (`bot.names`).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import names
from bot.i18n import _
from bot.outcome import UserError
from bot.scheduling import is_network
from bot.text import escape
from storage import themes as store
from storage.models import Organisation, Theme


async def active_theme(session: AsyncSession, query: str) -> Theme:
    """The active theme the words name; an archived one is refused as such."""
    try:
        key = names.pick(query, await store.theme_choices(session), names.THEME)
    except UserError:
        archived = dict(await store.theme_choices(session, archived=True))
        if query.lower() in archived:
            raise UserError(
                _("The theme *{theme}* is archived.").format(theme=escape(archived[query.lower()]))
            ) from None
        raise
    theme = await store.theme_by_key(session, key)
    assert theme is not None
    return theme


async def organisation_named(session: AsyncSession, query: str) -> Organisation:
    """The organisation the words name."""
    key = names.pick(query, await store.organisation_choices(session), names.ORGANISATION)
    organisation = await store.organisation_by_key(session, key)
    assert organisation is not None
    return organisation


async def audience(session: AsyncSession, word: str) -> tuple[list[Theme], bool]:
    """The theme a word names, or the whole network (`all`)."""
    if is_network(word):
        return [], True
    return [await active_theme(session, word)], False
