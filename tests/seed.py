"""A small network for end-to-end tests, written straight through the models."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.materials.search import search_text
from storage.models import (
    Base,
    Material,
    Member,
    Network,
    Organisation,
    OrganisationContact,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)

CHAIR = "U0CHAIR01"
CONTACT = "U0MEMBER1"  # Maija, contact of Tampere
CHANNELS = {"C0LIIKENNE": "liikenne", "C0ASUMINEN": "asuminen", "C0DIGI": "digi"}
LIIKENNE_MANAGERS = (  # the refusal, in English, for those who do not run liikenne
    "Only its chair <@U0CHAIR01>, the contacts of its lead organisation (Tampereen kaupunkiseutu)"
    " and the coordinators can do that in the theme Liikenne ja saavutettavuus."
)


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


async def seed_work_packages(db: async_sessionmaker[AsyncSession]) -> None:
    """Work packages on top of `seed`: liikenne-1 (Tampere's, in progress, with a log),
    liikenne-2 (Emma's, overdue), liikenne-3 (Emma's, done, past its due date: not overdue),
    digi-1 (Emma's, cancelled)."""
    emma = "U0MEMBER3"
    async with db() as session, session.begin():
        themes = {t.key: t for t in await session.scalars(select(Theme))}
        tampere = await session.scalar(select(Organisation).where(Organisation.key == "tampere"))
        assert tampere is not None
        liikenne, digi = themes["liikenne"], themes["digi"]
        packages = [
            WorkPackage(
                theme_id=liikenne.id,
                number=1,
                title="Indikaattorit",
                status="in_progress",
                progress=40,
                owner_organisation_id=tampere.id,
                due_date=date(2099, 6, 30),
                start_date=date(2024, 1, 15),
                description="Seudulliset seurantaindikaattorit",
            ),
            WorkPackage(
                theme_id=liikenne.id,
                number=2,
                title="Pysäköintiselvitys",
                owner_user_id=emma,
                due_date=date(2020, 1, 31),
            ),
            WorkPackage(
                theme_id=liikenne.id,
                number=3,
                title="Valmis työ",
                status="done",
                progress=100,
                owner_user_id=emma,
                due_date=date(2020, 1, 1),
            ),
            WorkPackage(
                theme_id=digi.id,
                number=1,
                title="Lopetettu",
                status="cancelled",
                owner_user_id=emma,
            ),
        ]
        session.add_all(packages)
        liikenne.next_wp_number, digi.next_wp_number = 4, 2
        await session.flush()
        session.add_all(
            [
                WorkPackageUpdate(
                    work_package_id=packages[0].id,
                    user_id=CHAIR,
                    new_status="planned",
                    progress=0,
                    at=datetime(2024, 1, 10, 8, 0, tzinfo=UTC),
                ),
                WorkPackageUpdate(
                    work_package_id=packages[0].id,
                    user_id=CONTACT,
                    old_status="planned",
                    new_status="in_progress",
                    old_progress=0,
                    progress=40,
                    note="Aineisto koottu",
                    at=datetime(2024, 2, 1, 10, 30, tzinfo=UTC),
                ),
            ]
        )


async def seed_materials(db: async_sessionmaker[AsyncSession]) -> None:
    """Materials on top of `seed`, oldest first: two in liikenne's basket, one in digi's and one
    in the network's."""
    rows = [
        ("liikenne", "Seurantaraportti 2014", "https://example.org/seuranta.pdf", ["seuranta"]),
        ("liikenne", "Vähähiilinen liikenne", "https://example.org/vaha", ["hyvät-käytännöt"]),
        ("digi", "Digitalisaation tiekartta", "https://example.org/tiekartta.docx", ["tiekartta"]),
        (None, "Verkoston toimintasuunnitelma", "https://example.org/suunnitelma", []),
    ]
    async with db() as session, session.begin():
        themes = {t.key: t.id for t in await session.scalars(select(Theme))}
        for day, (key, title, url, tags) in enumerate(rows, start=10):
            session.add(
                Material(
                    theme_id=themes[key] if key else None,
                    title=title,
                    url=url,
                    kind="document" if url.endswith((".pdf", ".docx")) else "link",
                    tags=tags,
                    added_by=CONTACT if key else "U0COORD01",
                    added_at=datetime(2027, 1, day, 10, 0, tzinfo=UTC),
                    search_text=search_text(title, tags),
                )
            )


async def seed_meetings(db: async_sessionmaker[AsyncSession]) -> None:
    """For meetings and deadlines: an announcement channel, liikenne posting in English, and
    materials in the liikenne, asuminen and network baskets (call after `seed`)."""
    rows = [
        ("liikenne", "Seurantaraportti 2014", "https://example.org/seuranta.pdf"),
        ("liikenne", "Aiesopimus", "https://example.org/aiesopimus.pdf"),
        (None, "Verkoston esittely", "https://example.org/verkosto"),
        ("asuminen", "Asuntopoliittinen ohjelma", "https://example.org/asunnot"),
    ]
    async with db() as session, session.begin():
        network = await session.scalar(select(Network))
        assert network is not None
        network.announcement_channel = "C0NETWORK"
        themes = {t.key: t for t in await session.scalars(select(Theme))}
        themes["liikenne"].language = "en"
        session.add_all(
            Material(
                theme_id=themes[key].id if key else None, title=title, url=url, added_by=CONTACT
            )
            for key, title, url in rows
        )
