"""`calendar` / `kalenteri`: the address of the network's calendar feed, and the feed itself."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.calendar import calendar_file, deadline_event, feed_address, meeting_event
from bot.commands import Subcommand
from bot.deadlines import DeadlineView, still_open
from bot.i18n import N_, _, language
from bot.meetings.meeting import MeetingView
from bot.outcome import Outcome, reply
from bot.permissions import coordinate, require
from storage import deadlines, meetings
from usecases.caller import Caller, Sessions, actor, network


async def address(db: Sessions, caller: Caller) -> Outcome:
    """The feed's address, for coordinators to share with the network."""
    async with db.begin() as session:
        require(coordinate(await actor(session, caller)))
        token = (await network(session, caller)).calendar_token
    base = caller.deployment.public_url
    url = feed_address(token, base)
    if base:
        text = _(
            "Subscribe to the network's calendar in Outlook or Google Calendar with this address:"
            " {url}\nIt holds every upcoming meeting and deadline."
        ).format(url=url)
    else:
        text = _(
            "The calendar's path is {path}. Put the bot's public address (the setting"
            " PUBLIC_URL) before it, e.g. https://bot.example.fi{path}, and subscribe to that"
            " in Outlook or Google Calendar."
        ).format(path=url)
    text += "\n" + _(
        "The address is a secret: whoever has it sees every meeting and deadline, so share it"
        " only within the network. If it leaks, whoever runs the bot gives the calendar a new"
        " address with `network-bot calendar --rotate`, and the old one stops working."
    )
    return reply(text)


async def feed(db: Sessions, token: str, now: datetime) -> bytes | None:
    """Every upcoming meeting and deadline as iCalendar; None for a wrong token."""
    async with db() as session:
        found = await meetings.calendar_network(session, token)
        if found is None:
            return None
        zone = ZoneInfo(found.timezone)
        views = await meetings.views(session, await meetings.upcoming(session, now))
        due = deadlines.views(await deadlines.upcoming(session, now.astimezone(zone).date()))
    # Writing hundreds of events takes a noticeable moment: not on the loop that acks Slack.
    return await asyncio.to_thread(_feed, views, due, found.name, found.language, zone, now)


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


async def _calendar(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    return await address(db, caller)


SUBCOMMANDS = (
    Subcommand(
        "calendar",
        "kalenteri",
        "",
        N_("the address of the network's calendar feed, for Outlook or Google Calendar"),
        _calendar,
        coordinator_only=True,
    ),
)
