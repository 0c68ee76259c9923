"""The kinds of single values a plan holds, as pydantic types: texts, keys, Slack ids, web
addresses, choices, switches and percentages.

pydantic checks each value's type (strictly: a number is not text, 1 is not true) and its
length; the validators here clean the text (`bot.text.clean`: no control character is ever
stored) and check what only the plan knows, raising a `plan` error whose message says what is
wrong and how to write it. The messages of pydantic's own errors are in `bot.plan.problems`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Annotated, Final, NoReturn
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from annotated_types import MaxLen, MinLen
from pydantic import AfterValidator, BeforeValidator, Strict
from pydantic_core import PydanticCustomError

from bot.parsing import ParseError, parse_channel
from bot.plan.problems import KEEP_HINT, kind, shown
from bot.suggest import did_you_mean
from bot.text import clean

_KEY = re.compile(r"[a-z0-9][a-z0-9-]+")
_USER = re.compile(r"[UW][A-Z0-9]{2,31}")
_WHOLE = re.compile(r"\s*-?\d+\s*%?\s*")

LANGUAGES: Final = ("fi", "sv", "en")
ORGANISATION_KINDS: Final = ("region", "municipality", "agency", "other")
MEMBER_ROLES: Final = ("coordinator", "member")
WP_STATUSES: Final = ("planned", "in_progress", "done", "blocked", "cancelled")
MATERIAL_KINDS: Final = ("link", "file", "document", "other")


def fail(message: str) -> NoReturn:
    """Refuse a value with an operator-facing message."""
    raise PydanticCustomError("plan", "{message}", {"message": message})


def text_of(value: object) -> str:
    """A value that must be written as text, cleaned and stripped (for the values made of text
    that have no pydantic type of their own: due dates, meeting ends, reminder offsets)."""
    if not isinstance(value, str):
        fail(f"must be text, not {kind(value)}")
    return one_line(value)


# --- text ---------------------------------------------------------------------------------


def one_line(value: str) -> str:
    """Text on one line, without control characters (a line break becomes a space)."""
    return clean(value).strip()


def _lines(value: str) -> str:
    return clean(value, multiline=True).strip()


def _none_is_empty_text(value: object) -> object:
    """`null` for a text that may be empty: the empty text."""
    return "" if value is None else value


Line = Annotated[str, Strict(), AfterValidator(one_line)]
Name = Annotated[Line, MinLen(1), MaxLen(200)]
Title = Annotated[Line, MinLen(1), MaxLen(500)]
Place = Annotated[Line, BeforeValidator(_none_is_empty_text), MaxLen(500)]
Presenter = Annotated[Line, BeforeValidator(_none_is_empty_text), MaxLen(200)]
LongText = Annotated[
    str, BeforeValidator(_none_is_empty_text), Strict(), AfterValidator(_lines), MaxLen(100_000)
]
Ref = Annotated[Line, MinLen(1)]  # the key of something else in the plan (checked later)


def _key(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not _KEY.fullmatch(value) or len(value) > limit:
            fail(
                f"{shown(value)} is not a key: use lower-case letters, digits and hyphens"
                f" (2 to {limit}), e.g. 'tampere' or 'liikenne-2'"
            )
        return value

    return check


Key64 = Annotated[Line, AfterValidator(_key(64))]
Key100 = Annotated[Line, AfterValidator(_key(100))]


def _user(value: str) -> str:
    """A Slack user id such as U0AAAA001 (a mention `<@U0AAAA001>` is accepted too)."""
    bare = value.removeprefix("<@").removesuffix(">").split("|")[0]
    if not _USER.fullmatch(bare):
        fail(f"{shown(value)} is not a Slack user id (like U0AAAA001)")
    return bare


def _channel(value: str) -> str:
    """A Slack channel id such as C0LIIKENNE (or `<#C0LIIKENNE|liikenne>`)."""
    try:
        found = parse_channel(value)
    except ParseError:
        found = None
    if found is None or found.id is None:
        fail(f"{shown(value)} is not a Slack channel id (like C0LIIKENNE)")
    return found.id


def _url(value: str) -> str:
    """A web address: http or https (Slack file permalinks are https too)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        fail(f"{shown(value)} is not a web address: it must start with http:// or https://")
    if len(value) > 2000:
        fail("is longer than 2000 characters")
    return value


def _timezone(value: str) -> str:
    """An IANA time zone name such as Europe/Helsinki."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone {shown(value)}; write e.g. Europe/Helsinki")
    return value


def _tag(value: str) -> str:
    """A material tag, without a leading `#`."""
    return value.lstrip("#").strip()


User = Annotated[Line, AfterValidator(_user)]
Channel = Annotated[Line, AfterValidator(_channel)]
Url = Annotated[Line, AfterValidator(_url)]
TimeZone = Annotated[Line, AfterValidator(_timezone)]
Tag = Annotated[Line, AfterValidator(_tag), MinLen(1)]


def one_of(values: Sequence[str], what: str) -> AfterValidator:
    """One of a few words, with a suggestion for a near miss."""

    def check(value: str) -> str:
        if value in values:
            return value
        near = did_you_mean(value, values)
        hint = f" (did you mean {near!r}?)" if near else ""
        fail(f"unknown {what} {shown(value)}{hint}; use one of {', '.join(values)}")

    return AfterValidator(check)


Language = Annotated[Line, one_of(LANGUAGES, "language")]
OrganisationKind = Annotated[Line, one_of(ORGANISATION_KINDS, "kind")]
Role = Annotated[Line, one_of(MEMBER_ROLES, "role")]
Status = Annotated[Line, one_of(WP_STATUSES, "status")]
MaterialKind = Annotated[Line, one_of(MATERIAL_KINDS, "kind")]


# --- numbers and switches -----------------------------------------------------------------


def _percent_written(value: object) -> object:
    """`40%` and `"40"` for 40 (a number written as text); anything else as it is."""
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        return int(value.strip().rstrip("%"))
    return value


def _percentage(value: int) -> int:
    if not 0 <= value <= 100:
        fail(f"{value} is outside 0–100")
    return value


_SWITCH_WORDS: Final = {
    "true": True,
    "on": True,
    "yes": True,
    "false": False,
    "off": False,
    "no": False,
}


def _switch_written(value: object) -> object:
    """on/off and yes/no for true/false; anything else as it is."""
    if isinstance(value, str):
        return _SWITCH_WORDS.get(value.strip().lower(), value)
    return value


# A percentage 0–100, as `40` or `"40%"`; pydantic's `int_type` error names it (its only use).
Progress = Annotated[int, BeforeValidator(_percent_written), Strict(), AfterValidator(_percentage)]
Switch = Annotated[bool, BeforeValidator(_switch_written), Strict()]  # true/false, on/off, yes/no


# --- null ---------------------------------------------------------------------------------


def none_is_empty(value: object) -> object:
    """`null` for a list: the empty list (a key left out keeps what is stored instead)."""
    return [] if value is None else value


def not_null(value: object) -> object:
    """A value that may be left out (and is then kept) but not cleared with `null`."""
    if value is None:
        fail(f"cannot be null: {KEEP_HINT}, or give a value")
    return value


Kept = BeforeValidator(not_null)  # may be left out (kept), not cleared
EmptyIfNull = BeforeValidator(none_is_empty)
