"""Unit tests for bot.parsing: plain values in, plain values or ParseError out."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dates import Offset, parse_date, parse_offset, parse_offsets, parse_time, typed_date
from bot.parsing import (
    ChannelRef,
    ParseError,
    parse_channel,
    parse_percent,
    parse_user,
    split_options,
    tokenize,
)

TODAY = date(2027, 3, 15)


def assert_error(error: pytest.ExceptionInfo[ParseError], kind: str, value: str) -> None:
    """The error has exactly this kind and value."""
    assert (error.value.kind, error.value.value) == (kind, value)


# --- ParseError ---------------------------------------------------------------------------


def test_parse_error_is_a_value_error_with_kind_and_value() -> None:
    error = ParseError("date", "huomenna")
    assert isinstance(error, ValueError)
    assert (error.kind, error.value) == ("date", "huomenna")


# --- tokenize -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", []),
        ("   \t\n ", []),
        ("join liikenne", ["join", "liikenne"]),
        ("  join   liikenne  ", ["join", "liikenne"]),
        ("a\tb\nc", ["a", "b", "c"]),
        ("a\u00a0b", ["a", "b"]),
        (
            'wp add liikenne "Pyöräilyn kysely" due:28.4.',
            ["wp", "add", "liikenne", "Pyöräilyn kysely", "due:28.4."],
        ),
        ("“Pyöräilyn kysely” x", ["Pyöräilyn kysely", "x"]),
        ("”Pyöräilyn kysely” x", ["Pyöräilyn kysely", "x"]),
        ("„Pyöräilyn kysely“ x", ["Pyöräilyn kysely", "x"]),
        ('“Pyöräilyn kysely" x', ["Pyöräilyn kysely", "x"]),
        ("‘single smart’ x", ["single smart", "x"]),
        ("’single smart’ x", ["single smart", "x"]),
        ("'single plain' x", ["single plain", "x"]),
        ('"  spaced   inside  "', ["  spaced   inside  "]),
        ('""', [""]),
        ('a "" b', ["a", "", "b"]),
        ("‘Tampere’s plan’", ["Tampere’s plan"]),
        ("don't stop", ["don't", "stop"]),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        (
            "theme add liikenne Liikenne <#C0123ABC|liikenne>",
            ["theme", "add", "liikenne", "Liikenne", "<#C0123ABC|liikenne>"],
        ),
        ("<@U0AAAA001> <#C1>", ["<@U0AAAA001>", "<#C1>"]),
        ("owner:<@U0AAAA001|matti>", ["owner:<@U0AAAA001|matti>"]),
        ("<https://example.com|Esimerkki sivu> x", ["<https://example.com|Esimerkki sivu>", "x"]),
        ("<@U1|o'brien> x", ["<@U1|o'brien>", "x"]),
        ("a&amp;b &lt;tag&gt;", ["a&amp;b", "&lt;tag&gt;"]),
        ("a<b", ["a<b"]),
    ],
)
def test_tokenize_keeps_slack_entities_and_escapes(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    "text",
    ['say "hi', "“open only", "x ‘open", "'", '"a"b c', "„auki"],
)
def test_tokenize_unclosed_quote(text: str) -> None:
    with pytest.raises(ParseError) as error:
        tokenize(text)
    assert_error(error, "quote", text)


_WORD = st.text(
    alphabet=st.characters(
        whitelist_categories=("Ll", "Lu", "Nd"),
    ),
    min_size=1,
    max_size=12,
)


@given(st.lists(_WORD, max_size=8))
def test_tokenize_of_space_joined_words_gives_them_back(words: list[str]) -> None:
    assert tokenize(" ".join(words)) == words


@given(st.lists(st.lists(_WORD, min_size=1, max_size=3), max_size=5))
def test_tokenize_of_quoted_phrases_gives_the_phrases(phrases: list[list[str]]) -> None:
    text = " ".join("“" + " ".join(phrase) + "”" for phrase in phrases)
    assert tokenize(text) == [" ".join(phrase) for phrase in phrases]


# --- parse_date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-04-28", date(2027, 4, 28)),
        ("2027-4-8", date(2027, 4, 8)),
        ("28.4.2027", date(2027, 4, 28)),
        ("28.04.2027", date(2027, 4, 28)),
        ("1.1.2030", date(2030, 1, 1)),
        ("28.4.", date(2027, 4, 28)),
        ("28.4", date(2027, 4, 28)),
        ("15.3.", date(2027, 3, 15)),
        ("14.3.", date(2028, 3, 14)),
        (" 28.4. ", date(2027, 4, 28)),
        ("29.2.2028", date(2028, 2, 29)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("28.4.", date(2027, 4, 29), date(2028, 4, 28)),
        ("28.4.", date(2027, 4, 28), date(2027, 4, 28)),
        ("28.4.", date(2027, 4, 27), date(2027, 4, 28)),
        ("1.1.", date(2027, 12, 31), date(2028, 1, 1)),
        ("31.12.", date(2027, 12, 31), date(2027, 12, 31)),
        ("29.2.", date(2027, 3, 15), date(2028, 2, 29)),
        ("29.2.", date(2028, 2, 29), date(2028, 2, 29)),
        ("29.2.", date(2028, 3, 1), date(2032, 2, 29)),
        ("29.2.", date(2097, 3, 1), date(2104, 2, 29)),
    ],
)
def test_parse_date_without_year_is_next_such_date(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2027-13-01",
        "0000-01-01",
        "32.1.",
        "1.13.",
        "0.1.",
        "huomenna",
        "",
        "  ",
        "28.4.27",
        "28/4/2027",
        "2027-04-28T10:00",
        "28..4",
        "28.4.2027.",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_date(text, TODAY)
    assert_error(error, "date", text)


@pytest.mark.parametrize("text", ["31.2.2027", "29.2.2027", "2027-02-30", "31.4.2027", "31.2."])
def test_a_date_the_calendar_does_not_have_is_not_a_misunderstanding(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_date(text, TODAY)
    assert_error(error, "no_such_date", text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1.1.1900", "date_past"),
        ("14.3.2026", "date_past"),  # a year and a day ago
        ("1.1.9999", "date_future"),
        ("16.3.2037", "date_future"),  # ten years and a day ahead
        ("31.2.2027", "no_such_date"),
        ("huomenna", "date"),
    ],
)
def test_a_typed_date_must_be_one_a_person_can_mean(text: str, kind: str) -> None:
    with pytest.raises(ParseError) as error:
        typed_date(text, TODAY)
    assert_error(error, kind, text)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("15.3.2026", TODAY, date(2026, 3, 15)),  # a year ago to the day
        ("15.3.2037", TODAY, date(2037, 3, 15)),  # ten years ahead to the day
        ("28.4.", TODAY, date(2027, 4, 28)),
        ("28.2.2027", date(2028, 2, 29), date(2027, 2, 28)),  # a year before a leap day
        ("28.2.2038", date(2028, 2, 29), date(2038, 2, 28)),
    ],
)
def test_a_typed_date_within_a_year_back_and_ten_ahead_is_taken(
    text: str, today: date, expected: date
) -> None:
    assert typed_date(text, today) == expected


@given(st.dates(min_value=date(1000, 1, 1)))
def test_parse_date_reads_back_written_dates(day: date) -> None:
    assert parse_date(day.isoformat(), TODAY) == day
    assert parse_date(f"{day.day}.{day.month}.{day.year}", TODAY) == day


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2999, 12, 31)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2999, 12, 31)),
)
def test_parse_date_without_year_is_the_first_match_from_today(day: date, today: date) -> None:
    found = parse_date(f"{day.day}.{day.month}.", today)
    assert (found.day, found.month) == (day.day, day.month)
    assert today <= found < today + timedelta(days=366 * 8 + 1)
    assert all(
        (between.day, between.month) != (day.day, day.month)
        for between in (today + timedelta(days=n) for n in range((found - today).days))
    )


# --- parse_time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16:00", time(16, 0)),
        ("16.00", time(16, 0)),
        ("9:30", time(9, 30)),
        ("09.30", time(9, 30)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        (" 8.05 ", time(8, 5)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "25:00",
        "24:00",
        "12:60",
        "1600",
        "x",
        "",
        "16",
        "16:0",
        "16:000",
        "16-00",
        "16:00:00",
        "-1:00",
        "klo 16",
    ],
)
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_time(text)
    assert_error(error, "time", text)


# --- offsets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", Offset(7, "d")),
        ("0d", Offset(0, "d")),
        ("2h", Offset(2, "h")),
        ("30m", Offset(30, "m")),
        ("7pv", Offset(7, "d")),
        ("2t", Offset(2, "h")),
        ("30min", Offset(30, "m")),
        ("7D", Offset(7, "d")),
        ("7PV", Offset(7, "d")),
        ("2T", Offset(2, "h")),
        ("30Min", Offset(30, "m")),
        ("07d", Offset(7, "d")),
        ("366d", Offset(366, "d")),
        ("8784h", Offset(8784, "h")),
        ("527040m", Offset(527040, "m")),
    ],
)
def test_parse_offset(text: str, expected: Offset) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "3x",
        "-1d",
        "d",
        "",
        "7",
        "1.5d",
        "7 d",
        "7vrk",
        "+1d",
        "7dd",
        "367d",
        "8785h",
        "527041m",
        "99999999999999999999999d",
    ],
)
def test_parse_offset_rejects(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_offset(text)
    assert_error(error, "offset", text)


@pytest.mark.parametrize(
    ("offset", "canonical", "duration"),
    [
        (Offset(7, "d"), "7d", timedelta(days=7)),
        (Offset(2, "h"), "2h", timedelta(hours=2)),
        (Offset(30, "m"), "30m", timedelta(minutes=30)),
        (Offset(0, "d"), "0d", timedelta(0)),
    ],
)
def test_offset_str_and_duration(offset: Offset, canonical: str, duration: timedelta) -> None:
    assert str(offset) == canonical
    assert offset.to_timedelta() == duration


_OFFSETS = st.one_of(
    st.builds(Offset, st.integers(0, 366), st.just("d")),
    st.builds(Offset, st.integers(0, 8784), st.just("h")),
    st.builds(Offset, st.integers(0, 527040), st.just("m")),
)


@given(_OFFSETS)
def test_offset_canonical_form_reads_back(offset: Offset) -> None:
    assert parse_offset(str(offset)) == offset
    assert str(parse_offset(str(offset))) == str(offset)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d,1d,0d", [Offset(7, "d"), Offset(1, "d"), Offset(0, "d")]),
        ("7d, 1d,  0d", [Offset(7, "d"), Offset(1, "d"), Offset(0, "d")]),
        ("0d,7d", [Offset(0, "d"), Offset(7, "d")]),
        ("2h", [Offset(2, "h")]),
        ("7d,1d,7d", [Offset(7, "d"), Offset(1, "d")]),
        ("7pv,7d", [Offset(7, "d")]),
        ("1d,24h,1440m,2t", [Offset(1, "d"), Offset(2, "h")]),
        ("24h,1d", [Offset(24, "h")]),
    ],
)
def test_parse_offsets(text: str, expected: list[Offset]) -> None:
    assert parse_offsets(text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("", ""),
        ("  ", "  "),
        ("7d,,1d", "7d,,1d"),
        ("7d,", "7d,"),
        (",7d", ",7d"),
        ("7d,3x", "3x"),
        ("7d, -1d", "-1d"),
        ("7d 1d", "7d 1d"),
    ],
)
def test_parse_offsets_rejects(text: str, value: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_offsets(text)
    assert_error(error, "offset", value)


# --- channels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<#C0123ABC|liikenne>", ChannelRef("C0123ABC", "liikenne")),
        ("<#C0123ABC>", ChannelRef("C0123ABC", None)),
        ("<#C0123ABC|>", ChannelRef("C0123ABC", None)),
        ("<#G0123ABC|yksityinen>", ChannelRef("G0123ABC", "yksityinen")),
        ("#liikenne", ChannelRef(None, "liikenne")),
        ("#Liikenne", ChannelRef(None, "liikenne")),
        ("#liikenne-ja_maankäyttö2", ChannelRef(None, "liikenne-ja_maankäyttö2")),
        ("#ÄÖÅ", ChannelRef(None, "äöå")),
        ("#" + "a" * 80, ChannelRef(None, "a" * 80)),
        ("C0123ABC", ChannelRef("C0123ABC", None)),
        ("G0123ABC", ChannelRef("G0123ABC", None)),
    ],
)
def test_parse_channel(text: str, expected: ChannelRef) -> None:
    assert parse_channel(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "#",
        "liikenne",
        "#liikenne.vanha",
        "#liikenne ja",
        "#" + "a" * 81,
        "<#liikenne>",
        "<#C0123ABC",
        "<@U0AAAA001>",
        "U0AAAA001",
        "c0123abc",
        "<#c0123abc|liikenne>",
        "##liikenne",
    ],
)
def test_parse_channel_rejects(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_channel(text)
    assert_error(error, "channel", text)


# --- users --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0AAAA001>", "U0AAAA001"),
        ("<@U0AAAA001|matti>", "U0AAAA001"),
        ("<@U0AAAA001|Matti Meikäläinen>", "U0AAAA001"),
        ("<@W0AAAA001>", "W0AAAA001"),
        ("U0AAAA001", "U0AAAA001"),
        ("W0AAAA001", "W0AAAA001"),
    ],
)
def test_parse_user(text: str, expected: str) -> None:
    assert parse_user(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "@matti",
        "matti",
        "<@matti>",
        "<@U0AAAA001",
        "<#C0123ABC>",
        "u0aaaa001",
        "<@U0AAAA001>x",
        "U",
    ],
)
def test_parse_user_rejects(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_user(text)
    assert_error(error, "user", text)


# --- percent ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("40%", 40), ("40", 40), ("0", 0), ("0%", 0), ("100%", 100), ("100", 100), ("040", 40)],
)
def test_parse_percent(text: str, expected: int) -> None:
    assert parse_percent(text) == expected


@pytest.mark.parametrize(
    "text",
    ["101", "101%", "-1", "-1%", "40 %", "40.5", "%", "", "x", "40%%", "1000", "neljäkymmentä"],
)
def test_parse_percent_rejects(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_percent(text)
    assert_error(error, "percent", text)


# --- split_options ------------------------------------------------------------------------


def test_split_options_separates_known_names() -> None:
    tokens = ["liikenne", "Kysely", "due:28.4.", "owner:<@U1>", "remind:7d,1d", "valmis"]
    positional, options = split_options(tokens, ["due", "owner", "remind"])
    assert positional == ["liikenne", "Kysely", "valmis"]
    assert options == {"due": "28.4.", "owner": "<@U1>", "remind": "7d,1d"}


def test_split_options_names_are_case_insensitive_and_keyed_as_given() -> None:
    positional, options = split_options(["ORG:Tampere", "x"], ["org"])
    assert (positional, options) == (["x"], {"org": "Tampere"})


def test_split_options_leaves_unknown_prefixes_positional() -> None:
    tokens = ["https://example.com", "klo:16", "16:00", "plain"]
    assert split_options(tokens, ["org"]) == (tokens, {})


def test_split_options_takes_https_when_asked() -> None:
    assert split_options(["https://x"], ["https"]) == ([], {"https": "//x"})


@pytest.mark.parametrize("tokens", [["org:a", "org:b"], ["x", "org:a", "ORG:"], ["org:", "org:"]])
def test_split_options_refuses_an_option_given_twice(tokens: list[str]) -> None:
    with pytest.raises(ParseError) as error:
        split_options(tokens, ["org", "due"])
    assert_error(error, "repeated_option", "org:")


def test_split_options_keeps_empty_value_and_later_colons() -> None:
    assert split_options(["due:", "remind:a:b"], ["due", "remind"]) == (
        [],
        {"due": "", "remind": "a:b"},
    )


def test_split_options_with_no_names_or_tokens() -> None:
    assert split_options(["org:x"], []) == (["org:x"], {})
    assert split_options([], ["org"]) == ([], {})


def test_split_options_accepts_any_iterable_of_names() -> None:
    assert split_options(["org:x"], (name for name in ["org"])) == ([], {"org": "x"})
