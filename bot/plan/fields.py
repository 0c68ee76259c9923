"""The values a plan file holds, each checked with a message an operator can act on.

Each checker takes what the YAML loader produced (a string, a number, a date…) and returns the
value in its plain form, or raises a pydantic error whose message says what is wrong and how
to write it. Dates, times and reminder offsets go through `bot.parsing`, the parsers the slash
command uses; only a plan's dates must carry their year.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any, NoReturn
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from bot.parsing import ParseError, parse_channel, parse_date, parse_offsets, parse_time
from bot.plan.problems import KEEP_HINT, kind, shown
from bot.suggest import did_you_mean
from bot.text import clean

_KEY = re.compile(r"[a-z0-9][a-z0-9-]+")
_USER = re.compile(r"[UW][A-Z0-9]{2,31}")
_YEAR = re.compile(r"\d{4}-|.*\.\d{4}$")
_SECONDS = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})(\.\d{1,6})?")
_DATE_TIME_SPLIT = re.compile(r"[T ]|\s+(?:klo\s+)?")


def fail(message: str) -> NoReturn:
    """Refuse a value with an operator-facing message."""
    raise PydanticCustomError("plan", "{message}", {"message": message})


# --- text ---------------------------------------------------------------------------------


def _string(value: object, multiline: bool = False) -> str:
    """Text without control characters (`bot.text.clean`): a plan keeps any real value, but
    not a NUL or an escape code that no database or channel should hold."""
    if isinstance(value, bool) or not isinstance(value, str):
        fail(f"must be text, not {kind(value)}")
    return clean(value, multiline).strip()


def text(limit: int) -> Callable[[object], str]:
    """Required, non-empty text of at most `limit` characters."""

    def check(value: object) -> str:
        result = optional_text(limit)(value)
        if not result:
            fail("must not be empty")
        return result

    return check


def optional_text(limit: int, multiline: bool = False) -> Callable[[object], str]:
    """Text of at most `limit` characters (of several lines if `multiline`); nothing written is
    the empty text."""

    def check(value: object) -> str:
        result = "" if value is None else _string(value, multiline)
        if len(result) > limit:
            fail(f"is {len(result)} characters long; at most {limit} fit")
        return result

    return check


def key(limit: int) -> Callable[[object], str]:
    """A key: two or more lower-case letters, digits and hyphens, not starting with a hyphen."""

    def check(value: object) -> str:
        result = _string(value)
        if not _KEY.fullmatch(result) or len(result) > limit:
            fail(
                f"{shown(result)} is not a key: use lower-case letters, digits and hyphens"
                f" (2 to {limit}), e.g. 'tampere' or 'liikenne-2'"
            )
        return result

    return check


def reference(value: object) -> str:
    """The key of something else in the plan (whether it exists is checked later)."""
    result = _string(value)
    if not result:
        fail("must not be empty")
    return result


def user(value: object) -> str:
    """A Slack user id such as U0AAAA001 (a mention `<@U0AAAA001>` is accepted too)."""
    result = _string(value)
    bare = result.removeprefix("<@").removesuffix(">").split("|")[0]
    if not _USER.fullmatch(bare):
        fail(f"{shown(result)} is not a Slack user id (like U0AAAA001)")
    return bare


def channel(value: object) -> str:
    """A Slack channel id such as C0LIIKENNE (or `<#C0LIIKENNE|liikenne>`)."""
    result = _string(value)
    try:
        found = parse_channel(result)
    except ParseError:
        found = None
    if found is None or found.id is None:
        fail(f"{shown(result)} is not a Slack channel id (like C0LIIKENNE)")
    return found.id


def url(value: object) -> str:
    """A web address: http or https (Slack file permalinks are https too)."""
    result = _string(value)
    parts = urlsplit(result)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", result):
        fail(f"{shown(result)} is not a web address: it must start with http:// or https://")
    if len(result) > 2000:
        fail("is longer than 2000 characters")
    return result


def choice(values: Sequence[str], what: str) -> Callable[[object], str]:
    """One of a few words, with a suggestion for a near miss."""

    def check(value: object) -> str:
        result = _string(value)
        if result in values:
            return result
        near = did_you_mean(result, values)
        hint = f" (did you mean {near!r}?)" if near else ""
        fail(f"unknown {what} {shown(result)}{hint}; use one of {', '.join(values)}")

    return check


def timezone(value: object) -> str:
    """An IANA time zone name such as Europe/Helsinki."""
    result = _string(value)
    try:
        ZoneInfo(result)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone {shown(result)}; write e.g. Europe/Helsinki")
    return result


def tag(value: object) -> str:
    """A material tag, without a leading `#`."""
    result = _string(value).lstrip("#").strip()
    if not result:
        fail("must not be empty")
    return result


# --- numbers and switches -----------------------------------------------------------------


def progress(value: object) -> int:
    """A percentage, 0–100, as `40` or `"40%"`."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*%?\s*", value):
        value = int(value.strip().rstrip("%"))
    if isinstance(value, bool) or not isinstance(value, int):
        fail(f"{shown(value)} is not a progress figure: write a whole number from 0 to 100")
    if not 0 <= value <= 100:
        fail(f"{value} is outside 0–100")
    return value


