"""The effects that tell channels about a meeting: its announcement, updates and notices.

Each channel reads its own language (the theme's, else the network's); the calendar file goes in
the announcement's thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.calendar import meeting_file
from bot.i18n import _, language
from bot.meeting_posts import announcement, cancel_notice, change_notice
from bot.meetings import MeetingView
from bot.outcome import ChannelUpload, Effect, Post, Posted, Receipts, Record, Update
from storage.models import Meeting
from storage.network import NetworkInfo

Store = Callable[[Receipts], Awaitable[None]]


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

    def of(self, posted: list[Posted]) -> list[tuple[Posted, Target]]:
        """Each announcement with its channel's language."""
        known = {target.channel: target for target in self.targets}
        return [
            (p, known.get(p.channel, Target(p.channel, self.language, p.channel))) for p in posted
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
    view: MeetingView, to: Channels, zone: ZoneInfo, stamp: datetime, store: Store
) -> tuple[Effect, ...]:
    """Post the announcement in each channel, its calendar file beneath, and record where."""
    effects: list[Effect] = []
    for target in to.targets:
        record = f"announcement:{target.channel}"
        with language(target.language):
            effects.append(
                Post(target.channel, announcement(view, zone), target.label, None, record)
            )
            effects.append(_file(view, target, zone, stamp, _("Add it to your calendar:"), record))
    return (*effects, Record(store)) if effects else ()


def _file(
    view: MeetingView,
    target: Target,
    zone: ZoneInfo,
    stamp: datetime,
    comment: str,
    thread_of: str | None = None,
    thread_ts: str | None = None,
) -> ChannelUpload:
    return ChannelUpload(
        target.channel,
        f"{view.key}.ics",
        meeting_file(view, zone, stamp),
        view.title,
        comment,
        target.label,
        thread_ts,
        thread_of,
    )


def changed(
    before: MeetingView,
    after: MeetingView,
    posted: list[Posted],
    to: Channels,
    zone: ZoneInfo,
    stamp: datetime,
) -> tuple[Effect, ...]:
    """Redraw each announcement; a new time or place is also told in its thread, with a file."""
    notice = moved(before, after)
    effects: list[Effect] = []
    for found, target in to.of(posted):
        with language(target.language):
            effects.append(Update(found.channel, found.ts, announcement(after, zone), target.label))
            if notice:
                message = change_notice(before, after, zone)
                effects.append(Post(found.channel, message, target.label, found.ts))
                comment = _("The updated calendar file:")
                effects.append(_file(after, target, zone, stamp, comment, thread_ts=found.ts))
    return tuple(effects)


def moved(before: MeetingView, after: MeetingView) -> bool:
    """Whether the time or place changed: that is told in the thread, not only redrawn."""
    return (before.starts_at, before.ends_at, before.place) != (
        after.starts_at,
        after.ends_at,
        after.place,
    )


def cancelled(
    view: MeetingView, posted: list[Posted], to: Channels, zone: ZoneInfo, stamp: datetime
) -> tuple[Effect, ...]:
    """Mark each announcement cancelled, say so in its thread, and give the cancelling file."""
    effects: list[Effect] = []
    for found, target in to.of(posted):
        with language(target.language):
            effects.append(Update(found.channel, found.ts, announcement(view, zone), target.label))
            effects.append(Post(found.channel, cancel_notice(view, zone), target.label, found.ts))
            comment = _("This file removes the meeting from your calendar:")
            effects.append(_file(view, target, zone, stamp, comment, thread_ts=found.ts))
    return tuple(effects)


def redrawn(
    view: MeetingView, posted: list[Posted], to: Channels, zone: ZoneInfo
) -> tuple[Effect, ...]:
    """Each announcement drawn again (new answers), nothing else."""
    effects: list[Effect] = []
    for found, target in to.of(posted):
        with language(target.language):
            effects.append(Update(found.channel, found.ts, announcement(view, zone), target.label))
    return tuple(effects)
