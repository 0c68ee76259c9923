"""Dates, clock times and reminder offsets as people type them (`31.12.2027`, `2027-12-31`,
`31.12.`, `9.30`, `7d`, `2 pv`): pure parsing, a `ParseError` for what does not fit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal

from bot.parsing import ParseError

OffsetUnit = Literal["d", "h", "m"]

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FINNISH_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_YEARLESS_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.?")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
_OFFSET = re.compile(r"(\d+)(d|pv|h|t|min|m)", re.IGNORECASE)
_MAX_OFFSET_MINUTES = 366 * 24 * 60
_LEAP_SEARCH_YEARS = 9  # 29.2. may be up to 8 years away (e.g. 2097 -> 2104)
PAST_YEARS, FUTURE_YEARS = 1, 10  # how far from today a typed date can be meant
_UNIT_ALIASES: dict[str, OffsetUnit] = {
    "d": "d",
    "pv": "d",
    "h": "h",
    "t": "h",
    "m": "m",
    "min": "m",
}
_UNIT_MINUTES: dict[OffsetUnit, int] = {"d": 24 * 60, "h": 60, "m": 1}


def parse_date(text: str, today: date) -> date:
    """A date from `2027-04-28`, `28.4.2027`, or `28.4.` / `28.4` (next such date from today).

    Any real date: a plan file keeps what it holds. Something not written as a date is a
    `date` error; a date written right that the calendar does not have (`31.2.2027`, `29.2.2027`)
    a `no_such_date` one.
    """
    cleaned = text.strip()
    found = _parse_dated(cleaned) or _next_yearless(cleaned, today)
    if found is None:
        raise ParseError("date", text)
    if isinstance(found, _Impossible):
        raise ParseError("no_such_date", text)
    return found


def typed_date(text: str, today: date) -> date:
    """A date a person types or picks in a form (`parse_date`), refused unless it can be meant:
    at most a year before `today` and at most ten years after it."""
    return plausible_date(parse_date(text, today), today, text)


def plausible_date(day: date, today: date, written: str) -> date:
    """The day, if a person can mean it (see `typed_date`); `written` is how it was given."""
    if day < _years_from(today, -PAST_YEARS):
        raise ParseError("date_past", written)
    if day > _years_from(today, FUTURE_YEARS):
        raise ParseError("date_future", written)
    return day


def _years_from(day: date, years: int) -> date:
    """The same day `years` later (29 February: the 28th in a common year)."""
    return _date_or_none(day.year + years, day.month, day.day) or date(day.year + years, 2, 28)


class _Impossible:
    """A date written right that the calendar does not have."""


def _parse_dated(text: str) -> date | _Impossible | None:
    """A date with an explicit year; None if `text` is not written so."""
    if iso := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in iso.groups())
        return _checked(year, month, day)
    if finnish := _FINNISH_DATE.fullmatch(text):
        day, month, year = (int(part) for part in finnish.groups())
        return _checked(year, month, day)
    return None


def _checked(year: int, month: int, day: int) -> date | _Impossible | None:
    """The date; `_Impossible` for a day of a month that has fewer (31.2.); None for a month or
    a day no calendar has (13th month, 32nd day)."""
    if not (1 <= month <= 12 and 1 <= day <= 31 and year >= 1):
        return None
    return _date_or_none(year, month, day) or _Impossible()


def _next_yearless(text: str, today: date) -> date | _Impossible | None:
    """The first day.month. on or after `today`; None if not written so."""
    match = _YEARLESS_DATE.fullmatch(text)
    if match is None:
        return None
    day, month = (int(part) for part in match.groups())
    for year in range(today.year, today.year + _LEAP_SEARCH_YEARS):
        candidate = _date_or_none(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return _checked(today.year, month, day)


def _date_or_none(year: int, month: int, day: int) -> date | None:
    """The date, or None if the calendar has no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_time(text: str) -> time:
    """A time of day from `16:00`, `16.00`, `9:30` or `09.30`."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise ParseError("time", text)
    hour, minute = (int(part) for part in match.groups())
    if hour > 23 or minute > 59:
        raise ParseError("time", text)
    return time(hour, minute)


# --- offsets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offset:
    """How long before something a reminder goes out: an amount of days, hours or minutes."""

    amount: int
    unit: OffsetUnit

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def to_timedelta(self) -> timedelta:
        """The offset as a duration."""
        return timedelta(minutes=self.amount * _UNIT_MINUTES[self.unit])


def parse_offset(text: str) -> Offset:
    """An offset from `7d`, `2h`, `30m` or Finnish `7pv`, `2t`, `30min` (any case)."""
    match = _OFFSET.fullmatch(text.strip())
    if match is None:
        raise ParseError("offset", text)
    offset = Offset(int(match.group(1)), _UNIT_ALIASES[match.group(2).lower()])
    if offset.amount * _UNIT_MINUTES[offset.unit] > _MAX_OFFSET_MINUTES:
        raise ParseError("offset", text)
    return offset


def parse_offsets(text: str) -> list[Offset]:
    """Comma-separated offsets (`7d,1d,0d`); equal durations kept once, first one first.

    An error names the offending part, or the whole text when a part is empty.
    """
    parts = [part.strip() for part in text.split(",")]
    if any(not part for part in parts):
        raise ParseError("offset", text)
    return _unique_durations([parse_offset(part) for part in parts])


def _unique_durations(offsets: list[Offset]) -> list[Offset]:
    """The offsets without later ones that last as long as an earlier one (`1d` and `24h`)."""
    seen: set[timedelta] = set()
    unique: list[Offset] = []
    for offset in offsets:
        if offset.to_timedelta() not in seen:
            seen.add(offset.to_timedelta())
            unique.append(offset)
    return unique


# --- Slack references ---------------------------------------------------------------------
