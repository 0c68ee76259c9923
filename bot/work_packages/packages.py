"""Work packages as people see them: status words, the rules of updating, and their rendering.

Who may change what (PRODUCT.md §2): the owner (or the owning organisation's contacts) and the
theme's managers record updates; cancelling a package, and anything done to a cancelled one, is a
decision about the theme's plan, so only its managers may do it (`may_change_status`). Every other
status may follow every other, so an owner can reopen a done package or unblock a blocked one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import blocks
from bot.blocks import fallback, pager, pages, sections
from bot.i18n import N_, _, current, format_day, format_moment, ngettext
from bot.outcome import Message, UserError
from bot.parsing import parse_percent
from bot.permissions import ALLOW, Actor, Decision, ThemeRoles, managers, manages
from bot.suggest import did_you_mean, normalise
from bot.text import escape, truncate

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
TITLE_LIMIT = 500
NOTE_LIMIT = 3000  # what one section of a Slack message holds: the note is posted in one
PER_PAGE = 20  # packages on one page of a theme: 20 sections stay far below 50 blocks
THEMES_PER_PAGE = 20
LOG_SHOWN = 20  # the latest updates shown with a package
OPEN, OPEN_THEME, BACK = "wp_open", "wp_open_theme", "wp_back"
PAGE, OVERVIEW = "wp_page", "wp_overview"  # with `_prev` / `_next`
REF = re.compile(r"([a-z0-9][a-z0-9-]*)-(\d{1,9})")

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


@dataclass(frozen=True)
class PackageView:
    """One work package with what the lists and the detail show of it."""

    ref: str
    title: str
    status: str = PLANNED
    progress: int = 0
    owner_user: str | None = None
    owner_org: str | None = None  # organisation name
    due: date | None = None
    start: date | None = None
    description: str = ""


@dataclass(frozen=True)
class UpdateView:
    """One entry of a package's log; `old_status` is None for the entry that created it."""

    user: str
    at: datetime
    old_status: str | None
    new_status: str
    old_progress: int | None
    progress: int
    note: str = ""


@dataclass(frozen=True)
class ThemeStatus:
    """How the packages of one theme stand, counted."""

    key: str
    name: str
    counts: tuple[tuple[str, int], ...]  # (status, count) in STATUSES order, non-zero only
    overdue: int = 0

    @property
    def total(self) -> int:
        """All packages of the theme."""
        return sum(count for _status, count in self.counts)


@dataclass(frozen=True)
class UpdateArgs:
    """`update <work package> <status> [<n>%] [note…]`, read."""

    ref: str
    status: str
    progress: int | None
    note: str


# --- rules ------------------------------------------------------------------------------------


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


def parse_update(args: list[str]) -> UpdateArgs | None:
    """The parts of an update, None when the reference or the status is missing.

    A progress figure is `40%`, `40 %` or a bare `40` right after the status; put a note that
    starts with a number in quotes.
    """
    if len(args) < 2:
        return None
    status = parse_status(args[1])
    rest = args[2:]
    progress = None
    if rest and rest[0].isdigit() and rest[1:2] == ["%"]:
        progress, rest = parse_percent(rest[0]), rest[2:]
    elif rest and (rest[0].endswith("%") or rest[0].isdigit()):
        progress, rest = parse_percent(rest[0]), rest[1:]
    return UpdateArgs(args[0].lower(), status, progress, " ".join(rest))


def checked_note(note: str) -> str:
    """An update's note as it is kept and posted: trimmed (a blank one is none), and refused,
    naming its length, when longer than one section of a Slack message holds."""
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise UserError(
            _(
                "The note is {length} characters long; at most {limit} fit in a message."
                " Shorten it."
            ).format(length=len(note), limit=NOTE_LIMIT)
        )
    return note


def split_ref(text: str) -> tuple[str, int] | None:
    """`liikenne-3` → (`liikenne`, 3); None if the text is not shaped like a reference."""
    match = REF.fullmatch(text.strip().lower())
    return (match.group(1), int(match.group(2))) if match else None


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


def next_progress(new_status: str, current_progress: int, given: int | None) -> int:
    """The progress after an update: as given; else 100 for `done`; else unchanged."""
    if given is not None:
        return given
    return 100 if new_status == DONE else current_progress


def is_overdue(due: date | None, status: str, today: date) -> bool:
    """Past its due day (in the network's time zone) and neither done nor cancelled."""
    return due is not None and due < today and status not in CLOSED


