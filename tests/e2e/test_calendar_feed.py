"""The network's calendar feed over HTTP, and `calendar` telling coordinators its address."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select

from app.services import Clock
from app.settings import Settings
from storage.models import Network
from tests.conftest import COORDINATOR, fixed
from tests.harness import Bot
from tests.seed import CHAIR, CHANNELS, seed, seed_meetings

NOW = datetime(2055, 1, 10, 8, 0, tzinfo=UTC)  # commands are typed then: 2055 is near


@pytest.fixture
def bot_clock() -> Clock:
    return fixed(NOW)


MEMBER = "U0MEMBER3"
SECRET = (
    "\nThe address is a secret: whoever has it sees every meeting and deadline, so share it only"
    " within the network. If it leaks, whoever runs the bot gives the calendar a new address"
    " with `network-bot calendar --rotate`, and the old one stops working."
)


@pytest.fixture
def public_url() -> str | None:
    return None


@pytest.fixture
def settings(settings: Settings, public_url: str | None) -> Settings:
    """The usual test settings (conftest.py), with PUBLIC_URL as the test asks."""
    return settings.model_copy(update={"public_url": public_url})


@pytest.fixture
async def net(bot: Bot) -> Bot:
    await seed(bot.services.db)
    await seed_meetings(bot.services.db)
    for channel_id, name in CHANNELS.items():
        bot.slack.add_channel(channel_id, name)
    bot.slack.add_channel("C0NETWORK", "verkosto")
    for user in (CHAIR, COORDINATOR):
        bot.slack.add_user(user, locale="en-US")
    async with bot.services.db() as session, session.begin():
        network = await session.scalar(select(Network))
        assert network is not None
        network.language = "en"  # the feed is written in the network's language
    return bot


async def token(net: Bot) -> str:
    async with net.services.db() as session:
        found = await session.scalar(select(Network.calendar_token))
    assert found
    return str(found)


async def test_the_feed_holds_every_upcoming_meeting_and_deadline(net: Bot) -> None:
    await net.command("meeting add liikenne 20.5.2055 9.00 Työpaja", user=CHAIR)
    await net.command("meeting add all 28.3.2055 10.00 Kevätkokous", user=COORDINATOR)
    await net.command("meeting add all 31.10.2055 10.00 Syyskokous", user=COORDINATOR)
    await net.command("meeting add all 1.6.2055 10.00 Peruttu", user=COORDINATOR)
    await net.command("meeting cancel peruttu", user=COORDINATOR)
    await net.command("deadline add all 28.4.2055 Ilmoittautuminen registration", user=COORDINATOR)
    await net.command("deadline add liikenne 30.6.2055 16.00 Raportti", user=CHAIR)
    await net.settle()
    response = await net.http.get(f"/calendar/{await token(net)}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "MAL-verkosto"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    assert sorted(events) == [
        "deadline-ilmoittautuminen-2055-04-28@network-bot",
        "deadline-raportti-2055-06-30@network-bot",
        "meeting-kevatkokous-2055-03-28@network-bot",
        "meeting-syyskokous-2055-10-31@network-bot",
        "meeting-tyopaja-2055-05-20@network-bot",
    ]
    spring = events["meeting-kevatkokous-2055-03-28@network-bot"].decoded("dtstart")
    autumn = events["meeting-syyskokous-2055-10-31@network-bot"].decoded("dtstart")
    assert spring == datetime(2055, 3, 28, 7, 0, tzinfo=UTC)  # 10.00, summer time from 4.00
    assert autumn == datetime(2055, 10, 31, 8, 0, tzinfo=UTC)  # 10.00, winter time again
    registration = events["deadline-ilmoittautuminen-2055-04-28@network-bot"]
    assert registration.decoded("dtstart") == date(2055, 4, 28)
    assert str(registration["summary"]) == "Deadline: Ilmoittautuminen"
    assert str(registration["description"]) == "The whole network\nRegistration deadline"
    report = events["deadline-raportti-2055-06-30@network-bot"].decoded("dtstart")
    assert report == datetime(2055, 6, 30, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize("wrong", ["wrong", "ä", "{token}x", "{short}"])
async def test_a_wrong_token_is_a_plain_404(net: Bot, wrong: str) -> None:
    right = await token(net)
    response = await net.http.get(f"/calendar/{wrong.format(token=right, short=right[:-1])}.ics")
    assert response.status_code == 404
    assert response.content == b""


async def test_a_feed_without_a_network_is_a_404(bot: Bot) -> None:
    response = await bot.http.get("/calendar/anything.ics")
    assert response.status_code == 404


@pytest.mark.parametrize("public_url", ["https://bot.example.fi/"])
async def test_calendar_gives_coordinators_the_full_address(net: Bot) -> None:
    reply = await net.command("calendar", user=COORDINATOR)
    address = f"https://bot.example.fi/calendar/{await token(net)}.ics"
    assert reply["text"] == (
        "Subscribe to the network's calendar in Outlook or Google Calendar with this address:"
        f" {address}\nIt holds every upcoming meeting and deadline." + SECRET
    )


async def test_without_a_public_url_calendar_gives_the_path_and_says_what_to_add(
    net: Bot,
) -> None:
    reply = await net.command("kalenteri", user=COORDINATOR)
    path = f"/calendar/{await token(net)}.ics"
    assert reply["text"] == (
        f"The calendar's path is {path}. Put the bot's public address (the setting PUBLIC_URL)"
        f" before it, e.g. https://bot.example.fi{path}, and subscribe to that in Outlook or"
        " Google Calendar." + SECRET
    )


async def test_calendar_is_for_coordinators(net: Bot) -> None:
    reply = await net.command("calendar", user=MEMBER)
    assert reply["text"] == "Only the network's coordinators can do that."


def network_bot(*arguments: str, database_url: str, cwd: Path) -> list[str]:
    """`network-bot …` on the server, on the test's database: the lines it printed."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url,
        "PUBLIC_URL": "https://bot.example.fi",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


async def test_a_leaked_address_is_replaced_and_the_old_one_stops_working(
    net: Bot, database_url: str, tmp_path: Path
) -> None:
    old = await token(net)
    assert (await net.http.get(f"/calendar/{old}.ics")).status_code == 200
    printed = network_bot("calendar", database_url=database_url, cwd=tmp_path)
    assert printed == [f"https://bot.example.fi/calendar/{old}.ics"]

    printed = network_bot("calendar", "--rotate", database_url=database_url, cwd=tmp_path)
    new = await token(net)
    assert new != old and len(new) >= 32
    assert printed == [
        "the calendar has a new address; the old one no longer works:",
        f"https://bot.example.fi/calendar/{new}.ics",
    ]
    assert (await net.http.get(f"/calendar/{old}.ics")).status_code == 404
    assert (await net.http.get(f"/calendar/{new}.ics")).status_code == 200
    reply = await net.command("calendar", user=COORDINATOR)
    assert new in reply["text"] and old not in reply["text"]
