"""When the bot posts by itself (PRODUCT.md §4): the notifications an item should have.

Pure: plain items and rules in, `Planned` notifications out, every time in UTC, computed by
calendar arithmetic in the network's zone (`bot.moments`, where daylight saving is decided).

Nothing is ever planned before the item existed: such times are dropped here, and the outbox
does not create a notification whose time has already passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.dates import Offset
from bot.moments import deadline_due, end_of_day, local_moment, remind_at
from bot.work_packages.statuses import CLOSED

DEADLINE_REMINDER = "deadline_reminder"
REGISTRATION_REMINDER = "registration_reminder"
REGISTRATION_DM = "registration_dm"
MEETING_REMINDER = "meeting_reminder"
PACKAGE_DUE_SOON = "wp_due_soon"
PACKAGE_OVERDUE = "wp_overdue"
DIGEST = "digest"
STATUS_REQUEST = "status_request"
STATUS_REVIEW = "status_review"
FAILURE_REPORT = "failure_report"
# Enqueued by the engine when their parent goes out (or fails), not by the planner.
CHILD_KINDS = frozenset({REGISTRATION_DM, FAILURE_REPORT})
# What the planner plans, and so what reconciling an item may reschedule or cancel.
PLANNED_KINDS = frozenset(
    {
        DEADLINE_REMINDER,
        REGISTRATION_REMINDER,
        MEETING_REMINDER,
        PACKAGE_DUE_SOON,
        PACKAGE_OVERDUE,
        DIGEST,
        STATUS_REQUEST,
        STATUS_REVIEW,
    }
)

DEFAULT_DEADLINE_REMIND = (Offset(7, "d"), Offset(1, "d"), Offset(0, "d"))
PACKAGE_DUE_SOON_DAYS = 3
STATUS_REQUEST_BEFORE = Offset(3, "d")
STATUS_REVIEW_BEFORE = Offset(1, "d")
# The first word of an identity, and the subject type it stands for.
_SUBJECTS = {
    "deadline": "deadline",
    "meeting": "meeting",
    "wp": "work_package",
    "theme": "theme",
    "digest": "theme",
}


@dataclass(frozen=True)
class Rules:
    """The deployment's clock: zone, REMINDER_TIME, digest day and time, catch-up grace."""

    zone: ZoneInfo
    reminder_time: time = time(9, 0)
    digest_weekday: int = 0  # Monday
    digest_time: time = time(9, 0)
    grace: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class DeadlineItem:
    """A deadline; `channel` is where its reminders go (None: nowhere)."""

    id: int
    title: str
    due_date: date
    due_time: time | None
    theme_id: int | None
    channel: str | None
    remind: tuple[Offset, ...]
    registration: bool
    created_at: datetime


@dataclass(frozen=True)
class MeetingItem:
    """A meeting; `package_owners` are asked for a status update before a network-wide one."""

    id: int
    starts_at: datetime
    channels: tuple[str, ...]
    remind: tuple[Offset, ...]
    cancelled: bool
    audience_all: bool
    created_at: datetime
    package_owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkPackageItem:
    """A work package; `owner_contacts` are used when no person owns it."""

    id: int
    theme_channel: str | None
    owner_user: str | None
    owner_contacts: tuple[str, ...]
    due_date: date | None
    status: str
    created_at: datetime


@dataclass(frozen=True)
class ThemeItem:
    """A theme: its weekly digest and its registration deadline."""

    id: int
    channel: str | None
    digest_enabled: bool
    archived: bool
    created_at: datetime
    registration_deadline: date | None = None


@dataclass(frozen=True)
class Planned:
    """A notification that should exist: stable identity, due time and event time in UTC."""

    identity: str
    kind: str
    subject_type: str
    subject_id: int
    target: str
    due_at: datetime
    event_at: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def plan_deadline(item: DeadlineItem, rules: Rules) -> list[Planned]:
    """A reminder at each offset, in the deadline's channel."""
    if item.channel is None:
        return []
    due = deadline_due(item.due_date, item.due_time, rules.zone)
    kind = REGISTRATION_REMINDER if item.registration else DEADLINE_REMINDER
    planned = []
    for offset in item.remind:
        at = remind_at(due, item.due_date, item.due_time, offset, *_clock(rules))
        if at is not None:
            what = f"deadline:{item.id}:{offset}"
            planned.append(_note(what, kind, item.channel, at, due, offset))
    return _since(item.created_at, planned)


def plan_meeting(item: MeetingItem, rules: Rules) -> list[Planned]:
    """Reminders in the audience's channels; before a network-wide one, the status round."""
    if item.cancelled:
        return []
    local = item.starts_at.astimezone(rules.zone)
    planned = []
    for offset in item.remind:
        at = remind_at(item.starts_at, local.date(), local.time(), offset, *_clock(rules))
        if at is None:
            continue
        what = f"meeting:{item.id}:{offset}"
        for channel in item.channels:
            planned.append(_note(what, MEETING_REMINDER, channel, at, item.starts_at, offset))
    if item.audience_all:
        planned += _status_round(item, local, rules)
    return _since(item.created_at, planned)


