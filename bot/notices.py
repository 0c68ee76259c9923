"""What the bot posts by itself (PRODUCT.md §4): reminders and notices, rendered from plain views.

Each renderer writes in the current language (the caller sets it: the theme's for a channel,
the recipient's for a direct message) and escapes every text a person typed. The weekly
digest and the rounds before network meetings are in `bot.digests`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.deadlines import days_left
from bot.i18n import _, format_day, format_moment, ngettext
from bot.moments import deadline_due
from bot.outcome import Message
from bot.text import escape, truncate
from bot.work_packages.statuses import STATUS_LABELS

TEXT_LIMIT = 39_000  # Slack cuts a message's text at 40,000 characters


@dataclass(frozen=True)
class Writing:
    """How a notice is written: the network's zone, today there, the command, lateness."""

    zone: ZoneInfo
    today: date
    command: str
    late_for: datetime | None = None  # the moment it was meant for, when it goes out late


@dataclass(frozen=True)
class DeadlineView:
    """A deadline; `title` None is a theme's registration deadline, `theme` None the network."""

    title: str | None
    due_date: date
    due_time: time | None = None
    theme: str | None = None
    theme_key: str | None = None


@dataclass(frozen=True)
class OrganisationView:
    """An organisation expected to register."""

    key: str
    name: str


@dataclass(frozen=True)
class MeetingView:
    """A meeting as its reminder shows it."""

    title: str
    starts_at: datetime
    place: str = ""
    online_url: str | None = None


@dataclass(frozen=True)
class PackageView:
    """A work package as a notice shows it; `ref` is `<theme-key>-<n>`."""

    ref: str
    title: str
    status: str
    progress: int
    due_date: date | None = None
    owner_user: str | None = None
    owner_organisation: str | None = None  # name


def deadline_reminder(deadline: DeadlineView, how: Writing) -> Message:
    """A deadline is coming (in its theme's channel, or the announcement channel)."""
    text = _("Reminder: the deadline *{title}* is {relative}, {when}.")
    return notice(how, _fill(text, deadline, how))


def registration_reminder(
    deadline: DeadlineView, missing: list[OrganisationView], how: Writing
) -> Message:
    """A registration deadline is coming: who has not registered yet."""
    if deadline.title is None:
        opening = _("Reminder: registration for the theme *{theme}* closes {relative}, {when}.")
    else:
        opening = _("Reminder: registration *{title}* closes {relative}, {when}.")
    names = ", ".join(escape(o.name) for o in missing)
    if not missing:
        rest = _("Every organisation expected to register has registered.")
    elif deadline.theme is None:
        rest = _("Not registered for any theme yet: {organisations}.").format(organisations=names)
    else:
        rest = _("Not registered for this theme yet: {organisations}.").format(organisations=names)
    return notice(how, _fill(opening, deadline, how) + "\n" + rest)


def registration_dm(
    deadline: DeadlineView, organisations: list[OrganisationView], how: Writing
) -> Message:
    """To a contact: their organisation has not registered, and how to register it."""
    if deadline.theme is None:
        text = _(
            "*{organisation}* has not registered for any theme yet, and registration *{title}*"
            " closes {relative}, {when}. See the themes with `{command} themes`; as its contact"
            " you can register it with `{command} join <theme> org:{key}`."
        )
    else:
        text = _(
            "*{organisation}* has not registered for the theme *{theme}* yet, and registration"
            " closes {relative}, {when}. As its contact you can register it with"
            " `{command} join {theme_key} org:{key}`."
        )
    parts = [
        _fill(text, deadline, how, organisation=escape(o.name), key=o.key, command=how.command)
        for o in organisations
    ]
    return notice(how, "\n\n".join(parts))


def meeting_reminder(meeting: MeetingView, how: Writing) -> Message:
    """A meeting is coming: when, where and the online link."""
    local = meeting.starts_at.astimezone(how.zone)
    lines = [
        _("Reminder: *{title}* starts {relative}, {when}.").format(
            title=escape(meeting.title),
            relative=days_left(local.date(), how.today),
            when=format_moment(meeting.starts_at, how.zone),
        )
    ]
    if meeting.place:
        lines.append(_("Place: {place}").format(place=escape(meeting.place)))
    if meeting.online_url:
        lines.append(_("Online: {url}").format(url=escape(meeting.online_url)))
    return notice(how, "\n".join(lines))


