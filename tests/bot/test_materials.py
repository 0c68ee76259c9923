"""Pure rules of material baskets: addresses, tags, search words, the list and the modal."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import language
from bot.materials.form import (
    draft_from_form,
    material_modal,
    no_basket_modal,
    source_channel,
    source_metadata,
    title_from_message,
)
from bot.materials.listing import material_list, page_value, read_page_value
from bot.materials.material import (
    BASKET,
    TAGS,
    TITLE,
    URL,
    Draft,
    MaterialError,
    MaterialView,
    draft_from_words,
    duplicate_error,
    duplicate_text,
    is_network,
    kind_of,
    link,
    parse_link,
    parse_tags,
    saved_text,
    tags_from_text,
)
from bot.materials.search import (
    PER_PAGE,
    Basket,
    Found,
    Scope,
    basket_of,
    like_pattern,
    search_text,
    search_words,
    theme_named,
)
from bot.outcome import UserError

HELSINKI = ZoneInfo("Europe/Helsinki")
AT = datetime(2027, 4, 28, 21, 30, tzinfo=UTC)  # Thursday 29.4. at 00.30 in Helsinki


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield


def view(title: str = "Raportti", theme: str | None = "Liikenne", **kw: object) -> MaterialView:
    fields: dict[str, object] = {
        "title": title,
        "url": "https://example.org/r.pdf",
        "tags": ("seuranta",),
        "added_by": "U0MEMBER1",
        "added_at": AT,
        "theme": theme,
    }
    return MaterialView(**(fields | kw))  # type: ignore[arg-type]


# --- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url", "label"),
    [
        ("https://example.org/a.pdf", "https://example.org/a.pdf", ""),
        ("<https://example.org/a.pdf>", "https://example.org/a.pdf", ""),
        (
            "<https://example.org/?a=1&amp;b=2|Haku &amp; tulos>",
            "https://example.org/?a=1&b=2",
            "Haku & tulos",
        ),
        ("HTTP://Example.org", "HTTP://Example.org", ""),
        (
            "<https://t0team.slack.com/files/U1/F1/a.pdf|a.pdf>",
            "https://t0team.slack.com/files/U1/F1/a.pdf",
            "a.pdf",
        ),
    ],
)
def test_web_addresses_are_unwrapped(text: str, url: str, label: str) -> None:
    assert parse_link(text) == (url, label)


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "<javascript:alert(1)|klikkaa>",
        "ftp://example.org/a",
        "raportti",
        "example.org/a",
        "https://",
        "http:///polku",
        "<mailto:a@example.org>",
        "<#C0123|liikenne>",
        "https://exa mple.org",
        "http://[::1",
        "https://example.org/" + "x" * 2000,
    ],
)
def test_anything_but_a_web_address_is_refused(text: str) -> None:
    with pytest.raises(MaterialError) as refused:
        parse_link(text)
    assert refused.value.about == URL
    assert "is not a web address I can save" in refused.value.message
    assert "<" not in refused.value.message.split("'")[1]  # shown escaped


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://t0team.slack.com/files/U0MEMBER1/F0123/raportti.pdf", "file"),
        ("https://x.slack-gov.com/files/U1/F1/a", "file"),
        ("https://example.org/a.PPTX", "document"),
        ("https://example.org/a.pdf?download=1", "document"),
        ("https://example.org/slack.com/files/a", "link"),
        ("http://example.org/sivu", "link"),
    ],
)
def test_the_kind_follows_the_address(url: str, kind: str) -> None:
    assert kind_of(url) == kind


# --- the command's words ----------------------------------------------------------------------


def test_words_make_a_draft_with_title_and_tags() -> None:
    draft = draft_from_words(
        [
            "liik",
            "<https://example.org/r.pdf>",
            "Raportti",
            "#Seuranta,",
            "&lt;2027&gt;",
            "#seuranta",
        ]
    )
    assert draft == Draft("liik", "https://example.org/r.pdf", "Raportti <2027>", ("seuranta",))
    assert draft.kind == "document"


def test_the_links_label_is_the_title_when_no_words_follow() -> None:
    draft = draft_from_words(["all", "<https://example.org|Etusivu>", "#etusivu"])
    assert (draft.title, draft.tags) == ("Etusivu", ("etusivu",))


@pytest.mark.parametrize(
    ("words", "about", "message"),
    [
        (["liikenne"], URL, "Name the basket, the address and the title."),
        (["https://example.org", "Otsikko"], BASKET, "Name the basket first"),
        (["liikenne", "https://example.org"], TITLE, "The material needs a title"),
        (["liikenne", "https://example.org", "x" * 301], TITLE, "at most 300 characters"),
        (["liikenne", "https://example.org", "X", "#"], TAGS, "'#' is not a tag"),
        (["liikenne", "https://example.org", "X", "#a<b"], TAGS, "'#a&lt;b' is not a tag"),
        (["liikenne", "https://example.org", "X", "#" + "a" * 41], TAGS, "at most 40 letters"),
        (["liikenne", "https://example.org", "X", "<#C0123>"], TAGS, "is not a tag"),
    ],
)
def test_bad_words_say_what_is_wrong(words: list[str], about: str, message: str) -> None:
    with pytest.raises(MaterialError) as refused:
        draft_from_words(words)
    assert refused.value.about == about
    assert message in refused.value.message


def test_tags_are_lower_case_composed_and_kept_once() -> None:
    decomposed = unicodedata.normalize("NFD", "#Yhteistyö")
    assert parse_tags([decomposed, "#YHTEISTYÖ", "<#C0123|Liikenne>", "#mal-2027!"]) == (
        "yhteistyö",
        "liikenne",
        "mal-2027",
    )
    with pytest.raises(MaterialError, match="at most 10 tags"):
        parse_tags([f"#t{n}" for n in range(11)])


def test_the_modal_takes_tags_with_or_without_hashes() -> None:
    assert tags_from_text(" #seuranta, raportti  ##  liikenne") == (
        "seuranta",
        "raportti",
        "liikenne",
    )
    assert tags_from_text("") == ()


@pytest.mark.parametrize(
    ("word", "network"), [("all", True), ("Verkosto", True), ("kaikki", True), ("liikenne", False)]
)
def test_the_network_basket_has_several_names(word: str, network: bool) -> None:
    assert is_network(word) is network


# --- search -----------------------------------------------------------------------------------


def test_the_search_text_has_no_case_or_accents_and_is_capped() -> None:
    assert search_text("Vähähiilinen  LIIKENNE", ["hyvät-käytännöt"]) == (
        "vahahiilinen liikenne hyvat-kaytannot"
    )
    assert len(search_text("x" * 5000, [])) == 1000


def test_search_words_are_normalised_like_the_text() -> None:
    assert search_words(["SEURANTA", "#Vähä", "<#C0123|Liikenne>", "&lt;a&gt;", "#"]) == [
        "seuranta",
        "vaha",
        "liikenne",
        "<a>",
    ]
    with pytest.raises(UserError, match="at most 10 words"):
        search_words([f"w{n}" for n in range(11)])
    with pytest.raises(UserError):
        search_words(["x" * 51])


@pytest.mark.parametrize(
    ("word", "pattern"),
    [("raportti", "%raportti%"), ("100%", "%100\\%%"), ("a_b", "%a\\_b%"), ("c:\\d", "%c:\\\\d%")],
)
def test_like_patterns_take_wildcards_literally(word: str, pattern: str) -> None:
    assert like_pattern(word) == pattern


# --- rendering --------------------------------------------------------------------------------


def test_a_link_cannot_be_broken_by_its_title_or_address() -> None:
    assert link("https://e.org/?a=1&b=<2>|3", "<!channel> | x > y & z") == (
        "<https://e.org/?a=1&amp;b=%3C2%3E%7C3|&lt;!channel&gt; ¦ x &gt; y &amp; z>"
    )


def test_the_list_shows_each_material_with_who_and_when_in_the_network_day() -> None:
    found = Found([view(), view("Muistio", theme=None, tags=())], 1)
    message = material_list(found, Scope(), ["raportti"], ["raportti"], HELSINKI, "`/x`")
    assert message.blocks is not None
    assert [b["type"] for b in message.blocks] == [
        "section",
        "context",
        "section",
        "context",
        "section",
        "context",
    ]
    assert message.blocks[3]["elements"][0]["text"] == (
        "Liikenne · #seuranta · added by <@U0MEMBER1> on Thu 29 Apr 2027"
    )
    assert message.blocks[5]["elements"][0]["text"] == (
        "Network basket · added by <@U0MEMBER1> on Thu 29 Apr 2027"
    )
    assert message.text == "*Materials (2)*\n• Raportti\n• Muistio"


def test_a_basket_list_leaves_the_basket_out_of_each_line() -> None:
    theme = material_list(Found([view()], 1), Scope(False, "Liik & co"), [], [], HELSINKI, "")
    network = material_list(Found([], 1), Scope(False), [], [], HELSINKI, "`/x add`")
    assert theme.blocks is not None and network.blocks is not None
    assert theme.blocks[0]["text"]["text"] == "*Materials of the theme Liik &amp; co (1)*"
    assert theme.blocks[2]["elements"][0]["text"].startswith("#seuranta · added by")
    assert network.text == "*The network basket (0)*\nNothing found. Add a material with `/x add`."


def test_pages_carry_the_search_in_their_buttons() -> None:
    items = [view(f"R{n}") for n in range(PER_PAGE)]
    message = material_list(Found(items, 2, more=True), Scope(), ["r"], ["liik", "r"], HELSINKI, "")
    assert message.blocks is not None and len(message.blocks) <= 50
    buttons = message.blocks[-1]["elements"]
    assert [(b["action_id"], read_page_value(b["value"])) for b in buttons] == [
        ("materials_page_prev", (["liik", "r"], 1)),
        ("materials_page_next", (["liik", "r"], 3)),
    ]
    assert message.blocks[-2]["elements"][0]["text"] == "Page 2; older ones on the next pages"
    assert message.blocks[0]["text"]["text"] == "*Materials*"  # more follow: not counted
    last = material_list(Found(items[:3], 3), Scope(), ["r"], ["r"], HELSINKI, "")
    assert last.blocks is not None
    assert [b["action_id"] for b in last.blocks[-1]["elements"]] == ["materials_page_prev"]
    assert last.blocks[-2]["elements"][0]["text"] == "Page 3, the last"
    assert last.blocks[0]["text"]["text"] == "*Materials (33)*"  # the last page: all are known


@pytest.mark.parametrize(
    "value",
    [
        "",
        "<!channel>",
        "[]",
        '{"args": "x", "page": 2}',
        '{"args": [1], "page": 2}',
        '{"page": "2"}',
        '{"args": [], "page": true}',
    ],
)
def test_a_forged_page_value_is_the_first_page_of_everything(value: str) -> None:
    assert read_page_value(value) == ([], 1)


@pytest.mark.parametrize("page", ["10" * 12, "-3", "0"])
def test_a_forged_page_number_is_the_first_page(page: str) -> None:
    """A page too large for the database's offset, or not a page at all, keeps the words."""
    assert read_page_value(f'{{"args": ["raportti"], "page": {page}}}') == (["raportti"], 1)


