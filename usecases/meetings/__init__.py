"""Meetings: adding, changing and cancelling them (`changes`), their lists (`listing`), the
answers (`answers`) and details form (`details`) of their buttons, and what the bot posts about
them (`posts`)."""

from __future__ import annotations

from typing import Any

from bot.meetings.posts import CANCEL, DETAILS, EDIT, RSVP
from bot.outcome import Outcome
from usecases.caller import Caller, Sessions
from usecases.commands import Press, View
from usecases.meetings import answers, changes, details, listing
from usecases.meetings.meeting import meeting_id

SUBCOMMANDS = (listing.LIST, changes.ADD, changes.EDIT, changes.CANCEL)
ANSWERS = {action_id: answer for answer, action_id in RSVP.items()}


def presses() -> dict[str, Press]:
    """The answer buttons, Add details / Edit (the form) and Cancel meeting, by action ids."""
    return {action_id: _press for action_id in (*RSVP.values(), DETAILS, EDIT, CANCEL)}


async def _press(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome | View:
    """What a meeting button does: answers and Cancel reply; the others open the form."""
    ident, action_id = meeting_id(str(action.get("value", ""))), action["action_id"]
    if action_id in ANSWERS:
        return await answers.rsvp(db, caller, ident, ANSWERS[action_id])
    if action_id == CANCEL:
        return await changes.cancel_by_id(db, caller, ident)
    return await details.form(db, caller, ident)
