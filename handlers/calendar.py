"""`calendar` / `kalenteri`: the address of the network's calendar feed, and the feed itself."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.calendar import calendar_file, deadline_event, feed_address, meeting_event
from bot.commands import Registry, Subcommand
from bot.deadlines import DeadlineView, still_open
from bot.i18n import N_, _, language
from bot.meetings import MeetingView
from bot.outcome import Outcome, reply
from bot.permissions import coordinate, require
from handlers.request import CommandRequest, Services
from storage import deadlines, meetings


async def run_calendar(request: CommandRequest) -> Outcome:
    """The feed's address, for coordinators to share with the network."""
    async with request.transaction() as session:
        require(coordinate(await request.actor(session)))
        network = await request.network(session)
    base = request.settings.public_url
    address = feed_address(network.calendar_token, base)
    if base:
        text = _(
            "Subscribe to the network's calendar in Outlook or Google Calendar with this address:"
            " {url}\nIt holds every upcoming meeting and deadline."
        ).format(url=address)
    else:
        text = _(
            "The calendar's path is {path}. Put the bot's public address (the setting"
            " PUBLIC_URL) before it, e.g. https://bot.example.fi{path}, and subscribe to that"
            " in Outlook or Google Calendar."
        ).format(path=address)
    text += "\n" + _(
        "The address is a secret: whoever has it sees every meeting and deadline, so share it"
        " only within the network. If it leaks, whoever runs the bot gives the calendar a new"
        " address with `network-bot calendar --rotate`, and the old one stops working."
    )
    return reply(text)


async def calendar_feed(services: Services, token: str, now: datetime) -> bytes | None:
    """Every upcoming meeting and deadline as iCalendar; None for a wrong token."""
    async with services.db() as session, session.begin():
        network = await meetings.calendar_network(session, token)
        if network is None:
            return None
        zone = ZoneInfo(network.timezone)
        found = await meetings.views(session, await meetings.upcoming(session, now))
        due = deadlines.views(await deadlines.upcoming(session, now.astimezone(zone).date()))
    # Writing hundreds of events takes a noticeable moment: not on the loop that acks Slack.
    return await asyncio.to_thread(_feed, found, due, network.name, network.language, zone, now)


def _feed(
    found: list[MeetingView],
    due: list[DeadlineView],
    name: str,
    lang: str,
    zone: ZoneInfo,
    now: datetime,
) -> bytes:
    with language(lang):
        events = [meeting_event(view, zone, now) for view in found]
        events += [deadline_event(v, zone, now) for v in due if still_open(v, now, zone)]
        return calendar_file(events, name)


def register(registry: Registry) -> None:
    """Offer `calendar`."""
    registry.add(
        Subcommand(
            "calendar",
            "kalenteri",
            "",
            N_("the address of the network's calendar feed, for Outlook or Google Calendar"),
            run_calendar,
            coordinator_only=True,
        )
    )
