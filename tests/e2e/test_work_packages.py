"""Work packages end to end: `status`, `update`, `wp add`, `mine` and the buttons."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services import Clock
from bot.work_packages.packages import MINE
from storage.models import Theme, WorkPackage, WorkPackageUpdate
from tests.conftest import COORDINATOR, fixed
from tests.db import requires_postgres
from tests.e2e.buttons import press
from tests.harness import Bot
from tests.seed import (
    CHAIR,
    CHANNELS,
    CONTACT,
    LIIKENNE_MANAGERS,
    seed,
    seed_work_packages,
    snapshot,
)
from usecases.caller import Caller
from usecases.work_packages import creation

NOW = datetime(2098, 12, 1, 8, 0, tzinfo=UTC)  # commands are typed then: 2099 is near
EMMA = "U0MEMBER3"  # English; owns liikenne-2, liikenne-3 and digi-1
OTHER = "U0OTHER01"  # English; owns nothing, runs nothing


@pytest.fixture
def bot_clock() -> Clock:
    return fixed(NOW)


@pytest.fixture
async def net(bot: Bot) -> Bot:
    """The seeded network with its work packages; the chair reads English."""
    await seed(bot.services.db)
    await seed_work_packages(bot.services.db)
    for channel_id, name in CHANNELS.items():
        bot.slack.add_channel(channel_id, name, is_private=name == "digi", bot_member=False)
    bot.slack.add_user(CHAIR, name="Puheenjohtaja", locale="en-US")
    bot.slack.add_user(OTHER, name="Olli Other", locale="en-US")
    return bot


async def packages(engine: AsyncEngine) -> dict[str, tuple[Any, ...]]:
    """Every package by reference: (title, status, progress, owner user, owner org id, due)."""
    p = WorkPackage
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Theme.key, p.number, p.title, p.status, p.progress)
            .add_columns(p.owner_user_id, p.owner_organisation_id, p.due_date)
            .join(Theme, Theme.id == p.theme_id)
        )
        return {f"{key}-{number}": tuple(rest) for key, number, *rest in rows}


async def log(engine: AsyncEngine, title: str) -> list[tuple[Any, ...]]:
    """A package's log, oldest first: (user, old status, new status, old %, new %, note)."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(WorkPackageUpdate)
            .join(WorkPackage, WorkPackage.id == WorkPackageUpdate.work_package_id)
            .where(WorkPackage.title == title)
            .order_by(WorkPackageUpdate.at, WorkPackageUpdate.id)
        )
        return [
            (r.user_id, r.old_status, r.new_status, r.old_progress, r.progress, r.note)
            for r in rows
        ]


def posts(bot: Bot) -> list[tuple[str, str]]:
    """What landed in the channels (a first try before the bot joins a channel fails)."""
    return [
        (channel.id, message["text"])
        for channel in bot.slack.channels.values()
        for message in channel.messages
    ]


async def landed(bot: Bot, count: int) -> list[tuple[str, str]]:
    """Wait until `count` messages are in the channels (the bot joins a channel first),
    delivering what the outbox holds meanwhile."""
    for _ in range(1500):
        if len(found := posts(bot)) >= count:
            return found
        await asyncio.sleep(0.01)
        await bot.deliver()
    raise AssertionError(f"expected {count} channel messages, saw {posts(bot)}")


def sections(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in reply["blocks"] if b["type"] == "section"]


def texts(reply: dict[str, Any]) -> list[str]:
    return [s["text"]["text"] for s in sections(reply)]


# --- status / tilanne -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["status", "tilanne"])
async def test_status_without_themes_of_ones_own_shows_every_active_theme(
    net: Bot, text: str
) -> None:
    reply = await net.command(text, user=EMMA)
    assert reply["blocks"][0]["text"]["text"] == "Work packages in all themes"
    assert texts(reply) == [
        "*Asuminen* (`asuminen`)\nNo work packages yet.",
        "*Digitalisaatio* (`digi`)\n1 work package: cancelled 1",
        "*Liikenne ja saavutettavuus* (`liikenne`)\n3 work packages: planned 1, in progress 1,"
        " done 1 · ⚠️ 1 overdue",
    ]
    buttons = [s["accessory"]["value"] for s in sections(reply) if "accessory" in s]
    assert buttons == ["digi", "liikenne"]


