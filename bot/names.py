"""Naming a theme or an organisation by key or an unambiguous prefix, or being told why not."""

from __future__ import annotations

from collections.abc import Iterable

from bot import scheduling
from bot.i18n import _

THEME = "theme"
ORGANISATION = "organisation"


def pick(query: str, items: Iterable[tuple[str, str]], kind: str) -> str:
    """The key `query` names among `(key, name)` items; a `UserError` that helps otherwise."""
    return scheduling.pick(query, items, _unknown(kind), _ambiguous(kind))


def _ambiguous(kind: str) -> str:
    if kind == THEME:
        return _("'{query}' fits several themes: {options}. Write more of the name.")
    return _("'{query}' fits several organisations: {options}. Write more of the name.")


def _unknown(kind: str) -> str:
    if kind == THEME:
        return _("There is no theme '{query}'.")
    return _("There is no organisation '{query}'.")
