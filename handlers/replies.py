"""How a listener answers the person: the use case's outcome as Slack's reply, and the file
they asked for in their direct messages. (Everything the bot posts by itself goes through the
outbox and `delivery/`.)"""

from __future__ import annotations

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.outcome import Outcome, Upload


async def reply(respond: AsyncRespond, outcome: Outcome, *, in_place: bool = False) -> None:
    """Answer with the outcome's message: only to the person, unless the outcome is public —
    in the channel for a command, in place of the pressed message for a button (`in_place`)."""
    message = outcome.reply
    if in_place:
        kind = None if outcome.public else "ephemeral"
        await respond(
            text=message.text,
            blocks=message.blocks,
            response_type=kind,
            replace_original=outcome.public,
        )
    else:
        kind = "in_channel" if outcome.public else "ephemeral"
        await respond(text=message.text, blocks=message.blocks, response_type=kind)


async def send_files(client: AsyncWebClient, uploads: tuple[Upload, ...]) -> None:
    """Send each file to its person in their direct-message conversation with the bot."""
    for upload in uploads:
        opened = await client.conversations_open(users=upload.user)
        await client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=upload.content,
            filename=upload.filename,
            title=upload.title,
            initial_comment=upload.comment or None,
        )
