"""Dates, times of day, local moments and reminder offsets as a plan writes them, as pydantic
types, and as an export writes them back.

They are read with the parsers the slash command uses (`bot.parsing`); only a plan's dates must
carry their year. A value not written as text is left to pydantic's strict check of the type,
whose message is "must be text, not …" (`bot.plan.problems`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, InstanceOf, Strict
from pydantic_core import PydanticCustomError

from bot.dates import parse_date, parse_offsets, parse_time
from bot.parsing import ParseError
from bot.plan.fields import fail, one_line, text_of
from bot.plan.problems import shown

_YEAR = re.compile(r"\d{4}-|.*\.\d{4}$")
_SECONDS = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})(\.\d{1,6})?")
_DATE_TIME_SPLIT = re.compile(r"[T ]|\s+(?:klo\s+)?")


def written(parse: Callable[[str], Any]) -> BeforeValidator:
    """A value written as text is parsed; any other is left as it is, for the type to refuse."""
    return BeforeValidator(
        lambda value: parse(one_line(value)) if isinstance(value, str) else value
    )


def day(written: str) -> date:
    """A date with its year: 2027-04-28 or 28.4.2027."""
    if not _YEAR.match(written):
        fail(f"{shown(written)} is not a date with a year: write e.g. 2027-04-28 or 28.4.2027")
    try:
        return parse_date(written, date.min)
    except ParseError as error:
        if error.kind == "no_such_date":
            fail(f"there is no {shown(written)} in the calendar: that month has fewer days")
        fail(f"{shown(written)} is not a date: write e.g. 2027-04-28 or 28.4.2027")


def clock(written: str) -> time:
    """A time of day: "09:00", "9.00" or "09:00:30"."""
    seconds = _SECONDS.fullmatch(written)
    if seconds:
        return time.fromisoformat(
            f"{int(seconds[1]):02}:{seconds[2]}:{seconds[3]}{seconds[4] or ''}"
        )
    try:
        return parse_time(written)
    except ParseError:
        fail(f"{shown(written)} is not a time of day: write e.g. 09:00 or 16.30")


def _clock_number(value: object) -> object:
    """YAML reads an unquoted 9.30 as a number: it is the time 09.30."""
    return f"{value:.2f}" if isinstance(value, float) else value


def local_moment(written: str) -> datetime:
    """A date and a local time: 2027-05-20T09:00, "2027-05-20 09:00" or "20.5.2027 9.00"."""
    parts = _DATE_TIME_SPLIT.split(written, maxsplit=1)
    if len(parts) != 2:
        fail(f"{shown(written)} is not a date and time: write e.g. 2027-05-20T09:00")
    try:
        at = clock(parts[1].strip())
    except PydanticCustomError:
        fail(f"{shown(written)} is not a date and time: write e.g. 2027-05-20T09:00")
    return datetime.combine(day(parts[0]), at)


Day = Annotated[date, Strict(), written(day)]
Clock = Annotated[time, Strict(), written(clock), BeforeValidator(_clock_number)]
LocalMoment = Annotated[datetime, Strict(), written(local_moment)]


@dataclass(frozen=True)
class Due:
    """A deadline's due date, and its time when it has one."""

    day: date
    at: time | None = None


def _due(written: str) -> Due:
    """A date (2027-04-28) or a date and time (2027-04-28T16:00)."""
    if not _DATE_TIME_SPLIT.search(written):
        return Due(day(written))
    moment = local_moment(written)
    return Due(moment.date(), moment.time())


def _meeting_end(value: object) -> datetime | time:
    """A meeting's end: a date and time, or a time alone (the day the meeting starts)."""
    written = text_of(_clock_number(value))
    return clock(written) if len(written) <= 5 else local_moment(written)


def _offsets(value: object) -> tuple[str, ...]:
    """Reminder offsets: [7d, 1d, 2h] or "7d,1d,0d" (Finnish 7pv, 2t, 30min too)."""
    items = value if isinstance(value, list) else [value]
    listed = ",".join(text_of(item) for item in items)
    try:
        return tuple(str(offset) for offset in parse_offsets(listed))
    except ParseError as error:
        fail(
            f"{shown(error.value)} is not a reminder offset:"
            " write e.g. 7d, 1d, 0d (days), 2h (hours) or 30m (minutes)"
        )


DueValue = Annotated[InstanceOf[Due], written(_due)]
MeetingEnd = Annotated[datetime | time, BeforeValidator(_meeting_end)]
Offsets = Annotated[tuple[str, ...], BeforeValidator(_offsets)]


# --- as an export writes them -------------------------------------------------------------


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as the plan writes it: local time, `2027-05-20T09:00` (seconds when there are)."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    if local.second == 0 and local.microsecond == 0:
        return local.isoformat(timespec="minutes")
    return local.isoformat()


def clock_text(value: time) -> str:
    """A time of day as the plan writes it: `09:00` (seconds when there are)."""
    if value.second == 0 and value.microsecond == 0:
        return value.isoformat(timespec="minutes")
    return value.isoformat()
