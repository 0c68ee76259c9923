"""Announcements (PRODUCT.md §3): what `announce` reads, and the post it makes, that cannot ping.

The text arrives as Slack sends a slash command's text with escaping on: mentions as entities
(`<!channel>`, `<@U…|name>`, `<!subteam^S…|@group>`), links as `<https://…|label>`, and the
characters `<`, `>` and `&` the author typed as `&lt;`, `&gt;` and `&amp;`. `sanitise` keeps the
author's formatting, line breaks and links and turns every mention into the plain name, so
nothing in an announcement notifies anyone; what the author typed stays text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot import blocks
from bot.dates import parse_time, typed_date
from bot.i18n import _, format_moment
from bot.notices import Writing, notice
from bot.outcome import Message, UserError
from bot.parsing import first_token
from bot.scheduling import is_clock
from bot.text import escape, truncate, unescape

LIMIT = 3000  # characters of text, as the author typed it
SPECIAL = ("channel", "here", "everyone")  # the mentions that notify a whole channel
JOINER = "\u2060"  # WORD JOINER: unseen, but `@⁠here` is no longer the word Slack would read
_ENTITY = re.compile(r"<([^<>]*)>")
_LINK = re.compile(r"(?:https?://|mailto:|tel:)[^\s|]+", re.IGNORECASE)
_CHANNEL = re.compile(r"#[CG][A-Z0-9]+")
_SPECIAL_WORD = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_AT = re.compile(r"\s*(\S+)")
CANCEL = "announcement_cancel"  # the Cancel button's action id
LISTED = 20  # announcements a list shows


@dataclass(frozen=True)
class Draft:
    """`<theme or all> [at:<date> <time>] <text…>`: the text as Slack sent it, lines kept."""

    audience: str
    day: date | None
    clock: time | None
    text: str


def parse(typed: str, today: date) -> Draft | None:
    """The announcement the words after `announce` describe; None without an audience or text.

    A date or time written wrong is the shared parser's error; a date without a time a
    `UserError` that shows the form.
    """
    audience, rest = first_token(typed)
    day = clock = None
    word = _AT.match(rest)
    if word and word.group(1).casefold().startswith("at:"):
        day = typed_date(word.group(1)[3:], today)
        rest = rest[word.end() :]
        clock_word = _AT.match(rest)
        if clock_word is None or not is_clock(clock_word.group(1)):
            raise UserError(_("Give the time as well as the date, like at:28.4. 16:00."))
        clock = parse_time(clock_word.group(1))
        rest = rest[clock_word.end() :]
    text = rest.strip()
    return Draft(audience, day, clock, text) if audience and text else None


def check_length(text: str) -> None:
    """Refuse a text longer than LIMIT characters (counted as the author typed them)."""
    length = len(unescape(text))
    if length > LIMIT:
        raise UserError(
            _(
                "The announcement is {length} characters long; at most {limit} fit."
                " Shorten it and send it again."
            ).format(length=length, limit=LIMIT)
        )


def mentioned_users(text: str) -> list[str]:
    """The people the text mentions (`<@U…>`), whose names `sanitise` needs."""
    found = (m.group(1).partition("|")[0] for m in _ENTITY.finditer(text))
    return list(dict.fromkeys(target[1:] for target in found if target.startswith("@")))


def sanitise(text: str, names: Mapping[str, str]) -> str:
    """The text as mrkdwn that cannot ping: mentions as plain names (`names`: user id → the
    name Slack shows), links and channel links kept, everything else the author typed as text."""
    parts, position = [], 0
    for found in _ENTITY.finditer(text):
        parts += [_plain(text[position : found.start()]), _entity(found.group(1), names)]
        position = found.end()
    return "".join([*parts, _plain(text[position:])])


def _plain(typed: str) -> str:
    """Typed text (escaped by Slack, or not, from the console) as mrkdwn text."""
    return _SPECIAL_WORD.sub("@" + JOINER, escape(unescape(typed)))


def _entity(inner: str, names: Mapping[str, str]) -> str:
    """One `<…>` of Slack's: a mention becomes a name, a link stays, anything else is text."""
    target, _bar, label = inner.partition("|")
    if target.startswith("@"):
        return _plain("@" + (names.get(target[1:]) or label.removeprefix("@") or target[1:]))
    if target.startswith("!"):
        word = target[1:]
        if word.casefold() in SPECIAL:
            return "@" + JOINER + word
        if word.startswith("subteam^"):
            return "@" + JOINER + _plain(label.removeprefix("@") or "group")
        return _plain(label or word)  # e.g. a date's fallback text
    if _CHANNEL.fullmatch(target):
        return f"<{target}>"  # a link to a channel notifies nobody
    if _LINK.fullmatch(target):
        return f"<{target}|{_plain(label)}>" if label else f"<{target}>"
    return _plain(f"<{inner}>")


def preview(body: str, limit: int = 150) -> str:
    """A sanitised text on one short line: links as their labels."""
    shown = _ENTITY.sub(lambda m: m.group(1).partition("|")[2] or m.group(1), body)
    return truncate(" ".join(shown.split()), limit)


def post(theme: str | None, author: str, body: str, how: Writing) -> Message:
    """The announcement as posted: who announced it and to whom, then the text (marked late
    if it goes out late)."""
    if theme is None:
        head = _(":mega: *An announcement to the whole network* from {author}")
        head = head.format(author=_plain(author))
    else:
        head = _(":mega: *{theme}*: an announcement from {author}")
        head = head.format(theme=escape(theme), author=_plain(author))
    return notice(how, f"{head}\n\n{body}")


# --- the list of scheduled ones --------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """A scheduled announcement as the list shows it to one reader."""

    id: int
    due_at: datetime
    theme: str | None  # None: the whole network
    author: str  # name
    body: str  # sanitised mrkdwn
    cancellable: bool  # by this reader


def scheduled_list(items: list[Listed], heading: str, note: str, zone: ZoneInfo) -> Message:
    """The list, each with a Cancel button for a reader who may cancel it (`note`: what was
    just done, shown first)."""
    shown = items[:LISTED]
    lines = [_line(item, zone) for item in shown]
    found = [blocks.section(note)] if note else []
    found.append(blocks.header(heading))
    for item, line in zip(shown, lines, strict=True):
        cancel = blocks.button(_("Cancel"), CANCEL, str(item.id), "danger")
        found.append(blocks.section(line, cancel if item.cancellable else None))
    if len(items) > LISTED:
        found.append(blocks.context(_("…and {count} more.").format(count=len(items) - LISTED)))
    return Message(blocks.fallback([note, heading, *lines] if note else [heading, *lines]), found)


def _line(item: Listed, zone: ZoneInfo) -> str:
    where = escape(item.theme) if item.theme else _("the whole network")
    head = _("*#{id}* {when}, {where}, from {author}").format(
        id=item.id, when=format_moment(item.due_at, zone), where=where, author=_plain(item.author)
    )
    return f"{head}\n{preview(item.body)}"