async def test_status_shows_the_themes_joined_personally_or_through_the_organisation(
    net: Bot,
) -> None:
    await net.command("join digi", user=EMMA)
    reply = await net.command("status", user=EMMA)
    assert reply["blocks"][0]["text"]["text"] == "Work packages in your themes"
    assert texts(reply) == ["*Digitalisaatio* (`digi`)\n1 work package: cancelled 1"]
    await net.command("join asuminen org:tampere", user=CONTACT)
    await net.command("leave asuminen", user=CONTACT)  # Tampere stays registered
    reply = await net.command("status", user=CONTACT)
    assert [t.split("\n")[0] for t in texts(reply)] == ["*Asuminen* (`asuminen`)"]


@pytest.mark.parametrize("text", ["status liikenne", "tilanne liik", "status LIIKENNE"])
async def test_status_of_a_theme_lists_its_packages(net: Bot, text: str) -> None:
    reply = await net.command(text, user=EMMA)
    assert texts(reply) == [
        "Work packages of *Liikenne ja saavutettavuus*\n3 work packages: planned 1,"
        " in progress 1, done 1 · ⚠️ 1 overdue",
        "`liikenne-1` *Indikaattorit*\n🔄 in progress · ▰▰▰▰▱▱▱▱▱▱ 40 % · Tampereen"
        " kaupunkiseutu · due Tue 30 Jun 2099",
        "`liikenne-2` *Pysäköintiselvitys*\n📝 planned · ▱▱▱▱▱▱▱▱▱▱ 0 % · <@U0MEMBER3>"
        " · due Fri 31 Jan 2020 · ⚠️ *overdue*",
        "`liikenne-3` *Valmis työ*\n✅ done · ▰▰▰▰▰▰▰▰▰▰ 100 % · <@U0MEMBER3> · due Wed 1 Jan 2020",
    ]
    details = [(s["accessory"]["action_id"], s["accessory"]["value"]) for s in sections(reply)[1:]]
    assert details == [("wp_open", f"liikenne-{n}") for n in (1, 2, 3)]
    assert reply["response_type"] == "ephemeral"


async def test_status_of_a_theme_without_packages_says_how_to_add_them(net: Bot) -> None:
    reply = await net.command("status asuminen", user=EMMA)
    assert reply["text"] == (
        "The theme *Asuminen* has no work packages yet. The people who run it add them"
        " with `/network wp add asuminen <title…>`."
    )


async def test_status_of_a_package_shows_its_detail_and_log_newest_first(net: Bot) -> None:
    reply = await net.command("status Liikenne-1", user=EMMA)
    assert reply["blocks"][0]["text"]["text"] == "liikenne-1"
    assert texts(reply) == [
        "*Indikaattorit*\nTheme: *Liikenne ja saavutettavuus*\n🔄 in progress"
        " · ▰▰▰▰▱▱▱▱▱▱ 40 % · Tampereen kaupunkiseutu · start Mon 15 Jan 2024"
        " · due Tue 30 Jun 2099",
        "Seudulliset seurantaindikaattorit",
        "*Updates, newest first*\n"
        "• Thu 1 Feb 2024 at 12:30 <@U0MEMBER1>: 📝 planned → 🔄 in progress · 0 % → 40 %"
        " · “Aineisto koottu”\n"
        "• Wed 10 Jan 2024 at 10:00 <@U0CHAIR01>: created (📝 planned, 0 %)",
    ]
    back = reply["blocks"][-1]["elements"][0]
    assert (back["action_id"], back["value"]) == ("wp_back", "liikenne-1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "status liikenne-9",
            "There is no work package `liikenne-9`. See the packages of the theme with"
            " `/network status liikenne`.",
        ),
        ("status liikene-1", "There is no work package `liikene-1`. Did you mean `liikenne-1`?"),
        ("status liikene", "There is no theme 'liikene'. Did you mean `liikenne`"),
        ("status vanha", "The theme *Vanha teema* is archived."),
        ("status <!channel>", "There is no theme '&lt;!channel&gt;'."),
    ],
)
async def test_status_of_something_unknown_says_so_and_writes_nothing(
    net: Bot, text: str, expected: str
) -> None:
    reply = await net.reply_writing_nothing(text, user=EMMA)
    assert reply["text"].startswith(expected)


