"""What a listener sends besides its reply: the file the person asked for, in their direct
messages. (Everything the bot posts by itself goes through the outbox and `delivery/`.)"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.outcome import Upload


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
