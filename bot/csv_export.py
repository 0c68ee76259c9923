"""The coordinators' files (`export` / `vie`): which one is asked for, and its table.

Headers are in the reader's language, times local to the network (and naive: spreadsheets know
no time zones), people by the name Slack shows and their id. `bot.spreadsheets` writes the
table as a workbook or as CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.i18n import N_, _
from bot.outcome import UserError
from bot.spreadsheets import FORMATS, XLSX, Cell, Table
from bot.suggest import did_you_mean, normalise
from bot.text import escape
from bot.work_packages.statuses import STATUS_LABELS, is_overdue

REGISTRATIONS, WORK_PACKAGES, MATERIALS = "registrations", "workpackages", "materials"
KINDS: Final = (REGISTRATIONS, WORK_PACKAGES, MATERIALS)

# What people type for each kind, in English, Finnish and Swedish (accents are forgiven).
_WORDS: Final = {
    REGISTRATIONS: ("registrations", "ilmoittautumiset", "anmälningar"),
    WORK_PACKAGES: ("workpackages", "work-packages", "työpaketit", "arbetspaket", "wp", "tp"),
    MATERIALS: ("materials", "aineistot", "material"),
}
_BY_WORD: Final = {normalise(word): kind for kind, words in _WORDS.items() for word in words}
_FILE_WORDS: Final = {
    REGISTRATIONS: N_("registrations"),
    WORK_PACKAGES: N_("workpackages"),
    MATERIALS: N_("materials"),
}


def export_kind(words: Sequence[str]) -> str:
    """Which file the words ask for; a `UserError` naming the three kinds otherwise."""
    if not words:
        raise UserError(_("Tell me what to export: registrations, workpackages or materials."))
    wanted = normalise(" ".join(words))
    if wanted in _BY_WORD:
        return _BY_WORD[wanted]
    text = _("I can export registrations, workpackages or materials, not '{word}'.").format(
        word=escape(" ".join(words))
    )
    near = did_you_mean(wanted, [_(word) for word in _FILE_WORDS.values()] + list(_BY_WORD))
    if near:
        text += " " + _("Did you mean `{suggestion}`?").format(suggestion=near)
    raise UserError(text)


def export_format(value: str | None) -> str:
    """The file `format:` asks for: a workbook unless `format:csv`."""
    if value is None:
        return XLSX
    if value.lower() in FORMATS:
        return value.lower()
    raise UserError(
        _(
            "I can send a spreadsheet (.xlsx, the default) or CSV: write format:csv,"
            " or leave the format out."
        )
    )


def file_name(kind: str, today: date, extension: str) -> str:
    """`aineistot-2026-11-22.xlsx`: what the file holds, in the reader's language, and the day."""
    word = normalise(_(_FILE_WORDS[kind])).replace(" ", "-")
    return f"{word}-{today.isoformat()}.{extension}"


def sheet_name(kind: str) -> str:
    """The workbook's one sheet: what it holds, in the reader's language."""
    return _(_FILE_WORDS[kind])


# --- the three files ----------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationRow:
    theme_key: str
    theme: str
    organisation: str | None
    user: str | None
    registered_by: str
    registered_at: datetime
    late: bool

    @property
    def people(self) -> tuple[str | None, ...]:
        return self.user, self.registered_by


@dataclass(frozen=True)
class WorkPackageRow:
    ref: str
    theme: str
    title: str
    status: str
    progress: int
    owner_organisation: str | None
    owner_user: str | None
    start: date | None
    due: date | None

    @property
    def people(self) -> tuple[str | None, ...]:
        return (self.owner_user,)


@dataclass(frozen=True)
class MaterialRow:
    theme: str | None  # None: the network's basket
    title: str
    url: str
    kind: str
    tags: tuple[str, ...]
    added_by: str
    added_at: datetime

    @property
    def people(self) -> tuple[str | None, ...]:
        return (self.added_by,)


Row = RegistrationRow | WorkPackageRow | MaterialRow
Names = Mapping[str, str]  # a Slack user id → the name Slack shows


def people(rows: Iterable[Row]) -> set[str]:
    """The Slack users the rows name, whose names the file shows beside their ids."""
    return {user for row in rows for user in row.people if user}


def person(user: str | None, names: Names) -> str:
    """`Maija Meikäläinen (U0123ABCD)`: the name for reading, the id to tell namesakes apart;
    the id alone when Slack did not give a name."""
    if not user:
        return ""
    return f"{names[user]} ({user})" if user in names else user


def registrations(rows: Iterable[RegistrationRow], zone: ZoneInfo, names: Names) -> Table:
    """Who registered for which theme, when, and whether late."""
    header = [
        N_("Theme key"),
        N_("Theme"),
        N_("Organisation"),
        N_("Member"),
        N_("Registered by"),
        N_("Registered at"),
        N_("Late"),
    ]
    return _headed(header), [
        [
            row.theme_key,
            row.theme,
            row.organisation or "",
            person(row.user, names),
            person(row.registered_by, names),
            _moment(row.registered_at, zone),
            _yes_no(row.late),
        ]
        for row in rows
    ]


def work_packages(rows: Iterable[WorkPackageRow], today: date, names: Names) -> Table:
    """Every work package with its status, progress, owner and dates; overdue ones marked."""
    header = [
        N_("Work package"),
        N_("Theme"),
        N_("Title"),
        N_("Status"),
        N_("Progress %"),
        N_("Owner organisation"),
        N_("Owner"),
        N_("Start"),
        N_("Due"),
        N_("Overdue"),
    ]
    return _headed(header), [
        [
            row.ref,
            row.theme,
            row.title,
            _(STATUS_LABELS.get(row.status, row.status)),
            row.progress,
            row.owner_organisation or "",
            person(row.owner_user, names),
            _day(row.start),
            _day(row.due),
            _yes_no(is_overdue(row.due, row.status, today)),
        ]
        for row in rows
    ]


def materials(rows: Iterable[MaterialRow], zone: ZoneInfo, names: Names) -> Table:
    """Every material of every basket."""
    header = [
        N_("Basket"),
        N_("Title"),
        N_("Address"),
        N_("Kind"),
        N_("Tags"),
        N_("Added by"),
        N_("Added at"),
    ]
    return _headed(header), [
        [
            row.theme or _("the network's basket"),
            row.title,
            row.url,
            row.kind,
            ", ".join(row.tags),
            person(row.added_by, names),
            _moment(row.added_at, zone),
        ]
        for row in rows
    ]


def _headed(header: list[str]) -> list[str]:
    return [_(title) for title in header]


def _moment(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def _day(day: date | None) -> Cell:
    return "" if day is None else day


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")
