"""The one slash command: ack at once, run the subcommand, reply, carry out its effects."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import set_language
from bot.logs import log_request
from handlers.channels import channel_id
from handlers.dispatch import dispatch
from handlers.effects import perform, tell_unposted
from handlers.errors import reporting
from handlers.language import user_language
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
            set_language(await user_language(services, client, user_id))
            text, channel = command.get("text", ""), command.get("channel_id")

            async def channel_named(name: str) -> str | None:
                return await channel_id(client, name)

            async def names_of(user_ids: Iterable[str]) -> dict[str, str]:
                return await services.people.names(client, user_ids)

            now = services.clock()
            name, outcome = await dispatch(
                services, user_id, text, now, channel, channel_named, names_of
            )
            reply = outcome.reply
            response_type = "in_channel" if outcome.public else "ephemeral"
            await respond(text=reply.text, blocks=reply.blocks, response_type=response_type)
            await tell_unposted(respond, await perform(client, outcome.effects))
            outcome_label = "ok"
        log_request("command", name, user_id, started, outcome_label)

    app.command(services.settings.slash_command)(on_command)
