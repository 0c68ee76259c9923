"""Material baskets end to end: signed commands, the message shortcut and its modal, fake Slack."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.materials.listing import read_page_value
from bot.materials.material import Draft
from bot.materials.search import search_text
from storage import materials as materials_store
from storage.models import Material, Theme
from tests.conftest import COORDINATOR
from tests.e2e.buttons import press
from tests.harness import Bot
from tests.seed import CHAIR, CHANNELS, CONTACT, seed, seed_materials, snapshot
from usecases.caller import Caller
from usecases.materials import Saved, save

MEMBER = "U0MEMBER3"  # English-speaking member, no organisation
LIIKENNE = "Liikenne ja saavutettavuus"
ADD = "`/network material add &lt;theme or all&gt; &lt;url&gt; &lt;title…&gt; [#tag…]`"
USAGE = f"Write it like this: {ADD}"
NOT_WEB = (
    "'{value}' is not a web address I can save. Write an address that starts with https:// or"
    " http://, e.g. https://example.org/report.pdf, or a link to a file in Slack."
)
MESSAGE_TS = "1790000000.000100"
PERMALINK = "https://t0team.slack.com/archives/C0LIIKENNE/p1790000000000100"


@pytest.fixture
async def net(bot: Bot) -> Bot:
    """The bot on the seeded network with its four materials, the theme channels in Slack."""
    await seed(bot.services.db)
    await seed_materials(bot.services.db)
    for channel_id, name in CHANNELS.items():
        bot.slack.add_channel(channel_id, name, is_private=name == "digi", bot_member=False)
    bot.slack.add_user(CHAIR, name="Puheenjohtaja", locale="fi-FI")
    return bot


Row = tuple[str | None, str, str, str, list[str], str, str]


async def stored(engine: AsyncEngine) -> list[Row]:
    """(basket, title, url, kind, tags, added by, search text) of every material, oldest first."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(
                Theme.key,
                Material.title,
                Material.url,
                Material.kind,
                Material.tags,
                Material.added_by,
                Material.search_text,
            )
            .outerjoin(Theme, Theme.id == Material.theme_id)
            .order_by(Material.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def titles(reply: dict[str, Any]) -> list[str]:
    """The titles the list links to, in order."""
    texts = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    return [m.group(1) for t in texts if (m := re.fullmatch(r"\*<[^|]*\|(.*)>\*", t))]


def all_text(bot: Bot) -> str:
    return json.dumps([call.params for call in bot.slack.calls], ensure_ascii=False)


# --- material add / aineisto lisää ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "material add liik https://example.org/raportti.pdf Liikenneraportti 2027 #Seuranta"
        " #raportti,",
        'aineisto lisää liikenne <https://example.org/raportti.pdf> "Liikenneraportti 2027"'
        " #seuranta #RAPORTTI #seuranta",
    ],
)
async def test_a_registered_member_adds_a_material(net: Bot, text: str) -> None:
    await net.command("join liikenne", user=MEMBER)
    reply = await net.command(text, user=MEMBER)
    assert reply["text"] == (
        f"Added *<https://example.org/raportti.pdf|Liikenneraportti 2027>* to the basket of the"
        f" theme *{LIIKENNE}*. Tags: #seuranta, #raportti"
    )
    assert (await stored(net.services.engine))[-1] == (
        "liikenne",
        "Liikenneraportti 2027",
        "https://example.org/raportti.pdf",
        "document",
        ["seuranta", "raportti"],
        MEMBER,
        "liikenneraportti 2027 seuranta raportti",
    )


async def test_a_member_whose_organisation_is_registered_may_add(net: Bot) -> None:
    await net.command("join liikenne org:tampere", user=CONTACT)
    await net.command("leave liikenne", user=CONTACT)  # only Tampere stays registered
    await net.command("org tampere", user=MEMBER)
    reply = await net.command("material add liikenne https://example.org/x Raportti", user=MEMBER)
    assert reply["text"].startswith("Added *<https://example.org/x|Raportti>*")
    assert (await stored(net.services.engine))[-1][:2] == ("liikenne", "Raportti")


