"""Which button a typed line presses in the console: its label (`Liity`, `[Liity]`), and when
several buttons have that label, a number (`Liity 2`) or a word of the button's value or line
(`Liity liikenne`)."""

from __future__ import annotations

from app.console.drawing import Button
from bot.i18n import _


def fold(text: str) -> str:
    """Text compared without case."""
    return text.casefold()


def choose(buttons: tuple[Button, ...], typed: str) -> Button | tuple[Button, ...] | None:
    """The button the line presses; the buttons it could mean when it does not say which;
    None when it presses none (a subcommand, or words that pick no button)."""
    bracketed = typed.startswith("[") and "]" in typed
    if bracketed:
        label, rest = typed[1:].split("]", 1)
    else:
        found = _label(buttons, typed)
        if found is None:
            return None
        label, rest = found, typed[len(found) :]
    alike = tuple(b for b in buttons if fold(b.label) == fold(label.strip()))
    if not alike:
        return None
    words = rest.strip()
    if not words:
        return alike[0] if len(alike) == 1 else alike
    picked = _picked(alike, words)
    if picked is not None:
        return picked
    return alike if bracketed or words.isdigit() else None


def _label(buttons: tuple[Button, ...], typed: str) -> str | None:
    """The longest label the line starts with, as a whole word."""
    fits = [
        typed[: len(b.label)]
        for b in buttons
        if fold(typed[: len(b.label)]) == fold(b.label)
        and (len(typed) == len(b.label) or typed[len(b.label)].isspace())
    ]
    return max(fits, key=len) if fits else None


def _picked(alike: tuple[Button, ...], words: str) -> Button | None:
    if words.isdigit():
        number = int(words)
        return alike[number - 1] if 1 <= number <= len(alike) else None
    wanted = fold(words)
    for found in (
        [b for b in alike if fold(b.value) == wanted],
        [b for b in alike if wanted in fold(b.near)],
    ):
        if len(found) == 1:
            return found[0]
    return None


def press_hint() -> str:
    """How the console's greeting tells of buttons and people."""
    label = _("Join")
    return _(
        "Buttons show as [{label}]: type a label to press it, with a number or a word from its"
        " line when several have it (`{label} 2`, `{label} liikenne`). Write a person as @U…"
        " (their Slack user id)."
    ).format(label=label)
