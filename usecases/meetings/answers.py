"""Answers to a meeting (RSVP): yes, no or maybe, counted on its announcements."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import _
from bot.meetings.meeting import answers_open
from bot.meetings.posts import RSVP, answered
from bot.outcome import Message, Outcome, UserError
from bot.text import escape
from storage import meetings as store
from storage import outbox
from usecases.caller import Caller, Sessions, network
from usecases.meetings import posts
from usecases.meetings.meeting import by_id, not_cancelled


async def rsvp(db: Sessions, caller: Caller, meeting_id: int, answer: str) -> Outcome:
    """Record the caller's answer (a key of `RSVP`: yes, no or maybe) to a meeting still to
    begin, and redraw its announcements with the new counts."""
    if answer not in RSVP:
        raise ValueError(f"not an answer: {answer!r}")
    async with db.begin() as session:
        meeting = not_cancelled(await by_id(session, meeting_id, lock=True))
        zone = ZoneInfo((await network(session, caller)).timezone)
        if not answers_open(meeting.starts_at, caller.now):
            raise UserError(
                _("*{title}* has already begun, so answers are closed.").format(
                    title=escape(meeting.title)
                )
            )
        await store.answer(session, meeting.id, caller.user_id, answer, caller.now)
        await session.flush()
        view = await store.view(session, meeting)
        rows = posts.redrawn(view, await store.announcements(session, meeting.id), caller.now)
        await outbox.enqueue(session, rows, caller.now)
    return Outcome(Message(answered(view, answer, zone)), posts=tuple(rows))
