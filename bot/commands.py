"""The subcommand registry and the pure matching of typed words to a subcommand.

A subcommand has an English name and a Finnish alias (both always work), its usage line, a
summary and examples as catalog messages. Feature modules add subcommands to a `Registry`; the
dispatcher never changes when a feature is added.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.suggest import did_you_mean, normalise

Run = Callable[..., Awaitable[Any]]  # a use case: `usecases.commands.Run`


@dataclass(frozen=True)
class Subcommand:
    """One thing a user can type after the slash command."""

    name: str  # English words, e.g. "themes" or "theme add"
    alias: str  # Finnish words, e.g. "teemat" or "teema lisää"
    usage: str  # catalog message: the arguments, e.g. "<theme> [org:<organisation>]"
    summary: str  # catalog message: what it does, one line
    run: Run = field(compare=False, repr=False)
    examples: tuple[str, ...] = ()  # catalog messages: arguments only, after the words
    more_aliases: tuple[str, ...] = ()  # e.g. "maaraajat" besides "määräajat"
    coordinator_only: bool = False
    # Its one word is the text after its name as typed, line breaks and quotes kept (a
    # message to post), rather than that text read as words.
    verbatim: bool = False

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way to type it."""
        return (self.name, self.alias, *self.more_aliases)


@dataclass(frozen=True)
class Match:
    """The words named a subcommand; `args` are the tokens after them."""

    subcommand: Subcommand
    args: list[str]
    typed: str


@dataclass(frozen=True)
class Group:
    """The words began a group of subcommands (`teema` of `teema lisää`, `teema aseta`…) and
    named none of them; `unknown` is what followed, if anything did."""

    typed: str
    subcommands: tuple[Subcommand, ...]
    unknown: str | None = None


@dataclass(frozen=True)
class NoMatch:
    """The words named no subcommand; `suggestion` is the nearest spelling, if any is near."""

    typed: str
    suggestion: str | None


class Registry:
    """The subcommands a deployment offers, in the order help lists them."""

    def __init__(self) -> None:
        self._items: list[Subcommand] = []
        self._by_words: dict[tuple[str, ...], Subcommand] = {}

    def add(self, subcommand: Subcommand) -> None:
        """Offer a subcommand; a spelling may belong to one subcommand only."""
        for spelling in subcommand.spellings:
            words = tuple(normalise(spelling).split())
            if self._by_words.get(words, subcommand) is not subcommand:
                raise ValueError(f"{spelling!r} is already taken")
            self._by_words[words] = subcommand
        self._items.append(subcommand)

    def __iter__(self) -> Iterator[Subcommand]:
        return iter(self._items)

    def get(self, name: str) -> Subcommand | None:
        """The subcommand with this English name."""
        return next((item for item in self._items if item.name == name), None)

    def match(self, tokens: list[str]) -> Match | Group | NoMatch | None:
        """Which subcommand the first one or two tokens name; None for empty input."""
        if not tokens:
            return None
        for size in (2, 1):
            words = tuple(normalise(token) for token in tokens[:size])
            if len(words) == size and words in self._by_words:
                typed = " ".join(tokens[:size])
                return Match(self._by_words[words], tokens[size:], typed)
        return self._no_match(tokens)

    def group(self, word: str) -> tuple[Subcommand, ...]:
        """The subcommands whose words begin with this one (`teema`: `teema lisää`…), if the
        word is not a subcommand of its own."""
        first = normalise(word)
        if (first,) in self._by_words:
            return ()
        return tuple(
            item
            for item in self._items
            if any(len(w) > 1 and w[0] == first for w in map(_words, item.spellings))
        )

    def _no_match(self, tokens: list[str]) -> Group | NoMatch:
        spellings = [s for item in self._items for s in item.spellings]
        two = " ".join(tokens[:2])
        if len(tokens) > 1 and (near := did_you_mean(two, [s for s in spellings if " " in s])):
            return NoMatch(two, near)
        if group := self.group(tokens[0]):
            return Group(tokens[0], group, two if len(tokens) > 1 else None)
        singles = {s.split()[0] for s in spellings}
        return NoMatch(tokens[0], did_you_mean(tokens[0], singles))

    def resolve(self, word: str) -> Subcommand | None:
        """The subcommand a help topic names (any spelling, or its first word)."""
        words = tuple(normalise(word).split())
        if words in self._by_words:
            return self._by_words[words]
        return next((s for k, s in self._by_words.items() if k[: len(words)] == words), None)


def _words(spelling: str) -> tuple[str, ...]:
    return tuple(normalise(spelling).split())
