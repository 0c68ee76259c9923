"""The one network of this install, and the person acting in it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.permissions import Actor
from storage import delivery_data
from storage.models import Member, Network, Organisation, OrganisationContact


async def get_network(
    session: AsyncSession, *, timezone: str, language: str, announcement_channel: str | None
) -> Network:
    """The network row, created from the deployment's defaults the first time it is needed."""
    network = await delivery_data.network(session)
    if network is None:
        network = Network(
            name="Verkosto",
            timezone=timezone,
            language=language,
            announcement_channel=announcement_channel,
        )
        session.add(network)
        await session.flush()
    return network


async def load_actor(session: AsyncSession, user_id: str, admin_ids: Iterable[str]) -> Actor:
    """Who the user is in the network: coordinator or not, organisation, contact of which."""
    member = await session.scalar(select(Member).where(Member.user_id == user_id))
    contact_of = await session.scalars(
        select(Organisation.key)
        .join(OrganisationContact, OrganisationContact.organisation_id == Organisation.id)
        .where(OrganisationContact.user_id == user_id)
    )
    organisation = None
    if member is not None and member.organisation_id is not None:
        organisation = await session.scalar(
            select(Organisation.key).where(Organisation.id == member.organisation_id)
        )
    coordinator = user_id in set(admin_ids) or (member is not None and member.role == "coordinator")
    return Actor(user_id, coordinator, organisation, frozenset(contact_of))


async def coordinators(session: AsyncSession, admin_ids: Iterable[str]) -> list[str]:
    """Every coordinator's user id: the configured ones and members with the role."""
    stored = await session.scalars(select(Member.user_id).where(Member.role == "coordinator"))
    return sorted(set(admin_ids) | set(stored))
