"""What the bot asks of the database about the people it answers."""

from __future__ import annotations

from bot.deployment import Deployment
from storage.network import network_language as stored_language
from usecases.caller import Sessions


async def network_language(db: Sessions, deployment: Deployment) -> str:
    """The language of a person whose Slack language the bot does not speak: the stored
    network's (an imported plan's `network.language`), the setting's until the network is made."""
    async with db() as session:
        return await stored_language(session, deployment.language)
