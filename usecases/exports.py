"""`export` / `vie`: a workbook (or CSV) of the registrations, work packages or materials, by DM."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import csv_export
from bot.commands import Subcommand
from bot.csv_export import export_format, export_kind, file_name, sheet_name
from bot.i18n import N_, _
from bot.outcome import Message, Outcome, Upload
from bot.parsing import split_options
from bot.permissions import coordinate, require
from bot.spreadsheets import CSV, Table, to_csv, to_xlsx
from storage import exports
from usecases.caller import Caller, Sessions, actor, network

Names = csv_export.Names
R = TypeVar("R", bound=csv_export.Row)


@dataclass(frozen=True)
class Export(Generic[R]):
    """How one file is made: its rows read in a transaction, laid out once the names of the
    people they name are known (Slack is asked after the transaction, not during it)."""

    read: Callable[[AsyncSession], Awaitable[list[R]]]
    lay_out: Callable[[list[R], ZoneInfo, date, Names], Table]


EXPORTS: dict[str, Export[Any]] = {
    csv_export.REGISTRATIONS: Export(
        exports.registration_rows,
        lambda rows, zone, _today, names: csv_export.registrations(rows, zone, names),
    ),
    csv_export.WORK_PACKAGES: Export(
        exports.work_package_rows,
        lambda rows, _zone, today, names: csv_export.work_packages(rows, today, names),
    ),
    csv_export.MATERIALS: Export(
        exports.material_rows,
        lambda rows, zone, _today, names: csv_export.materials(rows, zone, names),
    ),
}


async def export(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    """Coordinators get the file in a direct message, a workbook unless `format:csv`; the reply
    says it is on its way. People are shown by the name Slack shows, with their id."""
    words, options = split_options(words, ["format"])
    async with db() as session:
        require(coordinate(await actor(session, caller)))
        chosen = EXPORTS[kind := export_kind(words)]
        form = export_format(options.get("format"))
        zone_name = (await network(session, caller)).timezone
        zone, today = ZoneInfo(zone_name), caller.today_in(zone_name)
        rows = await chosen.read(session)
    names = await caller.names(csv_export.people(rows))
    name = file_name(kind, today, form)
    table = chosen.lay_out(rows, zone, today, names)
    content = to_csv(table) if form == CSV else to_xlsx(table, sheet_name(kind))
    upload = Upload(caller.user_id, name, content, title=name)
    text = _("The file {name} is on its way to your direct messages.").format(name=name)
    return Outcome(Message(text), effects=(upload,))


SUBCOMMANDS = (
    Subcommand(
        name="export",
        alias="vie",
        usage=N_("registrations|workpackages|materials [format:csv]"),
        summary=N_(
            "a spreadsheet (.xlsx) sent to you in a direct message; CSV for other"
            " programs with format:csv"
        ),
        run=export,
        examples=(N_("registrations"), N_("materials format:csv")),
        coordinator_only=True,
    ),
)
