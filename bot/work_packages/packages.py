"""One work package as the lists, the detail and `mine` show it, and its reference."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.i18n import _, format_day
from bot.text import escape, truncate
from bot.work_packages.statuses import PLANNED, is_overdue, progress_bar, status_label

TITLE_LIMIT = 500
REF = re.compile(r"([a-z0-9][a-z0-9-]*)-(\d{1,9})")


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


def split_ref(text: str) -> tuple[str, int] | None:
    """`liikenne-3` → (`liikenne`, 3); None if the text is not shaped like a reference."""
    match = REF.fullmatch(text.strip().lower())
    return (match.group(1), int(match.group(2))) if match else None


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
