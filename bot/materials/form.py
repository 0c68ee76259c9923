"""Saving from a conversation: the modal a message shortcut opens, and what it holds."""

from __future__ import annotations

import json
import re
from typing import Any

from bot import blocks
from bot.i18n import _
from bot.materials.material import (
    BASKET,
    TAGS,
    TITLE,
    TITLE_LIMIT,
    URL,
    URL_LIMIT,
    Draft,
    MaterialError,
    checked_title,
    parse_link,
    tags_from_text,
)
from bot.text import clean, truncate, unescape

FIELD = blocks.INPUT_ACTION  # the action id of every input in the modal
SHORTCUT, MODAL = "add_to_materials", "add_material"
MODAL_OPTIONS_MAX = 100
_ENTITY = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_FORMATTING = re.compile(r"(?<!\w)[*_~`]+|[*_~`]+(?!\w)")


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