async def test_the_chair_and_the_coordinators_add_without_registering(net: Bot) -> None:
    await net.command("material add liikenne https://example.org/pj Puheenjohtajan muistio", CHAIR)
    await net.command("material add verkosto https://example.org/k Koordinaattorin", COORDINATOR)
    rows = await stored(net.services.engine)
    assert [(r[0], r[1], r[5]) for r in rows[-2:]] == [
        ("liikenne", "Puheenjohtajan muistio", CHAIR),
        (None, "Koordinaattorin", COORDINATOR),
    ]


async def test_a_slack_link_is_unwrapped_and_its_label_is_the_title(net: Bot) -> None:
    await net.command("join liikenne", user=MEMBER)
    reply = await net.command(
        "material add liikenne <https://example.org/haku?a=1&amp;b=2|Hakutulos>", user=MEMBER
    )
    assert reply["text"] == (
        f"Added *<https://example.org/haku?a=1&amp;b=2|Hakutulos>* to the basket of the theme"
        f" *{LIIKENNE}*."
    )
    row = (await stored(net.services.engine))[-1]
    assert row[1:4] == ("Hakutulos", "https://example.org/haku?a=1&b=2", "link")


async def test_a_channel_link_slack_made_of_a_typed_tag_is_a_tag(net: Bot) -> None:
    await net.command("join liikenne", user=MEMBER)
    await net.command(
        "material add liikenne https://example.org/x Raportti <#C0LIIKENNE|liikenne> #Tampere",
        user=MEMBER,
    )
    row = (await stored(net.services.engine))[-1]
    assert (row[1], row[4]) == ("Raportti", ["liikenne", "tampere"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "material add liikenne https://example.org/x Raportti",
            f"Only members registered for {LIIKENNE} and the people who run it can add"
            " materials. Join the theme first.",
        ),
        ("material add all https://example.org/x Raportti", "Only the network's coordinators"),
        (
            "material add liikene https://example.org/x Raportti",
            f"There is no theme 'liikene'. Did you mean `liikenne` ({LIIKENNE})?",
        ),
        (
            "material add vanha https://example.org/x Raportti",
            "The theme *Vanha teema* is archived.",
        ),
        ("material add", f"Name the basket, the address and the title. {USAGE}"),
        (
            "material add https://example.org/x Raportti",
            f"Name the basket first: a theme, or all for the network basket. {USAGE}",
        ),
        (
            "material add liikenne https://example.org/x",
            f"The material needs a title: write it after the address. {USAGE}",
        ),
        (
            "material add liikenne https://example.org/x Raportti #!!",
            "'#!!' is not a tag I can use. Write # and one word of at most 40 letters,"
            f" e.g. #seuranta. {USAGE}",
        ),
        ('material add liikenne https://example.org/x "Raportti', "A quotation mark is not closed"),
    ],
)
async def test_refusals_and_bad_input_say_what_was_wrong_and_write_nothing(
    net: Bot, text: str, expected: str
) -> None:
    reply = await net.reply_writing_nothing(text, user=MEMBER)
    assert reply["text"].startswith(expected)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("ftp://example.org/x.pdf", "ftp://example.org/x.pdf"),
        ("raportti", "raportti"),
        ("<mailto:a@example.org|a@example.org>", "&lt;mailto:a@example.org|a@example.org&gt;"),
        ("https://", "https://"),
        ("<#C0LIIKENNE|liikenne>", "&lt;#C0LIIKENNE|liikenne&gt;"),
    ],
)
async def test_only_web_addresses_are_saved(net: Bot, url: str, shown: str) -> None:
    await net.command("join liikenne", user=MEMBER)
    reply = await net.reply_writing_nothing(f"material add liikenne {url} Raportti", user=MEMBER)
    assert reply["text"] == NOT_WEB.format(value=shown) + " " + USAGE


async def test_an_address_already_in_the_basket_is_reported_not_added(net: Bot) -> None:
    await net.command("join liikenne", user=MEMBER)
    reply = await net.command_writing_nothing(
        "material add liikenne https://example.org/seuranta.pdf Toinen nimi", user=MEMBER
    )
    assert reply == (
        f"*<https://example.org/seuranta.pdf|Seurantaraportti 2014>* is already in the basket of"
        f" the theme *{LIIKENNE}*, added by <@{CONTACT}> on Sun 10 Jan 2027. Nothing was added."
    )
    await net.command("material add all https://example.org/seuranta.pdf Raportti", COORDINATOR)
    assert [r[0] for r in await stored(net.services.engine)].count(None) == 2


