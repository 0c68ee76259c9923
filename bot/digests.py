"""The recurring posts (PRODUCT.md §4): a theme's weekly digest, and the round before a
network-wide meeting (each owner asked for a status update, then the status review).

Each returns None when there is nothing to say, and the notification is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.deadlines import days_left
from bot.i18n import _, format_day, format_moment
from bot.notices import (
    DeadlineView,
    MeetingView,
    PackageView,
    Writing,
    deadline_when,
    notice,
    owner_text,
    status_label,
)
from bot.outcome import Message
from bot.text import escape
from bot.work_packages.statuses import is_overdue


@dataclass(frozen=True)
class ChangeView:
    """One status update of a work package."""

    ref: str
    title: str
    old_status: str | None
    new_status: str
    progress: int
    user: str


@dataclass(frozen=True)
class DigestView:
    """A theme's week: what comes in the next two weeks, and last week's status changes.

    A deadline or meeting of the whole network has `theme` None (deadlines) or is listed in
    `network_meetings`.
    """

    theme: str
    deadlines: list[DeadlineView] = field(default_factory=list)
    meetings: list[MeetingView] = field(default_factory=list)
    network_meetings: list[MeetingView] = field(default_factory=list)
    changes: list[ChangeView] = field(default_factory=list)


@dataclass(frozen=True)
class ThemePackages:
    """A theme's active work packages, for the status review."""

    theme: str
    packages: list[PackageView]


def digest(view: DigestView, how: Writing) -> Message | None:
    """The weekly digest of a theme's channel; None when the week has nothing to tell."""
    coming = [(d.due_date, _deadline_line(d, how)) for d in view.deadlines]
    for network, meetings in ((False, view.meetings), (True, view.network_meetings)):
        coming += [(_local_day(m.starts_at, how), _meeting_line(m, network, how)) for m in meetings]
    if not coming and not view.changes:
        return None
    lines = [_("*Weekly digest: {theme}*").format(theme=escape(view.theme))]
    if coming:
        lines += ["", _("*Coming up in the next two weeks*")]
        lines += [line for _day, line in sorted(coming, key=lambda pair: pair[0])]
    if view.changes:
        lines += ["", _("*Status changes last week*")]
        lines += [_change_line(change) for change in view.changes]
    return notice(how, "\n".join(lines))


def status_request(
    meeting: MeetingView, packages: list[PackageView], how: Writing
) -> Message | None:
    """To an owner before a network meeting: bring your packages' status up to date."""
    if not packages:
        return None
    local = meeting.starts_at.astimezone(how.zone)
    lines = [
        _(
            "The network meeting *{title}* is {relative}, {when}. Please bring the status of"
            " your work packages up to date before it:"
        ).format(
            title=escape(meeting.title),
            relative=days_left(local.date(), how.today),
            when=format_moment(meeting.starts_at, how.zone),
        )
    ]
    lines += [_package_line(package, how.today, owner=False) for package in packages]
    lines.append(
        _("Record each with `{command} update <work package> <status> [<n>%] [note…]`.").format(
            command=how.command
        )
    )
    return notice(how, "\n".join(lines))


def status_review(
    meeting: MeetingView, themes: list[ThemePackages], how: Writing
) -> Message | None:
    """The status review (tilannekatsaus) of every theme's active packages, before the meeting."""
    shown = [theme for theme in themes if theme.packages]
    if not shown:
        return None
    lines = [
        _("*Status review before {title}* ({when})").format(
            title=escape(meeting.title), when=format_moment(meeting.starts_at, how.zone)
        )
    ]
    for theme in shown:
        lines += ["", f"*{escape(theme.theme)}*"]
        lines += [_package_line(package, how.today, owner=True) for package in theme.packages]
    return notice(how, "\n".join(lines))


def _deadline_line(deadline: DeadlineView, how: Writing) -> str:
    line = _("• {when}: deadline *{title}*").format(
        when=deadline_when(deadline, how.zone), title=escape(deadline.title or "")
    )
    return line + (" " + _("(whole network)") if deadline.theme is None else "")


def _meeting_line(meeting: MeetingView, network: bool, how: Writing) -> str:
    line = _("• {when}: *{title}*").format(
        when=format_moment(meeting.starts_at, how.zone), title=escape(meeting.title)
    )
    if meeting.place:
        line += ", " + escape(meeting.place)
    return line + (" " + _("(whole network)") if network else "")


def _change_line(change: ChangeView) -> str:
    new = status_label(change.new_status)
    if change.old_status is not None and change.old_status != change.new_status:
        new = f"{status_label(change.old_status)} → {new}"
    return _("• `{ref}` {title}: {status}, {progress} % (<@{user}>)").format(
        ref=escape(change.ref),
        title=escape(change.title),
        status=new,
        progress=change.progress,
        user=change.user,
    )


def _package_line(package: PackageView, today: date, owner: bool) -> str:
    line = _("• `{ref}` {title}: {status}, {progress} %").format(
        ref=escape(package.ref),
        title=escape(package.title),
        status=status_label(package.status),
        progress=package.progress,
    )
    if owner and (who := owner_text(package)):
        line += ", " + who
    if package.due_date is not None:
        line += ", " + _("due {day}").format(day=format_day(package.due_date))
        if is_overdue(package.due_date, package.status, today):
            line += " " + _("*overdue*")
    return line


def _local_day(moment: datetime, how: Writing) -> date:
    return moment.astimezone(how.zone).date()
