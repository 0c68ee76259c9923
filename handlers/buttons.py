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
from handlers.effects import perform
from handlers.errors import reporting
from handlers.request import CommandRequest, Services

Press = Callable[[CommandRequest, dict[str, Any]], Awaitable[Outcome]]
Listener = Callable[..., Awaitable[None]]


def button_listener(services: Services, press: Press) -> Listener:
    """A listener that runs `press`; an outcome marked `public` replaces the message pressed."""

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
            default = services.settings.language
            set_language(await services.locales.language(client, user_id, default))
            request = CommandRequest(services, user_id, datetime.now(UTC), [])
            outcome = await attempt(press(request, action))
            reply = outcome.reply
            await respond(text=reply.text, blocks=reply.blocks, replace_original=outcome.public)
            await perform(client, outcome.effects)
        log_request("action", action["action_id"], user_id, started, "ok")

    return on_button
