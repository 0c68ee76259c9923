"""What an operator does on the server: `python -m bot outbox` (the notifications, re-queuing
one) and `python -m bot calendar [--rotate]` (the calendar feed's secret address)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from app.settings import Settings
from bot.calendar import feed_address
from storage import notifications, planner_items
from storage.channels import channel_names
from storage.db import create_engine, create_session_factory
from storage.models import Notification
from storage.network import get_network, rotate_calendar_token

KINDS = {
    "deadline_reminder": "deadline reminder",
    "registration_reminder": "registration reminder",
    "registration_dm": "registration reminder to a contact",
    "meeting_reminder": "meeting reminder",
    "wp_due_soon": "work package due soon",
    "wp_overdue": "work package overdue",
    "digest": "weekly digest",
    "status_request": "status update request",
    "status_review": "status review",
    "failure_report": "failure report",
}
HEADER = ("id", "state", "what", "where", "due/sent", "tries", "last error")
WHAT_WIDTH = 60
ERROR_WIDTH = 80


async def list_outbox(
    settings: Settings, state: str | None, limit: int, out: TextIO | None = None
) -> int:
    """Print the notifications as a table: what each is, where it goes, when (network time)."""
    out = out or sys.stdout  # looked up now: a test may have replaced it since import
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            row = await planner_items.network(session)
            zone = ZoneInfo(row.timezone if row else settings.timezone)
            notes = await notifications.listing(session, state, limit)
            places = await channel_names(session, "announcements")
            subjects = await notifications.subject_names(session, notes)
    finally:
        await engine.dispose()
    if not notes:
        out.write("no notifications" + (f" in state {state}" if state else "") + "\n")
        return 0
    out.write(table([HEADER, *(line(note, zone, places, subjects) for note in notes)]))
    return 0


def line(
    note: Notification,
    zone: ZoneInfo,
    places: dict[str, str],
    subjects: dict[tuple[str, int], str],
) -> tuple[str, ...]:
    """One notification as the table's cells."""
    when = note.sent_at if note.state == "sent" and note.sent_at else note.due_at
    return (
        str(note.id),
        note.state,
        _what(note, subjects),
        where(note.target, places),
        when.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
        str(note.attempts),
        _short(" ".join((note.last_error or "").split()), ERROR_WIDTH),
    )


def _what(note: Notification, subjects: dict[tuple[str, int], str]) -> str:
    what = KINDS.get(note.kind, note.kind.replace("_", " "))
    offset = (note.payload or {}).get("offset")
    if offset:
        what += f" {offset}"
    name = subjects.get((note.subject_type, note.subject_id or 0))
    return _short(f"{what}: {name}" if name else what, WHAT_WIDTH)


def where(target: str, places: dict[str, str]) -> str:
    """A channel by its name when known (else its id); a person's direct messages."""
    if target in places:
        return places[target]
    return f"DM {target}" if target.startswith(("U", "W")) else target


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table(rows: list[tuple[str, ...]]) -> str:
    """Rows as columns two spaces apart, each as wide as its widest cell."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in rows
    )


async def retry_notification(
    settings: Settings, note_id: int, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Queue a failed notification again; 1 if there is no failed notification by that id."""
    out, err = out or sys.stdout, err or sys.stderr
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            queued = await notifications.retry(session, note_id, datetime.now(UTC))
    finally:
        await engine.dispose()
    if not queued:
        err.write(f"network-bot: no failed notification {note_id}\n")
        return 1
    out.write(f"notification {note_id} queued again; the clock posts it within a tick\n")
    return 0


async def calendar_address(settings: Settings, rotate: bool, out: TextIO = sys.stdout) -> int:
    """Print the calendar feed's address; with `rotate`, give it a new one first (the old
    address then answers 404)."""
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            network = await get_network(
                session,
                timezone=settings.timezone,
                language=settings.language,
                announcement_channel=settings.announcement_channel,
            )
            token = await rotate_calendar_token(session) if rotate else network.calendar_token
    finally:
        await engine.dispose()
    if rotate:
        out.write("the calendar has a new address; the old one no longer works:\n")
    out.write(feed_address(token, settings.public_url) + "\n")
    if not settings.public_url:
        out.write("(set PUBLIC_URL to print the whole address)\n")
    return 0