def summarise(key: str, name: str, rows: list[tuple[str, int, int]]) -> ThemeStatus:
    """Count a theme's packages from (status, packages, of which past their due day) rows; the
    ones past their due day are overdue unless done or cancelled (as in `is_overdue`)."""
    counts = {status: 0 for status in STATUSES}
    overdue = 0
    for status, count, past_due in rows:
        counts[status] += count
        overdue += past_due if status not in CLOSED else 0
    return ThemeStatus(key, name, tuple((s, n) for s, n in counts.items() if n), overdue)


# --- words and pieces -------------------------------------------------------------------------


def status_label(status: str) -> str:
    """The status as the reader says it, with its emoji: `🔄 käynnissä`."""
    return f"{_EMOJI[status]} {_(STATUS_LABELS[status])}"


def progress_bar(percent: int, cells: int = 10) -> str:
    """Progress read at a glance: `▰▰▰▰▱▱▱▱▱▱ 40 %` (a cell fills at each full tenth)."""
    filled = max(0, min(cells, percent * cells // 100))
    return "▰" * filled + "▱" * (cells - filled) + f" {percent} %"


def owner_text(package: PackageView) -> str:
    """The owner as a mention, an organisation name, both, or none."""
    org = escape(package.owner_org) if package.owner_org else None
    if package.owner_user and org:
        return f"<@{package.owner_user}> ({org})"
    if package.owner_user:
        return f"<@{package.owner_user}>"
    return org or _("no owner")


def facts(package: PackageView, today: date) -> list[str]:
    """Status, progress, owner, due date and the overdue flag."""
    found = [status_label(package.status), progress_bar(package.progress), owner_text(package)]
    if package.due:
        found.append(_("due {day}").format(day=format_day(package.due)))
    if is_overdue(package.due, package.status, today):
        found.append("⚠️ *" + _("overdue") + "*")
    return found


def package_line(package: PackageView, today: date) -> str:
    """Reference, title and facts on two lines."""
    head = f"`{package.ref}` *{escape(truncate(package.title, 200))}*"
    return head + "\n" + " · ".join(facts(package, today))


def counts_text(theme: ThemeStatus) -> str:
    """`5 work packages: in progress 2, done 3 · ⚠️ 1 overdue`."""
    if not theme.total:
        return _("No work packages yet.")
    total = ngettext("{count} work package", "{count} work packages", theme.total)
    parts = ", ".join(f"{_(STATUS_LABELS[status])} {count}" for status, count in theme.counts)
    text = total.format(count=theme.total) + ": " + parts
    if theme.overdue:
        text += " · ⚠️ " + _("{count} overdue").format(count=theme.overdue)
    return text


def log_line(entry: UpdateView, zone: ZoneInfo) -> str:
    """`• ke 28.4.2027 klo 16.00 <@U…>: 📝 suunniteltu → 🔄 käynnissä · 0 % → 40 % · “…”`."""
    if entry.old_status is None:
        changes = [
            _("created ({status}, {progress} %)").format(
                status=status_label(entry.new_status), progress=entry.progress
            )
        ]
    else:
        changes = _changes(entry)
    if entry.note:
        changes.append("“" + escape(truncate(entry.note, 300)) + "”")
    return f"• {format_moment(entry.at, zone)} <@{entry.user}>: " + " · ".join(changes)


def _changes(entry: UpdateView) -> list[str]:
    found = []
    if entry.old_status != entry.new_status and entry.old_status is not None:
        found.append(f"{status_label(entry.old_status)} → {status_label(entry.new_status)}")
    if entry.old_progress != entry.progress:
        found.append(f"{entry.old_progress} % → {entry.progress} %")
    return found


# --- messages ---------------------------------------------------------------------------------


def theme_page(
    theme: ThemeStatus, shown: list[PackageView], page: int, today: date, command: str
) -> Message:
    """One page of a theme's packages, each with a button to its detail."""
    if not theme.total:
        text = _(
            "The theme *{theme}* has no work packages yet. The people who run it add them"
            " with `{command} wp add {key} <title…>`."
        )
        return Message(text.format(theme=escape(theme.name), command=command, key=theme.key))
    # Names stay out of the header: plain text is not escaped the way mrkdwn is.
    title = _("Work packages of *{theme}*").format(theme=escape(theme.name))
    lines = [package_line(package, today) for package in shown]
    body = [blocks.section(title + "\n" + counts_text(theme))]
    body += [
        blocks.section(line, blocks.button(_("Details"), OPEN, package.ref))
        for line, package in zip(lines, shown, strict=True)
    ]
    body += pager(PAGE, page, pages(theme.total, PER_PAGE), f"{theme.key}:")
    return Message(fallback([title, counts_text(theme), *lines]), body)


def overview(themes: list[ThemeStatus], page: int, personal: bool) -> Message:
    """How the packages of several themes stand, a page of themes at a time."""
    if not themes:
        return Message(_("There are no active themes yet."))
    count = pages(len(themes), THEMES_PER_PAGE)
    page = min(max(page, 1), count)
    shown = themes[(page - 1) * THEMES_PER_PAGE : page * THEMES_PER_PAGE]
    title = _("Work packages in your themes") if personal else _("Work packages in all themes")
    lines = [f"*{escape(theme.name)}* (`{theme.key}`)\n{counts_text(theme)}" for theme in shown]
    body = [blocks.header(title)]
    for line, theme in zip(lines, shown, strict=True):
        show = blocks.button(_("Show"), OPEN_THEME, theme.key) if theme.total else None
        body.append(blocks.section(line, show))
    body += pager(OVERVIEW, page, count)
    return Message(fallback([title, *lines]), body)


@dataclass(frozen=True)
class Log:
    """The latest entries of a package's log (newest first) and how many there are in all."""

    entries: list[UpdateView]
    total: int


def detail(package: PackageView, theme: str, log: Log, today: date, zone: ZoneInfo) -> Message:
    """One package: its facts, description, latest updates, and a button back to its list."""
    found = facts(package, today)
    if package.start:
        found.insert(3, _("start {day}").format(day=format_day(package.start)))
    theme_line = _("Theme: *{theme}*").format(theme=escape(theme))
    head = "\n".join([f"*{escape(package.title)}*", theme_line, " · ".join(found)])
    body = [blocks.header(package.ref), blocks.section(head)]
    if package.description:
        body.append(blocks.section(escape(truncate(package.description, 2900))))
    lines = [_("*Updates, newest first*")] + [log_line(entry, zone) for entry in log.entries]
    if not log.entries:
        lines.append(_("No updates yet."))
    body += sections(lines)
    if log.total > len(log.entries):
        hidden = log.total - len(log.entries)
        more = ngettext(
            "{count} earlier update is not shown.", "{count} earlier updates are not shown.", hidden
        )
        body.append(blocks.context(more.format(count=hidden)))
    body.append(blocks.actions(blocks.button(_("◀ Back to the list"), BACK, package.ref)))
    return Message(fallback([package.ref, head, *lines]), body)


MINE = 15  # packages `mine` shows


def mine_lines(
    packages: list[PackageView], today: date, command: str, total: int | None = None
) -> list[str]:
    """The user's open packages for `mine`, the most urgent first: the first MINE of them, and
    how many more there are of `total` (by default, of `packages`)."""
    total = len(packages) if total is None else total
    lines = [_("*Your work packages*")]
    for package in packages[:MINE]:
        lines.append(
            f"• `{package.ref}` {escape(truncate(package.title, 200))} — "
            + " · ".join(facts(package, today))
        )
    if total > MINE:
        more = _("…and {count} more. See them with `{command} status`.")
        lines.append(more.format(count=total - MINE, command=command))
    return lines


def added(package: PackageView, theme: str, today: date) -> str:
    """The reply to `wp add`."""
    text = _("Work package `{ref}` *{title}* added to the theme *{theme}*.")
    head = text.format(ref=package.ref, title=escape(package.title), theme=escape(theme))
    return head + "\n" + " · ".join(facts(package, today))


def updated(package: PackageView, old_status: str, channel: str | None) -> str:
    """The reply to `update`; `channel` is where the status change is told, if it is."""
    status = status_label(package.status)
    if old_status != package.status:
        status = f"{status_label(old_status)} → {status}"
    text = _("`{ref}` *{title}* updated: {status} · {progress}.").format(
        ref=package.ref,
        title=escape(package.title),
        status=status,
        progress=progress_bar(package.progress),
    )
    if channel:
        text += " " + _("I told the theme's channel <#{channel}>.").format(channel=channel)
    return text


def unchanged(package: PackageView) -> str:
    """The reply to an update that would change nothing."""
    text = _("`{ref}` is already {status} at {progress} %. Nothing changed.")
    return text.format(
        ref=package.ref, status=status_label(package.status), progress=package.progress
    )


def change_post(package: PackageView, user: str, old_status: str, note: str) -> str:
    """What the theme channel is told of a status change (in the theme's language)."""
    text = _("<@{user}> updated `{ref}` *{title}*: {old} → {new} · {progress}.").format(
        user=user,
        ref=package.ref,
        title=escape(package.title),
        old=status_label(old_status),
        new=status_label(package.status),
        progress=progress_bar(package.progress),
    )
    if note.strip():  # the whole note: `checked_note` keeps it within a message's section
        text += "\n> " + escape(" ".join(note.split()))
    return text
