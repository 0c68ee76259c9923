"""Naming a theme or an organisation by key or an unambiguous prefix, or being told why not."""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n import _
from bot.outcome import UserError
from bot.suggest import Ambiguous, Resolved, resolve
from bot.text import escape

THEME = "theme"
ORGANISATION = "organisation"


def pick(query: str, items: Iterable[tuple[str, str]], kind: str) -> str:
    """The key `query` names among `(key, name)` items; a `UserError` that helps otherwise."""
    listed = list(items)
    found = resolve(query, listed)
    if isinstance(found, Resolved):
        return found.key
    names = dict(listed)
    if isinstance(found, Ambiguous):
        options = ", ".join(f"`{key}` ({escape(names[key])})" for key in found.keys[:10])
        raise UserError(_ambiguous(kind).format(query=escape(query), options=options))
    text = _unknown(kind).format(query=escape(query))
    if found.suggestion:
        suggestion = f"`{found.suggestion}` ({escape(names[found.suggestion])})"
        text += " " + _("Did you mean {suggestion}?").format(suggestion=suggestion)
    raise UserError(text)


def _ambiguous(kind: str) -> str:
    if kind == THEME:
        return _("'{query}' fits several themes: {options}. Write more of the name.")
    return _("'{query}' fits several organisations: {options}. Write more of the name.")


def _unknown(kind: str) -> str:
    if kind == THEME:
        return _("There is no theme '{query}'.")
    return _("There is no organisation '{query}'.")
