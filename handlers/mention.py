"""Someone mentions the bot in a channel: it answers in the thread with how to use it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import _
from handlers.middleware import Acting


def register(app: AsyncApp) -> None:
    """Answer `app_mention` events."""

    async def on_mention(event: dict[str, Any], client: AsyncWebClient, acting: Acting) -> None:
        caller = await acting()
        text = _(
            "Hi! I answer to the command `{command}`: type `{command} help` to see what I can do."
        )
        await client.chat_postMessage(
            channel=event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            text=text.format(command=caller.command),
        )

    app.event("app_mention")(on_mention)
