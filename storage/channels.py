"""Channel ids as people name them, from what the network knows (there is no Slack to ask in the
console or on the command line)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Network, Theme


async def channel_names(session: AsyncSession, announcements: str) -> dict[str, str]:
    """`{channel id: name}`: a theme's channel as `#<theme key>` (an archived theme's only when
    no active one has it), the network's announcement channel as `announcements`."""
    found: dict[str, str] = {}
    rows = await session.execute(
        select(Theme.channel_id, Theme.key)
        .where(Theme.channel_id.is_not(None))
        .order_by(Theme.archived.desc(), Theme.id)
    )
    for channel, key in rows:
        if channel:
            found[channel] = f"#{key}"
    for (channel,) in await session.execute(select(Network.announcement_channel)):
        if channel:
            found.setdefault(channel, announcements)
    return found
