"""Small builders of Block Kit structures (plain dicts), within Slack's documented limits."""

from __future__ import annotations

from typing import Any

from bot.i18n import _
from bot.text import truncate

SECTION_TEXT_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
MESSAGE_BLOCK_LIMIT = 50
FALLBACK_TEXT_LIMIT = 3000
OPTION_TEXT_LIMIT = 75
MODAL_TEXT_LIMIT = 24  # a modal's title and its buttons' labels
INPUT_ACTION = "value"  # the action id of every field of a form: its block id tells them apart

Block = dict[str, Any]


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object."""
    return {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_LIMIT)}


def plain(text: str) -> Block:
    """A plain-text object: a label, a modal's title, a placeholder."""
    return {"type": "plain_text", "text": text}


def modal(title: str, close: str, **fields: Any) -> Block:
    """A modal view with its title and Close button (cut to Slack's 24 characters), and `fields`
    (`blocks`, `submit`, `callback_id`…)."""
    return {
        "type": "modal",
        "title": plain(truncate(title, MODAL_TEXT_LIMIT)),
        "close": plain(truncate(close, MODAL_TEXT_LIMIT)),
        **fields,
    }


def section(text: str, accessory: Block | None = None) -> Block:
    """A section of mrkdwn text, optionally with a button beside it."""
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(text: str) -> Block:
    """Small grey text under a section."""
    return {"type": "context", "elements": [mrkdwn(text)]}


def header(text: str) -> Block:
    """A bold heading (plain text, at most 150 characters)."""
    return {"type": "header", "text": plain(truncate(text, 150))}


def divider() -> Block:
    """A thin line between items."""
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    """A button; its value is only a hint, the handler decides from stored data."""
    element: Block = {
        "type": "button",
        "text": plain(truncate(text, BUTTON_TEXT_LIMIT)),
        "action_id": action_id,
        "value": value[:2000],
    }
    if style is not None:
        element["style"] = style
    return element


def actions(*elements: Block) -> Block:
    """A row of buttons."""
    return {"type": "actions", "elements": list(elements)}


# --- forms (modals) ---------------------------------------------------------------------------


def text_input(initial: str, limit: int, placeholder: str = "", multiline: bool = False) -> Block:
    """A text field of at most `limit` characters, filled in with `initial`."""
    element: Block = {"type": "plain_text_input", "action_id": INPUT_ACTION, "max_length": limit}
    if initial:
        element["initial_value"] = initial[:limit]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    if multiline:
        element["multiline"] = True
    return element


def form_input(
    block_id: str, label: str, element: Block, optional: bool = False, hint: str = ""
) -> Block:
    """A labelled field of a form; what it holds is read under `block_id` and `INPUT_ACTION`."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {**element, "action_id": INPUT_ACTION},
    }
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint)
    return block


def option(value: str, label: str) -> Block:
    """One choice of a select menu, within Slack's limits."""
    return {"text": plain(truncate(label, OPTION_TEXT_LIMIT)), "value": value[:150]}


def sections(lines: list[str]) -> list[Block]:
    """Sections holding the lines in order, each within the section text limit."""
    found: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > SECTION_TEXT_LIMIT:
            found.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        found.append(section("\n".join(chunk)))
    return found


def fallback(lines: list[str]) -> str:
    """The notification text of a message, within Slack's limit."""
    return truncate("\n".join(lines), FALLBACK_TEXT_LIMIT)


def pages(count: int, per_page: int) -> int:
    """How many pages `count` items fill (at least one)."""
    return max(1, -(-count // per_page))


def page_within(page: int, count: int, per_page: int) -> int:
    """The page to show when `page` is asked for among `count` items (the nearest there is)."""
    return min(max(page, 1), pages(count, per_page))


def pager(prefix: str, page: int, count: int, value: str = "") -> list[Block]:
    """`Page 2 of 25` and the buttons around it; each button's value is `value` + the page."""
    buttons = []
    if page > 1:
        buttons.append(button(_("◀ Previous"), f"{prefix}_prev", f"{value}{page - 1}"))
    if page < count:
        buttons.append(button(_("Next ▶"), f"{prefix}_next", f"{value}{page + 1}"))
    note = _("Page {page} of {pages}").format(page=page, pages=count)
    return [context(note), actions(*buttons)] if buttons else []
