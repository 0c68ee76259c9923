"""A material: what a saved address, title and tags may be, and how saving one is answered.

Each theme has a basket and the network has one of its own (`all`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.i18n import _, format_day
from bot.outcome import UserError
from bot.suggest import normalise
from bot.text import clean, escape, truncate, unescape

NETWORK = "all"  # the network's basket, as typed and as the modal's option value
NETWORK_WORDS = frozenset({"all", "kaikki", "verkosto", "network", "alla"})
URL, TITLE, BASKET, TAGS = "url", "title", "basket", "tags"  # the modal's blocks, errors' subjects
TITLE_LIMIT, URL_LIMIT, TAG_LIMIT, TAGS_MAX = 300, 2000, 40, 10
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".xlsx", ".pptx", ".doc", ".xls", ".ppt", ".odt", ".ods")
CHANNEL_LINK = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^<>]*))?>")  # Slack's link of a typed #word
_SLACK_HOSTS = (".slack.com", ".slack-gov.com")
_TAG = re.compile(r"[\w][\w-]*")


class MaterialError(UserError):
    """Input a material cannot be saved with; `about` names the part (URL, TITLE, BASKET, TAGS),
    `in_form` says it as a form shows it under that part (plain text; the message unless given)."""

    def __init__(self, message: str, about: str, in_form: str | None = None) -> None:
        super().__init__(message)
        self.about = about
        self.in_form = message if in_form is None else in_form


def is_network(word: str) -> bool:
    """Whether a word names the network's basket rather than a theme's (`all`, `verkosto`…)."""
    return normalise(word) in NETWORK_WORDS


@dataclass(frozen=True)
class Draft:
    """A material to save: the basket as the user named it, and what goes in it."""

    basket: str  # a theme's key or name (prefix), or one of NETWORK_WORDS
    url: str
    title: str
    tags: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """`file` for a Slack file, `document` for an office or PDF file, else `link`."""
        return kind_of(self.url)


def draft_from_words(words: list[str]) -> Draft:
    """`<theme or all> <url> <title…> [#tag…]` from command tokens; MaterialError if not so."""
    if len(words) < 2:
        raise MaterialError(_("Name the basket, the address and the title."), URL)
    if words[0].lstrip("<").lower().startswith(("http:", "https:")):
        raise MaterialError(
            _("Name the basket first: a theme, or all for the network basket."), BASKET
        )
    url, label = parse_link(words[1])
    rest = words[2:]
    tags = parse_tags([word for word in rest if is_tag(word)])
    title = unescape(" ".join(word for word in rest if not is_tag(word))).strip() or label
    return Draft(words[0], url, checked_title(title), tags)


def parse_link(text: str) -> tuple[str, str]:
    """The address and label of `<https://x|label>`, `<https://x>` or `https://x`.

    Slack wraps links in slash-command text in angle brackets and escapes `&` as `&amp;`.
    Only web addresses are kept: `javascript:`, `ftp:`, a bare word and the like are refused.
    """
    cleaned = text.strip()
    label = ""
    if cleaned.startswith("<") and cleaned.endswith(">"):
        cleaned, _bar, label = cleaned[1:-1].partition("|")
    url = unescape(cleaned).strip()
    if not _is_web_address(url):
        raise _not_web_address(unescape(text.strip()))
    return url, unescape(label).strip()


def checked_draft(basket: str, url: str, title: str, tags: Iterable[str] = ()) -> Draft:
    """A material from plain values, held to the rules a typed one is: a web address, a title,
    one-word tags (`#` optional); MaterialError if it breaks one."""
    url = clean(url).strip()
    if not _is_web_address(url):
        raise _not_web_address(url)
    return Draft(basket, url, checked_title(clean(title)), parse_tags(list(tags)))


def _not_web_address(typed: str) -> MaterialError:
    return MaterialError(
        _(
            "'{value}' is not a web address I can save. Write an address that starts with"
            " https:// or http://, e.g. https://example.org/report.pdf, or a link to a file"
            " in Slack."
        ).format(value=escape(typed)),
        URL,
    )


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return (
        parts.scheme.lower() in ("http", "https")
        and bool(host)
        and not any(char.isspace() for char in url)
        and len(url) <= URL_LIMIT
    )


def kind_of(url: str) -> str:
    """`file` for a Slack file permalink, `document` for .pdf/.docx/.xlsx/.pptx…, else `link`."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path.lower()
    if host.endswith(_SLACK_HOSTS) and path.startswith("/files/"):
        return "file"
    return "document" if path.endswith(DOCUMENT_SUFFIXES) else "link"


