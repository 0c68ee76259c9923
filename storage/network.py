"""The one network of this install, and the person acting in it."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.permissions import Actor
from storage.models import Member, Network, Organisation, OrganisationContact


@dataclass(frozen=True)
class NetworkInfo:
    """What commands read of the network: its name, time zone, language, announcement channel
    and calendar feed token."""

    name: str
    timezone: str
    language: str
    announcement_channel: str | None
    calendar_token: str


NEW_NETWORK_NAME = "Verkosto"  # until a plan names the network


async def network_language(session: AsyncSession, default: str) -> str:
    """The network's language, `default` until the network is made."""
    query = select(Network.language).order_by(Network.id).limit(1)
    return await session.scalar(query) or default


async def network_zone(session: AsyncSession, default: str) -> str:
    """The network's time zone, `default` until the network is made (which this does not do:
    a reading use case asks it)."""
    query = select(Network.timezone).order_by(Network.id).limit(1)
    return await session.scalar(query) or default


async def get_network(
    session: AsyncSession, *, timezone: str, language: str, announcement_channel: str | None
) -> NetworkInfo:
    """The network, created from the deployment's defaults the first time it is needed."""
    network = await session.scalar(select(Network).order_by(Network.id).limit(1))
    if network is None:
        network = Network(
            name=NEW_NETWORK_NAME,
            timezone=timezone,
            language=language,
            announcement_channel=announcement_channel,
        )
        session.add(network)
        await session.flush()
    return NetworkInfo(
        network.name,
        network.timezone,
        network.language,
        network.announcement_channel,
        network.calendar_token,
    )


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


async def rotate_calendar_token(session: AsyncSession) -> str:
    """Give the network's calendar feed a new secret token (the old one stops working); the
    network must exist (`get_network` makes it)."""
    network = await session.scalar(select(Network).order_by(Network.id).limit(1))
    assert network is not None, "no network to rotate the calendar of"
    network.calendar_token = secrets.token_urlsafe(32)
    return network.calendar_token
