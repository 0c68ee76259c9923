"""The buttons of a meeting: answers (RSVP), the details form, and Edit and Cancel for managers.

Each decides from the person acting and the stored meeting; a button's value only names which
meeting, and a forged one is answered like a missing meeting.
"""

from __future__ import annotations

import time
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.button_values import item_id
from bot.i18n import _
from bot.logs import log_request
from bot.meeting_form import FORM, OPTIONS_LIMIT, Values, details_form, notice, read_details
from bot.meeting_posts import CANCEL, DETAILS, EDIT, RSVP, answered
from bot.meetings import answers_open
from bot.outcome import Message, Outcome, UserError
from bot.text import escape
from handlers.errors import reporting
from handlers.legacy import LegacyPress as Press
from handlers.legacy import user_request
from handlers.request import CommandRequest, Services
from storage import meetings as store
from storage import outbox
from storage.models import Meeting
from usecases.commands import View
from usecases.meetings import posts
from usecases.meetings.changes import cancel, changes, managed, not_cancelled

ANSWERS = {action_id: answer for answer, action_id in RSVP.items()}


async def rsvp(request: CommandRequest, meeting_id: str, answer: str) -> Outcome:
    """Record the person's answer and redraw the announcements with the new counts."""
    async with request.transaction() as session:
        meeting = not_cancelled(await _meeting(session, meeting_id, lock=True))
        network = await request.network(session)
        zone = ZoneInfo(network.timezone)
        if not answers_open(meeting.starts_at, request.now):
            raise UserError(
                _("*{title}* has already begun, so answers are closed.").format(
                    title=escape(meeting.title)
                )
            )
        await store.answer(session, meeting.id, request.user_id, answer, request.now)
        await session.flush()
        view = await store.view(session, meeting)
        rows = posts.redrawn(view, await store.announcements(session, meeting.id), request.now)
        await outbox.enqueue(session, rows, request.now)
    return Outcome(Message(answered(view, answer, zone)), posts=tuple(rows))


async def form(request: CommandRequest, meeting_id: str) -> View:
    """The details form of a meeting the user manages."""
    async with request.transaction() as session:
        meeting = await managed(request, session, await _meeting(session, meeting_id))
        network = await request.network(session)
        view = await store.view(session, meeting)
        options = await _options(session, meeting)
        chosen = await store.linked_material_ids(session, meeting.id)
    return details_form(view, ZoneInfo(network.timezone), options, chosen)


async def save(
    request: CommandRequest, meeting_id: str, values: Values
) -> Outcome | dict[str, str]:
    """Save a submitted form; on any wrong field, its message and nothing written."""
    async with request.transaction() as session:
        meeting = await managed(request, session, await _meeting(session, meeting_id, lock=True))
        network = await request.network(session)
        before = await store.view(session, meeting)
        offered = {ident for ident, _title in await _options(session, meeting)}
        details = read_details(values, before, ZoneInfo(network.timezone), request.now, offered)
        if isinstance(details, dict):
            return details
        await store.set_details(session, meeting, details)
        _after, rows = await changes(request, session, meeting, network, before)
    return Outcome(Message(""), posts=tuple(rows))


async def cancel_pressed(request: CommandRequest, meeting_id: str) -> Outcome:
    """The Cancel meeting button."""
    async with request.transaction() as session:
        return await cancel(request, session, await _meeting(session, meeting_id))


async def _options(session: AsyncSession, meeting: Meeting) -> list[tuple[int, str]]:
    themes = None if meeting.audience_all else [theme.id for theme in meeting.themes]
    return await store.material_options(session, themes, OPTIONS_LIMIT)


async def _meeting(session: AsyncSession, meeting_id: str, lock: bool = False) -> Meeting:
    """The meeting a button names; a missing or forged one is answered, not raised."""
    ident = item_id(meeting_id)
    found = await store.meeting_by_id(session, ident, lock) if ident is not None else None
    if found is None:
        raise UserError(_("That meeting no longer exists."))
    return found


def register_listeners(app: AsyncApp, services: Services) -> None:
    """The form of a meeting's details (its buttons are `presses`)."""

    async def on_submit(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        started, user_id = time.perf_counter(), body["user"]["id"]
        async with reporting(body, None, client):
            request = await user_request(services, client, user_id)
            view = body["view"]
            try:
                saved = await save(request, view["private_metadata"], view["state"]["values"])
            except UserError as error:
                await ack(response_action="update", view=notice(error.message))
                return
            except Exception:
                await ack()  # close the form; reporting() tells the person what went wrong
                raise
            if isinstance(saved, dict):
                await ack(response_action="errors", errors=saved)
                return
            await ack()
        log_request("view", FORM, user_id, started, "ok")

    app.view(FORM)(on_submit)


def presses() -> dict[str, Press]:
    """The answer buttons, Add details / Edit (the form) and Cancel meeting, by action ids."""
    return {action_id: _press for action_id in (*RSVP.values(), DETAILS, EDIT, CANCEL)}


async def _press(request: CommandRequest, action: dict[str, Any]) -> Outcome | View:
    """What a meeting button does: answers and Cancel reply; the others open the form."""
    value, action_id = str(action.get("value", "")), action["action_id"]
    if action_id in ANSWERS:
        return await rsvp(request, value, ANSWERS[action_id])
    if action_id == CANCEL:
        return await cancel_pressed(request, value)
    return await form(request, value)