def checked_title(title: str) -> str:
    """The title, or a MaterialError when it is missing or too long."""
    title = " ".join(title.split())
    if not title:
        raise MaterialError(_("The material needs a title: write it after the address."), TITLE)
    if len(title) > TITLE_LIMIT:
        raise MaterialError(
            _("The title is too long: at most {limit} characters.").format(limit=TITLE_LIMIT),
            TITLE,
        )
    return title


def is_tag(word: str) -> bool:
    """A `#tag`, or a channel link Slack made of a typed `#word` (`<#C0123|seuranta>`)."""
    return word.startswith("#") or bool(CHANNEL_LINK.fullmatch(word))


def parse_tags(words: list[str]) -> tuple[str, ...]:
    """Tags lower-cased and normalised (NFC), each once, in the order given."""
    tags: list[str] = []
    for word in words:
        tag = _tag(word)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise MaterialError(_("Give at most {count} tags.").format(count=TAGS_MAX), TAGS)
    return tuple(tags)


def tags_from_text(text: str) -> tuple[str, ...]:
    """Tags typed into the modal: words separated by spaces or commas, `#` optional."""
    words = [word for word in re.split(r"[\s,]+", unescape(text)) if word.strip("#")]
    return parse_tags([word if word.startswith("#") else "#" + word for word in words])


def _tag(word: str) -> str:
    channel = CHANNEL_LINK.fullmatch(word)
    bare = (channel.group(1) or "") if channel else word.removeprefix("#")
    tag = unicodedata.normalize("NFC", bare.rstrip(".,;:!?")).lower()
    if not _TAG.fullmatch(tag) or len(tag) > TAG_LIMIT:
        raise MaterialError(
            _(
                "'{value}' is not a tag I can use. Write # and one word of at most {limit}"
                " letters, e.g. #seuranta."
            ).format(value=escape(unescape(word)), limit=TAG_LIMIT),
            TAGS,
        )
    return tag


@dataclass(frozen=True)
class MaterialView:
    """One material as people see it; `theme` names its basket (None: the network's)."""

    title: str
    url: str
    tags: tuple[str, ...]
    added_by: str  # user id
    added_at: datetime
    theme: str | None = None


def link(url: str, title: str) -> str:
    """`<url|title>` that neither part can break out of (`|`, `>`, mentions in the title)."""
    safe_url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
    return f"<{safe_url.replace('|', '%7C')}|{escape(title).replace('|', '¦')}>"


# --- saving -----------------------------------------------------------------------------------


def saved_text(item: MaterialView) -> str:
    """The confirmation of a material saved."""
    if item.theme is None:
        text = _("Added *{link}* to the network basket.")
    else:
        text = _("Added *{link}* to the basket of the theme *{theme}*.")
    text = text.format(link=link(item.url, item.title), theme=escape(item.theme or ""))
    if item.tags:
        tags = ", ".join("#" + escape(tag) for tag in item.tags)
        text += " " + _("Tags: {tags}").format(tags=tags)
    return text


def duplicate_text(item: MaterialView, zone: ZoneInfo) -> str:
    """The answer when the address is already in the basket: who added it and when."""
    if item.theme is None:
        text = _("*{link}* is already in the network basket, added by <@{user}> on {day}.")
    else:
        text = _(
            "*{link}* is already in the basket of the theme *{theme}*, added by <@{user}> on {day}."
        )
    day = format_day(item.added_at.astimezone(zone).date())
    text = text.format(
        link=link(item.url, item.title), theme=escape(item.theme or ""), user=item.added_by, day=day
    )
    return text + " " + _("Nothing was added.")


def already_saved(item: MaterialView, zone: ZoneInfo) -> MaterialError:
    """The refusal of an address already in the basket: said in full, and in a form briefly."""
    return MaterialError(duplicate_text(item, zone), URL, duplicate_error(item, zone))


def duplicate_error(item: MaterialView, zone: ZoneInfo) -> str:
    """The same, as a modal shows it under the address (plain text: no links, no mentions)."""
    day = format_day(item.added_at.astimezone(zone).date())
    return _("This address is already in the basket: {title}, added on {day}.").format(
        title=escape(truncate(item.title, 100)), day=day
    )
