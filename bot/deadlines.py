"""Deadlines as plain values: reading what is typed, when one has passed, and how they are shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot import blocks
from bot.dates import Offset, parse_offset, parse_offsets, parse_time, typed_date
from bot.i18n import _, format_clock, format_day, format_offset, ngettext
from bot.moments import deadline_due, remind_at
from bot.outcome import Message, UserError
from bot.parsing import split_options
from bot.scheduling import is_clock, local_moment, parse_edit
from bot.suggest import normalise
from bot.text import escape

FLAG_WORDS = frozenset({"registration", "rekisterointi", "ilmoittautuminen"})
LISTED, LINES_PER_SECTION = 40, 10


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as lists, `mine` and the calendar show it."""

    key: str
    title: str
    due_date: date
    due_time: time | None = None
    audience: str | None = None  # theme name; None for the whole network
    registration: bool = False


@dataclass(frozen=True)
class NewDeadline:
    """What `deadline add` was given."""

    audience: str
    day: date
    clock: time | None
    title: str
    remind: tuple[str, ...] | None
    registration: bool


@dataclass(frozen=True)
class DeadlineChange:
    """What `deadline edit` was given; None leaves a field as it is."""

    query: str
    day: date | None = None
    clock: time | None = None
    title: str | None = None
    remind: tuple[str, ...] | None = None


def parse_new(args: list[str], today: date) -> NewDeadline | None:
    """`<theme or all> <date> [<time>] <title…> [remind:<offsets>] [registration]`; None if short.

    The registration flag is the last word, so that a title may begin with `Ilmoittautuminen`.
    """
    words, options = split_options(args, ["remind"])
    if len(words) < 3:
        return None
    day, rest = typed_date(words[1], today), words[2:]
    clock = parse_time(rest.pop(0)) if is_clock(rest[0]) else None
    flagged = len(rest) > 1 and normalise(rest[-1]) in FLAG_WORDS
    title = " ".join(rest[:-1] if flagged else rest)
    return NewDeadline(words[0], day, clock, title, _remind(options), flagged)


def parse_change(args: list[str], today: date) -> DeadlineChange | None:
    """`<deadline> [date] [time] [title:…] [remind:…]`; None when it is not written so."""
    edit = parse_edit(args, ["title", "remind"], today)
    if edit is None:
        return None
    query, day, clock, options = edit
    return DeadlineChange(query, day, clock, options.get("title"), _remind(options))


def _remind(options: dict[str, str]) -> tuple[str, ...] | None:
    if "remind" not in options:
        return None
    return tuple(str(offset) for offset in parse_offsets(options["remind"]))


def due_moment(day: date, clock: time | None, zone: ZoneInfo) -> datetime:
    """When a deadline passes: at its time, or when its day ends (aware, UTC)."""
    return deadline_due(day, clock, zone)


def check_due(day: date, clock: time | None, zone: ZoneInfo, now: datetime) -> None:
    """Refuse a due time the clocks skip, or one already past."""
    if clock is not None:
        local_moment(day, clock, zone)
    if due_moment(day, clock, zone) <= now:
        raise UserError(_("That deadline has already passed. Give a date in the future."))


def reminders_ahead(
    remind: Sequence[str],
    day: date,
    clock: time | None,
    zone: ZoneInfo,
    reminder_time: time,
    now: datetime,
) -> list[Offset]:
    """The reminder offsets of a deadline whose time is still to come: those will be posted
    (the planner makes no notification for a time already past, nor a `0d` after the due time)."""
    due = due_moment(day, clock, zone)
    ahead = []
    for offset in map(parse_offset, remind):
        at = remind_at(due, day, clock, offset, zone, reminder_time)
        if at is not None and at >= now:
            ahead.append(offset)
    return ahead


def reminders_text(remind: Sequence[str], ahead: Sequence[Offset]) -> str:
    """`Reminders 7 pv, 1 pv before.`: the ones that will be posted, in the reader's units."""
    if not ahead:
        if not remind:
            return _("No reminders.")
        return _("No reminders will be posted: their times have passed.")
    offsets = ", ".join(format_offset(offset.amount, offset.unit) for offset in ahead)
    return _("Reminders {offsets} before.").format(offsets=offsets)


def still_open(view: DeadlineView, now: datetime, zone: ZoneInfo) -> bool:
    """Whether the deadline has not passed yet."""
    return due_moment(view.due_date, view.due_time, zone) > now


def due_text(view: DeadlineView) -> str:
    """`ti 28.4.2027`, or `ti 28.4.2027 klo 16.00` with a time."""
    if view.due_time is None:
        return format_day(view.due_date)
    return _("{day} at {clock}").format(
        day=format_day(view.due_date), clock=format_clock(view.due_time)
    )


def days_left(due: date, today: date) -> str:
    """`today`, `tomorrow`, `in 5 days`."""
    count = (due - today).days
    if count <= 0:
        return _("today")
    if count == 1:
        return _("tomorrow")
    return ngettext("in {count} day", "in {count} days", count).format(count=count)


def audience_text(view: DeadlineView) -> str:
    """The theme the deadline is for, or the whole network."""
    return escape(view.audience) if view.audience else _("the whole network")


def line(view: DeadlineView, today: date) -> str:
    """One deadline in a list."""
    facts = [due_text(view), days_left(view.due_date, today), audience_text(view)]
    if view.registration:
        facts.append(_("registration"))
    return f"• *{escape(view.title)}* (`{view.key}`) — " + " · ".join(facts)


def deadline_list(views: list[DeadlineView], today: date, heading: str) -> Message:
    """Upcoming deadlines with days left, in sections within Block Kit's limits."""
    lines = [line(view, today) for view in views[:LISTED]]
    if len(views) > LISTED:
        lines.append(_("…and {count} more.").format(count=len(views) - LISTED))
    body = [blocks.header(heading)]
    for start in range(0, len(lines), LINES_PER_SECTION):
        body.append(blocks.section("\n".join(lines[start : start + LINES_PER_SECTION])))
    return Message(blocks.fallback([escape(heading), *lines]), body)  # the header is plain


def mine_lines(views: list[DeadlineView], today: date) -> list[str]:
    """The user's next deadlines, for `mine`; nothing when there are none."""
    if not views:
        return []
    lines = [_("*Your next deadlines*")]
    for view in views:
        when = f"{due_text(view)} ({days_left(view.due_date, today)})"
        lines.append(f"• {when} — {escape(view.title)} (`{view.key}`)")
    return lines
