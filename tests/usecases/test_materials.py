"""Adding a material as a use case: plain values, a session factory and a caller; no Slack."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.deployment import Deployment
from bot.i18n import language
from bot.materials.material import URL, MaterialError
from bot.outcome import UserError
from storage.models import Material, Registration, Theme
from tests.conftest import COORDINATOR
from tests.seed import seed, snapshot
from usecases import materials
from usecases.caller import Caller, Sessions

MEMBER = "U0MEMBER3"
NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
REPORT = "https://example.org/raportti.pdf"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield


@pytest.fixture
async def db(session_factory: async_sessionmaker[AsyncSession]) -> Sessions:
    """The seeded network: themes liikenne, asuminen, digi; nobody registered."""
    await seed(session_factory)
    return session_factory


def caller(user_id: str = MEMBER) -> Caller:
    return Caller(user_id, NOW, Deployment(admins=frozenset({COORDINATOR})))


async def register(db: Sessions, user_id: str, theme_key: str) -> None:
    async with db.begin() as session:
        theme = await session.scalar(select(Theme.id).where(Theme.key == theme_key))
        assert theme is not None
        session.add(Registration(theme_id=theme, user_id=user_id, registered_by=user_id))


async def materials_stored(db: Sessions) -> list[tuple[object, ...]]:
    async with db() as session:
        rows = await session.execute(
            select(
                Material.theme_id,
                Material.title,
                Material.url,
                Material.kind,
                Material.tags,
                Material.added_by,
                Material.added_at,
            )
        )
        return [tuple(row) for row in rows]


async def test_a_registered_member_adds_with_plain_values(db: Sessions) -> None:
    await register(db, MEMBER, "liikenne")
    outcome = await materials.add(
        db, caller(), "liik", REPORT, "  Raportti   2027 ", ["#Seuranta", "raportti", "seuranta"]
    )
    assert outcome.reply.text == (
        f"Added *<{REPORT}|Raportti 2027>* to the basket of the theme"
        " *Liikenne ja saavutettavuus*. Tags: #seuranta, #raportti"
    )
    async with db() as session:
        liikenne = await session.scalar(select(Theme.id).where(Theme.key == "liikenne"))
    [(theme, title, url, kind, tags, added_by, added_at)] = await materials_stored(db)
    assert (theme, title, url, kind, tags, added_by) == (
        liikenne,
        "Raportti 2027",
        REPORT,
        "document",
        ["seuranta", "raportti"],
        MEMBER,
    )
    assert added_at == NOW


async def test_someone_not_registered_is_refused_and_nothing_is_written(
    db: Sessions, engine: AsyncEngine
) -> None:
    before = await snapshot(engine)
    with pytest.raises(UserError) as refused:
        await materials.add(db, caller(), "liikenne", REPORT, "Raportti")
    assert refused.value.message == (
        "Only members registered for Liikenne ja saavutettavuus and the people who run it can"
        " add materials. Join the theme first."
    )
    assert await snapshot(engine) == before


@pytest.mark.parametrize("url", ["javascript:alert(1)", "raportti", "ftp://example.org/x.pdf"])
async def test_an_address_that_is_not_on_the_web_is_refused_before_anything_is_read(
    db: Sessions, engine: AsyncEngine, url: str
) -> None:
    before = await snapshot(engine)
    with pytest.raises(MaterialError) as refused:
        await materials.add(db, caller(COORDINATOR), "all", url, "Raportti")
    assert refused.value.about == URL
    assert refused.value.message.startswith(f"'{url}' is not a web address I can save.")
    assert await snapshot(engine) == before


async def test_an_address_already_in_the_basket_is_refused_saying_who_added_it(
    db: Sessions, engine: AsyncEngine
) -> None:
    await materials.add(db, caller(COORDINATOR), "all", REPORT, "Ensimmäinen")
    before = await snapshot(engine)
    with pytest.raises(MaterialError) as refused:
        await materials.add(db, caller(COORDINATOR), "verkosto", REPORT, "Toinen")
    assert refused.value.message == (
        f"*<{REPORT}|Ensimmäinen>* is already in the network basket, added by <@{COORDINATOR}>"
        " on Mon 1 Mar 2027. Nothing was added."
    )
    assert (refused.value.about, refused.value.in_form) == (
        URL,
        "This address is already in the basket: Ensimmäinen, added on Mon 1 Mar 2027.",
    )
    assert await snapshot(engine) == before


async def test_control_characters_in_plain_values_never_reach_the_database(db: Sessions) -> None:
    await materials.add(
        db, caller(COORDINATOR), "all", "https://example.org/n\x00", "Nolla\x1btavu"
    )
    [(_theme, title, url, *_rest)] = await materials_stored(db)
    assert (title, url) == ("Nollatavu", "https://example.org/n")
