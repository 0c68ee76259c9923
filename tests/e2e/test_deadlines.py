"""Deadlines end to end: added, changed, deleted and listed through signed slash commands."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.services import Clock
from storage.models import Deadline, Notification, Theme
from tests.conftest import COORDINATOR, fixed
from tests.harness import Bot
from tests.seed import CHAIR, CHANNELS, CONTACT, seed, seed_meetings

NOW = datetime(2055, 1, 10, 8, 0, tzinfo=UTC)  # commands are typed then: 2055 is near


@pytest.fixture
def bot_clock() -> Clock:
    return fixed(NOW)


MEMBER = "U0MEMBER3"  # English, no organisation, runs nothing


@pytest.fixture
async def net(bot: Bot) -> Bot:
    """The seeded network, with the managers reading English."""
    await seed(bot.services.db)
    await seed_meetings(bot.services.db)
    for channel_id, name in CHANNELS.items():
        bot.slack.add_channel(channel_id, name)
    for user, name in ((CHAIR, "Puheenjohtaja"), (COORDINATOR, "Kaisa"), (CONTACT, "Maija")):
        bot.slack.add_user(user, name=name, locale="en-US")
    return bot


async def deadlines(engine: AsyncEngine) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(
                Deadline.key,
                Deadline.title,
                Deadline.due_date,
                Deadline.due_time,
                Theme.key,
                Deadline.remind,
                Deadline.registration,
                Deadline.created_by,
            )
            .outerjoin(Theme, Theme.id == Deadline.theme_id)
            .order_by(Deadline.id)
        )
        return [tuple(row) for row in rows]


async def test_a_timed_deadline_with_its_own_reminders(net: Bot) -> None:
    reply = await net.command(
        "deadline add liikenne 30.6.2055 16.00 Indikaattoriraportti remind:14d,2pv,3t",
        user=CHAIR,
    )
    assert reply["text"] == (
        "Deadline *Indikaattoriraportti* (`indikaattoriraportti-2055-06-30`) added:"
        " Wed 30 Jun 2055 at 16:00, for Liikenne ja saavutettavuus. Reminders 14 days, 2 days,"
        " 3 hours before."
    )
    assert await deadlines(net.services.engine) == [
        (
            "indikaattoriraportti-2055-06-30",
            "Indikaattoriraportti",
            date(2055, 6, 30),
            time(16, 0),
            "liikenne",
            ["14d", "2d", "3h"],
            False,
            CHAIR,
        )
    ]
    await net.settle()
    assert net.slack.calls_to("chat.postMessage") == []  # reminders are the scheduler's


async def test_only_the_reminders_still_to_come_are_listed_in_the_readers_units(net: Bot) -> None:
    net.slack.add_user(CHAIR, name="Puheenjohtaja", locale="fi-FI")
    net.slack.add_user(CONTACT, name="Maija", locale="sv-SE")
    # Typed at 10.00 on 10 January 2055 (Helsinki): today's 9.00 reminder has passed too.
    today = await net.command("määräaika lisää liikenne 10.1.2055 Raportti", user=CONTACT)
    assert today["text"].endswith(" Inga påminnelser skickas: deras tider har redan passerat.")
    soon = await net.command("määräaika lisää liikenne 12.1.2055 16.00 Kysely", user=COORDINATOR)
    assert soon["text"].endswith(" Reminders 1 day, 0 days before.")
    later = await net.command(
        "määräaika lisää liikenne 20.1.2055 Loppuraportti remind:7d,2h,30m", user=CHAIR
    )
    assert later["text"].endswith(" Muistutukset 7 pv, 2 t, 30 min ennen.")
    async with net.services.engine.connect() as connection:
        planned = await connection.scalars(
            select(Notification.identity).order_by(Notification.due_at)
        )
        offsets = [identity.split(":")[2] for identity in planned]
    assert offsets == ["1d", "0d", "7d", "2h", "30m"]  # what is listed is what is planned


@pytest.mark.parametrize("flag", ["registration", "ilmoittautuminen", "rekisteröinti"])
async def test_a_registration_deadline_for_the_whole_network(net: Bot, flag: str) -> None:
    reply = await net.command(
        f"määräaika lisää all 28.4.2055 Ilmoittautuminen teemoihin {flag}", user=COORDINATOR
    )
    assert reply["text"] == (
        "Deadline *Ilmoittautuminen teemoihin* (`ilmoittautuminen-teemoihin-2055-04-28`) added:"
        " Wed 28 Apr 2055, for the whole network. Reminders 7 days, 1 day, 0 days before."
        " It is a registration deadline."
    )
    [row] = await deadlines(net.services.engine)
    assert row[1:7] == (
        "Ilmoittautuminen teemoihin",
        date(2055, 4, 28),
        None,
        None,
        ["7d", "1d", "0d"],
        True,
    )


async def test_a_title_that_begins_with_the_flag_word_is_only_a_title(net: Bot) -> None:
    await net.command("deadline add all 28.4.2055 Ilmoittautuminen alkaa", user=COORDINATOR)
    [row] = await deadlines(net.services.engine)
    assert (row[1], row[6]) == ("Ilmoittautuminen alkaa", False)


@pytest.mark.parametrize(
    ("text", "user", "expected"),
    [
        ("deadline add liikenne 30.6.2055", CHAIR, "Write it like this: `/network deadline add"),
        ("deadline add liikenne 30.6.2055 16.00", CHAIR, "Write it like this"),
        ("deadline add liikene 30.6.2055 Raportti", CHAIR, "Did you mean `liikenne`"),
        ("deadline add liikenne 30.13.2055 Raportti", CHAIR, "'30.13.2055' is not a date"),
        ("deadline add liikenne 1.1.2055 Raportti", CHAIR, "That deadline has already passed."),
        ("deadline add liikenne 1.1.2054 Raportti", CHAIR, "1.1.2054 is more than a year ago."),
        (
            "deadline add liikenne 1.1.2066 Raportti",
            CHAIR,
            "1.1.2066 is more than ten years ahead. Give an earlier date.",
        ),
        (
            "deadline add liikenne 29.2.2055 Raportti",
            CHAIR,
            "There is no 29.2.2055 in the calendar: that month has fewer days. Check the date.",
        ),
        (
            "deadline add liikenne 30.6.2055 Raportti remind:7x",
            CHAIR,
            "'7x' is not a reminder time I understand.",
        ),
        (
            "deadline add liikenne 28.3.2055 3.15 Raportti",
            CHAIR,
            "There is no 03:15 on Sun 28 Mar 2055",
        ),
        ("deadline add liikenne 30.6.2055 Raportti", MEMBER, "Only its chair <@U0CHAIR01>"),
        ("deadline add all 30.6.2055 Raportti", CHAIR, "Only the network's coordinators"),
    ],
)
async def test_bad_deadlines_say_what_was_wrong_and_write_nothing(
    net: Bot, text: str, user: str, expected: str
) -> None:
    assert expected in await net.command_writing_nothing(text, user=user)


async def test_a_deadline_is_moved_renamed_and_given_new_reminders(net: Bot) -> None:
    await net.command("deadline add liikenne 30.6.2055 Raportti", user=CHAIR)
    reply = await net.command(
        "määräaika muokkaa raportti 1.7.2055 12.00 title:Loppuraportti luonnos remind:3d",
        user=CONTACT,
    )
    assert reply["text"] == (
        "Deadline *Loppuraportti luonnos* (`raportti-2055-06-30`) updated:"
        " Thu 1 Jul 2055 at 12:00, for Liikenne ja saavutettavuus. Reminders 3 days before."
    )
    [row] = await deadlines(net.services.engine)
    assert row[1:6] == (
        "Loppuraportti luonnos",
        date(2055, 7, 1),
        time(12, 0),
        "liikenne",
        ["3d"],
    )


@pytest.mark.parametrize(
    ("text", "user", "expected"),
    [
        ("deadline edit raportti", CHAIR, "Write it like this: `/network deadline edit"),
        ("deadline edit raportti title:", CHAIR, "Write it like this"),
        ("deadline edit raporti 1.7.2055", CHAIR, "Did you mean `raportti-2055-06-30`"),
        ("deadline edit raportti 1.1.2055", CHAIR, "That deadline has already passed."),
        ("deadline edit raportti remind:1d remind:2d", CHAIR, "`remind:` is given twice."),
        ("deadline edit raportti 1.1.9999", CHAIR, "1.1.9999 is more than ten years ahead."),
        ("deadline edit raportti remind:", CHAIR, "'' is not a reminder time"),
        ("deadline edit raportti 1.7.2055", MEMBER, "Only its chair <@U0CHAIR01>"),
        ("deadline delete raportti", MEMBER, "Only its chair <@U0CHAIR01>"),
        ("deadline delete", CHAIR, "Write it like this: `/network deadline delete <deadline>`"),
    ],
)
async def test_bad_edits_and_deletes_write_nothing(
    net: Bot, text: str, user: str, expected: str
) -> None:
    await net.command("deadline add liikenne 30.6.2055 Raportti", user=CHAIR)
    assert expected in await net.command_writing_nothing(text, user=user)


async def test_a_deadline_is_deleted(net: Bot) -> None:
    await net.command("deadline add liikenne 30.6.2055 Raportti", user=CHAIR)
    reply = await net.command("määräaika poista raportti", user=CHAIR)
    assert reply["text"] == "Deadline *Raportti* (`raportti-2055-06-30`) deleted."
    assert await deadlines(net.services.engine) == []


@pytest.mark.parametrize("spelling", ["deadlines liikenne", "määräajat liik", "maaraajat liik"])
async def test_deadlines_lists_the_themes_and_the_networks_with_days_left(
    net: Bot, spelling: str
) -> None:
    await net.command("deadline add liikenne 30.6.2055 16.00 Raportti", user=CHAIR)
    await net.command("deadline add all 28.4.2055 Ilmoittautuminen registration", user=COORDINATOR)
    await net.command("deadline add asuminen 1.5.2055 Asuntoraportti", user=COORDINATOR)
    reply = await net.command(spelling, user=MEMBER)
    assert reply["blocks"][0]["text"]["text"] == "Upcoming deadlines: Liikenne ja saavutettavuus"
    lines = reply["blocks"][1]["text"]["text"].split("\n")
    assert [line.split(" — ")[0] for line in lines] == [
        "• *Ilmoittautuminen* (`ilmoittautuminen-2055-04-28`)",
        "• *Raportti* (`raportti-2055-06-30`)",
    ]
    assert lines[0].endswith(
        "Wed 28 Apr 2055 · " + days(date(2055, 4, 28)) + " · the whole network · registration"
    )
    assert lines[1].endswith(
        "Wed 30 Jun 2055 at 16:00 · " + days(date(2055, 6, 30)) + " · Liikenne ja saavutettavuus"
    )


def days(due: date) -> str:
    """The days left to a date as the list writes them, on the day the commands are typed."""
    return f"in {(due - NOW.date()).days} days"


async def test_no_upcoming_deadlines_is_said_plainly(net: Bot) -> None:
    reply = await net.command("deadlines", user=MEMBER)
    assert reply["text"] == "There are no upcoming deadlines."


async def test_mine_shows_the_next_deadlines_of_the_users_organisations_themes(net: Bot) -> None:
    await net.command("deadline add liikenne 30.6.2055 Raportti", user=CHAIR)
    await net.command("deadline add asuminen 1.5.2055 Asuntoraportti", user=COORDINATOR)
    await net.command("join liikenne org:tampere", user=CONTACT)
    await net.command("leave liikenne", user=CONTACT)  # Tampere stays registered
    mine = await net.command("mine", user=CONTACT)
    assert (
        "*Your next deadlines*\n• Wed 30 Jun 2055 ("
        + days(date(2055, 6, 30))
        + ") — Raportti (`raportti-2055-06-30`)"
    ) in mine["text"]
    assert "Asuntoraportti" not in mine["text"]