def test_saved_and_duplicate_texts() -> None:
    assert saved_text(view()) == (
        "Added *<https://example.org/r.pdf|Raportti>* to the basket of the theme *Liikenne*."
        " Tags: #seuranta"
    )
    assert saved_text(view(theme=None, tags=())) == (
        "Added *<https://example.org/r.pdf|Raportti>* to the network basket."
    )
    assert duplicate_text(view(theme=None), HELSINKI) == (
        "*<https://example.org/r.pdf|Raportti>* is already in the network basket, added by"
        " <@U0MEMBER1> on Thu 29 Apr 2027. Nothing was added."
    )
    assert duplicate_error(view("<b>"), HELSINKI) == (
        "This address is already in the basket: &lt;b&gt;, added on Thu 29 Apr 2027."
    )


# --- the modal --------------------------------------------------------------------------------


def test_the_modal_is_prefilled_and_within_block_kit_limits() -> None:
    choices = [(f"t{n:03}", f"Teema {n:03} " + "x" * 100) for n in range(150)]
    modal = material_modal("https://e.org", "Otsikko", choices, "t001", "m" * 4000)
    fields = {block["block_id"]: block for block in modal["blocks"]}
    assert len(modal["title"]["text"]) <= 24 and len(modal["submit"]["text"]) <= 24
    assert len(modal["private_metadata"]) == 3000
    assert fields["url"]["element"]["initial_value"] == "https://e.org"
    assert fields["title"]["element"] == {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": 300,
        "initial_value": "Otsikko",
    }
    options = fields["basket"]["element"]["options"]
    assert len(options) == 100 and all(len(o["text"]["text"]) <= 75 for o in options)
    assert fields["basket"]["element"]["initial_option"]["value"] == "t001"
    assert fields["tags"]["optional"] is True and "initial_value" not in fields["tags"]["element"]


