"""Pure parsing of slash-command text: tokens, channels, users, percentages, options (dates,
times and offsets: `bot.dates`).

Nothing here knows about Slack clients, storage or languages. A failure is a `ParseError`
whose `kind` names what was expected and whose `value` is the text that did not fit; the
command layer turns it into a localised message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_DOUBLE_OPEN = '"“”„'
_SINGLE_OPEN = "'‘’"
_DOUBLE_QUOTED = re.compile(r"[\"“”„](.*?)[\"“”](?=\s|$)", re.DOTALL)
_SINGLE_QUOTED = re.compile(r"['‘’](.*?)['‘’](?=\s|$)", re.DOTALL)
_BARE = re.compile(r"(?:<[^<>]*>|\S)+")
_SPACE = re.compile(r"\s+")

_PERCENT = re.compile(r"(\d{1,3})%?")


_CHANNEL_ID = r"[CG][A-Z0-9]+"
_USER_ID = r"[UW][A-Z0-9]+"
_ESCAPED_CHANNEL = re.compile(rf"<#({_CHANNEL_ID})(?:\|([^<>]*))?>")
_BARE_CHANNEL_ID = re.compile(_CHANNEL_ID)
_CHANNEL_NAME = re.compile(r"#([\w-]{1,80})")
_USER = re.compile(rf"<@({_USER_ID})(?:\|[^<>]*)?>|({_USER_ID})")


class ParseError(ValueError):
    """A piece of user input that does not have the expected form."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(f"{kind}: {value!r}")
        self.kind = kind
        self.value = value


# --- tokens -------------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    """Split command text into words; a quoted stretch ("…", “…”, ”…”, „…“, '…', ‘…’) is one.

    A quote opens only at the start of a word and closes at a matching quote that is followed
    by whitespace or the end of the text. Slack entities such as `<#C1|name>` stay whole.
    Slack's HTML escapes (`&amp;`, `&lt;`, `&gt;`) are left as they are.
    """
    tokens: list[str] = []
    pos = _skip_space(text, 0)
    while pos < len(text):
        token, pos = _read_token(text, pos)
        tokens.append(token)
        pos = _skip_space(text, pos)
    return tokens


def first_token(text: str) -> tuple[str, str]:
    """The first token of the text, read as `tokenize` reads it, and the rest as typed (its
    line breaks and quotes kept); two empty strings for blank text."""
    pos = _skip_space(text, 0)
    if pos >= len(text):
        return "", ""
    token, end = _read_token(text, pos)
    return token, text[end:]


def after_words(text: str, count: int) -> str:
    """The text after its first `count` whitespace-separated words, as typed."""
    found = re.match(rf"\s*(?:\S+(?:\s+|$)){{{count}}}", text)
    return text[found.end() :] if found else ""


def _skip_space(text: str, pos: int) -> int:
    """The first position at or after `pos` that is not whitespace."""
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _read_token(text: str, pos: int) -> tuple[str, int]:
    """The token that starts at `pos`, and the position just after it."""
    quoted = _quote_pattern(text[pos])
    if quoted is None:
        bare = _BARE.match(text, pos)
        assert bare is not None  # text[pos] is not whitespace
        return bare.group(), bare.end()
    match = quoted.match(text, pos)
    if match is None:
        raise ParseError("quote", text)
    return match.group(1), match.end()


def _quote_pattern(char: str) -> re.Pattern[str] | None:
    """The pattern for a quoted token opened by `char`, or None if it opens none."""
    if char in _DOUBLE_OPEN:
        return _DOUBLE_QUOTED
    if char in _SINGLE_OPEN:
        return _SINGLE_QUOTED
    return None


# --- dates and times ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRef:
    """A channel named by its Slack ID, by its name, or both."""

    id: str | None
    name: str | None


def parse_channel(text: str) -> ChannelRef:
    """A channel from `<#C0123ABC|name>`, `<#C0123ABC>`, `#name` or a bare `C0123ABC` / `G…`."""
    cleaned = text.strip()
    if escaped := _ESCAPED_CHANNEL.fullmatch(cleaned):
        return ChannelRef(escaped.group(1), (escaped.group(2) or "").lower() or None)
    if _BARE_CHANNEL_ID.fullmatch(cleaned):
        return ChannelRef(cleaned, None)
    if named := _CHANNEL_NAME.fullmatch(cleaned.lower()):
        return ChannelRef(None, named.group(1))
    raise ParseError("channel", text)


def parse_user(text: str) -> str:
    """A user ID from `<@U0AAAA001>`, `<@U0AAAA001|name>`, `<@W…>` or a bare `U0AAAA001`."""
    match = _USER.fullmatch(text.strip())
    if match is None:
        raise ParseError("user", text)
    return match.group(1) or match.group(2)


def parse_percent(text: str) -> int:
    """A percentage 0–100 from `40%` or `40`."""
    match = _PERCENT.fullmatch(text.strip())
    if match is None or int(match.group(1)) > 100:
        raise ParseError("percent", text)
    return int(match.group(1))


# --- options ------------------------------------------------------------------------------


def split_options(tokens: list[str], names: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    """Separate `name:value` tokens (for the given names, any case) from positional ones.

    Options are keyed by the name as spelt in `names`; one given twice is a `repeated_option`
    error (which of two values was meant cannot be told). Positional tokens keep their order.
    A token whose prefix is not a known name (`https://…`) stays positional.
    """
    known = {name.casefold(): name for name in names}
    positional: list[str] = []
    options: dict[str, str] = {}
    for token in tokens:
        name, sep, value = token.partition(":")
        if sep and name.casefold() in known:
            options[once(options, known[name.casefold()])] = value
        else:
            positional.append(token)
    return positional, options


def once(options: dict[str, str], name: str) -> str:
    """The option's name, unless it was given already: then a `repeated_option` error."""
    if name in options:
        raise ParseError("repeated_option", f"{name}:")
    return name
