"""Themes, organisations and registrations end to end: signed requests in, Slack calls out."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Member, Organisation, Registration, Theme
from tests.conftest import COORDINATOR
from tests.e2e.buttons import press
from tests.harness import Bot
from tests.seed import CHAIR, CHANNELS, CONTACT, LIIKENNE_MANAGERS, seed, snapshot

MEMBER = "U0MEMBER3"  # English-speaking member, no organisation
SWEDE = "U0MEMBER2"


@pytest.fixture
async def net(bot: Bot) -> Bot:
    """The bot on the seeded network, with the theme channels in Slack (the bot not in them)."""
    await seed(bot.services.db)
    for channel_id, name in CHANNELS.items():
        bot.slack.add_channel(channel_id, name, is_private=name == "digi", bot_member=False)
    bot.slack.add_user(CHAIR, name="Puheenjohtaja", locale="fi-FI")
    return bot


async def registrations(engine: AsyncEngine) -> list[tuple[str, str | None, int | None, bool]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Theme.key, Registration.user_id, Registration.organisation_id, Registration.late)
            .join(Theme)
            .order_by(Registration.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def posted(bot: Bot, channel: str) -> list[str]:
    return [
        c.params["text"]
        for c in bot.slack.calls_to("chat.postMessage")
        if c.params["channel"] == channel
    ]


def all_text(bot: Bot) -> str:
    return json.dumps([call.params for call in bot.slack.calls], ensure_ascii=False)


# --- themes / teemat -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["themes", "teemat"])
async def test_themes_lists_the_active_ones_with_the_fitting_button(net: Bot, text: str) -> None:
    await net.command("join digi", user=MEMBER)
    reply = await net.command(text, user=MEMBER)
    blocks = reply["blocks"]
    sections = [b for b in blocks if b["type"] == "section"]
    names = [s["text"]["text"].split("\n")[0] for s in sections]
    assert names == [
        "*Asuminen* (`asuminen`)",
        "*Digitalisaatio* (`digi`)",
        "*Liikenne ja saavutettavuus* (`liikenne`)",
    ]
    buttons = {s["accessory"]["value"]: s["accessory"]["action_id"] for s in sections}
    assert buttons == {"asuminen": "theme_join", "digi": "theme_leave", "liikenne": "theme_join"}
    facts = json.dumps(blocks, ensure_ascii=False)
    assert "lead Tampereen kaupunkiseutu" in facts and "chair <@U0CHAIR01>" in facts
    assert "channel <#C0LIIKENNE>" in facts and "1 member" in facts
    assert "register by Tue 28 Apr 2099" in facts and "registration closed" in facts
    assert "Vanha" not in facts


async def test_two_hundred_themes_stay_within_block_kit_limits_and_all_are_reachable(
    net: Bot,
) -> None:
    async with net.services.db() as session, session.begin():
        themes = [
            Theme(key=f"t{n:03}", name=f"Teema {n:03}", description="x" * 400) for n in range(200)
        ]
        session.add_all(themes)
        await session.flush()
        tampere = await session.scalar(select(Organisation.id).where(Organisation.key == "tampere"))
        # A theme far down the list, with a member and an organisation of its own.
        session.add_all(
            [
                Registration(theme_id=themes[100].id, user_id=MEMBER, registered_by=MEMBER),
                Registration(
                    theme_id=themes[100].id, organisation_id=tampere, registered_by=MEMBER
                ),
            ]
        )
    seen: list[str] = []
    facts: dict[str, str] = {}
    reply = await net.command("themes", user=MEMBER)
    while True:
        assert len(reply["blocks"]) <= 50
        assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in reply["blocks"])
        sections = [b for b in reply["blocks"] if b["type"] == "section"]
        seen += [b["accessory"]["value"] for b in sections]
        page = json.dumps(reply["blocks"], ensure_ascii=False)
        facts |= {b["accessory"]["value"]: page for b in sections}
        nexts = [
            e
            for b in reply["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "themes_page_next"
        ]
        if not nexts:
            break
        reply = await press(net, MEMBER, "themes_page_next", nexts[0]["value"])
        assert reply["replace_original"] is True
    assert len(seen) == 203 and len(set(seen)) == 203
    t100 = facts["t100"][facts["t100"].index("(`t100`)") : facts["t100"].index("(`t101`)")]
    assert "1 member · 1 organisation (Tampereen kaupunkiseutu)" in t100


# --- join / liity -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["join liik", "liity Liikenne", "join liikenne"])
async def test_join_registers_invites_and_tells_the_channel(net: Bot, text: str) -> None:
    reply = await net.command(text, user=MEMBER)
    assert "You joined the theme *Liikenne ja saavutettavuus*" in reply["text"]
    assert "marked late" not in reply["text"]
    assert await registrations(net.services.engine) == [("liikenne", MEMBER, None, False)]
    await net.wait_for("chat.postMessage", 1)
    methods = [c.method for c in net.slack.calls if c.method.startswith("conversations.")]
    assert methods == ["conversations.invite", "conversations.join", "conversations.invite"]
    assert MEMBER in net.slack.channels["C0LIIKENNE"].members
    assert posted(net, "C0LIIKENNE") == [f"<@{MEMBER}> liittyi teemaan."]  # the theme's language


async def test_join_posts_in_the_theme_language(net: Bot) -> None:
    await net.command("join asuminen", user=MEMBER)
    await net.wait_for("chat.postMessage", 1)
    assert posted(net, "C0ASUMINEN") == [f"<@{MEMBER}> gick med i temat."]


async def test_join_after_the_deadline_is_marked_late(net: Bot) -> None:
    reply = await net.command("join asuminen", user=SWEDE)
    assert "Anmälningstiden gick ut" in reply["text"]
    assert await registrations(net.services.engine) == [("asuminen", SWEDE, None, True)]


async def test_a_contact_registers_the_organisation_too(net: Bot) -> None:
    reply = await net.command("liity liikenne org:tampere", user=CONTACT)
    assert "Tampereen kaupunkiseutu on myös ilmoitettu" in reply["text"]
    rows = await registrations(net.services.engine)
    assert [(r[0], r[1], r[2] is not None) for r in rows] == [
        ("liikenne", CONTACT, False),
        ("liikenne", None, True),
    ]
    await net.wait_for("chat.postMessage", 1)
    assert posted(net, "C0LIIKENNE") == [
        f"<@{CONTACT}> liittyi teemaan ja ilmoitti siihen myös organisaationsa:"
        " Tampereen kaupunkiseutu."
    ]
    listed = json.dumps((await net.command("themes", user=MEMBER))["blocks"], ensure_ascii=False)
    liikenne = listed[listed.index("(`liikenne`)") :]
    assert "· 1 member · 1 organisation (Tampereen kaupunkiseutu) ·" in liikenne


async def test_joining_twice_answers_kindly_and_writes_nothing(net: Bot) -> None:
    await net.command("join liikenne", user=MEMBER)
    await net.settle()
    assert "already registered" in await net.command_writing_nothing("join liikenne", MEMBER)


async def test_a_private_channel_the_bot_cannot_reach_is_reported_to_coordinators(net: Bot) -> None:
    reply = await net.command("join digi", user=MEMBER)
    assert "You joined the theme *Digitalisaatio*" in reply["text"]
    await net.wait_for("chat.postMessage", 2)
    [dm] = [c for c in net.slack.calls_to("chat.postMessage") if c.params["channel"] == COORDINATOR]
    assert "<#C0DIGI>" in dm.params["text"] and "yksityinen" in dm.params["text"]
    assert await registrations(net.services.engine) == [("digi", MEMBER, None, False)]
    # The channel refused the "joined" post too; the member is not told of it (nothing for them
    # to do): the join reply is the only one.
    await net.settle()
    refused = net.slack.calls_to("chat.postMessage")
    assert sorted(call.params["channel"] for call in refused) == ["C0DIGI", COORDINATOR]
    assert len(net.slack.calls_to("respond")) == 1


@pytest.mark.parametrize(
    ("text", "user", "expected"),
    [
        ("join liikene", MEMBER, "There is no theme 'liikene'. Did you mean `liikenne`"),
        ("join a", MEMBER, "'a' fits several themes: `asiakkuus` (Asiakkuus), `asuminen`"),
        ("join vanha", MEMBER, "The theme *Vanha teema* is archived."),
        ("join", MEMBER, "Write it like this: `/network join <theme> [org:<organisation>]`"),
        ("join liikenne org:tampere", MEMBER, "Only the contacts of Tampereen kaupunkiseutu"),
        ("join liikenne org:tampre", CONTACT, "Tarkoititko `tampere`"),
        ("join liikenne org:", CONTACT, "Kirjoita näin"),
        ('join "liikenne', MEMBER, "A quotation mark is not closed"),
    ],
)
async def test_bad_joins_say_what_was_wrong_and_write_nothing(
    net: Bot, text: str, user: str, expected: str
) -> None:
    if text == "join a":
        async with net.services.db() as session, session.begin():
            session.add(Theme(key="asiakkuus", name="Asiakkuus"))
    assert expected in await net.command_writing_nothing(text, user=user)
    await net.settle()
    assert net.slack.calls_to("chat.postMessage") == []


# --- leave / eroa -----------------------------------------------------------------------------


async def test_leave_undoes_join_for_user_and_organisation(net: Bot) -> None:
    await net.command("join liikenne org:tampere", user=CONTACT)
    reply = await net.command("eroa liik org:tampere", user=CONTACT)
    assert "Erosit teemasta" in reply["text"] and "ei ole enää ilmoittautunut" in reply["text"]
    assert await registrations(net.services.engine) == []


async def test_leave_when_not_registered_writes_nothing(net: Bot) -> None:
    reply = await net.command_writing_nothing("leave liikenne", user=MEMBER)
    assert reply == "You are not registered for *Liikenne ja saavutettavuus*."


# --- buttons ---------------------------------------------------------------------------------


async def test_the_join_button_joins_and_redraws_the_list(net: Bot) -> None:
    reply = await press(net, MEMBER, "theme_join", "liikenne")
    assert reply["replace_original"] is True
    assert reply["blocks"][0]["text"]["text"].startswith("You joined the theme")
    leave = [
        b["accessory"]
        for b in reply["blocks"]
        if b["type"] == "section" and "accessory" in b and b["accessory"]["value"] == "liikenne"
    ]
    assert leave[0]["action_id"] == "theme_leave"
    assert await registrations(net.services.engine) == [("liikenne", MEMBER, None, False)]
    reply = await press(net, MEMBER, "theme_leave", "liikenne")
    assert reply["blocks"][0]["text"]["text"].startswith("You left the theme")
    assert await registrations(net.services.engine) == []


async def test_a_forged_button_value_is_refused(net: Bot) -> None:
    before = await snapshot(net.services.engine)
    reply = await press(net, MEMBER, "theme_join", "vanha")
    assert "archived" in reply["blocks"][0]["text"]["text"]
    reply = await press(net, MEMBER, "theme_join", "<!channel>")
    assert reply["blocks"][0]["text"]["text"] == "There is no theme '&lt;!channel&gt;'."
    assert "<!channel>" not in json.dumps(reply)
    assert await snapshot(net.services.engine) == before


# --- theme add / archive / set ----------------------------------------------------------------


async def test_a_coordinator_adds_a_theme_with_a_linked_channel(net: Bot) -> None:
    reply = await net.command(
        'teema lisää maa "Maankäyttö ja kaavoitus" <#C0MAA|maa> lang:sv', user=COORDINATOR
    )
    assert "Teema *Maankäyttö ja kaavoitus* (`maa`) luotu" in reply["text"]
    async with net.services.db() as session:
        theme = await session.scalar(select(Theme).where(Theme.key == "maa"))
    assert theme is not None
    assert (theme.name, theme.channel_id, theme.language) == (
        "Maankäyttö ja kaavoitus",
        "C0MAA",
        "sv",
    )


async def test_a_plain_channel_name_is_looked_up(net: Bot) -> None:
    net.slack.add_channel("C0KAAVA", "kaavoitus")
    await net.command("theme add kaava Kaavoitus #kaavoitus", user=COORDINATOR)
    async with net.services.db() as session:
        assert (
            await session.scalar(select(Theme.channel_id).where(Theme.key == "kaava")) == "C0KAAVA"
        )


async def test_a_channel_made_after_a_look_up_is_found_at_once(net: Bot) -> None:
    assert "#maankaytto" in await net.command_writing_nothing(
        "theme add maa Maankäyttö #maankaytto", user=COORDINATOR
    )
    net.slack.add_channel("C0MAANK", "maankaytto")
    await net.command("theme add maa Maankäyttö #maankaytto", user=COORDINATOR)
    async with net.services.db() as session:
        assert await session.scalar(select(Theme.channel_id).where(Theme.key == "maa")) == "C0MAANK"


@pytest.mark.parametrize(
    ("text", "user", "expected"),
    [
        ("theme add maa Maankäyttö", MEMBER, "Only the network's coordinators can do that."),
        ("theme add liikenne Toinen", COORDINATOR, "Teema avaimella `liikenne` on jo olemassa."),
        ("theme add Maa! Maankäyttö", COORDINATOR, "Avain 'maa!' ei kelpaa"),
        ("theme add maa", COORDINATOR, "Kirjoita näin"),
        ("theme add maa Maa #eiole", COORDINATOR, "En löydä kanavaa #eiole"),
        ("theme add maa Maa lang:de", COORDINATOR, "'de' ei ole kieli"),
        ("theme archive liikenne", MEMBER, "Only the network's coordinators can do that."),
        ("theme set liikenne digest:off", MEMBER, LIIKENNE_MANAGERS),
        ("theme set liikenne digest:maybe", CHAIR, "Kirjoita digest:on tai digest:off."),
        ("theme set liikenne", CHAIR, "Kirjoita näin"),
        ("theme set liikenne lead:tampre", COORDINATOR, "Tarkoititko `tampere`"),
        ("theme set liikenne lang:fi lang:sv", CHAIR, "`lang:` on annettu kahdesti. Anna se vain"),
        ("join liikenne org:tampere org:helsinki", CONTACT, "`org:` on annettu kahdesti."),
    ],
)
async def test_theme_administration_refusals_write_nothing(
    net: Bot, text: str, user: str, expected: str
) -> None:
    assert expected in await net.command_writing_nothing(text, user=user)


async def test_a_member_who_may_not_add_themes_is_told_so_before_the_channel_is_looked_for(
    net: Bot,
) -> None:
    reply = await net.command_writing_nothing(
        "theme add ilmasto Ilmasto ja energia #ilmasto", user=MEMBER
    )
    assert reply == "Only the network's coordinators can do that."
    assert [
        call.method for call in net.slack.calls if call.method.startswith("conversations")
    ] == []


async def test_archive_hides_the_theme(net: Bot) -> None:
    reply = await net.command("teema arkistoi digi", user=COORDINATOR)
    assert "arkistoitu" in reply["text"]
    listing = await net.command("themes", user=MEMBER)
    assert "Digitalisaatio" not in json.dumps(listing)


@pytest.mark.parametrize(
    ("typed", "stored", "told"), [("sv", "sv", "ruotsi"), ("Svenska", "sv", "ruotsi")]
)
async def test_a_language_is_named_in_the_readers_language(
    net: Bot, typed: str, stored: str, told: str
) -> None:
    reply = await net.command(f"teema aseta liikenne lang:{typed}", user=CHAIR)
    assert reply["text"] == f"Teema *Liikenne ja saavutettavuus* päivitetty: kieli {told}."
    async with net.services.db() as session:
        assert await session.scalar(select(Theme.language).where(Theme.key == "liikenne")) == stored
    refused = await net.command_writing_nothing("teema aseta liikenne lang:ruotis", user=CHAIR)
    assert refused == (
        "'ruotis' ei ole kieli, jolla kirjoitan. Valitse jokin näistä: `fi` (suomi), `sv` (ruotsi),"
        " `en` (englanti). Tarkoititko `sv`?"
    )


async def test_coordinators_set_who_runs_a_theme(net: Bot) -> None:
    reply = await net.command(
        "teema aseta liikenne chair:<@U0MEMBER3> lead:helsinki lang:en digest:off",
        user=COORDINATOR,
    )
    assert "päivitetty" in reply["text"]
    async with net.services.db() as session:
        theme = await session.scalar(select(Theme).where(Theme.key == "liikenne"))
    assert theme is not None
    assert (theme.chair_user_id, theme.language, theme.digest_enabled) == (MEMBER, "en", False)


@pytest.mark.parametrize("user", [CHAIR, CONTACT])
async def test_the_people_who_run_a_theme_set_its_language_and_digest(net: Bot, user: str) -> None:
    reply = await net.command("teema aseta liikenne lang:en digest:off", user=user)
    assert "päivitetty" in reply["text"]
    async with net.services.db() as session:
        theme = await session.scalar(select(Theme).where(Theme.key == "liikenne"))
    assert theme is not None
    assert (theme.language, theme.digest_enabled) == ("en", False)


@pytest.mark.parametrize(
    ("user", "setting"),
    [
        (CHAIR, "chair:<@U0MEMBER3>"),
        (CHAIR, "lead:helsinki"),
        (CONTACT, "chair:<@U0MEMBER1>"),  # not even to herself
        (CONTACT, "lead:helsinki lang:en"),  # nothing of it, the language neither
        (MEMBER, "chair:<@U0MEMBER3>"),
    ],
)
async def test_only_coordinators_change_who_runs_a_theme(net: Bot, user: str, setting: str) -> None:
    net.slack.add_user(user, name="Someone", locale="en-US")
    text = await net.command_writing_nothing(f"theme set liikenne {setting}", user=user)
    assert text == "Only the network's coordinators can change who chairs or leads a theme."


# --- org, mine, escaping -----------------------------------------------------------------------


async def test_org_sets_the_users_own_organisation_and_mine_shows_it(net: Bot) -> None:
    reply = await net.command("organisaatio hels", user=MEMBER)
    assert reply["text"] == "Your organisation is now Helsingin seutu."
    async with net.services.db() as session:
        member = await session.scalar(select(Member).where(Member.user_id == MEMBER))
    assert member is not None and member.organisation_id is not None
    await net.command("join digi", user=MEMBER)
    mine = await net.command("omat", user=MEMBER)
    assert "Your organisation: Helsingin seutu" in mine["text"]
    assert "• Digitalisaatio (`digi`)" in mine["text"]


async def test_mine_shows_themes_joined_through_the_organisation(net: Bot) -> None:
    await net.command("join asuminen org:tampere", user=CONTACT)
    await net.command("leave asuminen", user=CONTACT)  # she leaves; Tampere stays registered
    mine = await net.command("mine", user=CONTACT)
    assert "• Asuminen (`asuminen`) (organisaatiosi kautta)" in mine["text"]


async def test_nobody_is_pinged_through_a_theme_name(net: Bot) -> None:
    await net.command('theme add kanava "<!channel> ja <@U0MEMBER1>" #liikenne', user=COORDINATOR)
    await net.command("join kanava", user=MEMBER)
    await net.command("themes", user=MEMBER)
    await net.settle()
    text = all_text(net)
    assert "<!channel>" not in text and "<@U0MEMBER1> ja" not in text
    assert "&lt;!channel&gt;" in text