def _status_round(item: MeetingItem, local: datetime, rules: Rules) -> list[Planned]:
    """Owners of active packages asked for an update 3 days before, the review 1 day before."""
    day, clock = local.date(), local.time()
    review = remind_at(item.starts_at, day, clock, STATUS_REVIEW_BEFORE, *_clock(rules))
    request = remind_at(item.starts_at, day, clock, STATUS_REQUEST_BEFORE, *_clock(rules))
    assert review is not None and request is not None  # whole days before: always earlier
    what = f"meeting:{item.id}"
    return [
        *(
            _note(f"{what}:review-1d", STATUS_REVIEW, channel, review, item.starts_at)
            for channel in item.channels
        ),
        *(
            _note(f"{what}:status-3d", STATUS_REQUEST, user, request, item.starts_at)
            for user in item.package_owners
        ),
    ]


def plan_work_package(item: WorkPackageItem, rules: Rules) -> list[Planned]:
    """The owners' DM 3 days before the due date; the channel told the day after it."""
    if item.due_date is None or item.status in CLOSED:
        return []
    zone, clock, what = rules.zone, rules.reminder_time, f"wp:{item.id}"
    due_end = end_of_day(item.due_date, zone)
    soon = local_moment(item.due_date - timedelta(days=PACKAGE_DUE_SOON_DAYS), clock, zone)
    owners = (item.owner_user,) if item.owner_user else item.owner_contacts
    planned = [_note(f"{what}:due-3d", PACKAGE_DUE_SOON, user, soon, due_end) for user in owners]
    # A package that was already overdue when it was created is shown, not announced.
    if item.theme_channel and item.created_at < due_end:
        overdue = local_moment(item.due_date + timedelta(days=1), clock, zone)
        planned.append(
            _note(f"{what}:overdue", PACKAGE_OVERDUE, item.theme_channel, overdue, about=due_end)
        )
    return _since(item.created_at, planned)


def plan_theme(item: ThemeItem, rules: Rules, now: datetime) -> list[Planned]:
    """The theme's registration-deadline reminders and its next weekly digest."""
    if item.archived or item.channel is None:
        return []
    planned = []
    if item.registration_deadline is not None:
        day = item.registration_deadline
        due = end_of_day(day, rules.zone)
        for offset in DEFAULT_DEADLINE_REMIND:
            at = remind_at(due, day, None, offset, *_clock(rules))
            what = f"theme:{item.id}:registration:{offset}"
            if at is not None:
                planned.append(_note(what, REGISTRATION_REMINDER, item.channel, at, due, offset))
    if item.digest_enabled:
        planned.append(next_digest(item.id, item.channel, rules, now, after=item.created_at))
    return _since(item.created_at, planned)


def next_digest(
    theme_id: int, channel: str, rules: Rules, now: datetime, after: datetime | None = None
) -> Planned:
    """The weekly digest due next, counting one still within the catch-up grace as next; never
    one due before `after` (the theme's creation: a theme made just after a digest's time gets
    next week's, not none).

    Counting a just-passed digest as "next" keeps it planned until it has had its chance to
    go out, so a plan run right after its time does not cancel it in favour of next week's.
    """
    since = now - rules.grace if after is None else max(now - rules.grace, after)
    day = since.astimezone(rules.zone).date()
    while day.weekday() != rules.digest_weekday or _digest_at(day, rules) < since:
        day += timedelta(days=1)
    year, week, _ = day.isocalendar()
    label = f"{year}-W{week:02d}"
    note = _note(f"digest:{theme_id}:{label}", DIGEST, channel, _digest_at(day, rules))
    return replace(note, payload={"week": label})


def _digest_at(day: date, rules: Rules) -> datetime:
    return local_moment(day, rules.digest_time, rules.zone)


def _clock(rules: Rules) -> tuple[ZoneInfo, time]:
    return rules.zone, rules.reminder_time


def _note(
    what: str,
    kind: str,
    target: str,
    at: datetime,
    event: datetime | None = None,
    offset: Offset | None = None,
    about: datetime | None = None,
) -> Planned:
    """A planned notification; its identity is `what` (subject and rule), the target and the
    time of what it is about (the event's, else `about`): moving an item plans fresh ones for
    its new time, and moving it back finds those already sent for that time."""
    subject, subject_id = what.split(":")[:2]
    payload = {"offset": str(offset)} if offset is not None else {}
    moment = event or about
    identity = f"{what}:{target}" + (f"@{stamp(moment)}" if moment else "")
    return Planned(identity, kind, _SUBJECTS[subject], int(subject_id), target, at, event, payload)


def stamp(moment: datetime) -> str:
    """A moment in an identity: `2027-04-28T06:00Z` (UTC, to the minute)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _since(created_at: datetime, planned: Iterable[Planned]) -> list[Planned]:
    """The planned notifications not earlier than the item's creation, each identity once."""
    unique = {p.identity: p for p in planned if p.due_at >= created_at}
    return list(unique.values())


def late_for(due_at: datetime, meant_for: datetime | None, started: datetime) -> datetime | None:
    """The moment a notification was meant for, when it goes out late (PRODUCT.md §4); None
    when it is on time.

    Late is what fell due before the running engine started (`started`, the moment its clock
    said when it was built: the bot was down when it fell due), and what an operator queued
    again after it failed (`meant_for`, the time it first had). One delayed only by pacing or a
    busy tick, however long, fell due while the engine ran: it is not marked.
    """
    if meant_for is not None:
        return meant_for
    return due_at if due_at < started else None
