"""Channel names typed as plain `#name` resolved to ids through `conversations.list`.

Slack sends a channel the user picked as `<#C…|name>`; a plain `#name` reaches the bot only when
a coordinator types one that Slack did not link (`theme add`, `theme set`), which is rare, so
each look-up asks Slack afresh: a channel made a minute ago is found.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient


async def channel_id(client: AsyncWebClient, name: str) -> str | None:
    """The id of the channel called `name`, if the bot can see one."""
    name = name.lower().lstrip("#")
    cursor = None
    while True:
        page = await client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=1000, cursor=cursor
        )
        channels: list[dict[str, str]] = page.get("channels") or []
        found = next((channel["id"] for channel in channels if channel["name"] == name), None)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if found is not None or not cursor:
            return found
