"""The list of materials: a page of a search, with who added each and when, and its buttons."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from bot import blocks
from bot.button_values import page_number
from bot.i18n import _, format_day
from bot.materials.material import MaterialView, link
from bot.materials.search import Found, Scope
from bot.outcome import Message
from bot.text import escape

PAGE = "materials_page"  # the page buttons' action ids begin so


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
