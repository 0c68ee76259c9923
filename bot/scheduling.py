"""Rules shared by meetings and deadlines: audiences, keys, local times, naming, options.

Pure functions over plain values; "now" and the network's time zone come in as arguments.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.dates import parse_time, typed_date
from bot.i18n import _, format_clock, format_day
from bot.moments import to_utc
from bot.outcome import UserError
from bot.parsing import once
from bot.permissions import Actor, Decision, ThemeRoles, coordinate, manage_any
from bot.suggest import Ambiguous, Resolved, resolve
from bot.text import escape

NETWORK_WORDS = frozenset({"all", "kaikki", "alla"})  # the whole network as an audience
TITLE_LIMIT = 500
_SLUG_WORDS = 40  # characters of the title in a generated key
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}")
_QUOTES = "\"'“”„‘’"


def is_network(word: str) -> bool:
    """Whether the word names the whole network as an audience (`all`, `kaikki`, `alla`)."""
    return word.casefold() in NETWORK_WORDS


def is_clock(word: str) -> bool:
    """Whether the word is shaped like a clock time (`9.00`, `16:30`), not a date (`28.4.`)."""
    return bool(_CLOCK.fullmatch(word))


def split_trailing_options(
    tokens: list[str], names: Iterable[str]
) -> tuple[list[str], dict[str, str]]:
    """Positional words, then `name:value…` options whose value runs on to the next option.

    So `title:Uusi otsikko place:Tampere` needs no quotes; quotes around a value are dropped.
    An option given twice is refused (`bot.parsing.once`).
    """
    known = {name.casefold(): name for name in names}
    positional: list[str] = []
    options: dict[str, str] = {}
    current: str | None = None
    for token in tokens:
        name, separator, value = token.partition(":")
        if separator and name.casefold() in known:
            current = once(options, known[name.casefold()])
            options[current] = value
        elif current is not None:
            options[current] = f"{options[current]} {token}"
        else:
            positional.append(token)
    return positional, {
        name: value.strip().strip(_QUOTES).strip() for name, value in options.items()
    }


def day_and_clock(words: list[str], today: date) -> tuple[date | None, time | None] | None:
    """An optional date and an optional time, in either order; None for anything else."""
    day: date | None = None
    clock: time | None = None
    for word in words:
        if is_clock(word) and clock is None:
            clock = parse_time(word)
        elif not is_clock(word) and day is None:
            day = typed_date(word, today)
        else:
            return None
    return day, clock


def parse_edit(
    args: list[str], names: Iterable[str], today: date
) -> tuple[str, date | None, time | None, dict[str, str]] | None:
    """`<item> [date] [time] [name:…]…`: the item, the new moment's parts and the options.

    None when it is not written so, changes nothing, or gives an empty `title:`.
    """
    words, options = split_trailing_options(args, names)
    moment = day_and_clock(words[1:], today) if words else None
    if moment is None or options.get("title") == "":
        return None
    if moment == (None, None) and not options:
        return None
    return words[0], *moment, options


def key_base(title: str, day: date) -> str:
    """A readable key: the title's slug and the date (`tyopaja-2027-05-20`)."""
    bare = unicodedata.normalize("NFKD", title.casefold())
    ascii_only = "".join(c for c in bare if not unicodedata.combining(c)).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only.decode()).strip("-")[:_SLUG_WORDS].strip("-")
    return f"{slug}-{day.isoformat()}" if slug else day.isoformat()


def unique_key(base: str, taken: Iterable[str]) -> str:
    """The base key, or with `-2`, `-3`… when it is taken."""
    used, key, number = set(taken), base, 1
    while key in used:
        number += 1
        key = f"{base}-{number}"
    return key


def local_moment(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The aware UTC moment of a local date and time; a time the clocks skip is refused.

    In the autumn the hour that happens twice is taken the first time (summer time), as a
    calendar application does.
    """
    moment = to_utc(datetime.combine(day, clock), zone)
    if moment is None:
        raise UserError(
            _(
                "There is no {clock} on {day}: the clocks jump forward an hour that night."
                " Choose another time."
            ).format(clock=format_clock(clock), day=format_day(day))
        )
    return moment


def in_future(moment: datetime, now: datetime) -> datetime:
    """The moment, if it is still to come; what has passed cannot be planned."""
    if moment <= now:
        raise UserError(_("That time has already passed. Choose a time in the future."))
    return moment


def manage_audience(actor: Actor, themes: Iterable[ThemeRoles], network: bool) -> Decision:
    """Meetings and deadlines: the managers of any theme in the audience (PRODUCT.md §2);
    coordinators for the whole network."""
    listed = list(themes)
    if network or not listed:
        return coordinate(actor)
    return manage_any(actor, listed)


def pick(query: str, items: Iterable[tuple[str, str]], unknown: str, ambiguous: str) -> str:
    """The key `query` names among `(key, title)` items, or a `UserError` that helps.

    `unknown` and `ambiguous` are the messages (with `{query}`, and `{options}`) to answer with.
    """
    listed = list(items)
    found = resolve(query, listed)
    if isinstance(found, Resolved):
        return found.key
    titles = dict(listed)
    if isinstance(found, Ambiguous):
        options = ", ".join(f"`{key}` ({escape(titles[key])})" for key in found.keys[:10])
        raise UserError(ambiguous.format(query=escape(query), options=options))
    text = unknown.format(query=escape(query))
    if found.suggestion:
        suggestion = f"`{found.suggestion}` ({escape(titles[found.suggestion])})"
        text += " " + _("Did you mean {suggestion}?").format(suggestion=suggestion)
    raise UserError(text)
