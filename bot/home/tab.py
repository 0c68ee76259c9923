"""The Home tab drawn as Block Kit: everyone's part, the theme managers' and the coordinators'.

Every list shows its first few and says where to see the rest, so the tab stays within Block
Kit's limits (100 blocks, 3,000 characters a section) on any network. Every status is a word
(with its emoji), every name from the database is escaped. The buttons are the bot's own:
Join and Leave of the theme list, the RSVP buttons of meetings, and the tab's own (Update, the
managers' forms, Retry, a material, help).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import blocks
from bot.deadlines import line as deadline_line
from bot.home.data import Failed, Home, Managed, Overview, Shown, ThemeLine
from bot.i18n import _, ngettext
from bot.meetings.meeting import MeetingView
from bot.meetings.posts import RSVP, answer_label, audience_text, when
from bot.notices import failure_reason
from bot.text import escape, truncate
from bot.themes import JOIN, LEAVE
from bot.work_packages.packages import PackageView, package_line
from bot.work_packages.statuses import status_label

BLOCK_LIMIT = 100
UPDATE = "home_update"  # value: the package's reference
ADD_PACKAGE = "home_add_package"  # value: the theme's key
ADD_MEETING = "home_add_meeting"  # value: the theme's key, or `all`
ADD_DEADLINE = "home_add_deadline"  # value: the theme's key, or `all`
RETRY = "home_retry"  # value: the notification's id
ADD_MATERIAL = "home_add_material"
HELP = "home_help"
NETWORK = "all"
# The subcommands (by English name) that change what a person's tab shows: after one, their
# tab is published again.
CHANGED_BY = frozenset(
    {
        "join",
        "leave",
        "org",
        "update",
        "wp add",
        "meeting add",
        "meeting edit",
        "meeting cancel",
        "deadline add",
        "deadline edit",
        "deadline delete",
    }
)

Block = blocks.Block


def tab(home: Home, notice: str | None = None) -> Block:
    """The person's Home tab, topped by a notice of what they just did."""
    body = [blocks.section(notice)] if notice else []
    body += _everyone(home)
    if home.managed.items:
        body += _managers(home)
    if home.overview is not None:
        body += _overview(home, home.overview)
    return {"type": "home", "blocks": body[:BLOCK_LIMIT]}


def _everyone(home: Home) -> list[Block]:
    found = [blocks.header(_("Your network"))]
    if home.organisation:
        text = _("Your organisation: {organisation}").format(organisation=escape(home.organisation))
    else:
        text = _("You have not told me your organisation: `{command} org <organisation>`.").format(
            command=home.command
        )
    found.append(blocks.section(text))
    found += _themes(home)
    found += _packages(home)
    found += _meetings(home)
    found += _deadlines(home)
    found.append(
        blocks.actions(
            blocks.button(_("Add a material"), ADD_MATERIAL, "material"),
            blocks.button(_("Help"), HELP, "help"),
        )
    )
    return found


def _themes(home: Home) -> list[Block]:
    found = [blocks.divider(), blocks.section(_("*Your themes*"))]
    for theme in home.mine.items:
        if theme.through:
            text = f"{_theme_name(theme)} " + _("(through your organisation)")
            found.append(blocks.section(text))
        else:
            leave = blocks.button(_("Leave"), LEAVE, theme.key)
            found.append(blocks.section(_theme_name(theme), leave))
    if not home.mine.total:
        found.append(blocks.context(_("You have not joined any theme yet.")))
    found += _more(home.mine, _("See all of yours with `{command} mine`."), home.command)
    if home.others.total:
        found.append(blocks.section(_("*Other themes*")))
    for theme in home.others.items:
        join = blocks.button(_("Join"), JOIN, theme.key, style="primary")
        found.append(blocks.section(_theme_name(theme), join))
    found += _more(home.others, _("See them all with `{command} themes`."), home.command)
    return found


def _theme_name(theme: ThemeLine) -> str:
    return f"*{escape(theme.name)}* (`{theme.key}`)"


def _packages(home: Home) -> list[Block]:
    found = [blocks.divider(), blocks.section(_("*Your work packages*"))]
    for package in home.packages.items:
        update = blocks.button(_("Update"), UPDATE, package.ref)
        found.append(blocks.section(package_line(package, home.today), update))
    if not home.packages.total:
        found.append(blocks.context(_("No open work package is yours or your organisation's.")))
    found += _more(home.packages, _("See them all with `{command} status`."), home.command)
    return found


def _meetings(home: Home) -> list[Block]:
    found = [blocks.divider(), blocks.section(_("*Your next meetings*"))]
    for meeting in home.meetings.items:
        found += _meeting(meeting, home.zone)
    if not home.meetings.total:
        found.append(blocks.context(_("No meetings coming up in your themes.")))
    found += _more(home.meetings, _("See them all with `{command} meetings`."), home.command)
    return found


def _meeting(meeting: MeetingView, zone: ZoneInfo) -> list[Block]:
    text = f"*{escape(truncate(meeting.title, 200))}* — {when(meeting, zone)}\n"
    value = str(meeting.id)
    answers = [blocks.button(answer_label(a), RSVP[a], value) for a in ("yes", "no", "maybe")]
    return [blocks.section(text + audience_text(meeting)), blocks.actions(*answers)]


