"""Carry out a use case's effects through the Slack Web API."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.notices import unposted
from bot.outcome import (
    ChannelUpload,
    DirectMessage,
    Effect,
    Invite,
    Post,
    Posted,
    Record,
    Update,
    Upload,
)
from handlers.posting import join

logger = logging.getLogger("network_bot.slack")

Unposted = tuple[str, str]  # a post Slack refused: the channel's label, Slack's error code


async def perform(client: AsyncWebClient, effects: tuple[Effect, ...]) -> list[Unposted]:
    """Carry out each effect in order; a failure is logged and does not stop the others.

    Returns the posts Slack refused, for the person who acted to be told (`bot.notices.unposted`).
    Where each post with a `record` key landed is handed to any `Record` effect.
    """
    receipts: dict[str, Posted] = {}
    unposted: list[Unposted] = []
    for effect in effects:
        try:
            await _perform(client, effect, receipts)
        except SlackApiError as error:
            logger.warning(
                "slack call failed: effect=%s error=%s", type(effect).__name__, _code(error)
            )
            if isinstance(effect, Post) and effect.told_if_refused:
                where = effect.label if effect.label.startswith("#") else f"<#{effect.channel}>"
                unposted.append((where, _code(error)))
    return unposted


async def tell_unposted(respond: AsyncRespond, failures: list[Unposted]) -> None:
    """Tell the person who acted, in a message only they see, which posts Slack refused and why
    (a private channel the bot is not in, an archived one), so that they can put it right."""
    if failures:
        await respond(text=unposted(failures), response_type="ephemeral", replace_original=False)


async def _perform(client: AsyncWebClient, effect: Effect, receipts: dict[str, Posted]) -> None:
    if isinstance(effect, Post):
        ts = await post(client, effect)
        if effect.record and ts:
            receipts[effect.record] = Posted(effect.channel, ts)
    elif isinstance(effect, DirectMessage):
        message = effect.message
        await client.chat_postMessage(channel=effect.user, text=message.text, blocks=message.blocks)
    elif isinstance(effect, Invite):
        await invite(client, effect)
    elif isinstance(effect, Upload):
        await upload(client, effect)
    elif isinstance(effect, ChannelUpload):
        await channel_upload(client, effect, receipts)
    elif isinstance(effect, Update):
        message = effect.message
        await client.chat_update(
            channel=effect.channel, ts=effect.ts, text=message.text, blocks=message.blocks
        )
    elif isinstance(effect, Record):
        await effect.store(dict(receipts))


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

    response = await _in_channel(client, effect.channel, send)
    ts = response.get("ts")
    return str(ts) if ts else None


async def invite(client: AsyncWebClient, effect: Invite) -> None:
    """Invite a person, joining a public channel first; report a channel the bot cannot reach."""
    try:
        await _invite(client, effect)
    except SlackApiError as error:
        logger.warning("invite failed: channel=%s error=%s", effect.channel, _code(error))
        for message in effect.fallback:
            await _perform(client, message, {})


async def _invite(client: AsyncWebClient, effect: Invite) -> None:
    async def send() -> AsyncSlackResponse:
        return await client.conversations_invite(channel=effect.channel, users=effect.user)

    try:
        await _in_channel(client, effect.channel, send)
    except SlackApiError as error:
        if _code(error) != "already_in_channel":
            raise


async def _in_channel(
    client: AsyncWebClient, channel: str, call: Callable[[], Awaitable[AsyncSlackResponse]]
) -> AsyncSlackResponse:
    """`call()`, and once more after joining the channel when Slack says the bot is not in it;
    a channel the bot cannot join (a private one: it must be added) raises that refusal."""
    try:
        return await call()
    except SlackApiError as error:
        if _code(error) != "not_in_channel" or not await join(client, channel):
            raise
        return await call()


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


async def channel_upload(
    client: AsyncWebClient, effect: ChannelUpload, receipts: dict[str, Posted]
) -> None:
    """Share a file in a thread of a channel; skipped when the post it belongs under failed."""
    thread = receipts.get(effect.thread_of) if effect.thread_of else None
    thread_ts = thread.ts if thread else effect.thread_ts
    if effect.thread_of and thread is None:
        logger.warning("upload skipped: no post recorded as %s", effect.thread_of)
        return
    await client.files_upload_v2(
        channel=effect.channel,
        thread_ts=thread_ts,
        content=effect.content,
        filename=effect.filename,
        title=effect.title,
        initial_comment=effect.comment or None,
    )


def _code(error: SlackApiError) -> str:
    return str(error.response.get("error", "unknown"))