def test_one_basket_is_chosen_already_and_many_are_left_to_choose() -> None:
    one = material_modal("", "", [("liikenne", "Liikenne")], None, "")
    many = material_modal("", "", [("a", "A"), ("b", "B")], "c", "")
    assert one["blocks"][2]["element"]["initial_option"]["value"] == "liikenne"
    assert "initial_option" not in many["blocks"][2]["element"]
    assert "initial_value" not in one["blocks"][0]["element"]


def test_without_a_basket_the_modal_only_explains() -> None:
    modal = no_basket_modal("Join one.")
    assert "submit" not in modal and modal["close"]["text"] == "Close"
    assert modal["blocks"][0]["text"]["text"] == (
        "You can add materials to the themes you have joined. Join one."
    )


def form(
    url: str | None, title: str | None, basket: str | None, tags: str | None
) -> dict[str, object]:
    option = {"value": basket} if basket else None
    return {
        "url": {"value": {"value": url}},
        "title": {"value": {"value": title}},
        "basket": {"value": {"selected_option": option}},
        "tags": {"value": {"value": tags}},
    }


def test_a_submitted_form_is_a_draft() -> None:
    draft = draft_from_form(form(" https://e.org/a.pdf ", " Raportti  2027 ", "liikenne", "#a b"))
    assert draft == Draft("liikenne", "https://e.org/a.pdf", "Raportti 2027", ("a", "b"))


