"""Meetings as plain values: what is shown of them, their agenda, and the rules of changing them.

The rules they share with deadlines (keys, local times, naming, audience) are in `scheduling`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.dates import parse_time
from bot.i18n import _, format_clock
from bot.outcome import UserError
from bot.parsing import ParseError
from bot.scheduling import TITLE_LIMIT, local_moment, parse_edit
from bot.text import escape

PLACE_LIMIT, PRESENTER_LIMIT, URL_LIMIT, AGENDA_LIMIT = 500, 200, 2000, 50
_AGENDA_CLOCK = re.compile(r"(\d{1,2}[:.]\d{2})(?:\s+(.*))?$", re.DOTALL)
_PRESENTER = " — "
_LINK = re.compile(r"https?://[^\s<>|]+")


@dataclass(frozen=True)
class AgendaLine:
    """One item of a meeting's programme."""

    clock: time | None
    title: str
    presenter: str = ""


@dataclass(frozen=True)
class MaterialLink:
    """A material linked to a meeting."""

    title: str
    url: str


@dataclass(frozen=True)
class Counts:
    """How many have answered each way."""

    yes: int = 0
    no: int = 0
    maybe: int = 0


@dataclass(frozen=True)
class MeetingView:
    """A meeting with everything its announcement, listing and calendar file show."""

    id: int
    key: str
    title: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime | None = None
    place: str = ""
    online_url: str | None = None
    audience: tuple[str, ...] = ()  # theme names; empty for the whole network
    agenda: tuple[AgendaLine, ...] = ()
    materials: tuple[MaterialLink, ...] = ()
    counts: Counts = Counts()
    cancelled: bool = False
    sequence: int = 0


@dataclass(frozen=True)
class MeetingChange:
    """What `meeting edit` was given; None leaves a field as it is."""

    query: str
    day: date | None = None
    clock: time | None = None
    place: str | None = None
    title: str | None = None


def parse_change(args: list[str], today: date) -> MeetingChange | None:
    """`<meeting> [date] [time] [place:…] [title:…]`; None when it is not written so."""
    edit = parse_edit(args, ["place", "title"], today)
    if edit is None:
        return None
    query, day, clock, options = edit
    return MeetingChange(query, day, clock, options.get("place"), options.get("title"))


def reschedule(
    start: datetime, end: datetime | None, day: date, clock: time, zone: ZoneInfo
) -> tuple[datetime, datetime | None]:
    """A new start, and the end moved with it so that the meeting lasts as long on the clock."""
    new_start = local_moment(day, clock, zone)
    if end is None:
        return new_start, None
    wall = end.astimezone(zone).replace(tzinfo=None) - start.astimezone(zone).replace(tzinfo=None)
    new_end = new_start.astimezone(zone).replace(tzinfo=None) + wall
    return new_start, local_moment(new_end.date(), new_end.time(), zone)


def end_on_day(start: datetime, clock: time, zone: ZoneInfo) -> datetime:
    """The end of a meeting at a clock time on its start day; it must come after the start."""
    local_start = start.astimezone(zone)
    end = local_moment(local_start.date(), clock, zone)
    if end <= start:
        raise UserError(
            _("The end must be after the start ({clock}).").format(clock=format_clock(local_start))
        )
    return end


def valid_link(url: str) -> bool:
    """An address that can be linked safely: http(s), no spaces, no `<`, `>` or `|`."""
    return len(url) <= URL_LIMIT and bool(_LINK.fullmatch(url))


def link(url: str, label: str) -> str:
    """A mrkdwn link, or the label alone when the address could not be linked safely."""
    if not valid_link(url):
        return escape(label)
    return f"<{escape(url)}|{escape(label)}>"


def parse_agenda(text: str) -> tuple[AgendaLine, ...]:
    """One item per line: `9.20 Johdatus päivään — Maija`; the time and presenter are optional."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > AGENDA_LIMIT:
        raise UserError(
            _("The agenda has {count} items; {limit} is the most.").format(
                count=len(lines), limit=AGENDA_LIMIT
            )
        )
    return tuple(_agenda_line(number, line) for number, line in enumerate(lines, start=1))


def _agenda_line(number: int, line: str) -> AgendaLine:
    clock, rest = None, line
    if match := _AGENDA_CLOCK.match(line):
        try:
            clock = parse_time(match.group(1))
        except ParseError:
            raise UserError(_agenda_problem(number, match.group(1))) from None
        rest = (match.group(2) or "").strip()
    title, separator, presenter = f" {rest}".rpartition(_PRESENTER)  # `— Maija`: no title
    title, presenter = (title, presenter) if separator else (rest, "")
    if not title.strip():
        raise UserError(_agenda_problem(number, line))
    return AgendaLine(clock, title.strip()[:TITLE_LIMIT], presenter.strip()[:PRESENTER_LIMIT])


def _agenda_problem(number: int, value: str) -> str:
    return _(
        "Line {number} ('{value}') is not an agenda item. Write one item per line: a time,"
        " a title and — the presenter, e.g. 9.20 Johdatus päivään — Maija"
    ).format(number=number, value=escape(value))


def agenda_text(agenda: Iterable[AgendaLine]) -> str:
    """The agenda as it is typed (and as a calendar file describes it), one item per line."""
    return "\n".join(_typed(item) for item in agenda)


def typed_clock(clock: time) -> str:
    """A clock time as it is typed in any language (`9.20`)."""
    return f"{clock.hour}.{clock.minute:02d}"


def _typed(item: AgendaLine) -> str:
    clock = f"{typed_clock(item.clock)} " if item.clock else ""
    presenter = f"{_PRESENTER}{item.presenter}" if item.presenter else ""
    return f"{clock}{item.title}{presenter}"


def answers_open(starts_at: datetime, now: datetime) -> bool:
    """People answer until the meeting begins."""
    return now < starts_at
