"""Calendar arithmetic in the network's time zone: local dates and clock times to UTC instants.

Day-based times are a local date and clock time, then to UTC, never "minus N × 24 hours";
`h` and `m` offsets are exact durations. Daylight saving, decided here once for every rule:
- a local time that does not exist (the spring gap, 2027-03-28 03:00–04:00 in Helsinki) is read
  as zoneinfo reads it with fold=0, with the offset from before the gap: 03:30 becomes 04:30
  summer time. A reminder goes out just after the missing time, never an hour early.
- a local time that happens twice (2027-10-31 03:00–04:00) is its first occurrence (fold=0,
  still summer time), so a reminder is never an hour late.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.dates import Offset


def local_moment(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local date and clock time (fold=0: see the module docstring)."""
    return datetime.combine(day, clock.replace(fold=0), tzinfo=zone).astimezone(UTC)


def to_utc(local: datetime, zone: ZoneInfo) -> datetime | None:
    """The moment a naive local time names, or None if the clocks skip it (the spring gap).

    For times people give (a plan's, a meeting's), where a missing time is refused rather than
    moved; a time the clocks pass twice is its first occurrence, as above.
    """
    aware = local.replace(tzinfo=zone, fold=0)
    moment = aware.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local:
        return None
    return moment


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Local 24:00 of a day: when a date-only deadline is due."""
    return local_moment(day + timedelta(days=1), time(0), zone)


def remind_at(
    event: datetime, day: date, clock: time | None, offset: Offset, zone: ZoneInfo, reminder: time
) -> datetime | None:
    """When a reminder `offset` before an event goes out; None for a `0d` after the event.

    `day` and `clock` are the event's local date and clock time (clock None: a date-only
    event, due at `event` = the end of its day). `Nd` is REMINDER_TIME N days before for a
    date-only event and the event's own clock time for a timed one; `0d` is REMINDER_TIME on
    the day, if that is before the event.
    """
    if offset.unit != "d":
        return event - offset.to_timedelta()
    earlier = day - timedelta(days=offset.amount)
    at_clock = clock if clock is not None and offset.amount else reminder
    at = local_moment(earlier, at_clock, zone)
    return at if at < event else None


def deadline_due(day: date, clock: time | None, zone: ZoneInfo) -> datetime:
    """The instant a deadline falls due: its time, or the end of its day."""
    return end_of_day(day, zone) if clock is None else local_moment(day, clock, zone)
