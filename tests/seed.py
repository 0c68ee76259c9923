"""A small network for end-to-end tests, written straight through the models."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import Base, Member, Network, Organisation, OrganisationContact, Theme

CHAIR = "U0CHAIR01"
CONTACT = "U0MEMBER1"  # Maija, contact of Tampere
CHANNELS = {"C0LIIKENNE": "liikenne", "C0ASUMINEN": "asuminen", "C0DIGI": "digi"}


async def seed(db: async_sessionmaker[AsyncSession]) -> None:
    """Tampere (with Nokia), Helsinki, Turku; themes liikenne, asuminen, digi, one archived."""
    async with db() as session, session.begin():
        session.add(Network(name="MAL-verkosto", timezone="Europe/Helsinki", language="fi"))
        tampere = Organisation(key="tampere", name="Tampereen kaupunkiseutu", kind="region")
        helsinki = Organisation(key="helsinki", name="Helsingin seutu", kind="region")
        turku = Organisation(key="turku", name="Turun kaupunkiseutu", kind="region")
        session.add_all([tampere, helsinki, turku])
        await session.flush()
        session.add(
            Organisation(key="nokia", name="Nokia", kind="municipality", parent_id=tampere.id)
        )
        session.add(OrganisationContact(organisation_id=tampere.id, user_id=CONTACT))
        session.add(Member(user_id=CONTACT, organisation_id=tampere.id, role="member"))
        session.add_all(
            [
                Theme(
                    key="liikenne",
                    name="Liikenne ja saavutettavuus",
                    description="Seudullinen liikennejärjestelmätyö",
                    channel_id="C0LIIKENNE",
                    lead_organisation_id=tampere.id,
                    chair_user_id=CHAIR,
                    registration_deadline=date(2099, 4, 28),
                ),
                Theme(
                    key="asuminen",
                    name="Asuminen",
                    channel_id="C0ASUMINEN",
                    language="sv",
                    registration_deadline=date(2020, 4, 28),
                ),
                Theme(key="digi", name="Digitalisaatio", channel_id="C0DIGI"),
                Theme(key="vanha", name="Vanha teema", archived=True),
            ]
        )


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to show that a refused request wrote nothing."""
    rows: dict[str, list[tuple[object, ...]]] = {}
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in result]
    return rows
