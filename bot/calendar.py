"""Calendar files (iCalendar, RFC 5545): a meeting's file to import, and the network's feed.

Times are written in the network's time zone with its VTIMEZONE, so that a calendar shows a
meeting at the same clock time on both sides of a daylight saving change. Each item keeps one
UID for good, and a meeting's SEQUENCE grows with each change, so an imported copy is updated
rather than doubled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.deadlines import DeadlineView
from bot.i18n import _
from bot.meetings.meeting import MeetingView, agenda_text
from bot.text import truncate

PRODID = "-//network-bot//network-bot//EN"
DOMAIN = "network-bot"
REFRESH = timedelta(hours=1)  # how often a subscribed calendar should look again (PT1H)
FEED_PATH = "/calendar/{token}.ics"


def feed_address(token: str, public_url: str | None) -> str:
    """The feed's address: whole with the bot's public base URL, else its path alone."""
    path = FEED_PATH.format(token=token)
    return public_url.rstrip("/") + path if public_url else path


def meeting_uid(key: str) -> str:
    """The UID of a meeting, the same for all its versions."""
    return f"meeting-{key}@{DOMAIN}"


def deadline_uid(key: str) -> str:
    """The UID of a deadline."""
    return f"deadline-{key}@{DOMAIN}"


def meeting_event(view: MeetingView, zone: ZoneInfo, stamp: datetime) -> Event:
    """A meeting as a VEVENT, in the current language."""
    event = _event(meeting_uid(view.key), view.title, stamp)
    event.add("dtstart", view.starts_at.astimezone(zone))
    if view.ends_at is not None:
        event.add("dtend", view.ends_at.astimezone(zone))
    if view.place:
        event.add("location", view.place)
    if view.online_url:
        event.add("url", view.online_url)
    description = _meeting_description(view)
    if description:
        event.add("description", description)
    event.add("sequence", view.sequence)
    event.add("status", "CANCELLED" if view.cancelled else "CONFIRMED")
    return event


def _meeting_description(view: MeetingView) -> str:
    parts = []
    if view.agenda:
        parts.append(_("Agenda:") + "\n" + agenda_text(view.agenda))
    if view.online_url:
        parts.append(_("Online: {link}").format(link=view.online_url))
    if view.materials:
        listed = "\n".join(f"{m.title}: {m.url}" for m in view.materials)
        parts.append(_("Materials:") + "\n" + listed)
    return "\n\n".join(parts)


def deadline_event(view: DeadlineView, zone: ZoneInfo, stamp: datetime) -> Event:
    """A deadline as a VEVENT: all day, or at its time; it does not make anyone busy."""
    event = _event(deadline_uid(view.key), _("Deadline: {title}").format(title=view.title), stamp)
    if view.due_time is None:
        event.add("dtstart", view.due_date)
        event.add("dtend", view.due_date + timedelta(days=1))
    else:
        event.add("dtstart", datetime.combine(view.due_date, view.due_time, tzinfo=zone))
    facts = [view.audience or _("The whole network")]
    if view.registration:
        facts.append(_("Registration deadline"))
    event.add("description", "\n".join(facts))
    event.add("transp", "TRANSPARENT")
    return event


def _event(uid: str, summary: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", truncate(summary, 500))
    return event


def calendar_file(events: Iterable[Event], name: str | None = None) -> bytes:
    """A VCALENDAR of the events with the time zones they use; a `name` makes it a feed."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name is not None:
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")  # Outlook's spelling of the same
    listed = list(events)
    for event in listed:
        calendar.add_component(event)
    first, last = _span(listed)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())


def _span(events: list[Event]) -> tuple[date, date]:
    """A year either side of the events: the time zone's rules are written out for that span."""
    days = [_day(event.decoded("dtstart")) for event in events]
    first, last = (min(days), max(days)) if days else (date(2000, 1, 1), date(2000, 1, 1))
    return date(first.year - 1, 1, 1), date(last.year + 2, 1, 1)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def meeting_file(view: MeetingView, zone: ZoneInfo, stamp: datetime) -> bytes:
    """The calendar file offered under a meeting's announcement."""
    return calendar_file([meeting_event(view, zone, stamp)])
