"""Calendar files parsed back with icalendar: times, time zones, UIDs and SEQUENCE."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.calendar import calendar_file, deadline_event, meeting_event, meeting_file
from bot.deadlines import DeadlineView
from bot.i18n import language
from bot.meetings.meeting import AgendaLine, MaterialLink, MeetingView
from bot.scheduling import local_moment

HELSINKI = ZoneInfo("Europe/Helsinki")
STAMP = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)


def meeting(day: date, clock: time = time(10), **more: Any) -> MeetingView:
    start = local_moment(day, clock, HELSINKI)
    return MeetingView(1, f"kokous-{day.isoformat()}", "Kokous", start, **more)


def parsed(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2027, 3, 27), 8),  # Saturday before the spring change: UTC+2
        (date(2027, 3, 28), 7),  # the change happens at 3.00; by 10.00 it is UTC+3
        (date(2027, 3, 29), 7),
        (date(2027, 10, 30), 7),  # still summer time
        (date(2027, 10, 31), 8),  # the autumn change at 4.00: UTC+2 again
        (date(2027, 11, 1), 8),
    ],
)
def test_a_meeting_keeps_its_clock_time_across_the_dst_changes(day: date, utc_hour: int) -> None:
    with language("en"):
        data = meeting_file(meeting(day), HELSINKI, STAMP)
    [event] = parsed(data).walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == datetime(day.year, day.month, day.day, utc_hour, 0, tzinfo=UTC)
    assert start.astimezone(HELSINKI).time() == time(10)
    assert event["dtstart"].params["TZID"] == "Europe/Helsinki"


def test_the_file_carries_the_time_zone_with_both_changes_of_the_year() -> None:
    with language("en"):
        data = calendar_file(
            [
                meeting_event(meeting(date(2027, 3, 27)), HELSINKI, STAMP),
                meeting_event(meeting(date(2027, 11, 1)), HELSINKI, STAMP),
            ]
        )
    [zone] = parsed(data).walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Helsinki"
    daylight, standard = zone.walk("DAYLIGHT"), zone.walk("STANDARD")
    assert daylight and standard
    assert any("20270328" in c.to_ical().decode() for c in daylight)
    assert any("20271031" in c.to_ical().decode() for c in standard)


def test_a_meeting_file_has_what_a_calendar_shows() -> None:
    view = meeting(
        date(2027, 5, 20),
        ends_at=local_moment(date(2027, 5, 20), time(15, 30), HELSINKI),
        place="Helsinki; sali A, 2. krs",
        online_url="https://meet.example.org/x",
        agenda=(AgendaLine(time(9), "Kahvit"), AgendaLine(time(9, 20), "Johdatus", "Maija")),
        materials=(MaterialLink("Raportti", "https://example.org/r.pdf"),),
        sequence=3,
    )
    with language("en"):
        [event] = parsed(meeting_file(view, HELSINKI, STAMP)).walk("VEVENT")
    assert str(event["uid"]) == "meeting-kokous-2027-05-20@network-bot"
    assert str(event["summary"]) == "Kokous"
    assert str(event["location"]) == "Helsinki; sali A, 2. krs"
    assert str(event["url"]) == "https://meet.example.org/x"
    assert event.decoded("dtend") == datetime(2027, 5, 20, 12, 30, tzinfo=UTC)
    assert int(str(event["sequence"])) == 3 and str(event["status"]) == "CONFIRMED"
    assert event.decoded("dtstamp") == STAMP
    assert str(event["description"]) == (
        "Agenda:\n9.00 Kahvit\n9.20 Johdatus — Maija\n\n"
        "Online: https://meet.example.org/x\n\n"
        "Materials:\nRaportti: https://example.org/r.pdf"
    )


def test_a_cancelled_meeting_keeps_its_uid_and_says_cancelled() -> None:
    with language("en"):
        first = parsed(meeting_file(meeting(date(2027, 5, 20)), HELSINKI, STAMP))
        later = meeting(date(2027, 5, 20), cancelled=True, sequence=1)
        second = parsed(meeting_file(later, HELSINKI, STAMP + timedelta(days=1)))
    [one], [two] = first.walk("VEVENT"), second.walk("VEVENT")
    assert one["uid"] == two["uid"]
    assert (int(str(two["sequence"])), str(two["status"])) == (1, "CANCELLED")
    assert "dtend" not in two


def test_deadlines_are_all_day_or_at_their_time_and_do_not_make_anyone_busy() -> None:
    with language("en"):
        data = calendar_file(
            [
                deadline_event(
                    DeadlineView("ilm", "Ilmoittautuminen", date(2027, 4, 28), registration=True),
                    HELSINKI,
                    STAMP,
                ),
                deadline_event(
                    DeadlineView("rap", "Raportti", date(2027, 10, 31), time(16), "Liikenne"),
                    HELSINKI,
                    STAMP,
                ),
            ],
            name="MAL-verkosto",
        )
    calendar = parsed(data)
    assert str(calendar["x-wr-calname"]) == "MAL-verkosto"
    assert calendar["refresh-interval"].to_ical() == b"PT1H"
    whole_day, timed = calendar.walk("VEVENT")
    assert (whole_day.decoded("dtstart"), whole_day.decoded("dtend")) == (
        date(2027, 4, 28),
        date(2027, 4, 29),
    )
    assert str(whole_day["summary"]) == "Deadline: Ilmoittautuminen"
    assert str(whole_day["description"]) == "The whole network\nRegistration deadline"
    assert timed.decoded("dtstart") == datetime(2027, 10, 31, 14, 0, tzinfo=UTC)
    assert "dtend" not in timed and str(timed["transp"]) == "TRANSPARENT"
    assert str(timed["description"]) == "Liikenne"


def test_an_empty_feed_is_still_a_calendar() -> None:
    calendar = parsed(calendar_file([], name="Verkosto"))
    assert calendar.walk("VEVENT") == [] and str(calendar["version"]) == "2.0"
