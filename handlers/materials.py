"""The "Add to materials" message shortcut and its form (`usecases.materials` does the work)."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import log_request
from bot.materials.form import MODAL, SHORTCUT, source_channel, title_from_message
from bot.outcome import Message, Outcome
from bot.text import truncate
from handlers.errors import answer, reporting
from handlers.middleware import Acting
from usecases import materials
from usecases.caller import Sessions


def register_listeners(app: AsyncApp) -> None:
    """The shortcut opens the form; submitting it saves, or shows the errors in it."""

    async def on_shortcut(
        ack: AsyncAck,
        body: dict[str, Any],
        respond: AsyncRespond | None,
        client: AsyncWebClient,
        db: Sessions,
        acting: Acting,
    ) -> None:
        await ack()
        started, user_id = time.perf_counter(), body["user"]["id"]
        async with reporting(body, respond, client):
            caller = await acting()
            source = await _source(client, body)
            view = await materials.form(db, caller, source)
            await client.views_open(trigger_id=body["trigger_id"], view=view)
        log_request("shortcut", SHORTCUT, user_id, started, "ok")

    async def on_submit(
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        db: Sessions,
        acting: Acting,
    ) -> None:
        # Slack waits for this ack to close the modal or show the errors, so it comes last.
        started, user_id = time.perf_counter(), body["user"]["id"]
        try:
            result = await materials.submit(db, await acting(), view["state"]["values"])
        except Exception as error:
            await ack()
            await answer(error, body, None, client)
            return
        if isinstance(result, Outcome):
            await ack()
            await _confirm(client, user_id, str(view.get("private_metadata") or ""), result.reply)
        else:
            await ack(response_action="errors", errors=result)
        log_request("view", MODAL, user_id, started, "ok")

    app.shortcut(SHORTCUT)(on_shortcut)
    app.view(MODAL)(on_submit)


async def _source(client: AsyncWebClient, body: dict[str, Any]) -> materials.Source:
    """The message the shortcut was used on, and the address and title it offers."""
    channel = str((body.get("channel") or {}).get("id") or "")
    message = body.get("message") or {}
    url, title = await _offered(client, channel, message)
    return materials.Source(channel, str(message.get("ts") or ""), url, title)


async def _offered(
    client: AsyncWebClient, channel: str, message: dict[str, Any]
) -> tuple[str, str]:
    """The address and title a message offers: its first file's, else its own permalink."""
    files = message.get("files") or []
    if files:
        first = files[0]
        title = str(first.get("title") or first.get("name") or "")
        return str(first.get("permalink") or ""), truncate(title, 150)
    title = title_from_message(str(message.get("text") or ""))
    try:
        found = await client.chat_getPermalink(channel=channel, message_ts=message["ts"])
    except (SlackApiError, KeyError):
        return "", title  # the user pastes the address; the bot may not see the channel
    return str(found.get("permalink") or ""), title


async def _confirm(client: AsyncWebClient, user_id: str, metadata: str, message: Message) -> None:
    """Tell the user where they were: in the message's channel, only to them; else in a DM."""
    channel = source_channel(metadata)
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user_id, text=message.text)
            return
        except SlackApiError:
            pass  # the bot is not in that channel
    await client.chat_postMessage(channel=user_id, text=message.text, blocks=message.blocks)
