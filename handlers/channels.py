"""Channel names typed as plain `#name` resolved to ids through `conversations.list`."""

from __future__ import annotations

import time

from slack_sdk.web.async_client import AsyncWebClient

_TTL_SECONDS = 300.0


class ChannelNames:
    """A name → id map of the workspace's channels, refreshed at most every five minutes."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._loaded = 0.0

    async def lookup(self, client: AsyncWebClient, name: str) -> str | None:
        """The id of the channel called `name`, if the bot can see one."""
        name = name.lower().lstrip("#")
        if name not in self._ids and time.monotonic() - self._loaded > _TTL_SECONDS:
            self._ids = await _all_channels(client)
            self._loaded = time.monotonic()
        return self._ids.get(name)


async def _all_channels(client: AsyncWebClient) -> dict[str, str]:
    ids: dict[str, str] = {}
    cursor = None
    while True:
        page = await client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=1000, cursor=cursor
        )
        channels: list[dict[str, str]] = page.get("channels") or []
        ids.update({channel["name"]: channel["id"] for channel in channels})
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return ids
