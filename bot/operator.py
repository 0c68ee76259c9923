"""What an operator does on the server: `python -m bot outbox` (the notifications, re-queuing
one) and `python -m bot calendar [--rotate]` (the calendar feed's secret address)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.calendar import feed_address
from bot.settings import Settings
from storage import claims, delivery_data
from storage.db import create_engine, create_session_factory
from storage.models import Notification
from storage.network import get_network, rotate_calendar_token


async def list_outbox(
    settings: Settings, state: str | None, limit: int, out: TextIO = sys.stdout
) -> int:
    """Print id, identity, due time (network time), state, attempts and last error."""
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            row = await delivery_data.network(session)
            zone = ZoneInfo(row.timezone if row else settings.timezone)
            notes = await claims.listing(session, state, limit)
    finally:
        await engine.dispose()
    for note in notes:
        out.write(line(note, zone) + "\n")
    if not notes:
        out.write("no notifications" + (f" in state {state}" if state else "") + "\n")
    return 0


def line(note: Notification, zone: ZoneInfo) -> str:
    """One notification on one line, tab-separated."""
    due = note.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    error = (note.last_error or "").replace("\n", " ")
    return "\t".join([str(note.id), note.identity, due, note.state, str(note.attempts), error])


async def retry_notification(
    settings: Settings, note_id: int, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Queue a failed notification again; 1 if there is no failed notification by that id."""
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            queued = await claims.retry(session, note_id, datetime.now(UTC))
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