async def test_the_same_address_added_by_many_at_once_is_saved_once(
    net: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every request finds the basket without it, then all of them save: one wins, the others
    are told it is there (a unique index; without it all ten would be saved)."""
    url = "https://example.org/yhteinen.pdf"
    looked = asyncio.Barrier(10)
    first_looks: list[object] = []
    in_basket = materials_store.in_basket

    async def look_together(*args: Any) -> Any:
        """The real look-up; each request's first one waits until all ten have looked."""
        found = await in_basket(*args)
        if len(first_looks) < 10:
            first_looks.append(found)
            await looked.wait()
        return found

    monkeypatch.setattr(materials_store, "in_basket", look_together)

    async def add(n: int) -> Saved:
        caller = Caller(COORDINATOR, datetime.now(UTC), net.services.settings.deployment)
        return await save(net.services.db, caller, Draft("liikenne", url, f"Yhteinen {n}"))

    saved = await asyncio.wait_for(asyncio.gather(*(add(n) for n in range(10))), 30)
    assert first_looks == [None] * 10  # all of them race to save
    assert sorted(outcome.duplicate for outcome in saved) == [False] + [True] * 9
    rows = [row for row in await stored(net.services.engine) if row[2] == url]
    assert len(rows) == 1
    winner = next(outcome.material for outcome in saved if not outcome.duplicate)
    assert {outcome.material.title for outcome in saved} == {winner.title} == {rows[0][1]}


# --- materials / aineistot --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("materials seurantaraportti", ["Seurantaraportti 2014"]),
        ("materials SEURANTARAPORTTI", ["Seurantaraportti 2014"]),
        ("aineistot raportti", ["Seurantaraportti 2014"]),
        ("materials #seuranta 2014", ["Seurantaraportti 2014"]),
        ("materials vaha", ["Vähähiilinen liikenne"]),
        ("materials VÄHÄ hyvät-käytännöt", ["Vähähiilinen liikenne"]),
        ("materials seuranta vaha", []),
        ("materials liikenne", ["Vähähiilinen liikenne", "Seurantaraportti 2014"]),
        ("aineistot liik raportti", ["Seurantaraportti 2014"]),
        ("materials digi", ["Digitalisaation tiekartta"]),
        ("materials tiekartta", ["Digitalisaation tiekartta"]),
        ("materials all", ["Verkoston toimintasuunnitelma"]),
        ("aineistot verkosto tiekartta", []),
        (
            "materials",
            [
                "Verkoston toimintasuunnitelma",
                "Digitalisaation tiekartta",
                "Vähähiilinen liikenne",
                "Seurantaraportti 2014",
            ],
        ),
    ],
)
async def test_search_finds_every_word_ignoring_case_and_accents(
    net: Bot, text: str, found: list[str]
) -> None:
    assert titles(await net.command(text, user=MEMBER)) == found


async def test_the_list_shows_links_baskets_tags_and_who_added_when(net: Bot) -> None:
    blocks = (await net.command("materials", user=MEMBER))["blocks"]
    assert blocks[0]["text"]["text"] == "*Materials (4)*"
    assert blocks[1]["text"]["text"] == (
        "*<https://example.org/suunnitelma|Verkoston toimintasuunnitelma>*"
    )
    assert blocks[2]["elements"][0]["text"] == (
        f"Network basket · added by <@{COORDINATOR}> on Wed 13 Jan 2027"
    )
    assert blocks[-1]["elements"][0]["text"] == (
        f"{LIIKENNE} · #seuranta · added by <@{CONTACT}> on Sun 10 Jan 2027"
    )
    theme = (await net.command("materials liikenne raportti", user=MEMBER))["blocks"]
    assert theme[0]["text"]["text"] == f"*Materials of the theme {LIIKENNE} (1)*"
    assert theme[1]["elements"][0]["text"] == "Search words: raportti"
    assert theme[3]["elements"][0]["text"] == (
        f"#seuranta · added by <@{CONTACT}> on Sun 10 Jan 2027"
    )