def package_due_soon(package: PackageView, how: Writing) -> Message:
    """To the owner: a package is due in a few days, and how to record its status."""
    assert package.due_date is not None
    parts = [
        _("The work package `{ref}` {title} is due {relative}, {day}.").format(
            ref=escape(package.ref),
            title=escape(package.title),
            relative=days_left(package.due_date, how.today),
            day=format_day(package.due_date),
        ),
        status_sentence(package),
    ]
    if package.owner_user is None and package.owner_organisation:
        parts.append(
            _("You get this as a contact of {organisation}, its owner.").format(
                organisation=escape(package.owner_organisation)
            )
        )
    parts.append(
        _("Record how it stands with `{command} update {ref} <status> [<n>%] [note…]`.").format(
            command=how.command, ref=escape(package.ref)
        )
    )
    return notice(how, " ".join(parts))


def package_overdue(package: PackageView, how: Writing) -> Message:
    """In the theme's channel: a package passed its due date unfinished."""
    assert package.due_date is not None
    parts = [
        _("The work package `{ref}` {title} is overdue: it was due {day}.").format(
            ref=escape(package.ref), title=escape(package.title), day=format_day(package.due_date)
        ),
        status_sentence(package),
    ]
    if owner := owner_text(package):
        parts.append(_("Owner: {owner}.").format(owner=owner))
    return notice(how, " ".join(parts))


def failure_summary(failed: list[tuple[int, str, str, str]], how: Writing) -> Message:
    """To a coordinator: the notifications that could not be posted in an hour, each with its
    id, identity, target and Slack's error, and how to send one again."""
    lines = [
        ngettext(
            "I could not post {count} notification in the last hour:",
            "I could not post {count} notifications in the last hour:",
            len(failed),
        ).format(count=len(failed))
    ]
    for note_id, identity, target, error in failed:
        where = f"<@{target}>" if target[:1] in "UW" else f"<#{target}>"
        line = _("• to {where}: {reason} (notification {id}, `{identity}`)")
        lines.append(
            line.format(where=where, reason=failure_reason(error), id=note_id, identity=identity)
        )
    lines.append(
        _(
            "Once the cause is fixed, an operator can send one again with"
            " `python -m bot outbox retry <id>`."
        )
    )
    return notice(how, "\n".join(lines))


def unposted(failures: list[tuple[str, str]]) -> str:
    """What the person who acted is told of posts Slack refused: (channel, error code), the
    channel as the bot names it (`#liikenne` or a channel link)."""
    line = _("I could not post in {channel}: {reason}")
    return "\n".join(
        line.format(channel=where, reason=failure_reason(code)) for where, code in failures
    )


def failure_reason(error: str) -> str:
    """A Slack error code in words a coordinator can act on."""
    if error == "channel_not_found":
        return _("the channel does not exist, or it is private and I am not in it.")
    if error == "not_in_channel":
        return _("I am not in the channel and cannot join it (it is private). Add me to it.")
    if error == "is_archived":
        return _("the channel is archived.")
    if error in ("invalid_auth", "account_inactive", "token_revoked"):
        return _("my Slack token no longer works.")
    if error == "restricted_action":
        return _("the workspace does not let me post there.")
    return _("Slack answered `{error}`.").format(error=escape(error))


def status_sentence(package: PackageView) -> str:
    """`It is in progress, 40 % done.`"""
    return _("It is {status}, {progress} % done.").format(
        status=status_label(package.status), progress=package.progress
    )


def status_label(status: str) -> str:
    """A work package status in the reader's language."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else escape(status)


def owner_text(package: PackageView) -> str:
    """The owner as a mention, or the owning organisation's name."""
    if package.owner_user:
        return f"<@{package.owner_user}>"
    return escape(package.owner_organisation or "")


def deadline_when(deadline: DeadlineView, zone: ZoneInfo) -> str:
    """A date-only deadline's day, or a timed one's day and time."""
    if deadline.due_time is None:
        return format_day(deadline.due_date)
    return format_moment(deadline_due(deadline.due_date, deadline.due_time, zone), zone)


def _fill(text: str, deadline: DeadlineView, how: Writing, **more: str) -> str:
    return text.format(
        title=escape(deadline.title or ""),
        theme=escape(deadline.theme or ""),
        theme_key=deadline.theme_key or "",
        relative=days_left(deadline.due_date, how.today),
        when=deadline_when(deadline, how.zone),
        **more,
    )


def notice(how: Writing, text: str) -> Message:
    """The notice, headed by a late marker when it goes out later than meant."""
    if how.late_for is not None:
        marker = _("Late: this was meant for {moment}.").format(
            moment=format_moment(how.late_for, how.zone)
        )
        text = f"_{marker}_\n{text}"
    return Message(truncate(text, TEXT_LIMIT))
