"""A button listener: ack at once, decide from the acting user and stored data, answer in place."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import set_language
from bot.logs import log_request
from bot.outcome import Outcome
from handlers.dispatch import attempt
from handlers.errors import reporting
from handlers.replies import send_files
from handlers.request import CommandRequest, Services

View = dict[str, Any]  # a modal, as `views.open` takes it
Press = Callable[[CommandRequest, dict[str, Any]], Awaitable[Outcome | View]]
Listener = Callable[..., Awaitable[None]]


def button_listener(services: Services, press: Press) -> Listener:
    """A listener that runs `press`: a view it returns is opened; an outcome marked `public`
    replaces the message pressed, any other is answered only to the person."""

    async def on_button(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        started, user_id = time.perf_counter(), body["user"]["id"]
        async with reporting(services, body, respond, client):
            result = await attempt(press(await user_request(services, client, user_id), action))
            if isinstance(result, Outcome):
                reply, kind = result.reply, None if result.public else "ephemeral"
                await respond(
                    text=reply.text,
                    blocks=reply.blocks,
                    response_type=kind,
                    replace_original=result.public,
                )
                await send_files(client, result.effects)
            else:
                await client.views_open(trigger_id=body["trigger_id"], view=result)
        log_request("action", action["action_id"], user_id, started, "ok")

    return on_button


async def user_request(services: Services, client: AsyncWebClient, user_id: str) -> CommandRequest:
    """A request by this user now (a button, a shortcut, a form), their language set."""
    set_language(await services.people.language(client, user_id, services.settings.language))
    return CommandRequest(services, user_id, datetime.now(UTC), [])