async def test_nothing_found_says_how_to_add(net: Bot) -> None:
    reply = await net.command("materials all tiekartta", user=MEMBER)
    assert reply["text"] == (f"*The network basket (0)*\nNothing found. Add a material with {ADD}.")


async def test_percent_and_underscore_are_searched_literally(net: Bot) -> None:
    for n, title in enumerate(["Kasvu 100% vuodessa", "Kasvu 1000", "tiedosto_v2", "tiedostoxv2"]):
        await net.command(f'material add all https://example.org/{n} "{title}"', COORDINATOR)
    assert titles(await net.command("materials 100%", user=MEMBER)) == ["Kasvu 100% vuodessa"]
    assert titles(await net.command("materials o_v", user=MEMBER)) == ["tiedosto_v2"]


async def statements_of(bot: Bot, text: str) -> list[str]:
    """The statements that reading `text`'s answer sends to the database."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sync_engine = bot.services.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        await bot.command(text, user=MEMBER)
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
    return statements


async def test_the_search_runs_in_the_database(net: Bot) -> None:
    statements = await statements_of(net, "materials liikenne raportti")
    searches = [s for s in statements if "FROM material" in s]
    assert len(searches) == 1
    assert "search_text LIKE" in searches[0] and "ESCAPE" in searches[0]
    assert "LIMIT" in searches[0] and "count(" not in searches[0].lower()


async def test_a_theme_added_or_archived_meanwhile_names_a_basket_or_no_longer(
    net: Bot, engine: AsyncEngine
) -> None:
    assert titles(await net.command("materials kestava", user=MEMBER)) == []  # themes now known
    async with engine.begin() as connection:  # as another process or an import would
        kestava = await connection.scalar(
            insert(Theme).values(key="kestava", name="Kestävä kasvu").returning(Theme.id)
        )
        row = {"theme_id": kestava, "title": "Kasvuraportti", "url": "https://example.org/k"}
        row |= {"kind": "link", "tags": [], "added_by": CONTACT, "added_at": datetime.now(UTC)}
        await connection.execute(insert(Material).values(search_text="kasvuraportti", **row))
    reply = await net.command("materials kestava", user=MEMBER)
    assert reply["blocks"][0]["text"]["text"] == "*Materials of the theme Kestävä kasvu (1)*"
    assert titles(reply) == ["Kasvuraportti"]
    async with engine.begin() as connection:
        await connection.execute(update(Theme).where(Theme.key == "liikenne").values(archived=True))
    reply = await net.command("materials liikenne", user=MEMBER)  # now only a word searched for
    assert reply["blocks"][0]["text"]["text"] == "*Materials (1)*"
    assert titles(reply) == ["Vähähiilinen liikenne"]
    async with engine.begin() as connection:
        await connection.execute(update(Theme).where(Theme.key == "digi").values(name="Digi 2"))
    reply = await net.command("materials digi", user=MEMBER)  # the same basket, renamed
    assert reply["blocks"][0]["text"]["text"] == "*Materials of the theme Digi 2 (1)*"


async def test_forty_materials_are_paged_within_block_kit_limits(net: Bot) -> None:
    start = datetime(2027, 2, 1, tzinfo=UTC)
    async with net.services.db() as session, session.begin():
        digi = await session.scalar(select(Theme.id).where(Theme.key == "digi"))
        tags = [f"tunniste{t}" for t in range(10)]
        session.add_all(
            Material(
                theme_id=digi,
                title=f"Raportti {n:02} " + "x" * 280,
                url=f"https://example.org/{'y' * 1900}/{n}",
                tags=tags,
                added_by=CONTACT,
                added_at=start + timedelta(days=n),
                search_text=search_text(f"Raportti {n:02}", tags),
            )
            for n in range(40)
        )
    reply = await net.command("materials digi RAPORTTI", user=MEMBER)
    seen: list[str] = []
    while True:
        assert len(reply["blocks"]) <= 50
        assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in reply["blocks"])
        seen += [title.split()[1] for title in titles(reply)]
        nexts = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
        nexts = [e for e in nexts if e["action_id"] == "materials_page_next"]
        if not nexts:
            break
        # The button carries the words as searched (normalised), not as typed.
        assert read_page_value(nexts[0]["value"])[0] == ["digi", "raportti"]
        reply = await press(net, MEMBER, "materials_page_next", nexts[0]["value"])
        assert reply["replace_original"] is True
    assert seen == [f"{n:02}" for n in reversed(range(40))]


async def test_a_forged_page_button_shows_the_first_page(net: Bot) -> None:
    reply = await press(net, MEMBER, "materials_page_next", "<!channel>")
    assert reply["blocks"][0]["text"]["text"] == "*Materials (4)*"
    gone = '{"args": ["liikenne"], "page": 9}'
    reply = await press(net, MEMBER, "materials_page_next", gone)
    assert titles(reply) == ["Vähähiilinen liikenne", "Seurantaraportti 2014"]


# --- saving from a conversation ---------------------------------------------------------------


def posted_message(bot: Bot, text: str = "", **fields: Any) -> dict[str, Any]:
    """A message in the liikenne channel, as Slack holds it."""
    message = {"type": "message", "ts": MESSAGE_TS, "user": CONTACT, "text": text, **fields}
    bot.slack.channels["C0LIIKENNE"].messages.append(message)
    return message


async def shortcut(
    bot: Bot, user: str, message: dict[str, Any], channel: str = "C0LIIKENNE"
) -> dict[str, Any]:
    """Use "Add to materials" on a message; the view the bot opened."""
    before = len(bot.slack.calls_to("views.open"))
    payload = {
        "type": "message_action",
        "callback_id": "add_to_materials",
        "trigger_id": "trigger-shortcut",
        "response_url": bot.slack.response_url("shortcut"),
        "user": {"id": user, "name": user.lower()},
        "team": {"id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "channel": {"id": channel, "name": CHANNELS.get(channel, "general")},
        "message": message,
        "message_ts": message["ts"],
        "action_ts": "1790000001.000000",
    }
    assert (await bot.action(payload)).status_code == 200
    opened = (await bot.wait_for("views.open", before + 1))[before].params
    assert opened["trigger_id"] == "trigger-shortcut"
    view: dict[str, Any] = opened["view"]
    return view


async def submit(
    bot: Bot,
    user: str,
    url: str,
    title: str,
    basket: str,
    tags: str | None = None,
    channel: str = "C0LIIKENNE",
) -> dict[str, Any] | None:
    """Submit the modal; the errors Slack is told to show, or None when it closes."""
    values = {
        "url": {"value": {"type": "plain_text_input", "value": url}},
        "title": {"value": {"type": "plain_text_input", "value": title}},
        "basket": {"value": {"type": "static_select", "selected_option": {"value": basket}}},
        "tags": {"value": {"type": "plain_text_input", "value": tags}},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": "T0TEAM"},
        "user": {"id": user, "name": user.lower()},
        "api_app_id": "A0APP",
        "token": "legacy",
        "trigger_id": "trigger-submit",
        "view": {
            "id": "V0MODAL",
            "type": "modal",
            "callback_id": "add_material",
            "private_metadata": json.dumps({"channel": channel, "ts": MESSAGE_TS}),
            "state": {"values": values},
        },
    }
    response = await bot.action(payload)
    assert response.status_code == 200
    if not response.text:
        return None
    answer: dict[str, Any] = response.json()
    assert answer["response_action"] == "errors"
    return answer


def blocks_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block.get("block_id", ""): block for block in view["blocks"]}


async def test_the_shortcut_opens_a_prefilled_modal_and_submitting_adds(net: Bot) -> None:
    await net.command("join digi", user=MEMBER)
    await net.command("join liikenne", user=MEMBER)
    message = posted_message(net, "*Seurantaraportti 2026* on valmis! <https://x.fi|Lue>\nLisää")
    view = await shortcut(net, MEMBER, message)
    assert (view["callback_id"], view["title"]["text"], view["submit"]["text"]) == (
        "add_material",
        "Add to materials",
        "Add",
    )
    fields = blocks_of(view)
    assert fields["url"]["element"]["initial_value"] == PERMALINK
    assert fields["title"]["element"]["initial_value"] == "Seurantaraportti 2026 on valmis! Lue"
    select_ = fields["basket"]["element"]
    assert [(o["value"], o["text"]["text"]) for o in select_["options"]] == [
        ("digi", "Digitalisaatio"),
        ("liikenne", LIIKENNE),
    ]
    assert select_["initial_option"]["value"] == "liikenne"  # the message's channel is its
    assert json.loads(view["private_metadata"]) == {"channel": "C0LIIKENNE", "ts": MESSAGE_TS}
    assert (
        await submit(net, MEMBER, PERMALINK, "Seurantaraportti 2026", "liikenne", "#a b,c") is None
    )
    assert (await stored(net.services.engine))[-1] == (
        "liikenne",
        "Seurantaraportti 2026",
        PERMALINK,
        "link",
        ["a", "b", "c"],
        MEMBER,
        "seurantaraportti 2026 a b c",
    )
    told = (await net.wait_for("chat.postEphemeral", 1))[0].params  # where the user was
    assert (told["channel"], told["user"]) == ("C0LIIKENNE", MEMBER)
    assert told["text"] == (
        f"Added *<{PERMALINK}|Seurantaraportti 2026>* to the basket of the theme *{LIIKENNE}*."
        " Tags: #a, #b, #c"
    )


async def test_the_confirmation_is_a_direct_message_where_the_bot_cannot_post(net: Bot) -> None:
    await net.command("join digi", user=MEMBER)  # digi's channel is private, the bot not in it
    await net.settle()
    posts = len(net.slack.calls_to("chat.postMessage"))
    assert (
        await submit(net, MEMBER, "https://example.org/d", "Digi", "digi", channel="C0DIGI") is None
    )
    dm = (await net.wait_for("chat.postMessage", posts + 1))[posts].params
    assert (dm["channel"], dm["text"]) == (
        MEMBER,
        "Added *<https://example.org/d|Digi>* to the basket of the theme *Digitalisaatio*.",
    )
    assert len(net.slack.calls_to("chat.postEphemeral")) == 1  # tried first, refused


async def test_a_message_with_a_file_offers_the_file(net: Bot) -> None:
    await net.command("join liikenne", user=MEMBER)
    link = "https://t0team.slack.com/files/U0MEMBER1/F0123/raportti.pdf"
    file = {"id": "F0123", "name": "raportti.pdf", "title": "Raportti 2026", "permalink": link}
    view = await shortcut(net, MEMBER, posted_message(net, "Katso liite", files=[file]))
    fields = blocks_of(view)
    assert fields["url"]["element"]["initial_value"] == link
    assert fields["title"]["element"]["initial_value"] == "Raportti 2026"
    assert net.slack.calls_to("chat.getPermalink") == []
    assert await submit(net, MEMBER, link, "Raportti 2026", "liikenne") is None
    assert (await stored(net.services.engine))[-1][1:4] == ("Raportti 2026", link, "file")


async def test_coordinators_may_choose_the_network_basket_and_every_theme(net: Bot) -> None:
    view = await shortcut(net, COORDINATOR, posted_message(net, "Tiedote"))
    options = blocks_of(view)["basket"]["element"]["options"]
    assert [o["value"] for o in options] == ["all", "asuminen", "digi", "liikenne"]


async def test_someone_who_may_add_nowhere_is_told_to_join_a_theme(net: Bot) -> None:
    view = await shortcut(net, MEMBER, posted_message(net, "Tiedote"))
    assert "submit" not in view
    assert view["blocks"][0]["text"]["text"] == (
        "You can add materials to the themes you have joined. Join one with"
        " `/network join &lt;theme&gt; [org:&lt;organisation&gt;]`."
    )


@pytest.mark.parametrize(
    ("url", "title", "basket", "errors"),
    [
        (
            "javascript:alert(1)",
            "X",
            "liikenne",
            {"url": NOT_WEB.format(value="javascript:alert(1)")},
        ),
        (
            "https://example.org/x",
            "  ",
            "liikenne",
            {"title": "The material needs a title: write it after the address."},
        ),
        (
            "https://example.org/seuranta.pdf",
            "Toinen",
            "liikenne",
            {
                "url": "This address is already in the basket: Seurantaraportti 2014,"
                " added on Sun 10 Jan 2027."
            },
        ),
        (
            "https://example.org/x",
            "X",
            "digi",
            {
                "basket": "Only members registered for Digitalisaatio and the people who run it"
                " can add materials. Join the theme first."
            },
        ),
        (
            "https://example.org/x",
            "X",
            "all",
            {"basket": "Only the network's coordinators can do that."},
        ),
        ("https://example.org/x", "X", "", {"basket": "Choose the basket."}),
    ],
)
async def test_bad_input_in_the_modal_is_answered_in_it_and_nothing_is_written(
    net: Bot, url: str, title: str, basket: str, errors: dict[str, str]
) -> None:
    await net.command("join liikenne", user=MEMBER)
    await net.settle()
    before = await snapshot(net.services.engine)
    assert await submit(net, MEMBER, url, title, basket) == {
        "response_action": "errors",
        "errors": errors,
    }
    assert await snapshot(net.services.engine) == before


async def test_control_characters_in_the_modal_are_not_stored(net: Bot) -> None:
    await net.command("join liikenne", user=MEMBER)
    typed = await submit(
        net, MEMBER, "https://example.org/n\x00", "Nolla\x00tavu\x1b", "liikenne", "#a\x00b"
    )
    assert typed is None
    assert (await stored(net.services.engine))[-1][1:5] == (
        "Nollatavu",
        "https://example.org/n",
        "link",
        ["ab"],
    )


async def test_nobody_is_pinged_through_a_title(net: Bot) -> None:
    await net.command("join liikenne", user=MEMBER)
    await net.command(
        'material add liikenne https://example.org/a "<!channel> ja <@U0TARGET> | > x"', MEMBER
    )
    await net.command("material add liikenne https://example.org/b &lt;!here&gt; b", MEMBER)
    await net.command("materials", user=MEMBER)
    await net.command("material add liikenne https://example.org/a Uudestaan", MEMBER)
    view = await shortcut(net, MEMBER, posted_message(net, "<!channel> Tärkeä <@U0TARGET>"))
    assert blocks_of(view)["title"]["element"]["initial_value"] == "@channel Tärkeä @U0TARGET"
    await submit(net, MEMBER, "https://example.org/c", "<!everyone> <@U0TARGET>", "liikenne")
    await net.settle()
    text = all_text(net)
    for mention in ("<!channel>", "<!here>", "<!everyone>", "<@U0TARGET>"):
        assert mention not in text
    assert "&lt;!channel&gt; ja &lt;@U0TARGET&gt; ¦ &gt; x" in text
    titles_stored = [row[1] for row in await stored(net.services.engine)][-3:]
    assert titles_stored == [
        "<!channel> ja <@U0TARGET> | > x",
        "<!here> b",
        "<!everyone> <@U0TARGET>",
    ]


async def test_a_message_the_bot_cannot_link_leaves_the_address_to_the_user(net: Bot) -> None:
    await net.command("join liikenne", user=MEMBER)
    message = {"type": "message", "ts": MESSAGE_TS, "user": CONTACT, "text": "Salainen"}
    net.slack.channels["C0DIGI"].messages.append(message)  # private, the bot not in it
    payload_view = await shortcut(net, MEMBER, message, channel="C0DIGI")
    fields = blocks_of(payload_view)
    assert "initial_value" not in fields["url"]["element"]
    assert fields["title"]["element"]["initial_value"] == "Salainen"


async def test_a_failure_in_the_modal_closes_it_and_tells_the_user(
    net: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await net.command("join liikenne", user=MEMBER)
    await net.settle()

    async def broken(*_: object) -> None:
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(materials_store, "in_basket", broken)
    posts = len(net.slack.calls_to("chat.postMessage"))
    assert await submit(net, MEMBER, "https://example.org/x", "X", "liikenne") is None
    told = (await net.wait_for("chat.postMessage", posts + 1))[posts].params
    assert told["channel"] == MEMBER
    assert told["text"].startswith("Sorry, something went wrong on my side and nothing was done.")
