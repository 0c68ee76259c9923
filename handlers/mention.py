"""Someone mentions the bot in a channel: it answers in the thread with how to use it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import _, language
from handlers.language import user_language
from handlers.request import Services


def register_listeners(app: AsyncApp, services: Services) -> None:
    """Answer `app_mention` events."""

    async def on_mention(event: dict[str, Any], client: AsyncWebClient) -> None:
        code = await user_language(services, client, event["user"])
        with language(code):
            text = _(
                "Hi! I answer to the command `{command}`:"
                " type `{command} help` to see what I can do."
            )
        await client.chat_postMessage(
            channel=event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            text=text.format(command=services.settings.slash_command),
        )

    app.event("app_mention")(on_mention)
