"""`vie aineistot` end to end: a signed slash command in, a spreadsheet (or with `format:csv`
a CSV file) in the coordinator's DM out."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from typing import Any

import openpyxl
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
  - {title: "x;=cmd|' /C calc'!A0", url: "https://example.org/y", added_by: U0GONE001,
     added_at: 2027-07-02T12:00}
  - {title: "＝1+1", url: "https://example.org/z", added_by: U0GONE001,
     added_at: 2027-07-03T12:00}
"""

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def network(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        await import_plan(session, load_plan(PLAN))


async def exported(bot: Bot, text: str) -> tuple[dict[str, Any], bytes, str]:
    """The reply to the command, and the bytes and name of the file it sent."""
    reply = await bot.command(text, user=COORDINATOR)
    await bot.wait_for("files.completeUploadExternal", 1)
    (file_id,) = bot.slack.files
    return reply, bot.slack.uploaded(file_id), bot.slack.files[file_id].name


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def cells(content: bytes) -> list[list[object]]:
    """The workbook's one sheet as values (what Excel shows), after checking that not one cell
    of it is a formula (a formula cell holds an `<f>` element)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


async def test_materials_reach_the_coordinators_dm_as_a_spreadsheet(
    bot: Bot, network: None
) -> None:
    reply, content, name = await exported(bot, "vie aineistot")
    assert reply["response_type"] == "ephemeral"
    assert name in reply["text"]
    assert name.endswith(".xlsx")
    share = bot.slack.calls_to("files.completeUploadExternal")[0].params
    opened = bot.slack.calls_to("conversations.open")[0].params
    assert opened["users"] == COORDINATOR
    assert share["channel_id"] == f"D{COORDINATOR}"  # the coordinator's direct messages

    header, *baskets = cells(content)
    with language("fi"):
        assert header[:3] == [_("Basket"), _("Title"), _("Address")]
        assert baskets[0][0] == _("the network's basket")
    titles = [row[1] for row in baskets]
    # shown as typed, never run: the workbook holds them as text
    assert titles[:3] == ['=HYPERLINK("http://x")', "x;=cmd|' /C calc'!A0", "＝1+1"]
    assert baskets[0][5] == "U0GONE001"  # Slack does not know them: the id alone
    theme_basket = baskets[3]
    assert theme_basket[1] == "Seurantaraportti – Pirkkala ja Ylöjärvi"
    assert theme_basket[5] == "Maija Meikäläinen (U0MEMBER1)"  # the name Slack shows, and the id
    assert baskets[0][6] == datetime(2027, 7, 1, 12, 0)  # local summer time, a real time
    assert theme_basket[6] == datetime(2027, 1, 12, 8, 0)  # local winter time
    assert theme_basket[4] == "seuranta, @kaikki"


async def test_materials_as_csv_for_other_programs(bot: Bot, network: None) -> None:
    reply, content, name = await exported(bot, "vie aineistot format:csv")
    assert name.endswith(".csv") and name in reply["text"]
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    assert b"\r\n" in content and b"\n" not in content.replace(b"\r\n", b"")
    header, *baskets = rows(content)
    with language("fi"):
        assert header[:3] == [_("Basket"), _("Title"), _("Address")]
    # no field a spreadsheet could run, split on commas or on semicolons
    assert [row[1] for row in baskets[:3]] == [
        '\'=HYPERLINK("http://x")',
        "x;'=cmd|' /C calc'!A0",
        "'＝1+1",
    ]
    assert baskets[0][6] == "2027-07-01 12:00"
    assert baskets[3][4] == "seuranta, '@kaikki"


async def test_a_format_other_than_csv_or_xlsx_is_refused(bot: Bot, network: None) -> None:
    bot.slack.add_user(COORDINATOR, name="Koordinaattori Kaisa", locale="en-US")
    reply = await bot.command("export materials format:pdf", user=COORDINATOR)
    assert reply["text"] == (
        "I can send a spreadsheet (.xlsx, the default) or CSV: write format:csv,"
        " or leave the format out."
    )
    await bot.settle()
    assert bot.slack.files == {}


async def test_work_packages_and_registrations_too(bot: Bot, network: None) -> None:
    _reply, content, _name = await exported(bot, "export työpaketit")
    header, blocked, done = cells(content)
    assert len(header) == 10
    assert (blocked[0], blocked[5]) == ("liikenne-1", "Lempäälä")
    assert blocked[2] == "Yhteenveto – Ylöjärvi ja Lempäälä"
    assert done[2] == "+358 puhelinluettelo"  # text, not a number or a formula
    assert (blocked[4], done[4]) == (10, 100)  # progress as numbers
    with language("fi"):
        assert (blocked[-1], done[-1]) == (_("yes"), _("no"))  # overdue unless done


async def test_work_packages_as_csv(bot: Bot, network: None) -> None:
    _reply, content, _name = await exported(bot, "export työpaketit format:CSV")
    _header, _blocked, done = rows(content)
    assert done[2] == "'+358 puhelinluettelo"
    assert done[8] == "2020-06-30"


async def test_registrations_in_the_network_time_zone(bot: Bot, network: None) -> None:
    _reply, content, _name = await exported(bot, "vie ilmoittautumiset")
    _header, organisation, member = cells(content)
    assert organisation[:3] == ["liikenne", "Liikenne ja saavutettavuus", "Tampereen kaupunkiseutu"]
    assert organisation[5] == datetime(2027, 1, 10, 9, 30)
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
