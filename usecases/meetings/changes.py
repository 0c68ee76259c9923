"""`meeting add`, `meeting edit` and `meeting cancel`: making and changing meetings.

The use cases take plain values (`add` a `NewMeeting`), so that a form adds a meeting by the
same rules and with the same messages as the typed command; the subcommands read the words.
What the channels hear of a change is written to the outbox in the same transaction (`posts`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import blocks
from bot.commands import Subcommand
from bot.dates import parse_time, plausible_date, typed_date
from bot.help import write_it_like
from bot.i18n import N_, _, format_day, format_moment
from bot.meetings.form import read_link, read_title
from bot.meetings.meeting import (
    PLACE_LIMIT,
    MeetingChange,
    MeetingView,
    end_on_day,
    parse_change,
    reschedule,
)
from bot.meetings.posts import DETAILS
from bot.outcome import Message, Outcome, reply
from bot.permissions import require
from bot.planner import Planned
from bot.scheduling import (
    TITLE_LIMIT,
    in_future,
    key_base,
    local_moment,
    manage_audience,
    unique_key,
)
from bot.text import clean, escape, unescape
from storage import meetings as store
from storage import outbox
from storage.models import Meeting
from storage.network import NetworkInfo
from storage.themes import theme_roles
from usecases.caller import Caller, Sessions, actor, network, replan, today
from usecases.meetings import posts
from usecases.meetings.meeting import by_id, managed, named
from usecases.names import audience


@dataclass(frozen=True)
class NewMeeting:
    """A meeting to add: whom it is for (a theme's key or name, or `all`), its title and its
    start on the network's clock; an end the same day, a place and an online link if known."""

    audience: str
    title: str
    day: date
    clock: time
    ends: time | None = None
    place: str = ""
    link: str | None = None


async def add(db: Sessions, caller: Caller, new: NewMeeting) -> Outcome:
    """A new meeting for a theme or the whole network, by the people who run it, announced in
    its channels."""
    title, link = read_title(clean(new.title)), read_link(clean(new.link or ""))
    async with db.begin() as session:
        net = await network(session, caller)
        zone = ZoneInfo(net.timezone)
        plausible_date(new.day, caller.today_in(net.timezone), format_day(new.day))
        start = in_future(local_moment(new.day, new.clock, zone), caller.now)
        end = end_on_day(start, new.ends, zone) if new.ends else None
        themes, everyone = await audience(session, new.audience)
        roles = [await theme_roles(session, theme) for theme in themes]
        require(manage_audience(await actor(session, caller), roles, everyone))
        base = key_base(title, start.astimezone(zone).date())
        meeting = Meeting(
            key=unique_key(base, await store.meeting_keys(session, base)),
            title=title,
            starts_at=start,
            ends_at=end,
            place=clean(new.place)[:PLACE_LIMIT],
            online_url=link,
            audience_all=everyone,
            created_by=caller.user_id,
        )
        meeting.agenda_items = []  # a new meeting has none; saying so spares a lazy load
        meeting.themes = themes
        await store.add_meeting(session, meeting)
        await replan(session, caller, "meeting", meeting.id)
        view, to = await store.view(session, meeting), posts.channels(meeting, net)
        rows = posts.announce(view, to, zone, caller.now, caller.user_id)
        await outbox.enqueue(session, rows, caller.now)
    return _added(view, to, zone, rows)


def _added(view: MeetingView, to: posts.Channels, zone: ZoneInfo, rows: list[Planned]) -> Outcome:
    parts = [
        _("Meeting *{title}* (`{key}`) added for {when}.").format(
            title=escape(view.title), key=view.key, when=format_moment(view.starts_at, zone)
        ),
        _announced(to, not view.audience),
        _("Add the end time, place, online link, agenda and materials with the button."),
    ]
    text = " ".join(parts)
    button = blocks.button(_("Add details"), DETAILS, str(view.id), style="primary")
    return Outcome(Message(text, [blocks.section(text, button)]), posts=tuple(rows))


def _announced(to: posts.Channels, everyone: bool) -> str:
    if to.targets:
        where = ", ".join(f"<#{target.channel}>" for target in to.targets)
        return _("I announced it in {channels}.").format(channels=where)
    if everyone:
        return _("I did not announce it: the network has no announcement channel.")
    return _("I did not announce it: the theme has no channel.")


async def edit(db: Sessions, caller: Caller, change: MeetingChange) -> Outcome:
    """Change a meeting's day, time, place or title; its channels hear of it."""
    async with db.begin() as session:
        net = await network(session, caller)
        zone = ZoneInfo(net.timezone)
        meeting = await managed(session, caller, await named(session, caller, change.query))
        before = await store.view(session, meeting)
        _apply(change, meeting, zone, caller.now)
        after, rows = await changes(session, caller, meeting, net, before)
    if after == before:
        return reply(_("Nothing changed in *{title}*.").format(title=escape(after.title)))
    return Outcome(Message(_updated(after, before, zone, bool(rows))), posts=tuple(rows))


def _apply(change: MeetingChange, meeting: Meeting, zone: ZoneInfo, now: datetime) -> None:
    """Write a change over the meeting; a new start keeps the meeting's length."""
    if change.day or change.clock:
        local = meeting.starts_at.astimezone(zone)
        day, clock = change.day or local.date(), change.clock or local.time()
        start, end = reschedule(meeting.starts_at, meeting.ends_at, day, clock, zone)
        meeting.starts_at, meeting.ends_at = in_future(start, now), end
    if change.place is not None:
        meeting.place = clean(change.place)[:PLACE_LIMIT]
    if change.title:
        meeting.title = clean(change.title)[:TITLE_LIMIT]


def _updated(view: MeetingView, before: MeetingView, zone: ZoneInfo, told: bool) -> str:
    text = _("Meeting *{title}* (`{key}`) updated: {when}.").format(
        title=escape(view.title), key=view.key, when=format_moment(view.starts_at, zone)
    )
    if view.place != before.place:
        place = _("Place: {place}.").format(place=escape(view.place))
        text += " " + (place if view.place else _("It no longer has a place."))
    if told:
        text += " " + _("I updated its announcement.")
    return text


async def changes(
    session: AsyncSession, caller: Caller, meeting: Meeting, net: NetworkInfo, before: MeetingView
) -> tuple[MeetingView, list[Planned]]:
    """The meeting after a change, and how its channels hear of it (a new time or place: a
    notice and a calendar file with the next SEQUENCE), written to the outbox."""
    await replan(session, caller, "meeting", meeting.id)
    after = await store.view(session, meeting)
    if posts.moved(before, after):
        meeting.sequence += 1
        after = replace(after, sequence=meeting.sequence)
    if after == before:
        return after, []
    announced = await store.announcements(session, meeting.id)
    to, zone = posts.channels(meeting, net), ZoneInfo(net.timezone)
    rows = posts.changed(before, after, announced, to, zone, caller.now, caller.user_id)
    await outbox.enqueue(session, rows, caller.now)
    return after, rows


async def cancel(db: Sessions, caller: Caller, query: str) -> Outcome:
    """Cancel the upcoming meeting the words name."""
    async with db.begin() as session:
        return await _cancel(session, caller, await named(session, caller, query))


async def cancel_by_id(db: Sessions, caller: Caller, meeting_id: int) -> Outcome:
    """Cancel a meeting (its Cancel meeting button)."""
    async with db.begin() as session:
        return await _cancel(session, caller, await by_id(session, meeting_id))


async def _cancel(session: AsyncSession, caller: Caller, meeting: Meeting) -> Outcome:
    """Mark the meeting's announcements cancelled and tell their threads."""
    meeting = await managed(session, caller, meeting)
    net = await network(session, caller)
    meeting.cancelled, meeting.sequence = True, meeting.sequence + 1
    await replan(session, caller, "meeting", meeting.id)
    view, zone = await store.view(session, meeting), ZoneInfo(net.timezone)
    announced = await store.announcements(session, meeting.id)
    to = posts.channels(meeting, net)
    rows = posts.cancelled(view, announced, to, zone, caller.now, caller.user_id)
    await outbox.enqueue(session, rows, caller.now)
    text = _("Meeting *{title}* ({when}) cancelled.").format(
        title=escape(view.title), when=format_moment(view.starts_at, zone)
    )
    if announced:
        text += " " + _("I marked its announcement and told the channel.")
    return Outcome(Message(text), posts=tuple(rows))


# --- the subcommands: Slack escapes `&`, `<` and `>` in what is typed ---------------------------


async def _add(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    if len(words) < 4:
        raise write_it_like(caller.command, ADD)
    who, day_word, clock_word, *title = words
    day, clock = typed_date(day_word, await today(db, caller)), parse_time(clock_word)
    return await add(db, caller, NewMeeting(who, unescape(" ".join(title)), day, clock))


async def _edit(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    change = parse_change(words, await today(db, caller))
    if change is None:
        raise write_it_like(caller.command, EDIT)
    place, title = change.place, change.title
    return await edit(
        db,
        caller,
        replace(
            change,
            query=unescape(change.query),
            place=unescape(place) if place is not None else None,
            title=unescape(title) if title else title,
        ),
    )


async def _cancel_named(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    if not words:
        raise write_it_like(caller.command, CANCEL)
    return await cancel(db, caller, unescape(" ".join(words)))


ADD = Subcommand(
    "meeting add",
    "tapaaminen lisää",
    N_("<theme or all> <date> <time> <title…>"),
    N_("add a meeting and announce it (theme managers; coordinators for all)"),
    _add,
    (N_('liikenne 20.5.2027 9.00 "Verkostotapaaminen"'), N_("all 28.4. 13.00 Tilannekatsaus")),
)
EDIT = Subcommand(
    "meeting edit",
    "tapaaminen muokkaa",
    N_("<meeting> [date] [time] [place:…] [title:…]"),
    N_("change a meeting; a new time or place is told in its announcement's thread"),
    _edit,
    (N_("verkostotapaaminen 21.5. 10.00"), N_("verkostotapaaminen place:Tampere-talo")),
)
CANCEL = Subcommand(
    "meeting cancel",
    "tapaaminen peru",
    N_("<meeting>"),
    N_("cancel a meeting"),
    _cancel_named,
    (N_("verkostotapaaminen"),),
)
