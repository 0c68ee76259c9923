"""What the bot posts about a meeting, as outbox rows: its announcement, updates and notices.

Each channel reads its own language (the theme's, else the network's); the calendar file and the
notices go in the announcement's thread (the rows name the announcement by its identity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import outgoing
from bot.calendar import meeting_file
from bot.i18n import _, language
from bot.meetings.meeting import MeetingView
from bot.meetings.posts import cancel_notice, change_notice
from bot.outcome import Message
from bot.planner import Planned
from storage.models import Meeting
from storage.network import NetworkInfo

Announced = list[tuple[str, str]]  # each channel, with the identity of its announcement


@dataclass(frozen=True)
class Target:
    """A channel that hears about a meeting, in its language."""

    channel: str
    language: str
    label: str


@dataclass(frozen=True)
class Channels:
    """Where a meeting is told about, and the network's language for any other channel."""

    targets: tuple[Target, ...]
    language: str

    def of(self, announced: Announced) -> list[tuple[str, Target]]:
        """Each announcement's identity with its channel (and that channel's language)."""
        known = {target.channel: target for target in self.targets}
        return [
            (identity, known.get(channel, Target(channel, self.language, f"<#{channel}>")))
            for channel, identity in announced
        ]


def channels(meeting: Meeting, network: NetworkInfo) -> Channels:
    """The theme channels of the meeting's audience, or the announcement channel for all."""
    if meeting.audience_all:
        channel = network.announcement_channel
        found = [Target(channel, network.language, channel)] if channel else []
    else:
        found = [
            Target(theme.channel_id, theme.language or network.language, f"#{theme.key}")
            for theme in meeting.themes
            if theme.channel_id
        ]
    return Channels(tuple(found), network.language)


def announce(
    view: MeetingView, to: Channels, zone: ZoneInfo, now: datetime, actor: str
) -> list[Planned]:
    """The announcement in each channel, its calendar file beneath; `actor` hears if Slack
    refuses it."""
    rows: list[Planned] = []
    for target in to.targets:
        parent = outgoing.announcement(
            view.id, target.channel, now, actor=actor, label=target.label
        )
        with language(target.language):
            comment = _("Add it to your calendar:")
        rows += [parent, _file(view, target, zone, now, comment, parent.identity)]
    return rows


def _file(
    view: MeetingView, target: Target, zone: ZoneInfo, now: datetime, comment: str, of: str
) -> Planned:
    return outgoing.file(
        f"meeting:{view.id}:ics",
        ("meeting", view.id),
        target.channel,
        now,
        thread_of=of,
        filename=f"{view.key}.ics",
        content=meeting_file(view, zone, now).decode(),
        title=view.title,
        comment=comment,
    )


def changed(
    before: MeetingView,
    after: MeetingView,
    announced: Announced,
    to: Channels,
    zone: ZoneInfo,
    now: datetime,
    actor: str,
) -> list[Planned]:
    """Redraw each announcement; a new time or place is also told in its thread, with a file."""
    rows: list[Planned] = []
    for identity, target in to.of(announced):
        rows.append(outgoing.redraw(after.id, target.channel, identity, now))
        if moved(before, after):
            with language(target.language):
                notice, comment = (
                    change_notice(before, after, zone),
                    _("The updated calendar file:"),
                )
            rows.append(_notice(after, target, "changed", notice, now, identity, actor))
            rows.append(_file(after, target, zone, now, comment, identity))
    return rows


def _notice(
    view: MeetingView,
    target: Target,
    what: str,
    message: Message,
    now: datetime,
    of: str,
    actor: str,
) -> Planned:
    return outgoing.post(
        f"meeting:{view.id}:{what}",
        ("meeting", view.id),
        target.channel,
        message,
        now,
        thread_of=of,
        actor=actor,
        label=target.label,
    )


def moved(before: MeetingView, after: MeetingView) -> bool:
    """Whether the time or place changed: that is told in the thread, not only redrawn."""
    return (before.starts_at, before.ends_at, before.place) != (
        after.starts_at,
        after.ends_at,
        after.place,
    )


def cancelled(
    view: MeetingView, announced: Announced, to: Channels, zone: ZoneInfo, now: datetime, actor: str
) -> list[Planned]:
    """Mark each announcement cancelled, say so in its thread, and give the cancelling file."""
    rows: list[Planned] = []
    for identity, target in to.of(announced):
        with language(target.language):
            notice = cancel_notice(view, zone)
            comment = _("This file removes the meeting from your calendar:")
        rows.append(outgoing.redraw(view.id, target.channel, identity, now))
        rows.append(_notice(view, target, "cancelled", notice, now, identity, actor))
        rows.append(_file(view, target, zone, now, comment, identity))
    return rows


def redrawn(view: MeetingView, announced: Announced, now: datetime) -> list[Planned]:
    """Each announcement drawn again (new answers), nothing else."""
    return [outgoing.redraw(view.id, channel, identity, now) for channel, identity in announced]
