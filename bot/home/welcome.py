"""The short welcome a person gets, only to them, on joining a theme's channel."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot import blocks
from bot.i18n import _
from bot.meetings.meeting import MeetingView
from bot.meetings.posts import when
from bot.outcome import Message
from bot.text import escape
from bot.themes import JOIN


@dataclass(frozen=True)
class Welcome:
    """What the welcome tells of a theme."""

    key: str
    name: str
    lead: str | None  # the lead organisation's name
    chair: str | None  # user id
    meeting: MeetingView | None  # the next one
    registered: bool  # the person is registered already


def welcome(theme: Welcome, zone: ZoneInfo, command: str) -> Message:
    """Lead organisation, chair, next meeting and how to register (a Join button)."""
    lines = [_("Welcome to the theme *{theme}*!").format(theme=escape(theme.name))]
    if theme.lead:
        lines.append(_("Lead organisation: {lead}").format(lead=escape(theme.lead)))
    if theme.chair:
        lines.append(_("Chair: <@{chair}>").format(chair=theme.chair))
    if theme.meeting:
        meeting = theme.meeting
        lines.append(
            _("Next meeting: {title}, {when}").format(
                title=escape(meeting.title), when=when(meeting, zone)
            )
        )
    if theme.registered:
        lines.append(_("You are registered for it."))
        return Message("\n".join(lines), [blocks.section("\n".join(lines))])
    lines.append(
        _("Register with the button, or with `{command} join {key}`.").format(
            command=command, key=theme.key
        )
    )
    join = blocks.button(_("Join"), JOIN, theme.key, style="primary")
    return Message("\n".join(lines), [blocks.section("\n".join(lines), join)])