@pytest.mark.parametrize(
    ("values", "about"),
    [
        (form("https://e.org", "X", None, None), BASKET),
        (form(None, "X", "liikenne", None), URL),
        (form("https://e.org", None, "liikenne", None), TITLE),
        (form("https://e.org", "X", "liikenne", "#a!b"), TAGS),
        ({}, BASKET),
    ],
)
def test_a_bad_form_names_the_field(values: dict[str, object], about: str) -> None:
    with pytest.raises(MaterialError) as refused:
        draft_from_form(values)
    assert refused.value.about == about


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("*Seurantaraportti* on _valmis_!\nToinen rivi", "Seurantaraportti on valmis!"),
        ("\n\n> Lainaus `koodi` ~pois~", "Lainaus koodi pois"),
        ("<https://e.org|Linkki> ja <https://e.org>", "Linkki ja https://e.org"),
        (
            "<!channel> <@U1|maija> <@U2> <#C1|liikenne> <!subteam^S1|@ryhmä>",
            "@channel @maija @U2 #liikenne @ryhmä",
        ),
        ("a &lt;b&gt; &amp; snake_case", "a <b> & snake_case"),
        ("• " + "x" * 200, "x" * 149 + "…"),
        ("", ""),
    ],
)
def test_a_title_is_taken_from_the_first_line_of_a_message(text: str, title: str) -> None:
    assert title_from_message(text) == title


def test_page_values_stay_within_a_buttons_limit() -> None:
    words = ["ä" * 50] * 10
    assert len(search_words(words)) == 10  # the longest search there is
    assert len(page_value(["liikenne", *words], 99)) < 2000


@pytest.mark.parametrize(
    ("metadata", "channel"),
    [
        (source_metadata("C0LIIKENNE", "1.2"), "C0LIIKENNE"),
        ("", ""),
        ("[]", ""),
        ("null", ""),
        ('{"channel": 5}', ""),
    ],
)
def test_the_modal_remembers_the_messages_channel(metadata: str, channel: str) -> None:
    assert source_channel(metadata) == channel


THEMES = [
    ("liikenne", "Liikenne ja saavutettavuus"),
    ("asuminen", "Asuminen"),
    ("asiakkuus", "Asiakkuus"),
]


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("liikenne", "liikenne"),
        ("LIIK", "liikenne"),
        ("Asuminen", "asuminen"),
        ("as", None),  # fits two themes: searched for instead
        ("raportti", None),
        ("liikene", None),  # a near miss is a search word, not a theme
        ("#", None),
    ],
)
def test_only_a_sure_theme_name_filters_a_search(word: str, key: str | None) -> None:
    assert theme_named(word, THEMES) == key


@pytest.mark.parametrize(
    ("args", "basket"),
    [
        ([], (None, Scope(), [])),
        (["raportti", "2014"], (None, Scope(), ["raportti", "2014"])),
        (["verkosto", "tiekartta"], (None, Scope(everywhere=False), ["tiekartta"])),
        (["LIIK", "seuranta"], (1, Scope(False, "Liikenne ja saavutettavuus"), ["seuranta"])),
        (["asuminen"], (2, Scope(False, "Asuminen"), [])),
        (["as", "seuranta"], (None, Scope(), ["as", "seuranta"])),
    ],
)
def test_the_first_word_names_a_basket_only_for_sure(args: list[str], basket: Basket) -> None:
    themes = [(key, name, n) for n, (key, name) in enumerate(THEMES, start=1)]
    assert basket_of(args, themes) == basket
