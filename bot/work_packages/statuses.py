"""A work package's status and progress: the words people type for them, how they are shown,
and who may make which change.

Who may change what (PRODUCT.md §2): the owner (or the owning organisation's contacts) and the
theme's managers record updates; cancelling a package, and anything done to a cancelled one, is a
decision about the theme's plan, so only its managers may do it (`may_change_status`). Every other
status may follow every other, so an owner can reopen a done package or unblock a blocked one.
"""

from __future__ import annotations

from datetime import date

from bot.i18n import N_, _, current
from bot.outcome import UserError
from bot.permissions import ALLOW, Actor, Decision, ThemeRoles, managers, manages
from bot.suggest import did_you_mean, normalise
from bot.text import escape

PLANNED, IN_PROGRESS, DONE, BLOCKED, CANCELLED = (
    "planned",
    "in_progress",
    "done",
    "blocked",
    "cancelled",
)
STATUSES = (PLANNED, IN_PROGRESS, DONE, BLOCKED, CANCELLED)
CLOSED = frozenset({DONE, CANCELLED})
OPEN_STATUSES = tuple(s for s in STATUSES if s not in CLOSED)  # those that can be overdue

# What people type, per language; `in-progress` and accents are forgiven by `parse_status`.
WORDS: dict[str, tuple[str, ...]] = {
    "en": STATUSES,
    "fi": ("suunniteltu", "käynnissä", "valmis", "estynyt", "peruttu"),
    "sv": ("planerad", "pågår", "klar", "blockerad", "inställd"),
}
_BY_WORD = {
    normalise(word): status
    for words in WORDS.values()
    for word, status in zip(words, STATUSES, strict=True)
} | {"canceled": CANCELLED}
STATUS_LABELS = {
    PLANNED: N_("planned"),
    IN_PROGRESS: N_("in progress"),
    DONE: N_("done"),
    BLOCKED: N_("blocked"),
    CANCELLED: N_("cancelled"),
}
_EMOJI = {PLANNED: "📝", IN_PROGRESS: "🔄", DONE: "✅", BLOCKED: "⛔", CANCELLED: "✖️"}


def parse_status(word: str) -> str:
    """The status a word names, in English, Finnish or Swedish; a helpful `UserError` otherwise."""
    found = _BY_WORD.get(normalise(word).replace("-", "_"))
    if found is not None:
        return found
    words = WORDS.get(current(), STATUSES)
    text = _("'{value}' is not a status I know. Write one of: {statuses}.").format(
        value=escape(word), statuses=", ".join(f"`{w}`" for w in words)
    )
    hint = did_you_mean(word, [w for spelt in WORDS.values() for w in spelt])
    if hint:  # the status it is nearest to, in the reader's words
        suggestion = words[STATUSES.index(_BY_WORD[normalise(hint)])]
        text += " " + _("Did you mean `{suggestion}`?").format(suggestion=suggestion)
    raise UserError(text)


def needs_manager(old: str, new: str) -> bool:
    """Cancelling, and anything done to a cancelled package, changes the theme's plan."""
    return CANCELLED in (old, new)


def may_change_status(actor: Actor, theme: ThemeRoles, old: str, new: str) -> Decision:
    """Whether this actor (already allowed to update the package) may make this change."""
    if not needs_manager(old, new) or manages(actor, theme):
        return ALLOW
    reason = _(
        "Only the people who run the theme {theme} can cancel a work package or reopen one: {who}."
    )
    return Decision(False, reason.format(theme=escape(theme.name), who=managers(theme)))


def is_overdue(due: date | None, status: str, today: date) -> bool:
    """Past its due day (in the network's time zone) and neither done nor cancelled."""
    return due is not None and due < today and status not in CLOSED


def status_label(status: str) -> str:
    """The status as the reader says it, with its emoji: `🔄 käynnissä`."""
    return f"{_EMOJI[status]} {_(STATUS_LABELS[status])}"


def progress_bar(percent: int, cells: int = 10) -> str:
    """Progress read at a glance: `▰▰▰▰▱▱▱▱▱▱ 40 %` (a cell fills at each full tenth)."""
    filled = max(0, min(cells, percent * cells // 100))
    return "▰" * filled + "▱" * (cells - filled) + f" {percent} %"