# --- buttons ----------------------------------------------------------------------------------


async def test_the_buttons_go_from_overview_to_theme_to_package_and_back(net: Bot) -> None:
    reply = await press(net, EMMA, "wp_open_theme", "liikenne")
    assert reply["replace_original"] is True
    assert texts(reply)[0].startswith("Work packages of *Liikenne ja saavutettavuus*")
    reply = await press(net, EMMA, "wp_open", "liikenne-2")
    assert reply["replace_original"] is True
    assert reply["blocks"][0]["text"]["text"] == "liikenne-2"
    assert texts(reply)[0].startswith("*Pysäköintiselvitys*\n")
    assert "No updates yet." in json.dumps(reply["blocks"])
    reply = await press(net, EMMA, "wp_back", "liikenne-2")
    assert texts(reply)[0].startswith("Work packages of *Liikenne ja saavutettavuus*")


@pytest.mark.parametrize(
    ("action_id", "value", "expected"),
    [
        ("wp_open", "<!channel>", "'&lt;!channel&gt;' is not a work package reference."),
        ("wp_open", "liikenne-99", "There is no work package `liikenne-99`."),
        ("wp_back", "liikenne:1", "'liikenne:1' is not a work package reference."),
        ("wp_page_next", "vanha:2", "The theme *Vanha teema* is archived."),
    ],
)
async def test_a_forged_button_value_is_answered_without_replacing_the_list(
    net: Bot, action_id: str, value: str, expected: str
) -> None:
    before = await snapshot(net.services.engine)
    reply = await press(net, EMMA, action_id, value)
    assert reply["text"].startswith(expected)
    assert reply["replace_original"] is False
    assert await snapshot(net.services.engine) == before


