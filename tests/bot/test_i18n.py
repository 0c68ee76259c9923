"""Every message is translated in every language, with the same placeholders; dates read right."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import (
    LANGUAGES,
    _,
    catalog_path,
    format_clock,
    format_day,
    format_moment,
    format_offset,
    language,
    language_from_locale,
    language_name,
)

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _messages_in_code() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers", "storage"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords=KEYWORDS, comment_tags=()
        ):
            found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def _catalog(lang: str) -> dict[str, list[str]]:
    with catalog_path(lang).open("rb") as file:
        catalog = read_po(file, locale=lang)
    result: dict[str, list[str]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = (
            [message.string] if isinstance(message.string, str) else list(message.string or ())
        )
        for msgid in ids:
            result[msgid] = strings
    return result


CODE_MESSAGES = _messages_in_code()


def test_the_code_has_messages() -> None:
    assert len(CODE_MESSAGES) > 20


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    catalog = _catalog(lang)
    missing = sorted(m for m in CODE_MESSAGES if not all(catalog.get(m, [""])))
    assert missing == [], f"{lang}: {len(missing)} untranslated, e.g. {missing[:3]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_the_same_in_every_language(lang: str) -> None:
    catalog = _catalog(lang)
    wrong = [
        (msgid, string)
        for msgid, strings in catalog.items()
        for string in strings
        if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(string))
    ]
    assert wrong == []


def test_translation_follows_the_current_language() -> None:
    with language("fi"):
        assert _("Examples:") == "Esimerkkejä:"
        with language("sv"):
            assert _("Examples:") == "Exempel:"
        assert _("Examples:") == "Esimerkkejä:"
    with language("en"):
        assert _("Examples:") == "Examples:"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fi-FI", "fi"),
        ("sv-SE", "sv"),
        ("sv-FI", "sv"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("ja-JP", "fi"),
        (None, "fi"),
        ("", "fi"),
        ("de_DE", "fi"),
    ],
)
def test_language_from_slack_locale(locale: str | None, expected: str) -> None:
    assert language_from_locale(locale, "fi") == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fi", "ke 28.4.2027"), ("sv", "ons 28.4.2027"), ("en", "Wed 28 Apr 2027")],
)
def test_dates_are_written_as_the_reader_writes_them(lang: str, expected: str) -> None:
    with language(lang):
        assert format_day(date(2027, 4, 28)) == expected


def test_moments_are_shown_in_the_network_time_zone_across_dst() -> None:
    zone = ZoneInfo("Europe/Helsinki")
    winter = datetime(2027, 3, 27, 14, 0, tzinfo=UTC)  # UTC+2
    summer = datetime(2027, 3, 29, 13, 0, tzinfo=UTC)  # UTC+3
    with language("fi"):
        assert format_moment(winter, zone) == "la 27.3.2027 klo 16.00"
        assert format_moment(summer, zone) == "ma 29.3.2027 klo 16.00"
    with language("en"):
        assert format_clock(summer.astimezone(zone)) == "16:00"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fi", ["7 pv", "1 pv", "2 t", "30 min"]),
        ("sv", ["7 d", "1 d", "2 tim", "30 min"]),
        ("en", ["7 days", "1 day", "2 hours", "30 minutes"]),
    ],
)
def test_reminder_offsets_are_written_in_the_readers_units(lang: str, expected: list[str]) -> None:
    with language(lang):
        shown = [format_offset(n, unit) for n, unit in ((7, "d"), (1, "d"), (2, "h"), (30, "m"))]
    assert shown == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fi", "suomi ruotsi englanti"),
        ("sv", "finska svenska engelska"),
        ("en", "Finnish Swedish English"),
    ],
)
def test_languages_are_named_in_the_readers_language(lang: str, expected: str) -> None:
    with language(lang):
        assert " ".join(language_name(code) for code in ("fi", "sv", "en")) == expected