def _deadlines(home: Home) -> list[Block]:
    found = [blocks.section(_("*Next deadlines*"))]
    lines = [deadline_line(deadline, home.today) for deadline in home.deadlines.items]
    found += blocks.sections(lines) if lines else [blocks.context(_("No deadlines coming up."))]
    found += _more(home.deadlines, _("See them all with `{command} deadlines`."), home.command)
    return found


def _managers(home: Home) -> list[Block]:
    found = [blocks.divider(), blocks.header(_("Themes you run"))]
    for managed in home.managed.items:
        found += _managed(managed, home)
    found += _more(home.managed, _("See the rest with `{command} status`."), home.command)
    return found


def _managed(managed: Managed, home: Home) -> list[Block]:
    registered = _("Organisations registered: {count} of the {expected} expected.").format(
        count=managed.registered, expected=managed.expected
    )
    lines = [_theme_name(managed.theme), registered]
    if managed.missing.items:
        names = ", ".join(escape(name) for name in managed.missing.items)
        lines.append(
            _("Not registered yet: {names}").format(names=names) + _and_more(managed.missing)
        )
    if managed.late.items:
        lines.append(_("Overdue or blocked:"))
        lines += [_late_line(package, home) for package in managed.late.items]
        lines += [_and_more(managed.late).strip()] if managed.late.more else []
    else:
        lines.append(_("No work package is overdue or blocked."))
    key = managed.theme.key
    buttons = blocks.actions(
        blocks.button(_("Add a work package"), ADD_PACKAGE, key),
        blocks.button(_("Add a meeting"), ADD_MEETING, key),
        blocks.button(_("Add a deadline"), ADD_DEADLINE, key),
    )
    return [*blocks.sections(lines), buttons]


def _late_line(package: PackageView, home: Home) -> str:
    facts = [status_label(package.status)]
    if package.due and package.due < home.today:
        facts.append(_("overdue"))
    return f"• `{package.ref}` {escape(truncate(package.title, 200))} — " + " · ".join(facts)


def _overview(home: Home, overview: Overview) -> list[Block]:
    command = home.command
    found = [blocks.divider(), blocks.header(_("Network overview"))]
    lines = [_("*Registrations per theme*")]
    lines += [
        ngettext(
            "• {theme}: {count} organisation", "• {theme}: {count} organisations", count
        ).format(theme=escape(name), count=count)
        for name, count in overview.registrations.items
    ]
    lines += _more_line(overview.registrations, _("See them all with `{command} themes`."), command)
    found += blocks.sections(lines)
    if overview.missing.items:
        names = ", ".join(escape(name) for name in overview.missing.items)
        text = _("*Expected to register, not registered for any theme:* {names}").format(
            names=names
        )
        found.append(blocks.section(text + _and_more(overview.missing)))
    lines = [_("*Overdue work packages*")]
    lines += [_late_line(package, home) for package in overview.overdue.items] or [_("None.")]
    lines += _more_line(overview.overdue, _("See them with `{command} status`."), command)
    found += blocks.sections(lines)
    lines = [_("*Network meetings*")]
    lines += [
        f"• *{escape(truncate(m.title, 200))}* — {when(m, home.zone)}"
        for m in overview.meetings.items
    ] or [_("None coming up.")]
    lines += _more_line(overview.meetings, _("See them with `{command} meetings`."), command)
    found += blocks.sections(lines)
    found += _failures(overview.failed)
    found.append(
        blocks.actions(
            blocks.button(_("Add a network meeting"), ADD_MEETING, NETWORK),
            blocks.button(_("Add a network deadline"), ADD_DEADLINE, NETWORK),
        )
    )
    return found


def _failures(failed: Shown[Failed]) -> list[Block]:
    if not failed.total:
        return [blocks.section(_("*Notifications that failed*") + "\n" + _("None."))]
    found = [blocks.section(_("*Notifications that failed*"))]
    for note in failed.items:
        where = f"<@{note.target}>" if note.target[:1] in "UW" else f"<#{note.target}>"
        text = _("Notification {id} to {where}: {reason}").format(
            id=note.id, where=where, reason=failure_reason(note.error)
        )
        found.append(blocks.section(text, blocks.button(_("Retry"), RETRY, str(note.id))))
    if failed.more:
        more = _("…and {count} more: `network-bot outbox --state failed`.")
        found.append(blocks.context(more.format(count=failed.more)))
    return found


def _more(shown: Shown[object], where: str, command: str) -> list[Block]:
    return [blocks.context(line) for line in _more_line(shown, where, command)]


def _more_line(shown: Shown[object], where: str, command: str) -> list[str]:
    if not shown.more:
        return []
    more = _("…and {count} more.").format(count=shown.more)
    return [f"{more} {where.format(command=command)}"]


def _and_more(shown: Shown[object]) -> str:
    return " " + _("…and {count} more.").format(count=shown.more) if shown.more else ""
