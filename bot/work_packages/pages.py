"""What `status` shows: how the themes' packages stand, a page of one theme's packages, one
package in detail; and the buttons that move between them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot import blocks
from bot.blocks import fallback, pager, pages, sections
from bot.i18n import _, format_day, ngettext
from bot.outcome import Message
from bot.text import escape, truncate
from bot.work_packages.packages import PackageView, facts, package_line
from bot.work_packages.statuses import CLOSED, STATUS_LABELS, STATUSES
from bot.work_packages.updates import Log, log_line

PER_PAGE = 20  # packages on one page of a theme: 20 sections stay far below 50 blocks
THEMES_PER_PAGE = 20
LOG_SHOWN = 20  # the latest updates shown with a package
OPEN, OPEN_THEME, BACK = "wp_open", "wp_open_theme", "wp_back"
PAGE, OVERVIEW = "wp_page", "wp_overview"  # with `_prev` / `_next`


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


def summarise(key: str, name: str, rows: list[tuple[str, int, int]]) -> ThemeStatus:
    """Count a theme's packages from (status, packages, of which past their due day) rows; the
    ones past their due day are overdue unless done or cancelled (as in `is_overdue`)."""
    counts = {status: 0 for status in STATUSES}
    overdue = 0
    for status, count, past_due in rows:
        counts[status] += count
        overdue += past_due if status not in CLOSED else 0
    return ThemeStatus(key, name, tuple((s, n) for s, n in counts.items() if n), overdue)


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
