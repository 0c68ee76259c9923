"""The registry matches typed words to subcommands in English or Finnish, with near misses."""

from __future__ import annotations

import pytest

from bot.commands import Group, Match, NoMatch, Registry, Subcommand


async def _noop(_: object) -> None:
    return None


def _registry() -> Registry:
    registry = Registry()
    for name, alias, *more in [
        ("help", "ohje"),
        ("themes", "teemat"),
        ("theme add", "teema lisää"),
        ("theme archive", "teema arkistoi"),
        ("deadlines", "määräajat", "maaraajat"),
    ]:
        registry.add(Subcommand(name, alias, "", "", run=_noop, more_aliases=tuple(more)))
    return registry


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("help", "help", []),
        ("OHJE teemat", "help", ["teemat"]),
        ("teemat", "themes", []),
        ("theme add liikenne Liikenne", "theme add", ["liikenne", "Liikenne"]),
        ("teema lisää liikenne", "theme add", ["liikenne"]),
        ("teema lisaa liikenne", "theme add", ["liikenne"]),
        ("maaraajat", "deadlines", []),
        ("Määräajat liikenne", "deadlines", ["liikenne"]),
    ],
)
def test_words_name_a_subcommand(text: str, name: str, args: list[str]) -> None:
    found = _registry().match(text.split())
    assert isinstance(found, Match)
    assert (found.subcommand.name, found.args) == (name, args)


@pytest.mark.parametrize(
    ("text", "typed", "suggestion"),
    [
        ("temes", "temes", "themes"),
        ("teemst", "teemst", "teemat"),
        ("ohej", "ohej", "ohje"),
        ("teema lisä liikenne", "teema lisä", "teema lisää"),
        ("xyzzy", "xyzzy", None),
    ],
)
def test_near_misses_get_a_suggestion(text: str, typed: str, suggestion: str | None) -> None:
    found = _registry().match(text.split())
    assert found == NoMatch(typed, suggestion)


def test_empty_input_is_no_match_at_all() -> None:
    assert _registry().match([]) is None


def test_a_spelling_cannot_be_taken_twice() -> None:
    registry = _registry()
    with pytest.raises(ValueError, match="already taken"):
        registry.add(Subcommand("teemat", "x", "", "", run=_noop))


def test_help_topics_resolve_any_spelling() -> None:
    registry = _registry()
    assert registry.resolve("teema")
    assert registry.resolve("teema").name == "theme add"  # type: ignore[union-attr]
    assert registry.resolve("maaraajat").name == "deadlines"  # type: ignore[union-attr]
    assert registry.resolve("nothing") is None


@pytest.mark.parametrize(
    ("text", "unknown"), [("teema", None), ("THEME", None), ("teema xyzzy", "teema xyzzy")]
)
def test_a_word_that_begins_a_group_names_the_group(text: str, unknown: str | None) -> None:
    found = _registry().match(text.split())
    assert isinstance(found, Group)
    assert [item.name for item in found.subcommands] == ["theme add", "theme archive"]
    assert (found.typed, found.unknown) == (text.split()[0], unknown)


def test_a_word_that_is_a_subcommand_is_no_group() -> None:
    registry = _registry()
    assert registry.group("teemat") == ()
    assert registry.group("ohje") == ()
    assert isinstance(registry.match(["teemat"]), Match)
