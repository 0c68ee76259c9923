"""The announcement's text made safe, and `announce`'s words read (pure)."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.announcements import Draft, check_length, mentioned_users, parse, preview, sanitise
from bot.i18n import language
from bot.outcome import UserError
from bot.parsing import ParseError

J = "\u2060"  # the word joiner that keeps `@here` from being the word Slack reads
NAMES = {"U0MAIJA01": "Maija Mäkelä"}
TODAY = date(2027, 1, 10)


@pytest.mark.parametrize(
    ("typed", "safe"),
    [
        ("<!channel> <!here> <!everyone>", f"@{J}channel @{J}here @{J}everyone"),
        ("<!here|here> <!channel|@channel>", f"@{J}here @{J}channel"),
        ("<@U0MAIJA01|maija>", "@Maija Mäkelä"),
        ("<@U0MAIJA01>", "@Maija Mäkelä"),
        ("<@U0OTHER01|pekka>", "@pekka"),  # a name Slack did not give: the label
        ("<@U0OTHER01>", "@U0OTHER01"),  # no name at all: not a ping either
        ("<!subteam^S0TIIMI|@tiimi>", f"@{J}tiimi"),
        ("<!date^1800000000^{date}|15.1.2027>", "15.1.2027"),
        ("&lt;!everyone&gt; &lt;@U0MAIJA01&gt;", "&lt;!everyone&gt; &lt;@U0MAIJA01&gt;"),
        ("a &amp;lt; b &amp; c", "a &amp;lt; b &amp; c"),  # typed `&lt;` stays those characters
        ("@here and @Channel typed plainly", f"@{J}here and @{J}Channel typed plainly"),
        ("*lihava* _kursiivi_ ~pois~\n&gt; lainaus", "*lihava* _kursiivi_ ~pois~\n&gt; lainaus"),
        (
            "<https://example.org/a?b=1&amp;c=2|ohjelma>",
            "<https://example.org/a?b=1&amp;c=2|ohjelma>",
        ),
        ("<https://example.org>", "<https://example.org>"),
        ("<mailto:a@example.org|a@example.org>", "<mailto:a@example.org|a@example.org>"),
        ("<#C0LIIKENNE|liikenne>", "<#C0LIIKENNE>"),
        ("<javascript:alert(1)|klikkaa>", "&lt;javascript:alert(1)|klikkaa&gt;"),
        ("<https://x.fi|<!here>>", f"&lt;https://x.fi|@{J}here&gt;"),
        ("console < typed > & raw", "console &lt; typed &gt; &amp; raw"),
        ("<https://x.fi|@here>", f"<https://x.fi|@{J}here>"),
    ],
)
def test_nothing_in_an_announcement_can_ping(typed: str, safe: str) -> None:
    assert sanitise(typed, NAMES) == safe


def test_a_name_that_is_a_special_word_does_not_ping() -> None:
    assert sanitise("<@U0HERE001>", {"U0HERE001": "here"}) == f"@{J}here"
    assert sanitise("<@U0EVIL001>", {"U0EVIL001": "<!channel>"}) == "@&lt;!channel&gt;"


def test_the_people_mentioned_are_looked_up_once() -> None:
    text = "<@U0MAIJA01|maija> <@U0PEKKA01> <@U0MAIJA01> <!here> <#C0LIIKENNE>"
    assert mentioned_users(text) == ["U0MAIJA01", "U0PEKKA01"]


def test_the_words_keep_the_text_as_typed() -> None:
    assert parse('liikenne Hei\n\n*kaikki* "lainaus', TODAY) == Draft(
        "liikenne", None, None, 'Hei\n\n*kaikki* "lainaus'
    )
    assert parse('"liikenne ja" at:28.4. 16.00   Hei', TODAY) == Draft(
        "liikenne ja", date(2027, 4, 28), time(16, 0), "Hei"
    )
    assert parse("all AT:2027-04-28 9:00 Hei", TODAY) == Draft(
        "all", date(2027, 4, 28), time(9, 0), "Hei"
    )


@pytest.mark.parametrize(
    "typed", ["", "   ", "liikenne", "liikenne at:28.4. 16:00", "liikenne \n "]
)
def test_without_an_audience_or_text_there_is_nothing_to_post(typed: str) -> None:
    assert parse(typed, TODAY) is None


def test_a_date_or_time_written_wrong_is_the_shared_parsers_error() -> None:
    with pytest.raises(ParseError) as impossible:
        parse("liikenne at:31.2.2027 9:00 Hei", TODAY)
    assert impossible.value.kind == "no_such_date"
    with pytest.raises(ParseError) as wrong:
        parse("liikenne at:28.4. 24:00 Hei", TODAY)
    assert wrong.value.kind == "time"
    with language("en"), pytest.raises(UserError, match="Give the time as well as the date"):
        parse("liikenne at:28.4. Hei", TODAY)


def test_the_length_is_counted_as_typed() -> None:
    check_length("&amp;" * 3000)  # 3,000 typed characters, 15,000 as Slack sends them
    with language("en"), pytest.raises(UserError, match="3001 characters long; at most 3000"):
        check_length("x" * 3001)


def test_a_preview_is_one_short_line_with_links_as_labels() -> None:
    body = "Hei\n\nkaikki <https://x.fi|ohjelma> ja <https://y.fi> " + "x" * 200
    shown = preview(body, 40)
    assert shown == "Hei kaikki ohjelma ja https://y.fi xxxx…"
