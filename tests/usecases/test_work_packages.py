"""The work packages' use cases called as a form or the console calls them: plain values, a
session factory and a caller, no Slack."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.deployment import Deployment
from bot.i18n import language
from bot.outcome import UserError
from bot.parsing import ParseError
from storage.models import Notification, Theme, WorkPackage, WorkPackageUpdate
from tests.seed import seed, seed_work_packages, snapshot
from usecases.caller import Caller
from usecases.work_packages import updates

Sessions = async_sessionmaker[AsyncSession]
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
EMMA, SVEN = "U0MEMBER3", "U0MEMBER2"  # Emma owns liikenne-2; Sven runs nothing
DEPLOYMENT = Deployment(admins=frozenset({"U0COORD01"}))


@pytest.fixture
async def db(session_factory: Sessions) -> Sessions:
    """The seeded network with its work packages."""
    await seed(session_factory)
    await seed_work_packages(session_factory)
    return session_factory


def as_(user: str) -> Caller:
    return Caller(user, NOW, DEPLOYMENT)


async def stored(db: Sessions, number: int) -> tuple[str, int, list[tuple[Any, ...]]]:
    """liikenne-<number>'s status, progress and log (user, old, new status, progress, note)."""
    async with db() as session:
        package = await session.scalar(
            select(WorkPackage)
            .join(Theme, Theme.id == WorkPackage.theme_id)
            .where(Theme.key == "liikenne", WorkPackage.number == number)
        )
        assert package is not None
        log = await session.scalars(
            select(WorkPackageUpdate)
            .where(WorkPackageUpdate.work_package_id == package.id)
            .order_by(WorkPackageUpdate.id)
        )
        entries = [(u.user_id, u.old_status, u.new_status, u.progress, u.note) for u in log]
        return package.status, package.progress, entries


async def test_the_owner_updates_with_plain_values_and_the_channel_is_told(db: Sessions) -> None:
    with language("en"):
        outcome = await updates.update(db, as_(EMMA), "liikenne-2", "käynnissä", 30, "Kysely")
    assert outcome.reply.text == (
        "`liikenne-2` *Pysäköintiselvitys* updated: 📝 planned → 🔄 in progress"
        " · ▰▰▰▱▱▱▱▱▱▱ 30 %. I told the theme's channel <#C0LIIKENNE>."
    )
    assert await stored(db, 2) == (
        "in_progress",
        30,
        [(EMMA, "planned", "in_progress", 30, "Kysely")],
    )
    [post] = outcome.posts
    assert post.target == "C0LIIKENNE" and post.payload["actor"] == EMMA
    async with db() as session:  # written to the outbox in the same transaction
        targets = await session.scalars(
            select(Notification.target).where(Notification.identity == post.identity)
        )
        assert list(targets) == ["C0LIIKENNE"]


async def test_a_form_keeps_the_status_and_cleans_the_note(db: Sessions) -> None:
    with language("en"):
        outcome = await updates.update(db, as_(EMMA), "liikenne-2", None, 50, "rivi\x00\r\nkaksi")
    assert "📝 planned · ▰▰▰▰▰▱▱▱▱▱ 50 %." in outcome.reply.text
    assert outcome.posts == ()  # no change of status: nothing told
    assert await stored(db, 2) == ("planned", 50, [(EMMA, "planned", "planned", 50, "rivi\nkaksi")])


async def test_someone_who_neither_owns_nor_runs_it_is_refused_and_nothing_is_written(
    db: Sessions, engine: AsyncEngine
) -> None:
    before = await snapshot(engine)
    with language("en"), pytest.raises(UserError) as refused:
        await updates.update(db, as_(SVEN), "liikenne-2", "done", None, "valmis")
    assert refused.value.message.startswith(
        "Only the work package's owner and the people who run the theme Liikenne ja"
        " saavutettavuus can update it:"
    )
    assert await snapshot(engine) == before


@pytest.mark.parametrize(
    ("lang", "word", "expected"),
    [
        (
            "en",
            "don",
            "'don' is not a status I know. Write one of: `planned`, `in_progress`, `done`,"
            " `blocked`, `cancelled`. Did you mean `done`?",
        ),
        (
            "fi",
            "valmsi",
            "'valmsi' ei ole tuntemani tila. Kirjoita jokin näistä: `suunniteltu`, `käynnissä`,"
            " `valmis`, `estynyt`, `peruttu`. Tarkoititko `valmis`?",
        ),
    ],
)
async def test_a_bad_status_word_suggests_the_nearest_and_nothing_is_written(
    db: Sessions, engine: AsyncEngine, lang: str, word: str, expected: str
) -> None:
    before = await snapshot(engine)
    with language(lang), pytest.raises(UserError) as refused:
        await updates.update(db, as_(EMMA), "liikenne-2", word)
    assert refused.value.message == expected
    assert await snapshot(engine) == before


async def test_a_status_word_of_any_language_is_read(db: Sessions) -> None:
    with language("fi"):
        await updates.update(db, as_(EMMA), "liikenne-2", "done")
    with language("en"):
        await updates.update(db, as_(EMMA), "liikenne-3", "pågår")
    assert (await stored(db, 2))[:2] == ("done", 100)
    assert (await stored(db, 3))[:2] == ("in_progress", 100)


async def test_a_progress_outside_0_to_100_is_refused_before_anything_is_read(
    db: Sessions, engine: AsyncEngine
) -> None:
    before = await snapshot(engine)
    with pytest.raises(ParseError):
        await updates.update(db, as_(EMMA), "liikenne-2", None, 101)
    assert await snapshot(engine) == before
