"""A Slack message as a terminal shows it: Block Kit drawn as lines of text, mrkdwn's links,
mentions and channels made readable, and the buttons it offers.

What Slack draws, the console draws: a header, sections (their text, fields and the button
beside them), context lines, dividers, rows of buttons as `[Label]`, and a form's fields as
`Label: ____`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.outcome import Message
from bot.text import unescape

DIVIDER = "─" * 40
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


@dataclass(frozen=True)
class Button:
    """A button a message offers: its label, what it does, and the text it stands beside."""

    label: str
    action_id: str
    value: str
    near: str  # the text of the block the button belongs to, to tell like buttons apart
    url: str | None = None


@dataclass(frozen=True)
class Drawn:
    """A message as lines of text, and its buttons in the order they are drawn."""

    text: str
    buttons: tuple[Button, ...]


def draw(message: Message, channels: Mapping[str, str]) -> Drawn:
    """The message as Slack shows it: its blocks, else its text. `channels` names channel ids
    (`C0LIIKENNE` → `#liikenne`)."""
    if not message.blocks:
        return Drawn(readable(message.text, channels), ())
    lines: list[str] = []
    buttons: list[Button] = []
    for block in message.blocks:
        lines += _block(block, channels, buttons, "\n".join(lines))
    return Drawn("\n".join(lines), tuple(buttons))


def readable(text: str, channels: Mapping[str, str]) -> str:
    """mrkdwn as plain text: `<url|title>` → `title (url)`, `<@U1>` → `@U1`, `<#C1>` → its
    name, `<!here>` → `@here`, and `&lt;` `&gt;` `&amp;` as the characters."""
    return unescape(_LINK.sub(lambda match: _link(match, channels), text))


def _link(match: re.Match[str], channels: Mapping[str, str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        return f"@{label or target[1:]}"
    if target.startswith("#"):
        return channels.get(target[1:]) or f"#{label or target[1:]}"
    if target.startswith("!"):
        return label or "@" + target[1:].split("^")[0]
    return f"{label} ({target})" if label and label != target else target


def _block(
    block: dict[str, Any], channels: Mapping[str, str], found: list[Button], above: str
) -> list[str]:
    """The lines of one block; a row of buttons stands beside the text `above` it."""
    kind = block.get("type")
    if kind == "header":
        return [f"*{_text(block.get('text'), channels)}*"]
    if kind == "divider":
        return [DIVIDER]
    if kind == "context":
        texts = [_text(e, channels) for e in block.get("elements", []) if e.get("type") != "image"]
        return ["  " + " ".join(texts)] if texts else []
    if kind == "section":
        return _section(block, channels, found)
    if kind == "actions":
        labels = [_element(e, channels, above, found) for e in block.get("elements", [])]
        return [" ".join(label for label in labels if label)]
    if kind == "input":
        label = _text(block.get("label"), channels)
        return [f"{label}: {_initial(block.get('element', {})) or '____'}"]
    if kind == "image":
        return [f"[{block.get('alt_text', 'image')}]"]
    return []


def _section(block: dict[str, Any], channels: Mapping[str, str], found: list[Button]) -> list[str]:
    lines = _text(block.get("text"), channels).split("\n") if block.get("text") else []
    lines += ["  " + _text(field, channels) for field in block.get("fields", [])]
    accessory = block.get("accessory")
    if accessory is not None:
        shown = _element(accessory, channels, "\n".join(lines), found)
        if shown and lines:
            lines[0] += "  " + shown
        elif shown:
            lines.append(shown)
    return lines


def _element(
    element: dict[str, Any], channels: Mapping[str, str], near: str, found: list[Button]
) -> str:
    kind = element.get("type")
    if kind == "button":
        label = _text(element.get("text"), channels)
        url = element.get("url")
        button = Button(label, element.get("action_id", ""), element.get("value", ""), near, url)
        found.append(button)
        return f"[{label}]"
    if kind in ("static_select", "multi_static_select", "overflow", "datepicker"):
        return f"[{_text(element.get('placeholder'), channels) or '…'} ▾]"
    return ""


def _initial(element: dict[str, Any]) -> str:
    initial = element.get("initial_value") or element.get("initial_date") or ""
    option = element.get("initial_option")
    if option:
        initial = option.get("text", {}).get("text", "")
    return str(initial)


def _text(value: Any, channels: Mapping[str, str]) -> str:
    if not isinstance(value, dict):
        return ""
    text = str(value.get("text", ""))
    return readable(text, channels) if value.get("type") == "mrkdwn" else text
