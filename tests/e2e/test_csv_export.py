"""`vie aineistot` end to end: a signed slash command in, a CSV file in the coordinator's DM out."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import _, language
from bot.plan import load_plan
from storage.plan import import_plan
from tests.conftest import COORDINATOR
from tests.harness import Bot

PLAN = """\
network: {name: MAL-verkosto, timezone: Europe/Helsinki, language: fi}
organisations:
  - {key: tampere, name: Tampereen kaupunkiseutu, kind: region, contacts: [U0MEMBER1]}
  - {key: lempaala, name: Lempäälä, kind: municipality, parent: tampere}
themes:
  - {key: liikenne, name: Liikenne ja saavutettavuus}
  - {key: maankaytto, name: Maankäyttö}
registrations:
  - {theme: liikenne, organisation: tampere, at: 2027-01-10T09:30}
  - {theme: maankaytto, user: U0MEMBER1, at: 2027-01-11T16:05}
work_packages:
  - {ref: liikenne-1, title: Yhteenveto – Ylöjärvi ja Lempäälä, owner: lempaala, status: blocked,
     progress: 10, due: 2020-06-30}
  - {ref: liikenne-2, title: "+358 puhelinluettelo", status: done, progress: 100, due: 2020-06-30}
materials:
  - {theme: liikenne, title: Seurantaraportti – Pirkkala ja Ylöjärvi, url: "https://example.org/s.pdf",
     tags: [seuranta, "@kaikki"], added_by: U0MEMBER1, added_at: 2027-01-12T08:00}
  - {title: '=HYPERLINK("http://x")', url: "https://example.org/x", added_by: U0GONE001,
     added_at: 2027-07-01T12:00}
"""

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def network(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        await import_plan(session, load_plan(PLAN))


async def exported(bot: Bot, text: str) -> tuple[dict[str, object], bytes, str]:
    """The reply to the command, and the bytes and name of the file it sent."""
    reply = await bot.command(text, user=COORDINATOR)
    await bot.wait_for("files.completeUploadExternal", 1)
    (file_id,) = bot.slack.files
    return reply, bot.slack.uploaded(file_id), bot.slack.files[file_id].name


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def test_materials_reach_the_coordinators_dm_ready_for_excel(bot: Bot, network: None) -> None:
    reply, content, name = await exported(bot, "vie aineistot")
    assert reply["response_type"] == "ephemeral"
    assert name in reply["text"]
    assert name.endswith(".csv")
    share = bot.slack.calls_to("files.completeUploadExternal")[0].params
    opened = bot.slack.calls_to("conversations.open")[0].params
    assert opened["users"] == COORDINATOR
    assert share["channel_id"] == f"D{COORDINATOR}"  # the coordinator's direct messages

    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    assert b"\r\n" in content and b"\n" not in content.replace(b"\r\n", b"")
    assert "Seurantaraportti – Pirkkala ja Ylöjärvi".encode() in content
    header, network_basket, theme_basket = rows(content)
    with language("fi"):
        assert header[:3] == [_("Basket"), _("Title"), _("Address")]
        assert network_basket[0] == _("the network's basket")
    assert network_basket[1] == '\'=HYPERLINK("http://x")'  # shown, never run
    assert network_basket[5] == "U0GONE001"  # Slack does not know them: the id alone
    assert theme_basket[5] == "Maija Meikäläinen (U0MEMBER1)"  # the name Slack shows, and the id
    assert network_basket[6] == "2027-07-01 12:00"  # local summer time
    assert theme_basket[0] == "Liikenne ja saavutettavuus"
    assert theme_basket[4] == "seuranta, @kaikki"
    assert theme_basket[6] == "2027-01-12 08:00"  # local winter time


async def test_work_packages_and_registrations_too(bot: Bot, network: None) -> None:
    _reply, content, _name = await exported(bot, "export työpaketit")
    header, blocked, done = rows(content)
    assert len(header) == 10
    assert (blocked[0], blocked[5]) == ("liikenne-1", "Lempäälä")
    assert blocked[2] == "Yhteenveto – Ylöjärvi ja Lempäälä"
    assert done[2] == "'+358 puhelinluettelo"
    with language("fi"):
        assert (blocked[-1], done[-1]) == (_("yes"), _("no"))  # overdue unless done


async def test_registrations_in_the_network_time_zone(bot: Bot, network: None) -> None:
    _reply, content, _name = await exported(bot, "vie ilmoittautumiset")
    _header, organisation, member = rows(content)
    assert organisation[:3] == ["liikenne", "Liikenne ja saavutettavuus", "Tampereen kaupunkiseutu"]
    assert organisation[5] == "2027-01-10 09:30"
    assert member[3] == "Maija Meikäläinen (U0MEMBER1)"


async def test_members_who_are_not_coordinators_are_refused(bot: Bot, network: None) -> None:
    reply = await bot.command("export materials", user="U0MEMBER3")
    assert reply["text"] == "Only the network's coordinators can do that."
    await bot.settle()
    assert bot.slack.files == {}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("export", "Tell me what to export: registrations, workpackages or materials."),
        (
            "export materails",
            "I can export registrations, workpackages or materials, not 'materails'."
            " Did you mean `materials`?",
        ),
    ],
)
async def test_a_missing_or_wrong_kind_lists_the_three(
    bot: Bot, network: None, typed: str, expected: str
) -> None:
    bot.slack.add_user(COORDINATOR, name="Koordinaattori Kaisa", locale="en-US")
    reply = await bot.command(typed, user=COORDINATOR)
    assert reply["text"] == expected
    await bot.settle()
    assert bot.slack.files == {}