def switch(value: object) -> bool:
    """true/false (on/off and yes/no too)."""
    if isinstance(value, bool):
        return value
    words = {"true": True, "on": True, "yes": True, "false": False, "off": False, "no": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    fail(f"{shown(value)} is not true or false")


# --- dates, times, offsets ----------------------------------------------------------------


def day(value: object) -> date:
    """A date with its year: 2027-04-28 or 28.4.2027."""
    if isinstance(value, datetime):
        fail(f"{value.isoformat(sep=' ')} is a date and time; a date alone is wanted here")
    if isinstance(value, date):
        return value
    written = _string(value)
    return _day(written)


def _day(written: str) -> date:
    if not _YEAR.match(written):
        fail(f"{shown(written)} is not a date with a year: write e.g. 2027-04-28 or 28.4.2027")
    try:
        return parse_date(written, date.min)
    except ParseError as error:
        if error.kind == "no_such_date":
            fail(f"there is no {shown(written)} in the calendar: that month has fewer days")
        fail(f"{shown(written)} is not a date: write e.g. 2027-04-28 or 28.4.2027")


def clock(value: object) -> time:
    """A time of day: "09:00", "9.00" (YAML reads an unquoted 9.30 as a number: that works too)."""
    if isinstance(value, float):
        value = f"{value:.2f}"
    written = _string(value)
    seconds = _SECONDS.fullmatch(written)
    if seconds:
        return time.fromisoformat(
            f"{int(seconds[1]):02}:{seconds[2]}:{seconds[3]}{seconds[4] or ''}"
        )
    try:
        return parse_time(written)
    except ParseError:
        fail(f"{shown(written)} is not a time of day: write e.g. 09:00 or 16.30")


def local_moment(value: object) -> datetime:
    """A date and a local time: 2027-05-20T09:00, "2027-05-20 09:00" or "20.5.2027 9.00"."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            fail(f"{value.isoformat()} has a UTC offset: write the local time without one")
        return value
    written = _string(value)
    parts = _DATE_TIME_SPLIT.split(written, maxsplit=1)
    if len(parts) != 2:
        fail(f"{shown(written)} is not a date and time: write e.g. 2027-05-20T09:00")
    return datetime.combine(_day(parts[0]), _clock_of(written, parts[1]))


def _clock_of(written: str, part: str) -> time:
    try:
        return clock(part.strip())
    except PydanticCustomError:
        fail(f"{shown(written)} is not a date and time: write e.g. 2027-05-20T09:00")


@dataclass(frozen=True)
class Due:
    """A deadline's due date, and its time when it has one."""

    day: date
    at: time | None = None


def due(value: object) -> Due:
    """A date (2027-04-28) or a date and time (2027-04-28T16:00)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return Due(value)
    if isinstance(value, str) and not _DATE_TIME_SPLIT.search(value.strip()):
        return Due(_day(value.strip()))
    moment = local_moment(value)
    return Due(moment.date(), moment.time())


def meeting_end(value: object) -> datetime | time:
    """A meeting's end: a date and time, or a time alone (the day the meeting starts)."""
    if isinstance(value, float) or (isinstance(value, str) and len(value.strip()) <= 5):
        return clock(value)
    return local_moment(value)


def offsets(value: object) -> tuple[str, ...]:
    """Reminder offsets: [7d, 1d, 2h] or "7d,1d,0d" (Finnish 7pv, 2t, 30min too)."""
    items = value if isinstance(value, list) else [value]
    written = ",".join(_string(item) for item in items)
    try:
        return tuple(str(offset) for offset in parse_offsets(written))
    except ParseError as error:
        fail(
            f"{shown(error.value)} is not a reminder offset:"
            " write e.g. 7d, 1d, 0d (days), 2h (hours) or 30m (minutes)"
        )


# --- audiences ----------------------------------------------------------------------------


def meeting_audience(value: object) -> tuple[str, ...]:
    """`all` (the whole network: an empty tuple) or a list of theme keys."""
    if isinstance(value, str) and value.strip() == "all":
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        fail("write 'all' or a list of themes, e.g. [liikenne, asuminen]")
    return tuple(reference(item) for item in value)


def deadline_audience(value: object) -> str | None:
    """`all` (None) or one theme key."""
    result = reference(value)
    return None if result == "all" else result


# --- time zones ---------------------------------------------------------------------------


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


# --- null ---------------------------------------------------------------------------------


def none_is_empty(value: object) -> object:
    """`null` for a list: the empty list (a key left out keeps what is stored instead)."""
    return [] if value is None else value


def not_null(value: object) -> object:
    """A value that may be left out (and is then kept) but not cleared with `null`."""
    if value is None:
        fail(f"cannot be null: {KEEP_HINT}, or give a value")
    return value


def checked(check: Callable[[object], Any]) -> BeforeValidator:
    """Use a checker as the validator of an annotated field."""
    return BeforeValidator(check)


Key64 = Annotated[str, checked(key(64))]
Key100 = Annotated[str, checked(key(100))]
Ref = Annotated[str, checked(reference)]
User = Annotated[str, checked(user)]
Channel = Annotated[str, checked(channel)]
Url = Annotated[str, checked(url)]
Tag = Annotated[str, checked(tag)]
Name = Annotated[str, checked(text(200))]
Title = Annotated[str, checked(text(500))]
Place = Annotated[str, checked(optional_text(500))]
Presenter = Annotated[str, checked(optional_text(200))]
LongText = Annotated[str, checked(optional_text(100_000, multiline=True))]
TimeZone = Annotated[str, checked(timezone)]
Progress = Annotated[int, checked(progress)]
Switch = Annotated[bool, checked(switch)]
Day = Annotated[date, checked(day)]
Clock = Annotated[time, checked(clock)]
LocalMoment = Annotated[datetime, checked(local_moment)]
DueValue = Annotated[Due, checked(due)]
MeetingEnd = Annotated[datetime | time, checked(meeting_end)]
Offsets = Annotated[tuple[str, ...], checked(offsets)]
MeetingAudience = Annotated[tuple[str, ...], checked(meeting_audience)]
DeadlineAudience = Annotated[str | None, checked(deadline_audience)]
