"""A meeting's details form (Add details, Edit): opening it filled in, and saving what was sent.

Only the people who manage the meeting open or save it; saving tells the meeting's channels
as `meeting edit` does.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.meetings.form import OPTIONS_LIMIT, Values, details_form, read_details
from bot.outcome import Message, Outcome
from storage import meetings as store
from storage.models import Meeting
from usecases.caller import Caller, Sessions, network
from usecases.commands import View
from usecases.meetings.changes import changes
from usecases.meetings.meeting import by_id, managed


async def form(db: Sessions, caller: Caller, meeting_id: int) -> View:
    """The details form of a meeting the caller manages."""
    async with db.begin() as session:
        meeting = await managed(session, caller, await by_id(session, meeting_id))
        zone = ZoneInfo((await network(session, caller)).timezone)
        view = await store.view(session, meeting)
        options = await _options(session, meeting)
        chosen = await store.linked_material_ids(session, meeting.id)
    return details_form(view, zone, options, chosen)


async def save(
    db: Sessions, caller: Caller, meeting_id: int, values: Values
) -> Outcome | dict[str, str]:
    """Save a submitted form; on any wrong field, its message (by the field's block) and
    nothing written."""
    async with db.begin() as session:
        meeting = await managed(session, caller, await by_id(session, meeting_id, lock=True))
        net = await network(session, caller)
        before = await store.view(session, meeting)
        offered = {ident for ident, _title in await _options(session, meeting)}
        details = read_details(values, before, ZoneInfo(net.timezone), caller.now, offered)
        if isinstance(details, dict):
            return details
        await store.set_details(session, meeting, details)
        _after, rows = await changes(session, caller, meeting, net, before)
    return Outcome(Message(""), posts=tuple(rows))


async def _options(session: AsyncSession, meeting: Meeting) -> list[tuple[int, str]]:
    """The materials the form offers: of the meeting's themes, or all for the whole network."""
    themes = None if meeting.audience_all else [theme.id for theme in meeting.themes]
    return await store.material_options(session, themes, OPTIONS_LIMIT)
