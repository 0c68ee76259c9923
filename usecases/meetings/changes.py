"""`meeting add`, `meeting edit` and `meeting cancel`: creating and changing meetings.

The details form, the answers and the buttons on an announcement are in `meeting_buttons`;
the `meetings` list in `meeting_lists`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import blocks
from bot.commands import Registry, Subcommand
from bot.i18n import N_, _, format_moment
from bot.meeting_posts import DETAILS
from bot.meetings import PLACE_LIMIT, MeetingChange, MeetingView, parse_change, reschedule
from bot.outcome import Message, Outcome, UserError, reply
from bot.parsing import parse_time, typed_date
from bot.permissions import require
from bot.planner import Planned
from bot.scheduling import (
    TITLE_LIMIT,
    in_future,
    key_base,
    local_moment,
    manage_audience,
    pick,
    unique_key,
)
from bot.text import escape, unescape
from handlers.request import CommandRequest
from storage import meetings as store
from storage import outbox
from storage.models import Meeting, Theme
from storage.network import NetworkInfo
from storage.themes import theme_roles
from usecases.meetings import posts
from usecases.meetings.listing import run_meetings
from usecases.names import audience


async def run_meeting_add(request: CommandRequest) -> Outcome:
    """`<theme or all> <date> <time> <title…>`: create a meeting and announce it."""
    if len(request.args) < 4:
        raise request.usage("meeting add")
    who, day_word, clock_word, *words = request.args
    async with request.transaction() as session:
        network = await request.network(session)
        zone = ZoneInfo(network.timezone)
        day, clock = typed_date(day_word, request.today(network)), parse_time(clock_word)
        start = in_future(local_moment(day, clock, zone), request.now)
        themes, everyone = await audience(session, who)
        roles = [await theme_roles(session, theme) for theme in themes]
        require(manage_audience(await request.actor(session), roles, everyone))
        title = unescape(" ".join(words))[:TITLE_LIMIT]
        meeting = await _new(request, session, title, start, themes, zone)
        view, to = await store.view(session, meeting), posts.channels(meeting, network)
        rows = posts.announce(view, to, zone, request.now, request.user_id)
        await outbox.enqueue(session, rows, request.now)
    return _added(view, to, zone, rows)


async def _new(
    request: CommandRequest,
    session: AsyncSession,
    title: str,
    start: datetime,
    themes: list[Theme],
    zone: ZoneInfo,
) -> Meeting:
    """A new meeting with a key of its own; no themes means the whole network."""
    base = key_base(title, start.astimezone(zone).date())
    key = unique_key(base, await store.meeting_keys(session, base))
    meeting = Meeting(key=key, title=title, starts_at=start, audience_all=not themes)
    meeting.agenda_items = []  # a new meeting has none; saying so spares a lazy load
    meeting.created_by, meeting.themes = request.user_id, themes
    await store.add_meeting(session, meeting)
    await request.reschedule(session, "meeting", meeting.id)
    return meeting


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


async def run_meeting_edit(request: CommandRequest) -> Outcome:
    """`<meeting> [date] [time] [place:…] [title:…]`: change a meeting and tell its channels."""
    async with request.transaction() as session:
        network = await request.network(session)
        zone = ZoneInfo(network.timezone)
        change = parse_change(request.args, request.today(network))
        if change is None:
            raise request.usage("meeting edit")
        meeting = await managed(request, session, await _named(session, request, change.query))
        before = await store.view(session, meeting)
        _apply(change, meeting, zone, request.now)
        after, rows = await changes(request, session, meeting, network, before)
    if after == before:
        return reply(_("Nothing changed in *{title}*.").format(title=escape(after.title)))
    return Outcome(Message(_updated(after, before, zone, bool(rows))), posts=tuple(rows))


def _apply(change: MeetingChange, meeting: Meeting, zone: ZoneInfo, now: datetime) -> None:
    """Write a typed change over the meeting; a new start keeps the meeting's length."""
    if change.day or change.clock:
        local = meeting.starts_at.astimezone(zone)
        day, clock = change.day or local.date(), change.clock or local.time()
        start, end = reschedule(meeting.starts_at, meeting.ends_at, day, clock, zone)
        meeting.starts_at, meeting.ends_at = in_future(start, now), end
    if change.place is not None:
        meeting.place = unescape(change.place)[:PLACE_LIMIT]
    if change.title:
        meeting.title = unescape(change.title)[:TITLE_LIMIT]


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
    request: CommandRequest,
    session: AsyncSession,
    meeting: Meeting,
    network: NetworkInfo,
    before: MeetingView,
) -> tuple[MeetingView, list[Planned]]:
    """The meeting after a change, and how its channels hear of it (a new time or place: a
    notice and a calendar file with the next SEQUENCE), written to the outbox."""
    await request.reschedule(session, "meeting", meeting.id)
    after = await store.view(session, meeting)
    if posts.moved(before, after):
        meeting.sequence += 1
        after = replace(after, sequence=meeting.sequence)
    if after == before:
        return after, []
    announced = await store.announcements(session, meeting.id)
    to, zone = posts.channels(meeting, network), ZoneInfo(network.timezone)
    rows = posts.changed(before, after, announced, to, zone, request.now, request.user_id)
    await outbox.enqueue(session, rows, request.now)
    return after, rows


