"""`export` / `vie`: a CSV file of the registrations, work packages or materials, by DM."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import csv_export
from bot.commands import Registry, Subcommand
from bot.csv_export import export_kind, file_name
from bot.i18n import N_, _
from bot.outcome import Message, Outcome, Upload
from bot.permissions import coordinate, require
from handlers.request import CommandRequest
from storage import exports

Tabulate = Callable[[AsyncSession, ZoneInfo, date], Awaitable[csv_export.Table]]


async def _registrations(session: AsyncSession, zone: ZoneInfo, _today: date) -> csv_export.Table:
    return csv_export.registrations(await exports.registration_rows(session), zone)


async def _work_packages(session: AsyncSession, _zone: ZoneInfo, today: date) -> csv_export.Table:
    return csv_export.work_packages(await exports.work_package_rows(session), today)


async def _materials(session: AsyncSession, zone: ZoneInfo, _today: date) -> csv_export.Table:
    return csv_export.materials(await exports.material_rows(session), zone)


TABLES: dict[str, Tabulate] = {
    csv_export.REGISTRATIONS: _registrations,
    csv_export.WORK_PACKAGES: _work_packages,
    csv_export.MATERIALS: _materials,
}


async def run_export(request: CommandRequest) -> Outcome:
    """Coordinators get the file in a direct message; the reply says it is on its way."""
    async with request.transaction() as session:
        require(coordinate(await request.actor(session)))
        kind = export_kind(request.args)
        network = await request.network(session)
        zone, today = ZoneInfo(network.timezone), request.today(network)
        table = await TABLES[kind](session, zone, today)
    name = file_name(kind, today)
    upload = Upload(request.user_id, name, csv_export.render(table), title=name)
    text = _("The file {name} is on its way to your direct messages.").format(name=name)
    return Outcome(Message(text), effects=(upload,))


def register(registry: Registry) -> None:
    """Offer `export` / `vie`."""
    registry.add(
        Subcommand(
            name="export",
            alias="vie",
            usage=N_("registrations|workpackages|materials"),
            summary=N_("a CSV file for Excel, sent to you in a direct message"),
            run=run_export,
            examples=(N_("registrations"), N_("materials")),
            coordinator_only=True,
        )
    )
