"""One meeting: the one a user's words or a button name, and whether the caller may manage it.

A button's value only says which meeting; a forged one is answered like a missing meeting.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.button_values import item_id
from bot.i18n import _
from bot.outcome import UserError
from bot.permissions import require
from bot.scheduling import manage_audience, pick
from bot.text import escape
from storage import meetings as store
from storage.models import Meeting
from usecases.caller import Caller, actor


def meeting_id(value: str) -> int:
    """The meeting a button's value (or a form's) names; a forged one is refused as missing."""
    found = item_id(value)
    if found is None:
        raise _gone()
    return found


async def by_id(session: AsyncSession, meeting_id: int, lock: bool = False) -> Meeting:
    """The meeting with this id; `lock` keeps its row to this transaction (one answer at a time)."""
    found = await store.meeting_by_id(session, meeting_id, lock)
    if found is None:
        raise _gone()
    return found


def _gone() -> UserError:
    return UserError(_("That meeting no longer exists."))


async def named(session: AsyncSession, caller: Caller, query: str) -> Meeting:
    """The upcoming meeting the words name (key, or a prefix of its key or title)."""
    key = pick(
        query,
        await store.meeting_choices(session, caller.now),
        _("There is no upcoming meeting '{query}'."),
        _("'{query}' fits several meetings: {options}. Write more of the key."),
    )
    found = await store.meeting_by_key(session, key)
    assert found is not None
    return found


async def managed(session: AsyncSession, caller: Caller, meeting: Meeting) -> Meeting:
    """The meeting, if the caller may manage it and it is not cancelled."""
    roles = await store.audience_roles(session, meeting)
    require(manage_audience(await actor(session, caller), roles, meeting.audience_all))
    return not_cancelled(meeting)


def not_cancelled(meeting: Meeting) -> Meeting:
    """The meeting, unless it is cancelled: then a `UserError` saying so."""
    if meeting.cancelled:
        raise UserError(
            _("The meeting *{title}* is cancelled.").format(title=escape(meeting.title))
        )
    return meeting
