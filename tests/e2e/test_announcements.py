"""Announcements end to end: typed as Slack sends them, posted by the delivery engine once.

Commands are typed at NOW; scheduled ones are posted by an engine on a fake clock (the harness's
own deliveries run on the real clock, years before any of them falls due).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.services import Clock, Services
from bot.announcements import CANCEL
from bot.plan import load_plan
from storage.models import Network, Notification
from storage.plan import import_plan
from tests.conftest import COORDINATOR, fixed
from tests.e2e.buttons import press
from tests.e2e.test_console import EXAMPLE, answers, console
from tests.e2e.test_delivery import Delivery, FakeClock, http
from tests.harness import Bot
from tests.seed import CHAIR, CHANNELS, CONTACT, seed

NOW = datetime(2055, 1, 10, 8, 0, tzinfo=UTC)  # 10.00 in Helsinki, Sunday
DUE = datetime(2055, 1, 10, 10, 0, tzinfo=UTC)  # at:10.1.2055 12:00
MEMBER = "U0MEMBER3"  # Emma English: runs nothing
HOSTILE = "<!channel> <!here> <@U123> &lt;!everyone&gt;"


@pytest.fixture
def bot_clock() -> Clock:
    return fixed(NOW)


@pytest.fixture
async def net(bot: Bot) -> Bot:
    """The seeded network with an announcement channel; the chair reads English."""
    await seed(bot.services.db)
    async with bot.services.db() as session, session.begin():
        await session.execute(update(Network).values(announcement_channel="C0NETWORK"))
    for channel_id, name in {**CHANNELS, "C0NETWORK": "verkosto"}.items():
        bot.slack.add_channel(channel_id, name)
    bot.slack.add_user(CHAIR, name="Paula Puheenjohtaja", locale="en-US")
    bot.slack.add_user("U123", name="Maija Mäkelä", locale="fi-FI")
    return bot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def delivery(net: Bot, clock: FakeClock) -> AsyncIterator[Delivery]:
    async with http() as session:
        yield Delivery(net.services, session, clock, "clock-1")


def channel(bot: Bot, channel_id: str) -> list[str]:
    found = bot.slack.channels.get(channel_id)
    return [m["text"] for m in found.messages] if found else []


def posts(bot: Bot) -> list[str]:
    return [str(c.params.get("text")) for c in bot.slack.calls_to("chat.postMessage")]


async def at(delivery: Delivery, clock: FakeClock, moment: datetime) -> int:
    clock.now = moment
    return await delivery.tick()


def scheduled_id(reply: dict[str, object]) -> str:
    found = re.search(r"(?:cancel|peru) (\d+)`", str(reply["text"]))
    assert found, reply["text"]
    return found.group(1)


async def state(bot: Bot, note_id: str) -> str:
    async with bot.services.db() as session:
        return str(
            await session.scalar(select(Notification.state).where(Notification.id == int(note_id)))
        )


# --- now -------------------------------------------------------------------------------------


async def test_a_chair_announces_in_the_theme_channel_keeping_lines_formatting_and_links(
    net: Bot,
) -> None:
    text = "Kokous siirtyy *torstaille*.\n_Sali B_, &amp; kahvit: <https://example.org/a?b=1&amp;c=2|ohjelma>"
    reply = await net.command(f"announce liikenne {text}", user=CHAIR)
    assert reply["text"] == "Your announcement will be posted in <#C0LIIKENNE> in a moment."
    assert reply["response_type"] == "ephemeral"
    await net.settle()
    assert channel(net, "C0LIIKENNE") == [
        ":mega: *Liikenne ja saavutettavuus*: Paula Puheenjohtaja tiedottaa\n\n"
        "Kokous siirtyy *torstaille*.\n_Sali B_, &amp; kahvit:"
        " <https://example.org/a?b=1&amp;c=2|ohjelma>"
    ]


async def test_a_coordinator_announces_to_the_network_with_the_finnish_alias(net: Bot) -> None:
    reply = await net.command(
        "tiedota kaikki Ilmoittautuminen teemoihin on auki.", user=COORDINATOR
    )
    assert reply["text"] == "Tiedotteesi julkaistaan kanavalla <#C0NETWORK> hetken kuluttua."
    await net.settle()
    assert channel(net, "C0NETWORK") == [
        ":mega: *Tiedote koko verkostolle* – Koordinaattori Kaisa\n\n"
        "Ilmoittautuminen teemoihin on auki."
    ]
    assert channel(net, "C0LIIKENNE") == []


async def test_the_heading_is_in_the_theme_language(net: Bot) -> None:
    await net.command("announce asuminen Hej alla", user=COORDINATOR)
    await net.settle()
    assert channel(net, "C0ASUMINEN") == [
        ":mega: *Asuminen*: ett meddelande från Koordinaattori Kaisa\n\nHej alla"
    ]


async def test_hostile_text_is_never_live_in_any_call(net: Bot) -> None:
    typed = f"{HOSTILE} <@U123|maija> <!subteam^S0TIIMI|@tiimi> <!here|here> &amp;lt;b&amp;gt;"
    await net.command(f"announce liikenne {typed}", user=CONTACT)
    await net.settle()
    [posted] = channel(net, "C0LIIKENNE")
    assert posted.split("\n\n", 1)[1] == (
        "@\u2060channel @\u2060here @Maija Mäkelä &lt;!everyone&gt; @Maija Mäkelä @\u2060tiimi"
        " @\u2060here &amp;lt;b&amp;gt;"
    )
    recorded = json.dumps([c.params for c in net.slack.calls], ensure_ascii=False)
    for live in ("<!channel>", "<!here", "<!everyone>", "<@U123", "<!subteam", "@here", "@channel"):
        assert live not in recorded, live


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "typed", "answer"),
    [
        (MEMBER, "announce liikenne Hei", "Only its chair <@U0CHAIR01>, the contacts of its lead"),
        (CHAIR, "announce all Hei kaikki", "Only the network's coordinators can do that."),
        (CHAIR, "announce liikene Hei", "Did you mean"),
        (CHAIR, "announce liikenne", "Write it like this: `/network announce <theme or all>"),
        (CHAIR, "announce", "Write it like this: `/network announce <theme or all>"),
        (CHAIR, "announce liikenne at:10.1.2055 9:00 Hei", "That time has already passed."),
        (CHAIR, "announce liikenne at:31.2.2055 9:00 Hei", "There is no 31.2.2055 in the calendar"),
        (CHAIR, "announce liikenne at:12.1.2055 Hei", "Give the time as well as the date"),
        (CHAIR, "announce liikenne at:12.1.2055 25:00 Hei", "'25:00' is not a time of day"),
        (CHAIR, "announce vanha Hei", "The theme *Vanha teema* is archived."),
        (
            CHAIR,
            "announce liikenne " + "x" * 3001,
            "The announcement is 3001 characters long; at most 3000 fit.",
        ),
    ],
)
async def test_a_refusal_posts_nothing(net: Bot, user: str, typed: str, answer: str) -> None:
    text = await net.command_writing_nothing(typed, user=user)
    assert answer in text
    assert posts(net) == []


async def test_a_text_of_exactly_the_limit_is_posted(net: Bot) -> None:
    reply = await net.command("announce liikenne " + "&amp;" * 3000, user=CHAIR)
    assert "in a moment" in reply["text"]
    await net.settle()
    [posted] = channel(net, "C0LIIKENNE")
    assert posted.endswith("\n\n" + "&amp;" * 3000)


# --- at a set time ---------------------------------------------------------------------------


async def test_a_scheduled_announcement_is_posted_once_at_its_time_also_after_a_restart(
    net: Bot, delivery: Delivery, clock: FakeClock
) -> None:
    reply = await net.command("announce liikenne at:10.1.2055 12:00 Kokous alkaa nyt.", user=CHAIR)
    note = scheduled_id(reply)
    assert reply["text"] == (
        "Your announcement will be posted in <#C0LIIKENNE> on Sun 10 Jan 2055 at 12:00."
        f" To cancel it: `/network announce cancel {note}`."
    )
    await net.settle()
    assert await at(delivery, clock, DUE - timedelta(minutes=1)) == 0
    async with http() as session:  # the clock restarted
        again = Delivery(net.services, session, clock, "clock-2")
        assert await at(again, clock, DUE - timedelta(seconds=30)) == 0
        assert await at(again, clock, DUE) == 1
        assert await at(again, clock, DUE + timedelta(minutes=1)) == 0
    assert await at(delivery, clock, DUE + timedelta(minutes=2)) == 0
    assert channel(net, "C0LIIKENNE") == [
        ":mega: *Liikenne ja saavutettavuus*: Paula Puheenjohtaja tiedottaa\n\nKokous alkaa nyt."
    ]


async def test_after_downtime_it_is_posted_late_marked_or_skipped(
    net: Bot, clock: FakeClock
) -> None:
    first = scheduled_id(await net.command("announce liikenne at:10.1.2055 12:00 Eka", user=CHAIR))
    second = scheduled_id(
        await net.command("announce digi at:10.1.2055 12:00 Toka", user=COORDINATOR)
    )
    async with http() as session:  # the first clock since before noon starts at 13.30
        assert (
            await at(
                Delivery(net.services, session, clock, "late"),
                clock,
                DUE + timedelta(hours=1, minutes=30),
            )
            == 2
        )
    assert channel(net, "C0LIIKENNE") == [
        "_Myöhässä: tämän piti lähteä su 10.1.2055 klo 12.00._\n"
        ":mega: *Liikenne ja saavutettavuus*: Paula Puheenjohtaja tiedottaa\n\nEka"
    ]
    assert await state(net, first) == "sent"
    assert await state(net, second) == "sent"


async def test_more_than_the_grace_late_it_is_skipped(net: Bot, clock: FakeClock) -> None:
    note = scheduled_id(await net.command("announce liikenne at:10.1.2055 12:00 Eka", user=CHAIR))
    async with http() as session:
        await at(Delivery(net.services, session, clock, "late"), clock, DUE + timedelta(hours=13))
    assert channel(net, "C0LIIKENNE") == []
    assert await state(net, note) == "skipped"


# --- listing and cancelling ------------------------------------------------------------------


async def test_cancelled_before_its_time_it_is_never_posted(
    net: Bot, delivery: Delivery, clock: FakeClock
) -> None:
    note = scheduled_id(await net.command("announce liikenne at:10.1.2055 12:00 Eka", user=CHAIR))
    refused = await net.command_writing_nothing(f"announce cancel {note}", user=MEMBER)
    assert refused.startswith("This announcement can be cancelled by its author and, in the theme")
    reply = await net.command(f"announce cancel {note}", user=CONTACT)
    assert reply["text"] == f"Tiedote #{note} peruttu: sitä ei julkaista."
    again = await net.command_writing_nothing(f"announce cancel {note}", user=CHAIR)
    assert again.startswith(f"There is no scheduled announcement #{note}")
    await net.command("announce liikenne Heti", user=CHAIR)  # posted at once: not scheduled
    await net.settle()
    async with net.services.db() as session:
        posted = await session.scalar(select(Notification.id).where(Notification.state == "sent"))
    refused = await net.command_writing_nothing(f"announce cancel {posted}", user=COORDINATOR)
    assert refused.startswith(f"Ajastettua tiedotetta #{posted} ei ole")
    forged = await net.command_writing_nothing("announce cancel 12a", user=CHAIR)
    assert forged.startswith("There is no scheduled announcement #?")
    assert await at(delivery, clock, DUE) == 0
    assert len(channel(net, "C0LIIKENNE")) == 1  # only the one posted at once
    assert await state(net, note) == "cancelled"


async def test_the_list_offers_cancel_to_those_who_may_and_the_button_cancels(
    net: Bot, delivery: Delivery, clock: FakeClock
) -> None:
    theirs = scheduled_id(await net.command("announce liikenne at:10.1.2055 12:00 Eka", user=CHAIR))
    network = scheduled_id(
        await net.command("announce all at:11.1.2055 9:00 Toka", user=COORDINATOR)
    )
    listed = await net.command("announcements", user=CHAIR)
    buttons = [b["accessory"]["value"] for b in listed["blocks"] if "accessory" in b]
    assert buttons == [theirs]  # the network's is the coordinators' to cancel
    assert "Eka" in listed["text"] and "Toka" in listed["text"]
    member = await net.command("tiedotteet liikenne", user=MEMBER)
    assert not any("accessory" in b for b in member["blocks"])
    assert "Toka" not in member["text"]
    pressed = await press(net, CHAIR, CANCEL, theirs)
    assert pressed["replace_original"] is True
    assert f"Announcement #{theirs} cancelled" in pressed["text"]
    assert "Eka" not in pressed["text"] and "Toka" in pressed["text"]
    await at(delivery, clock, datetime(2055, 1, 11, 8, 0, tzinfo=UTC))
    assert channel(net, "C0LIIKENNE") == []
    assert len(channel(net, "C0NETWORK")) == 1
    assert await state(net, network) == "sent"


# --- the console -----------------------------------------------------------------------------


@pytest.fixture
async def example(services: Services) -> Services:
    async with services.db.begin() as session:
        await import_plan(session, load_plan(EXAMPLE.read_text(encoding="utf-8")))
    return services


async def test_the_console_shows_the_post_as_it_would_appear(example: Services) -> None:
    output = answers(
        await console(example, "announce liikenne Hello <!here>, see *this*: <https://x.fi|link>")
    )
    assert output[1] == (
        "Your announcement will be posted in #liikenne in a moment.\n"
        "→ posted in #liikenne:\n"
        "  :mega: *Liikenne ja saavutettavuus*: U0CONSOLE tiedottaa\n"
        "  \n"
        "  Hello @\u2060here, see *this*: link (https://x.fi)"
    )
