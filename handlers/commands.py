"""The one slash command: ack at once, run the subcommand, reply (and send the file asked for)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import set_language
from bot.logs import log_request
from handlers.dispatch import dispatch
from handlers.errors import reporting
from handlers.replies import send_files
from handlers.request import Services


def register(app: AsyncApp, services: Services) -> None:
    """Listen to the configured slash command."""

    async def on_command(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        started, user_id, outcome_label = time.perf_counter(), command["user_id"], "error"
        name = "-"
        async with reporting(services, command, respond, client):
            default = services.settings.language
            set_language(await services.people.language(client, user_id, default))
            text, channel = command.get("text", ""), command.get("channel_id")

            async def channel_named(name: str) -> str | None:
                return await services.channels.lookup(client, name)

            async def names_of(user_ids: Iterable[str]) -> dict[str, str]:
                return await services.people.names(client, user_ids)

            now = datetime.now(UTC)
            name, outcome = await dispatch(
                services, user_id, text, now, channel, channel_named, names_of
            )
            reply = outcome.reply
            response_type = "in_channel" if outcome.public else "ephemeral"
            await respond(text=reply.text, blocks=reply.blocks, response_type=response_type)
            await send_files(client, outcome.effects)
            outcome_label = "ok"
        log_request("command", name, user_id, started, outcome_label)

    app.command(services.settings.slash_command)(on_command)
