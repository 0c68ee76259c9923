"""Carry out a use case's effects through the Slack Web API."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.outcome import DirectMessage, Effect, Invite, Post, Upload

logger = logging.getLogger("network_bot.slack")


async def perform(client: AsyncWebClient, effects: tuple[Effect, ...]) -> None:
    """Carry out each effect in order; a failure is logged and does not stop the others."""
    for effect in effects:
        try:
            await _perform(client, effect)
        except SlackApiError as error:
            logger.warning(
                "slack call failed: effect=%s error=%s", type(effect).__name__, _code(error)
            )


async def _perform(client: AsyncWebClient, effect: Effect) -> None:
    if isinstance(effect, Post):
        await post(client, effect)
    elif isinstance(effect, DirectMessage):
        message = effect.message
        await client.chat_postMessage(channel=effect.user, text=message.text, blocks=message.blocks)
    elif isinstance(effect, Invite):
        await invite(client, effect)
    elif isinstance(effect, Upload):
        await upload(client, effect)


async def post(client: AsyncWebClient, effect: Post) -> str | None:
    """Post in a channel, joining it first if the bot is not a member (public channels)."""
    message = effect.message

    async def send() -> AsyncSlackResponse:
        return await client.chat_postMessage(
            channel=effect.channel,
            text=message.text,
            blocks=message.blocks,
            thread_ts=effect.thread_ts,
        )

    try:
        response = await send()
    except SlackApiError as error:
        if _code(error) != "not_in_channel":
            raise
        await client.conversations_join(channel=effect.channel)
        response = await send()
    ts = response.get("ts")
    return str(ts) if ts else None


async def invite(client: AsyncWebClient, effect: Invite) -> None:
    """Invite a person, joining a public channel first; report a channel the bot cannot reach."""
    try:
        await _invite(client, effect)
    except SlackApiError as error:
        logger.warning("invite failed: channel=%s error=%s", effect.channel, _code(error))
        for message in effect.fallback:
            await _perform(client, message)


async def _invite(client: AsyncWebClient, effect: Invite) -> None:
    try:
        await client.conversations_invite(channel=effect.channel, users=effect.user)
    except SlackApiError as error:
        if _code(error) == "already_in_channel":
            return
        if _code(error) != "not_in_channel":
            raise
        await client.conversations_join(channel=effect.channel)
        await client.conversations_invite(channel=effect.channel, users=effect.user)


async def upload(client: AsyncWebClient, effect: Upload) -> None:
    """Send a file to one person in their direct-message conversation with the bot."""
    opened = await client.conversations_open(users=effect.user)
    channel = opened["channel"]["id"]
    await client.files_upload_v2(
        channel=channel,
        content=effect.content,
        filename=effect.filename,
        title=effect.title,
        initial_comment=effect.comment or None,
    )


def _code(error: SlackApiError) -> str:
    return str(error.response.get("error", "unknown"))
