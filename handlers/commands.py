"""The one slash command: ack at once, run the subcommand the text names, reply (and send
the file asked for)."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import Registry
from bot.home.tab import CHANGED_BY
from bot.logs import log_request
from handlers import home
from handlers.errors import reporting
from handlers.middleware import Acting
from handlers.replies import reply, send_files
from usecases import commands
from usecases.caller import Sessions


def register(app: AsyncApp, slash_command: str) -> None:
    """Listen to the configured slash command."""

    async def on_command(
        ack: AsyncAck,
        command: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        db: Sessions,
        registry: Registry,
        acting: Acting,
    ) -> None:
        await ack()
        started, name, label = time.perf_counter(), "-", "error"
        async with reporting(command, respond, client):
            caller = await acting()
            name, outcome = await commands.run(db, caller, registry, command.get("text", ""))
            await reply(respond, outcome)
            await send_files(client, outcome.effects)
            label = "ok"
        log_request("command", name, command["user_id"], started, label)
        if label == "ok" and name in CHANGED_BY:  # after the reply: the Home tab drawn again
            async with reporting(command, respond, client):
                await home.refresh(client, db, caller)

    app.command(slash_command)(on_command)
