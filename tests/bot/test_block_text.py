"""Block Kit drawn as text for the console, with plain values."""

from __future__ import annotations

from app.console.buttons import choose
from app.console.drawing import DIVIDER, Button, draw, readable
from bot import blocks
from bot.outcome import Message

CHANNELS = {"C0LIIKENNE": "#liikenne"}


def test_mrkdwn_links_mentions_and_channels_read_as_text() -> None:
    text = "<https://x.fi|Raportti> <https://y.fi> <@U0AAAA001> <#C0LIIKENNE> <#C0OTHER|muu>"
    assert readable(text + " <!here> &lt;b&gt; &amp;", CHANNELS) == (
        "Raportti (https://x.fi) https://y.fi @U0AAAA001 #liikenne #muu @here <b> &"
    )


def test_every_kind_of_block_is_drawn() -> None:
    message = Message(
        "fallback",
        [
            blocks.header("Otsikko"),
            {**blocks.section("Teksti"), "fields": [blocks.mrkdwn("*Aika:* 9.00")]},
            blocks.divider(),
            blocks.context("pieni"),
            blocks.actions(blocks.button("Seuraava ▶", "next", "2")),
            blocks.form_input("place", "Paikka", blocks.text_input("", 100)),
        ],
    )
    drawn = draw(message, CHANNELS)
    assert drawn.text.splitlines() == [
        "*Otsikko*",
        "Teksti",
        "  *Aika:* 9.00",
        DIVIDER,
        "  pieni",
        "[Seuraava ▶]",
        "Paikka: ____",
    ]
    assert drawn.buttons == (
        Button(
            "Seuraava ▶", "next", "2", "*Otsikko*\nTeksti\n  *Aika:* 9.00\n" + DIVIDER + "\n  pieni"
        ),
    )


def test_a_message_without_blocks_is_its_text() -> None:
    assert draw(Message("<#C0LIIKENNE> ok"), CHANNELS).text == "#liikenne ok"


JOINS = (
    Button("Liity", "join", "asuminen", "*Asuminen* (`asuminen`)"),
    Button("Liity", "join", "liikenne", "*Liikenne* (`liikenne`)"),
    Button("Seuraava", "next", "2", ""),
)


def test_a_typed_label_picks_its_button() -> None:
    assert choose(JOINS, "seuraava") == JOINS[2]
    assert choose(JOINS, "[Seuraava]") == JOINS[2]
    assert choose(JOINS, "Liity") == JOINS[:2]  # which one?
    assert choose(JOINS, "Liity 2") == JOINS[1]
    assert choose(JOINS, "liity liikenne") == JOINS[1]
    assert choose(JOINS, "Liity Asuminen") == JOINS[0]
    assert choose(JOINS, "Liity 7") == JOINS[:2]
    assert choose(JOINS, "liity liikenne org:tampere") is None  # a subcommand
    assert choose(JOINS, "teemat") is None
    assert choose((), "Liity") is None