async def run_meeting_cancel(request: CommandRequest) -> Outcome:
    """`<meeting>`: cancel a meeting."""
    if not request.args:
        raise request.usage("meeting cancel")
    async with request.transaction() as session:
        found = await _named(session, request, " ".join(request.args))
        return await cancel(request, session, found)


async def cancel(request: CommandRequest, session: AsyncSession, meeting: Meeting) -> Outcome:
    """Cancel a meeting (command and button): mark its announcements and tell their threads."""
    meeting = await managed(request, session, meeting)
    network = await request.network(session)
    meeting.cancelled, meeting.sequence = True, meeting.sequence + 1
    await request.reschedule(session, "meeting", meeting.id)
    view, zone = await store.view(session, meeting), ZoneInfo(network.timezone)
    announced = await store.announcements(session, meeting.id)
    to = posts.channels(meeting, network)
    rows = posts.cancelled(view, announced, to, zone, request.now, request.user_id)
    await outbox.enqueue(session, rows, request.now)
    text = _("Meeting *{title}* ({when}) cancelled.").format(
        title=escape(view.title), when=format_moment(view.starts_at, zone)
    )
    if announced:
        text += " " + _("I marked its announcement and told the channel.")
    return Outcome(Message(text), posts=tuple(rows))


async def managed(request: CommandRequest, session: AsyncSession, meeting: Meeting) -> Meeting:
    """The meeting, if the user may manage it and it is not cancelled."""
    roles = await store.audience_roles(session, meeting)
    require(manage_audience(await request.actor(session), roles, meeting.audience_all))
    return not_cancelled(meeting)


def not_cancelled(meeting: Meeting) -> Meeting:
    """The meeting, unless it is cancelled: then a `UserError` saying so."""
    if meeting.cancelled:
        raise UserError(
            _("The meeting *{title}* is cancelled.").format(title=escape(meeting.title))
        )
    return meeting


async def _named(session: AsyncSession, request: CommandRequest, query: str) -> Meeting:
    """The upcoming meeting the words name (key, or a prefix of its key or title)."""
    key = pick(
        unescape(query),
        await store.meeting_choices(session, request.now),
        _("There is no upcoming meeting '{query}'."),
        _("'{query}' fits several meetings: {options}. Write more of the key."),
    )
    found = await store.meeting_by_key(session, key)
    assert found is not None
    return found


def register(registry: Registry) -> None:
    """Offer `meeting add`, `meeting edit`, `meeting cancel` and `meetings`."""
    for subcommand in (
        Subcommand(
            "meetings",
            "tapaamiset",
            N_("[<theme>]"),
            N_("upcoming meetings with time, place, link and agenda"),
            run_meetings,
            (N_("liikenne"),),
        ),
        Subcommand(
            "meeting add",
            "tapaaminen lisää",
            N_("<theme or all> <date> <time> <title…>"),
            N_("add a meeting and announce it (theme managers; coordinators for all)"),
            run_meeting_add,
            (
                N_('liikenne 20.5.2027 9.00 "Verkostotapaaminen"'),
                N_("all 28.4. 13.00 Tilannekatsaus"),
            ),
        ),
        Subcommand(
            "meeting edit",
            "tapaaminen muokkaa",
            N_("<meeting> [date] [time] [place:…] [title:…]"),
            N_("change a meeting; a new time or place is told in its announcement's thread"),
            run_meeting_edit,
            (N_("verkostotapaaminen 21.5. 10.00"), N_("verkostotapaaminen place:Tampere-talo")),
        ),
        Subcommand(
            "meeting cancel",
            "tapaaminen peru",
            N_("<meeting>"),
            N_("cancel a meeting"),
            run_meeting_cancel,
            (N_("verkostotapaaminen"),),
        ),
    ):
        registry.add(subcommand)
