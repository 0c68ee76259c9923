"""The language a person is answered in: their Slack language, else the network's."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from handlers.request import Services
from storage.network import network_language


async def user_language(services: Services, client: AsyncWebClient, user_id: str) -> str:
    """`fi`, `sv` or `en`: the user's Slack language; else the stored network's (an imported
    plan's `network.language`), and the `LANGUAGE` setting only until the network is made."""

    async def network() -> str:
        async with services.db() as session:
            return await network_language(session, services.settings.language)

    return await services.people.language(client, user_id, network)
