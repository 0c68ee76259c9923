"""Searching the baskets: what a search looks in, the words it looks for, and which basket."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import _
from bot.materials.material import CHANNEL_LINK, MaterialView, is_network
from bot.outcome import UserError
from bot.suggest import Resolved, normalise, resolve
from bot.text import unescape

PER_PAGE = 15
SEARCH_TEXT_LIMIT, SEARCH_WORDS_MAX, SEARCH_WORD_LIMIT = 1000, 10, 50
LIKE_ESCAPE = "\\"


def theme_named(word: str, themes: list[tuple[str, str]]) -> str | None:
    """The key of the `(key, name)` theme a search's first word names for sure, if any.

    An exact key or name, or a prefix of only one theme; no near misses are looked for, since a
    word that names no theme is simply searched for.
    """
    wanted = normalise(word)
    if not wanted or not any(
        normalise(key).startswith(wanted) or normalise(name).startswith(wanted)
        for key, name in themes
    ):
        return None
    found = resolve(word, themes)
    return found.key if isinstance(found, Resolved) else None


def search_text(title: str, tags: list[str] | tuple[str, ...]) -> str:
    """What searches look in: the title and tags without case or accents, at most 1000 chars."""
    return normalise(" ".join([title, *tags]))[:SEARCH_TEXT_LIMIT]


def search_words(tokens: list[str]) -> list[str]:
    """The words to look for, normalised as `search_text` is; `#` and channel links unwrapped."""
    words: list[str] = []
    for token in tokens:
        channel = CHANNEL_LINK.fullmatch(token)
        bare = (channel.group(1) or "") if channel else unescape(token).lstrip("#")
        if word := normalise(bare):
            words.append(word)
    # A page button carries the words, and its value holds at most 2000 characters.
    if len(words) > SEARCH_WORDS_MAX or any(len(word) > SEARCH_WORD_LIMIT for word in words):
        raise UserError(
            _("Search with at most {count} words of at most {length} letters each.").format(
                count=SEARCH_WORDS_MAX, length=SEARCH_WORD_LIMIT
            )
        )
    return words


def like_pattern(word: str) -> str:
    """A LIKE pattern finding `word` anywhere; `%`, `_` and the escape character taken literally."""
    for special in (LIKE_ESCAPE, "%", "_"):
        word = word.replace(special, LIKE_ESCAPE + special)
    return f"%{word}%"


@dataclass(frozen=True)
class Scope:
    """Where a search looks: every basket, the network's, or one theme's (`theme` its name)."""

    everywhere: bool = True
    theme: str | None = None


def may_name_theme(args: list[str]) -> bool:
    """Whether a search's first word may name a theme's basket: the themes tell what it means
    (no word, or one that names the network's basket, needs none of them)."""
    return bool(args) and not is_network(args[0])


#: A search's basket: the theme's id (None: the network's, or every basket), where it looks, and
#: the words left to search for.
Basket = tuple[int | None, Scope, list[str]]


def basket_of(args: list[str], themes: list[tuple[str, str, int]]) -> Basket:
    """The basket a search's first word names, if it names one for sure, and the words after it:
    the network's (`all`…) or a theme's (`theme_named` among the `(key, name, id)` themes) with
    its id; else every basket, and the first word is searched for too.

    Only an exact key or name or an unambiguous prefix counts, so that a search word that is no
    theme (`raportti`) searches every basket instead of answering "no such theme".
    """
    if not may_name_theme(args):
        return (None, Scope(everywhere=False), args[1:]) if args else (None, Scope(), [])
    named = {key: (name, theme_id) for key, name, theme_id in themes}
    key = theme_named(args[0], [(key, name) for key, (name, _id) in named.items()])
    if key is None:
        return None, Scope(), args
    name, theme_id = named[key]
    return theme_id, Scope(everywhere=False, theme=name), args[1:]


@dataclass(frozen=True)
class Found:
    """One page of a search: its materials, newest first, and whether more follow."""

    items: list[MaterialView]
    page: int
    more: bool = False

    @property
    def total(self) -> int | None:
        """How many match in all, when this page shows the last of them (else unknown)."""
        return (self.page - 1) * PER_PAGE + len(self.items) if not self.more else None
