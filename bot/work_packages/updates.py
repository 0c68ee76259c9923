"""Updates of a work package: `update`'s words read, the progress it leaves, the package's log,
and what the updater and the theme's channel are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import _, format_moment
from bot.outcome import UserError
from bot.parsing import parse_percent
from bot.text import escape, truncate
from bot.work_packages.packages import PackageView
from bot.work_packages.statuses import DONE, parse_status, progress_bar, status_label

NOTE_LIMIT = 3000  # what one section of a Slack message holds: the note is posted in one


@dataclass(frozen=True)
class UpdateArgs:
    """`update <work package> <status> [<n>%] [note…]`, read."""

    ref: str
    status: str
    progress: int | None
    note: str


def parse_update(args: list[str]) -> UpdateArgs | None:
    """The parts of an update, None when the reference or the status is missing.

    A progress figure is `40%`, `40 %` or a bare `40` right after the status; put a note that
    starts with a number in quotes.
    """
    if len(args) < 2:
        return None
    status = parse_status(args[1])
    rest = args[2:]
    progress = None
    if rest and rest[0].isdigit() and rest[1:2] == ["%"]:
        progress, rest = parse_percent(rest[0]), rest[2:]
    elif rest and (rest[0].endswith("%") or rest[0].isdigit()):
        progress, rest = parse_percent(rest[0]), rest[1:]
    return UpdateArgs(args[0].lower(), status, progress, " ".join(rest))


def checked_note(note: str) -> str:
    """An update's note as it is kept and posted: trimmed (a blank one is none), and refused,
    naming its length, when longer than one section of a Slack message holds."""
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise UserError(
            _(
                "The note is {length} characters long; at most {limit} fit in a message."
                " Shorten it."
            ).format(length=len(note), limit=NOTE_LIMIT)
        )
    return note


def next_progress(new_status: str, current_progress: int, given: int | None) -> int:
    """The progress after an update: as given; else 100 for `done`; else unchanged."""
    if given is not None:
        return given
    return 100 if new_status == DONE else current_progress


@dataclass(frozen=True)
class UpdateView:
    """One entry of a package's log; `old_status` is None for the entry that created it."""

    user: str
    at: datetime
    old_status: str | None
    new_status: str
    old_progress: int | None
    progress: int
    note: str = ""


@dataclass(frozen=True)
class Log:
    """The latest entries of a package's log (newest first) and how many there are in all."""

    entries: list[UpdateView]
    total: int


def log_line(entry: UpdateView, zone: ZoneInfo) -> str:
    """`• ke 28.4.2027 klo 16.00 <@U…>: 📝 suunniteltu → 🔄 käynnissä · 0 % → 40 % · “…”`."""
    if entry.old_status is None:
        changes = [
            _("created ({status}, {progress} %)").format(
                status=status_label(entry.new_status), progress=entry.progress
            )
        ]
    else:
        changes = _changes(entry)
    if entry.note:
        changes.append("“" + escape(truncate(entry.note, 300)) + "”")
    return f"• {format_moment(entry.at, zone)} <@{entry.user}>: " + " · ".join(changes)


def _changes(entry: UpdateView) -> list[str]:
    found = []
    if entry.old_status != entry.new_status and entry.old_status is not None:
        found.append(f"{status_label(entry.old_status)} → {status_label(entry.new_status)}")
    if entry.old_progress != entry.progress:
        found.append(f"{entry.old_progress} % → {entry.progress} %")
    return found


def updated(package: PackageView, old_status: str, channel: str | None) -> str:
    """The reply to `update`; `channel` is where the status change is told, if it is."""
    status = status_label(package.status)
    if old_status != package.status:
        status = f"{status_label(old_status)} → {status}"
    text = _("`{ref}` *{title}* updated: {status} · {progress}.").format(
        ref=package.ref,
        title=escape(package.title),
        status=status,
        progress=progress_bar(package.progress),
    )
    if channel:
        text += " " + _("I told the theme's channel <#{channel}>.").format(channel=channel)
    return text


def unchanged(package: PackageView) -> str:
    """The reply to an update that would change nothing."""
    text = _("`{ref}` is already {status} at {progress} %. Nothing changed.")
    return text.format(
        ref=package.ref, status=status_label(package.status), progress=package.progress
    )


def change_post(package: PackageView, user: str, old_status: str, note: str) -> str:
    """What the theme channel is told of a status change (in the theme's language)."""
    text = _("<@{user}> updated `{ref}` *{title}*: {old} → {new} · {progress}.").format(
        user=user,
        ref=package.ref,
        title=escape(package.title),
        old=status_label(old_status),
        new=status_label(package.status),
        progress=progress_bar(package.progress),
    )
    if note.strip():  # the whole note: `checked_note` keeps it within a message's section
        text += "\n> " + escape(" ".join(note.split()))
    return text
