"""Unit tests for bot.suggest: normalisation, "did you mean" and name resolution."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.suggest import (
    Ambiguous,
    Resolution,
    Resolved,
    Unknown,
    did_you_mean,
    normalise,
    resolve,
)

COMMANDS = [
    "help", "ohje", "themes", "teemat", "join", "liity", "leave", "eroa", "mine", "omat",
    "status", "tilanne", "update", "päivitä", "materials", "aineistot", "meetings", "tapaamiset",
    "deadlines", "määräajat", "org", "organisaatio", "theme", "teema", "wp", "tp", "material",
    "aineisto", "meeting", "tapaaminen", "deadline", "määräaika", "announce", "tiedota",
    "export", "vie", "calendar", "kalenteri",
]  # fmt: skip

STATUSES = ["planned", "in_progress", "done", "blocked", "suunniteltu", "käynnissä", "valmis"]

THEMES = [
    ("liikenne", "Liikenne ja saavutettavuus"),
    ("asuminen", "Asuminen"),
    ("maankaytto", "Maankäyttö"),
    ("digi", "Digitalisaatio"),
]


# --- normalise ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vähä", "vaha"),
        ("Åbo", "abo"),
        ("Liikenne", "liikenne"),
        ("MÄÄRÄAJAT", "maaraajat"),
        ("  Liikenne   ja\tsaavutettavuus \n", "liikenne ja saavutettavuus"),
        ("Straße", "strasse"),
        ("café", "cafe"),
        ("ﬁnland", "finland"),
        ("𝕊uomi", "suomi"),
        ("İstanbul", "istanbul"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@settings(max_examples=1000)
@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


# --- did_you_mean -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("temes", "themes"),
        ("teemst", "teemat"),
        ("ohej", "ohje"),
        ("hlep", "help"),
        ("stauts", "status"),
        ("kalentei", "kalenteri"),
        ("paivita", "päivitä"),
        ("PÄIVTÄ", "päivitä"),
        ("maaraajat", "määräajat"),
        ("xyzzy", None),
        ("liikene", None),
        ("", None),
        ("   ", None),
    ],
)
def test_did_you_mean_among_commands(word: str, expected: str | None) -> None:
    assert did_you_mean(word, COMMANDS) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("donne", "done"), ("käynisä", "käynnissä"), ("valmsi", "valmis"), ("xyzzy", None)],
)
def test_did_you_mean_among_statuses(word: str, expected: str | None) -> None:
    assert did_you_mean(word, STATUSES) == expected


def test_did_you_mean_among_theme_keys() -> None:
    assert did_you_mean("liikene", [key for key, _ in THEMES]) == "liikenne"


def test_did_you_mean_returns_the_candidate_as_spelt() -> None:
    assert did_you_mean("maaraika", ["Määräaika"]) == "Määräaika"


def test_did_you_mean_with_no_candidates() -> None:
    assert did_you_mean("help", []) is None


def test_did_you_mean_prefers_the_first_of_equally_close_candidates() -> None:
    assert did_you_mean("abx", ["aby", "abz"]) == "aby"
    assert did_you_mean("abx", ["abz", "aby"]) == "abz"


def test_did_you_mean_accepts_any_iterable() -> None:
    assert did_you_mean("temes", iter(COMMANDS)) == "themes"


# --- resolve ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("liikenne", Resolved("liikenne")),
        ("liik", Resolved("liikenne")),
        ("Liikenne", Resolved("liikenne")),
        ("LIIKENNE", Resolved("liikenne")),
        ("  liikenne ", Resolved("liikenne")),
        ("liikenne ja", Resolved("liikenne")),
        ("Liikenne  ja saavutettavuus", Resolved("liikenne")),
        ("maankäy", Resolved("maankaytto")),
        ("Maankäyttö", Resolved("maankaytto")),
        ("digitali", Resolved("digi")),
        ("a", Resolved("asuminen")),
        ("liikene", Unknown("liikenne")),
        ("maankayto", Unknown("maankaytto")),
        ("digitalisaatoi", Unknown("digi")),
        ("xyzzy", Unknown(None)),
        ("saavutettavuus", Unknown("liikenne")),
        ("", Unknown(None)),
        ("   ", Unknown(None)),
    ],
)
def test_resolve_themes(query: str, expected: Resolution) -> None:
    assert resolve(query, THEMES) == expected


def test_resolve_several_prefix_matches_is_ambiguous_and_sorted() -> None:
    items = [*THEMES, ("asiakkuus", "Asiakkuus")]
    assert resolve("as", items) == Ambiguous(["asiakkuus", "asuminen"])
    assert resolve("asi", items) == Resolved("asiakkuus")


def test_resolve_exact_key_beats_prefix_of_others() -> None:
    items = [("digi", "Digitalisaatio"), ("digiturva", "Digiturvallisuus")]
    assert resolve("digi", items) == Resolved("digi")
    assert resolve("dig", items) == Ambiguous(["digi", "digiturva"])


def test_resolve_exact_key_beats_exact_name() -> None:
    items = [("a", "Liikenne"), ("liikenne", "Muu")]
    assert resolve("liikenne", items) == Resolved("liikenne")


def test_resolve_exact_name_beats_prefix() -> None:
    items = [("t1", "Vesi"), ("t2", "Vesihuolto")]
    assert resolve("vesi", items) == Resolved("t1")


def test_resolve_same_name_twice_is_ambiguous() -> None:
    items = [("t2", "Vesi"), ("t1", "Vesi")]
    assert resolve("Vesi", items) == Ambiguous(["t1", "t2"])


def test_resolve_key_and_name_prefix_of_one_item_is_resolved() -> None:
    assert resolve("as", [("asuminen", "Asuminen")]) == Resolved("asuminen")


def test_resolve_suggests_by_name_too() -> None:
    items = [("t1", "Vesihuolto")]
    assert resolve("vesihulto", items) == Unknown("t1")


def test_resolve_with_no_items() -> None:
    assert resolve("liikenne", []) == Unknown(None)


def test_resolve_accepts_any_iterable() -> None:
    assert resolve("liik", iter(THEMES)) == Resolved("liikenne")


@given(st.sampled_from(THEMES))
def test_resolve_finds_every_item_by_key_and_by_name(item: tuple[str, str]) -> None:
    key, name = item
    assert resolve(key, THEMES) == Resolved(key)
    assert resolve(name, THEMES) == Resolved(key)
    assert resolve(name.upper(), THEMES) == Resolved(key)