async def test_five_hundred_packages_are_all_reachable_within_block_kit_limits(net: Bot) -> None:
    async with net.services.db() as session, session.begin():
        theme = Theme(key="iso", name="Iso teema", next_wp_number=501)
        session.add(theme)
        await session.flush()
        session.add_all(
            WorkPackage(theme_id=theme.id, number=n, title=f"Paketti {n} " + "x" * 480)
            for n in range(1, 501)
        )
    seen: list[str] = []
    reply = await net.command("status iso", user=EMMA)
    while True:
        assert len(reply["blocks"]) <= 50
        assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in reply["blocks"])
        seen += [s["accessory"]["value"] for s in sections(reply) if "accessory" in s]
        nexts = [
            e
            for b in reply["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "wp_page_next"
        ]
        if not nexts:
            break
        reply = await press(net, EMMA, "wp_page_next", nexts[0]["value"])
    assert seen == [f"iso-{n}" for n in range(1, 501)]
    # A page past the end (a stale or forged button) shows the last one.
    reply = await press(net, EMMA, "wp_page_next", "iso:999999999")
    last = [s["accessory"]["value"] for s in sections(reply) if "accessory" in s]
    assert last == [f"iso-{n}" for n in range(481, 501)]
    assert "Page 25 of 25" in json.dumps(reply["blocks"])


async def test_a_thousand_updates_show_the_latest_twenty_and_count_the_rest(net: Bot) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    async with net.services.db() as session, session.begin():
        package = await session.scalar(select(WorkPackage).where(WorkPackage.title == "Valmis työ"))
        assert package is not None
        session.add_all(
            WorkPackageUpdate(
                work_package_id=package.id,
                user_id=EMMA,
                at=start + timedelta(hours=n),
                old_status="done",
                new_status="done",
                old_progress=100,
                progress=100,
                note=f"note {n:04}",
            )
            for n in range(1000)
        )
    reply = await net.command("status liikenne-3", user=EMMA)
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert len(reply["blocks"]) <= 50
    notes = [f"note {n:04}" for n in range(999, 979, -1)]
    assert [n for n in notes if n in text] == notes and "note 0979" not in text
    assert text.index("note 0999") < text.index("note 0980")
    assert "980 earlier updates are not shown." in text


# --- update / päivitä -------------------------------------------------------------------------


async def test_the_owner_updates_and_the_channel_is_told(net: Bot) -> None:
    reply = await net.command("update liikenne-2 in_progress 30% Kysely <käynnissä>", user=EMMA)
    assert reply["text"] == (
        "`liikenne-2` *Pysäköintiselvitys* updated: 📝 planned → 🔄 in progress"
        " · ▰▰▰▱▱▱▱▱▱▱ 30 %. I told the theme's channel <#C0LIIKENNE>."
    )
    assert (await packages(net.services.engine))["liikenne-2"][1:3] == ("in_progress", 30)
    assert await log(net.services.engine, "Pysäköintiselvitys") == [
        (EMMA, "planned", "in_progress", 0, 30, "Kysely <käynnissä>")
    ]
    [(channel, text)] = await landed(net, 1)
    assert channel == "C0LIIKENNE"
    assert text.startswith(f"<@{EMMA}> ") and "`liikenne-2`" in text
    assert "&lt;käynnissä&gt;" in text and "<käynnissä>" not in text


async def test_the_update_is_logged_at_the_moment_it_is_made(net: Bot) -> None:
    await net.command("update liikenne-2 blocked", user=EMMA)
    async with net.services.db() as session:
        at = await session.scalar(
            select(WorkPackageUpdate.at).where(WorkPackageUpdate.new_status == "blocked")
        )
    assert at == NOW


async def test_the_channel_is_told_in_the_theme_language(net: Bot) -> None:
    # Finnish: checks the catalog once the lead has merged tr_work_packages.json.
    await net.command("update liikenne-2 done", user=EMMA)
    assert await landed(net, 1) == [
        (
            "C0LIIKENNE",
            f"<@{EMMA}> päivitti työpaketin `liikenne-2` *Pysäköintiselvitys*: 📝 suunniteltu"
            " → ✅ valmis · ▰▰▰▰▰▰▰▰▰▰ 100 %.",
        )
    ]


async def test_a_note_of_three_thousand_characters_is_posted_and_a_blank_one_is_none(
    net: Bot,
) -> None:
    await net.command("update liikenne-2 in_progress 40% " + "x" * 3000, user=EMMA)
    [(_channel, text)] = await landed(net, 1)
    assert text.endswith(" · ▰▰▰▰▱▱▱▱▱▱ 40 %.\n> " + "x" * 3000)
    await net.command('update liikenne-2 done 100% "  "', user=EMMA)
    [_first, (_channel, text)] = await landed(net, 2)
    assert text.endswith("✅ valmis · ▰▰▰▰▰▰▰▰▰▰ 100 %.")  # the theme's language
    assert (await log(net.services.engine, "Pysäköintiselvitys"))[-1][-1] == ""


@pytest.mark.parametrize(
    ("text", "progress"),
    [
        ("päivitä liikenne-2 kaynnissa 40 %", 40),
        ("paivita liikenne-2 KÄYNNISSÄ 40", 40),
        ("update liikenne-2 done", 100),
        ("update liikenne-2 valmis 90% almost", 90),
        ("update liikenne-2 blocked", 0),
    ],
)
async def test_status_words_and_progress_figures(net: Bot, text: str, progress: int) -> None:
    await net.command(text, user=EMMA)
    assert (await packages(net.services.engine))["liikenne-2"][2] == progress


async def test_a_contact_of_the_owning_organisation_updates_it(net: Bot) -> None:
    await net.command("päivitä liikenne-1 valmis", user=CONTACT)
    assert (await packages(net.services.engine))["liikenne-1"][1:3] == ("done", 100)


async def test_a_progress_only_update_is_logged_but_not_announced(net: Bot) -> None:
    reply = await net.command("update liikenne-1 in_progress 60% Half way", user=CHAIR)
    assert reply["text"] == (
        "`liikenne-1` *Indikaattorit* updated: 🔄 in progress · ▰▰▰▰▰▰▱▱▱▱ 60 %."
    )
    reply = await net.command("update liikenne-1 in_progress Still waiting", user=CHAIR)
    assert (await log(net.services.engine, "Indikaattorit"))[-2:] == [
        (CHAIR, "in_progress", "in_progress", 40, 60, "Half way"),
        (CHAIR, "in_progress", "in_progress", 60, 60, "Still waiting"),
    ]
    await net.settle()
    assert posts(net) == []


async def test_an_update_that_changes_nothing_writes_nothing(net: Bot) -> None:
    reply = await net.command_writing_nothing("update liikenne-1 käynnissä 40%", user=CHAIR)
    assert reply == "`liikenne-1` is already 🔄 in progress at 40 %. Nothing changed."


async def test_a_manager_cancels_and_reopens(net: Bot) -> None:
    await net.command("update liikenne-2 cancelled No longer needed", user=CHAIR)
    assert (await packages(net.services.engine))["liikenne-2"][1] == "cancelled"
    await net.command("update digi-1 suunniteltu", user=COORDINATOR)
    assert (await packages(net.services.engine))["digi-1"][1] == "planned"


@pytest.mark.parametrize(
    ("text", "user", "expected"),
    [
        (
            "update liikenne-2 done",
            OTHER,
            "Only the work package's owner and the people who run the theme Liikenne ja"
            " saavutettavuus can update it: its chair <@U0CHAIR01>, the contacts of its lead"
            " organisation (Tampereen kaupunkiseutu) and the coordinators.",
        ),
        (
            "update liikenne-2 cancelled",
            EMMA,
            "Only the people who run the theme Liikenne ja saavutettavuus can cancel a work"
            " package or reopen one: its chair <@U0CHAIR01>, the contacts of its lead"
            " organisation (Tampereen kaupunkiseutu) and the coordinators.",
        ),
        (
            "update digi-1 planned",
            EMMA,
            "Only the people who run the theme Digitalisaatio can cancel a work package or"
            " reopen one: the coordinators.",
        ),
        (
            "update liikenne-2 donne",
            EMMA,
            "'donne' is not a status I know. Write one of: `planned`, `in_progress`, `done`,"
            " `blocked`, `cancelled`. Did you mean `done`?",
        ),
        ("update liikenne-2 käynisä", EMMA, "Did you mean `in_progress`?"),
        ("päivitä liikenne-2 in_progres", CONTACT, "Tarkoititko `käynnissä`?"),
        (
            "update liikenne-2 done 140%",
            EMMA,
            "'140%' is not a progress figure. Write a whole number from 0 to 100, e.g. 40%.",
        ),
        (
            "update liikenne-2",
            EMMA,
            "Write it like this: `/network update <work package> <status> [<n>%] [note…]`",
        ),
        (
            "update liikenne done",
            EMMA,
            "'liikenne' is not a work package reference. Write it like liikenne-3.",
        ),
        ("update liikene-2 done", EMMA, "Did you mean `liikenne-2`?"),
        (
            "update liikenne-2 done " + "x" * 3001,
            EMMA,
            "The note is 3001 characters long; at most 3000 fit in a message. Shorten it.",
        ),
        ("update vanha-1 done", COORDINATOR, "Teema *Vanha teema* on arkistoitu."),
    ],
)
async def test_refused_updates_say_why_and_write_nothing(
    net: Bot, text: str, user: str, expected: str
) -> None:
    async with net.services.db() as session, session.begin():
        vanha = await session.scalar(select(Theme).where(Theme.key == "vanha"))
        assert vanha is not None
        session.add(WorkPackage(theme_id=vanha.id, number=1, title="Vanha", owner_user_id=EMMA))
    assert expected in await net.command_writing_nothing(text, user=user)
    await net.settle()
    assert posts(net) == []


# --- wp add / tp lisää ------------------------------------------------------------------------


async def test_a_manager_adds_a_package_with_the_next_reference(net: Bot) -> None:
    reply = await net.command(
        'wp add liikenne "Regional indicators" due:30.6.2099 start:2099-01-01 owner:tampere',
        user=CHAIR,
    )
    assert reply["text"] == (
        "Work package `liikenne-4` *Regional indicators* added to the theme *Liikenne ja"
        " saavutettavuus*.\n📝 planned · ▱▱▱▱▱▱▱▱▱▱ 0 % · Tampereen kaupunkiseutu"
        " · due Tue 30 Jun 2099"
    )
    stored = (await packages(net.services.engine))["liikenne-4"]
    assert stored[:4] == ("Regional indicators", "planned", 0, None)
    assert stored[4] is not None and stored[5] == date(2099, 6, 30)
    assert await log(net.services.engine, "Regional indicators") == [
        (CHAIR, None, "planned", None, 0, "")
    ]
    async with net.services.db() as session:
        theme = await session.scalar(select(Theme).where(Theme.key == "liikenne"))
        package = await session.scalar(select(WorkPackage).where(WorkPackage.number == 4))
    assert theme is not None and theme.next_wp_number == 5
    assert package is not None and package.start_date == date(2099, 1, 1)


async def test_the_finnish_alias_and_a_person_as_owner(net: Bot) -> None:
    await net.command("tp lisää liik Kysely owner:<@U0MEMBER3|emma>", user=CONTACT)
    await net.command("tp lisää asuminen Ensimmäinen", user=COORDINATOR)
    stored = await packages(net.services.engine)
    assert stored["liikenne-4"][:4] == ("Kysely", "planned", 0, EMMA)
    assert stored["asuminen-1"][0] == "Ensimmäinen"


@pytest.mark.parametrize(
    ("text", "user", "expected"),
    [
        ("wp add liikenne X", EMMA, LIIKENNE_MANAGERS),
        (
            "wp add liikenne",
            CHAIR,
            "Write it like this: `/network wp add <theme> <title…> [due:<date>] [start:<date>]"
            " [owner:@person or <organisation>]`",
        ),
        ("wp add liikenne X due:", CHAIR, "Write it like this:"),
        ("wp add liikene X", CHAIR, "There is no theme 'liikene'. Did you mean `liikenne`"),
        ("wp add vanha X", COORDINATOR, "Teema *Vanha teema* on arkistoitu."),
        ("wp add liikenne X due:31.2.2099", CHAIR, "There is no 31.2.2099 in the calendar"),
        ("wp add liikenne X due:30.13.2099", CHAIR, "'30.13.2099' is not a date I understand."),
        ("wp add liikenne X start:1.1.1900", CHAIR, "1.1.1900 is more than a year ago."),
        ("wp add liikenne X due:1.1.9999", CHAIR, "1.1.9999 is more than ten years ahead."),
        (
            "wp add liikenne X due:1.1.2099 start:2.1.2099",
            CHAIR,
            "The due date Thu 1 Jan 2099 is before the start date Fri 2 Jan 2099.",
        ),
        ("wp add liikenne X owner:tampre", CHAIR, "Did you mean `tampere`"),
        (
            "wp add liikenne X due:1.1.2099 due:2.1.2099",
            CHAIR,
            "`due:` is given twice. Give it once.",
        ),
        ("wp add liikenne X owner:@maija", CHAIR, "'@maija' is not a person."),
        (
            "wp add liikenne " + "x" * 501,
            CHAIR,
            "The title is too long: write at most 500 characters.",
        ),
    ],
)
async def test_refused_additions_say_why_and_write_nothing(
    net: Bot, text: str, user: str, expected: str
) -> None:
    assert expected in await net.command_writing_nothing(text, user=user)


async def test_nobody_is_pinged_through_a_title_or_a_note(net: Bot) -> None:
    await net.command("wp add liikenne &lt;!channel&gt; &amp; co", user=CHAIR)
    await net.command("update liikenne-4 in_progress &lt;!here&gt;", user=CHAIR)
    await net.command("status liikenne-4", user=CHAIR)
    await net.settle()
    text = json.dumps([call.params for call in net.slack.calls], ensure_ascii=False)
    assert "<!channel>" not in text and "<!here>" not in text
    assert "&lt;!channel&gt; &amp; co" in text
    assert (await packages(net.services.engine))["liikenne-4"][0] == "<!channel> & co"


async def test_control_characters_typed_are_not_stored(net: Bot) -> None:
    await net.command("tp lisää liikenne Nolla\x00tavu\x1b[1m ja\ttabulaattori", user=CHAIR)
    await net.command('update liikenne-4 in_progress "rivi\r\nrivi\x07"', user=CHAIR)
    assert (await packages(net.services.engine))["liikenne-4"][0] == "Nollatavu[1m ja tabulaattori"
    title = "Nollatavu[1m ja tabulaattori"
    assert (await log(net.services.engine, title))[-1][-1] == "rivi rivi"


@requires_postgres
async def test_concurrent_additions_get_every_reference_once(net: Bot) -> None:
    now = datetime.now(UTC)

    async def add(n: int) -> None:
        caller = Caller(COORDINATOR, now, net.services.settings.deployment)
        await creation.add(net.services.db, caller, "asuminen", f"Paketti {n}")

    await asyncio.gather(*(add(n) for n in range(20)))
    stored = await packages(net.services.engine)
    refs = sorted((ref for ref in stored if ref.startswith("asuminen-")), key=len)
    assert sorted(int(ref.split("-")[1]) for ref in refs) == list(range(1, 21))
    assert sorted(stored[ref][0] for ref in refs) == sorted(f"Paketti {n}" for n in range(20))
    async with net.services.db() as session:
        theme = await session.scalar(select(Theme).where(Theme.key == "asuminen"))
    assert theme is not None and theme.next_wp_number == 21


# --- mine / omat ------------------------------------------------------------------------------


async def test_mine_lists_the_open_packages_of_the_user(net: Bot) -> None:
    reply = await net.command("mine", user=EMMA)
    assert reply["text"].endswith(
        "*Your work packages*\n• `liikenne-2` Pysäköintiselvitys — 📝 planned"
        " · ▱▱▱▱▱▱▱▱▱▱ 0 % · <@U0MEMBER3> · due Fri 31 Jan 2020 · ⚠️ *overdue*"
    )


async def test_mine_lists_the_packages_of_the_users_organisation(net: Bot) -> None:
    reply = await net.command("omat", user=CONTACT)
    assert "• `liikenne-1` Indikaattorit — " in reply["text"]
    assert "liikenne-2" not in reply["text"]


async def test_mine_shows_the_most_urgent_packages_and_counts_the_rest(net: Bot) -> None:
    async with net.services.db.begin() as session:
        theme = await session.scalar(select(Theme).where(Theme.key == "asuminen"))
        assert theme is not None
        session.add_all(
            WorkPackage(
                theme_id=theme.id,
                number=100 + n,
                title=f"Paketti {n:02d}",
                owner_user_id=EMMA,
                due_date=date(2099, 1, 1) + timedelta(days=n),
            )
            for n in range(MINE + 2)
        )
    text = (await net.command("mine", user=EMMA))["text"]
    assert "Paketti 00" in text and f"Paketti {MINE - 2:02d}" in text  # after liikenne-2
    assert f"Paketti {MINE - 1:02d}" not in text
    assert "…and 3 more. See them with `/network status`." in text


async def test_mine_without_packages_has_no_such_section(net: Bot) -> None:
    reply = await net.command("mine", user=OTHER)
    assert reply["text"].startswith("*Your themes*\n")
    assert "work packages" not in reply["text"]
