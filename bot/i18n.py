"""Translations: the reader's language in a ContextVar, gettext catalogs (Babel) beside the code.

Catalogs are the `.po` files in `bot/locales/<lang>/LC_MESSAGES/messages.po`; they are compiled in
memory with Babel the first time a language is used, so no `.mo` file is committed or needed.
Message ids are the English text, with `{name}` placeholders filled by `str.format`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from babel.units import format_unit

LANGUAGES = ("fi", "sv", "en")
LOCALES_DIR = Path(__file__).parent / "locales"
_BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
_current: ContextVar[str] = ContextVar("language", default="fi")


def catalog_path(language: str) -> Path:
    """Where the `.po` catalog of a language lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> Translations:
    """The compiled catalog of one language (compiled once, in memory)."""
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def current() -> str:
    """The language being written in now."""
    return _current.get()


def _(message: str) -> str:
    """Translate a message into the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate a message whose form depends on a count."""
    return translations(current()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (translated where it is shown)."""
    return message


@contextmanager
def language(code: str) -> Iterator[None]:
    """Write in another language for a while (a channel post in the theme's language)."""
    token = _current.set(code if code in LANGUAGES else "fi")
    try:
        yield
    finally:
        _current.reset(token)


def set_language(code: str) -> None:
    """Set the language of the current request."""
    _current.set(code if code in LANGUAGES else "fi")


def language_from_locale(locale: str | None, default: str) -> str:
    """Our language for a Slack locale such as `fi-FI`, `sv-SE` or `en-US`; else the default."""
    prefix = (locale or "").split("-")[0].split("_")[0].lower()
    return prefix if prefix in LANGUAGES else default


def babel_locale() -> Locale:
    """The Babel locale of the current language (Finnish conventions for fi and sv)."""
    return Locale.parse(_BABEL_LOCALES[current()])


def format_day(day: date) -> str:
    """A date as the reader writes it, e.g. `ke 28.4.2027`, `ons 28.4.2027`, `Wed 28 Apr 2027`."""
    pattern = {"fi": "EEEEEE d.M.yyyy", "sv": "EEE d.M.yyyy", "en": "EEE d MMM yyyy"}[current()]
    return str(_babel_date(day, pattern, locale=babel_locale()))


def format_clock(moment: time | datetime) -> str:
    """A clock time as the reader writes it (`9.00` in Finnish, `09:00` in Swedish and English)."""
    pattern = "H.mm" if current() == "fi" else "HH:mm"
    return str(_babel_time(moment, pattern, locale=babel_locale()))


def format_moment(moment: datetime, zone: ZoneInfo) -> str:
    """An aware moment in the network's time zone: `ke 28.4.2027 klo 16.00` and the like."""
    local = moment.astimezone(zone)
    return _("{day} at {clock}").format(day=format_day(local.date()), clock=format_clock(local))


_UNITS = {"d": "duration-day", "h": "duration-hour", "m": "duration-minute"}


def format_offset(amount: int, unit: str) -> str:
    """A reminder offset (`unit` d, h or m) as the reader writes it: `7 pv`, `2 t`, `30 min`
    in Finnish, `7 d`, `2 tim` in Swedish, `7 days`, `2 hours` in English."""
    length: Literal["short", "long"] = "long" if current() == "en" else "short"
    return str(format_unit(amount, _UNITS[unit], length=length, locale=babel_locale()))


def language_name(code: str) -> str:
    """A language (`fi`, `sv`, `en`) named in the reader's: `ruotsi`, `svenska`, `Swedish`."""
    return str(babel_locale().languages.get(code, code))
