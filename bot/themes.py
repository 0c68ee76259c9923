"""Themes as people see them: the list with Join and Leave buttons, and the rules of registering."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import blocks
from bot.i18n import _, format_day, ngettext
from bot.outcome import Message
from bot.text import escape, truncate

THEMES_PER_PAGE = 15
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
JOIN, LEAVE, PAGE = "theme_join", "theme_leave", "themes_page"


@dataclass(frozen=True)
class ThemeView:
    """One theme with what the list shows of it."""

    key: str
    name: str
    description: str = ""
    channel: str | None = None
    lead: str | None = None  # organisation name
    chair: str | None = None  # user id
    deadline: date | None = None
    members: int = 0
    organisations: tuple[str, ...] = field(default_factory=tuple)  # names
    archived: bool = False


def is_late(deadline: date | None, at: datetime, zone: ZoneInfo) -> bool:
    """A registration is late when it comes after the deadline day, in the network's time zone."""
    return deadline is not None and at.astimezone(zone).date() > deadline


def valid_key(key: str) -> bool:
    """Theme keys are short slugs: lower-case letters, digits and hyphens (`liikenne`, `digi-2`)."""
    return bool(KEY.match(key))


def theme_list(
    shown: list[ThemeView], total: int, joined: set[str], page: int, today: date
) -> Message:
    """Page `page` (`shown`) of the `total` active themes, each with the button that fits the
    viewer, and buttons to the other pages."""
    if not total:
        return Message(_("There are no active themes yet."))
    title = _("Themes of the network ({count})").format(count=total)
    body: list[blocks.Block] = [blocks.header(title)]
    for theme in shown:
        body.extend(_theme_blocks(theme, theme.key in joined, today))
    body.extend(blocks.pager(PAGE, page, blocks.pages(total, THEMES_PER_PAGE)))
    lines = [f"• {escape(t.name)} (`{t.key}`)" for t in shown]
    return Message(blocks.fallback([title, *lines]), body)


def _theme_blocks(theme: ThemeView, joined: bool, today: date) -> list[blocks.Block]:
    head = f"*{escape(theme.name)}* (`{theme.key}`)"
    if theme.description:
        head += "\n" + escape(truncate(theme.description, 500))
    button = (
        blocks.button(_("Leave"), LEAVE, theme.key)
        if joined
        else blocks.button(_("Join"), JOIN, theme.key, style="primary")
    )
    return [blocks.section(head, button), blocks.context(" · ".join(_facts(theme, today)))]


def _facts(theme: ThemeView, today: date) -> list[str]:
    facts = []
    if theme.channel:
        facts.append(_("channel <#{channel}>").format(channel=theme.channel))
    if theme.lead:
        facts.append(_("lead {organisation}").format(organisation=escape(theme.lead)))
    if theme.chair:
        facts.append(_("chair <@{user}>").format(user=theme.chair))
    members = ngettext("{count} member", "{count} members", theme.members)
    facts.append(members.format(count=theme.members))
    facts.append(_organisations(theme.organisations))
    if theme.deadline:
        facts.append(_deadline(theme.deadline, today))
    return facts


def _organisations(names: tuple[str, ...]) -> str:
    count = ngettext("{count} organisation", "{count} organisations", len(names))
    text = count.format(count=len(names))
    if names:
        text += " (" + escape(truncate(", ".join(names), 300)) + ")"
    return text


def _deadline(deadline: date, today: date) -> str:
    if deadline < today:
        return _("registration closed {day}").format(day=format_day(deadline))
    return _("register by {day}").format(day=format_day(deadline))
