"""Untrusted text: control characters dropped before storing, mrkdwn escaped before showing."""

from __future__ import annotations

import pytest

from bot.text import clean, escape


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Nolla\x00tavu", "Nollatavu"),
        ("kello\x07 soi\x1b[31m", "kello soi[31m"),
        ("sarake\tsarake", "sarake sarake"),
        ("rivi\r\nrivi\nrivi\rrivi\u2028rivi", "rivi rivi rivi rivi rivi"),
        ("poisto\x7f ja C1\x85\x9b", "poisto ja C1 "),
        ("puolikas \ud800merkki", "puolikas merkki"),
        ("Äö 👩‍💻 ok", "Äö 👩‍💻 ok"),  # letters and emoji joiners stay
    ],
)
def test_a_single_line_field_keeps_no_control_characters(typed: str, stored: str) -> None:
    assert clean(typed) == stored


def test_a_field_of_several_lines_keeps_its_line_breaks_as_newlines() -> None:
    typed = "9.00 Kahvit\r\n9.20 Johdatus\x00\tpäivään\r10.00 Loppu\u2029"
    assert clean(typed, multiline=True) == "9.00 Kahvit\n9.20 Johdatus päivään\n10.00 Loppu\n"


def test_escaping_leaves_no_mention() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
