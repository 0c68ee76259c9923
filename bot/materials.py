"""Material baskets: what a saved address, title and tags may be, how they are searched and shown.

Each theme has a basket and the network has one of its own (`all`). Pure functions over plain
values: the rules of a material (address, title, tags), search words, the list, and the modal
that saves a message from a conversation.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot import blocks
from bot.button_values import page_number
from bot.i18n import _, format_day
from bot.outcome import Message, UserError
from bot.suggest import Resolved, normalise, resolve
from bot.text import clean, escape, truncate, unescape

NETWORK = "all"  # the network's basket, as typed and as the modal's option value
NETWORK_WORDS = frozenset({"all", "kaikki", "verkosto", "network", "alla"})
URL, TITLE, BASKET, TAGS = "url", "title", "basket", "tags"  # the modal's blocks, errors' subjects
FIELD = blocks.INPUT_ACTION  # the action id of every input in the modal
SHORTCUT, MODAL, PAGE = "add_to_materials", "add_material", "materials_page"
PER_PAGE, MODAL_OPTIONS_MAX = 15, 100
TITLE_LIMIT, URL_LIMIT, TAG_LIMIT, TAGS_MAX = 300, 2000, 40, 10
SEARCH_TEXT_LIMIT, SEARCH_WORDS_MAX, SEARCH_WORD_LIMIT = 1000, 10, 50
LIKE_ESCAPE = "\\"
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".xlsx", ".pptx", ".doc", ".xls", ".ppt", ".odt", ".ods")
_SLACK_HOSTS = (".slack.com", ".slack-gov.com")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^<>]*))?>")
_TAG = re.compile(r"[\w][\w-]*")
_ENTITY = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_FORMATTING = re.compile(r"(?<!\w)[*_~`]+|[*_~`]+(?!\w)")


class MaterialError(UserError):
    """Input a material cannot be saved with; `about` names the part (URL, TITLE, BASKET, TAGS)."""

    def __init__(self, message: str, about: str) -> None:
        super().__init__(message)
        self.about = about


def is_network(word: str) -> bool:
    """Whether a word names the network's basket rather than a theme's (`all`, `verkosto`…)."""
    return normalise(word) in NETWORK_WORDS


def theme_named(word: str, themes: list[tuple[str, str]]) -> str | None:
    """The key of the `(key, name)` theme a search's first word names for sure, if any.

    An exact key or name, or a prefix of only one theme; no near misses are looked for, since a
    word that names no theme is simply searched for.
    """
    wanted = normalise(word)
    if not wanted or not any(
        normalise(key).startswith(wanted) or normalise(name).startswith(wanted)
        for key, name in themes
    ):
        return None
    found = resolve(word, themes)
    return found.key if isinstance(found, Resolved) else None


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
        raise MaterialError(
            _(
                "'{value}' is not a web address I can save. Write an address that starts with"
                " https:// or http://, e.g. https://example.org/report.pdf, or a link to a file"
                " in Slack."
            ).format(value=escape(unescape(text.strip()))),
            URL,
        )
    return url, unescape(label).strip()


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
    return word.startswith("#") or bool(_CHANNEL.fullmatch(word))


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
    channel = _CHANNEL.fullmatch(word)
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


def search_text(title: str, tags: list[str] | tuple[str, ...]) -> str:
    """What searches look in: the title and tags without case or accents, at most 1000 chars."""
    return normalise(" ".join([title, *tags]))[:SEARCH_TEXT_LIMIT]


def search_words(tokens: list[str]) -> list[str]:
    """The words to look for, normalised as `search_text` is; `#` and channel links unwrapped."""
    words: list[str] = []
    for token in tokens:
        channel = _CHANNEL.fullmatch(token)
        bare = (channel.group(1) or "") if channel else unescape(token).lstrip("#")
        if word := normalise(bare):
            words.append(word)
    # A page button carries the words, and its value holds at most 2000 characters.
    if len(words) > SEARCH_WORDS_MAX or any(len(word) > SEARCH_WORD_LIMIT for word in words):
        raise UserError(
            _("Search with at most {count} words of at most {length} letters each.").format(
                count=SEARCH_WORDS_MAX, length=SEARCH_WORD_LIMIT
            )
        )
    return words


def like_pattern(word: str) -> str:
    """A LIKE pattern finding `word` anywhere; `%`, `_` and the escape character taken literally."""
    for special in (LIKE_ESCAPE, "%", "_"):
        word = word.replace(special, LIKE_ESCAPE + special)
    return f"%{word}%"


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialView:
    """One material as people see it; `theme` names its basket (None: the network's)."""

    title: str
    url: str
    tags: tuple[str, ...]
    added_by: str  # user id
    added_at: datetime
    theme: str | None = None


@dataclass(frozen=True)
class Scope:
    """Where a search looks: every basket, the network's, or one theme's (`theme` its name)."""

    everywhere: bool = True
    theme: str | None = None


def may_name_theme(args: list[str]) -> bool:
    """Whether a search's first word may name a theme's basket: the themes tell what it means
    (no word, or one that names the network's basket, needs none of them)."""
    return bool(args) and not is_network(args[0])


#: A search's basket: the theme's id (None: the network's, or every basket), where it looks, and
#: the words left to search for.
Basket = tuple[int | None, Scope, list[str]]


def basket_of(args: list[str], themes: list[tuple[str, str, int]]) -> Basket:
    """The basket a search's first word names, if it names one for sure, and the words after it:
    the network's (`all`…) or a theme's (`theme_named` among the `(key, name, id)` themes) with
    its id; else every basket, and the first word is searched for too.

    Only an exact key or name or an unambiguous prefix counts, so that a search word that is no
    theme (`raportti`) searches every basket instead of answering "no such theme".
    """
    if not may_name_theme(args):
        return (None, Scope(everywhere=False), args[1:]) if args else (None, Scope(), [])
    named = {key: (name, theme_id) for key, name, theme_id in themes}
    key = theme_named(args[0], [(key, name) for key, (name, _id) in named.items()])
    if key is None:
        return None, Scope(), args
    name, theme_id = named[key]
    return theme_id, Scope(everywhere=False, theme=name), args[1:]


@dataclass(frozen=True)
class Found:
    """One page of a search: its materials, newest first, and whether more follow."""

    items: list[MaterialView]
    page: int
    more: bool = False

    @property
    def total(self) -> int | None:
        """How many match in all, when this page shows the last of them (else unknown)."""
        return (self.page - 1) * PER_PAGE + len(self.items) if not self.more else None


def link(url: str, title: str) -> str:
    """`<url|title>` that neither part can break out of (`|`, `>`, mentions in the title)."""
    safe_url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
    return f"<{safe_url.replace('|', '%7C')}|{escape(title).replace('|', '¦')}>"


def material_list(
    found: Found, scope: Scope, words: list[str], args: list[str], zone: ZoneInfo, usage: str
) -> Message:
    """A page of materials with who added each and when, and buttons to the other pages."""
    heading = _heading(scope, found.total)
    body = [blocks.section(heading)]
    if words:
        searched = _("Search words: {words}").format(words=escape(" ".join(words)))
        body.append(blocks.context(searched))
    if not found.items:
        empty = _("Nothing found.") + " " + _("Add a material with {usage}.").format(usage=usage)
        body.append(blocks.section(empty))
        return Message(f"{heading}\n{empty}", body)
    for item in found.items:
        body.extend(_item_blocks(item, scope.everywhere, zone))
    if found.page > 1 or found.more:
        body.extend(_pager(found, args))
    lines = [f"• {escape(item.title)}" for item in found.items]
    return Message(blocks.fallback([heading, *lines]), body)


def _heading(scope: Scope, total: int | None) -> str:
    """The basket searched, and how many were found when all of them are known (more pages
    follow: the count is not worked out, a page is read without it)."""
    if scope.theme is not None:
        theme = escape(scope.theme)
        text = (
            _("Materials of the theme {theme}").format(theme=theme)
            if total is None
            else _("Materials of the theme {theme} ({count})").format(theme=theme, count=total)
        )
    elif not scope.everywhere:
        text = (
            _("The network basket")
            if total is None
            else _("The network basket ({count})").format(count=total)
        )
    else:
        text = _("Materials") if total is None else _("Materials ({count})").format(count=total)
    return f"*{text}*"


def _item_blocks(item: MaterialView, everywhere: bool, zone: ZoneInfo) -> list[blocks.Block]:
    facts = []
    if everywhere:
        facts.append(escape(item.theme) if item.theme else _("Network basket"))
    if item.tags:
        facts.append(" ".join("#" + escape(tag) for tag in item.tags))
    facts.append(_added(item, zone))
    return [blocks.section(f"*{link(item.url, item.title)}*"), blocks.context(" · ".join(facts))]


def _added(item: MaterialView, zone: ZoneInfo) -> str:
    day = format_day(item.added_at.astimezone(zone).date())
    return _("added by <@{user}> on {day}").format(user=item.added_by, day=day)


def _pager(found: Found, args: list[str]) -> list[blocks.Block]:
    page, buttons = found.page, []
    if page > 1:
        buttons.append(blocks.button(_("◀ Newer"), f"{PAGE}_prev", page_value(args, page - 1)))
    if found.more:
        buttons.append(blocks.button(_("Older ▶"), f"{PAGE}_next", page_value(args, page + 1)))
        note = _("Page {page}; older ones on the next pages").format(page=page)
    else:
        note = _("Page {page}, the last").format(page=page)
    return [blocks.context(note), blocks.actions(*buttons)]


def page_value(args: list[str], page: int) -> str:
    """A page button's value: the search's words and the page (`search_words` keeps it short)."""
    return json.dumps({"args": args, "page": page}, ensure_ascii=False)


def read_page_value(value: str) -> tuple[list[str], int]:
    """The words and page of a button's value; a forged one is the first page of everything."""
    try:
        data = json.loads(value)
        args, page = data["args"], data["page"]
    except (ValueError, TypeError, KeyError):
        return [], 1
    if not isinstance(page, int) or isinstance(page, bool) or not isinstance(args, list):
        return [], 1
    if not all(isinstance(arg, str) for arg in args):
        return [], 1
    return list(args), max(page_number(str(page)), 1)


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


def duplicate_error(item: MaterialView, zone: ZoneInfo) -> str:
    """The same, as a modal shows it under the address (plain text: no links, no mentions)."""
    day = format_day(item.added_at.astimezone(zone).date())
    return _("This address is already in the basket: {title}, added on {day}.").format(
        title=escape(truncate(item.title, 100)), day=day
    )


# --- saving from a conversation ---------------------------------------------------------------


def material_modal(
    url: str, title: str, choices: list[tuple[str, str]], chosen: str | None, metadata: str
) -> dict[str, Any]:
    """The form a message shortcut opens: address and title prefilled, basket, tags."""
    return {
        **blocks.modal(_("Add to materials"), _("Cancel")),
        "callback_id": MODAL,
        "submit": blocks.plain(_("Add")),
        "private_metadata": metadata[:3000],
        "blocks": [
            blocks.form_input(URL, _("Address"), blocks.text_input(url, URL_LIMIT)),
            blocks.form_input(TITLE, _("Title"), blocks.text_input(title, TITLE_LIMIT)),
            blocks.form_input(BASKET, _("Basket"), _basket_select(choices, chosen)),
            _tags_input(),
        ],
    }


def _basket_select(choices: list[tuple[str, str]], chosen: str | None) -> dict[str, Any]:
    """The baskets to choose from; the message's theme (or the only basket) chosen already."""
    options = [blocks.option(value, label) for value, label in choices[:MODAL_OPTIONS_MAX]]
    select: dict[str, Any] = {
        "type": "static_select",
        "placeholder": blocks.plain(_("Choose a basket")),
        "options": options,
    }
    initial = next((o for o in options if o["value"] == chosen), None)
    if initial is not None or len(options) == 1:
        select["initial_option"] = initial or options[0]
    return select


def _tags_input() -> dict[str, Any]:
    hint = _("Words that help others find it, separated by spaces, e.g. #seuranta #raportti")
    return blocks.form_input(TAGS, _("Tags"), blocks.text_input("", 500), optional=True, hint=hint)


def no_basket_modal(hint: str) -> dict[str, Any]:
    """What the shortcut shows someone who may add to no basket: how to join a theme."""
    text = _("You can add materials to the themes you have joined. {hint}").format(hint=hint)
    return {**blocks.modal(_("Add to materials"), _("Close")), "blocks": [blocks.section(text)]}


def source_metadata(channel: str, ts: str) -> str:
    """The modal's `private_metadata`: the message it was opened on."""
    return json.dumps({"channel": channel, "ts": ts})


def source_channel(metadata: str) -> str:
    """The channel of the message the modal was opened on; "" if the metadata does not say."""
    try:
        channel = json.loads(metadata).get("channel")
    except (ValueError, AttributeError):
        return ""
    return channel if isinstance(channel, str) else ""


def draft_from_form(values: dict[str, Any]) -> Draft:
    """The material a submitted modal describes (`view.state.values`); MaterialError if bad."""

    def field(block_id: str) -> dict[str, Any]:  # a forged form may hold anything anywhere
        block = values.get(block_id) if isinstance(values, dict) else None
        found = block.get(FIELD) if isinstance(block, dict) else None
        return found if isinstance(found, dict) else {}

    def typed(block_id: str) -> str:
        return clean(str(field(block_id).get("value") or ""))

    option = field(BASKET).get("selected_option")
    basket = option.get("value") if isinstance(option, dict) else None
    if not basket:
        raise MaterialError(_("Choose the basket."), BASKET)
    url, _label = parse_link(typed(URL))
    return Draft(str(basket), url, checked_title(typed(TITLE)), tags_from_text(typed(TAGS)))


def title_from_message(text: str) -> str:
    """A title from a message: its first line, without mrkdwn, at most 150 characters."""
    plain = unescape(_ENTITY.sub(_entity_text, text))
    for line in plain.splitlines():
        line = _FORMATTING.sub("", line).strip().lstrip(">•").strip()
        if line:
            return truncate(" ".join(line.split()), 150)
    return ""


def _entity_text(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(("@", "#")):
        return target[0] + (label or target[1:])
    if target.startswith("!"):
        return label or "@" + target[1:].split("^")[0]
    return label or target
