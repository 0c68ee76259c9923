"""join, leave and org as use cases: plain calls on a session factory, no Slack in between."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.deployment import Deployment
from bot.i18n import language
from bot.outcome import UserError
from bot.themes import JOIN, LEAVE
from storage.models import Member, Notification, Organisation, Registration, Theme
from tests.seed import CONTACT, seed, snapshot
from usecases import registrations, theme_list
from usecases.caller import Caller

Sessions = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MEMBER = "U0MEMBER3"  # no organisation, contact of none


def caller(user_id: str) -> Caller:
    return Caller(user_id, NOW, Deployment(admins=frozenset({"U0COORD01"})))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield


@pytest.fixture
async def db(session_factory: Sessions) -> Sessions:
    await seed(session_factory)
    return session_factory


async def registered(db: Sessions) -> list[tuple[str, str | None, str | None]]:
    """(theme, user, organisation) of every registration."""
    async with db() as session:
        rows = await session.execute(
            select(Theme.key, Registration.user_id, Organisation.key)
            .select_from(Registration)
            .join(Theme)
            .outerjoin(Organisation, Registration.organisation_id == Organisation.id)
            .order_by(Registration.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_contact_joins_with_the_organisation_and_the_channel_is_told(db: Sessions) -> None:
    outcome = await registrations.join(db, caller(CONTACT), "liik", "tampere")
    assert outcome.reply.text == (
        "You joined the theme *Liikenne ja saavutettavuus*. Tampereen kaupunkiseutu is registered"
        " too. I am inviting you to its channel <#C0LIIKENNE>."
    )
    assert await registered(db) == [("liikenne", CONTACT, None), ("liikenne", None, "tampere")]
    assert [(post.kind, post.target) for post in outcome.posts] == [
        ("invite", "C0LIIKENNE"),
        ("post", "C0LIIKENNE"),
    ]
    async with db() as session:
        queued = await session.scalars(select(Notification.identity).order_by(Notification.id))
        assert list(queued) == [post.identity for post in outcome.posts]


async def test_registering_an_organisation_one_is_not_contact_of_is_refused_and_writes_nothing(
    db: Sessions, engine: AsyncEngine
) -> None:
    before = await snapshot(engine)
    with pytest.raises(UserError) as refused:
        await registrations.join(db, caller(MEMBER), "liikenne", "tampere")
    assert refused.value.message == (
        "Only the contacts of Tampereen kaupunkiseutu can register it for a theme."
    )
    assert await snapshot(engine) == before


async def test_leave_undoes_the_join_for_the_person_and_the_organisation(db: Sessions) -> None:
    await registrations.join(db, caller(CONTACT), "liikenne", "tampere")
    outcome = await registrations.leave(db, caller(CONTACT), "liikenne", "tampere")
    assert outcome.reply.text == (
        "You left the theme *Liikenne ja saavutettavuus*. Tampereen kaupunkiseutu is no longer"
        " registered for it."
    )
    assert await registered(db) == []


async def test_leaving_a_theme_one_is_not_in_writes_nothing(
    db: Sessions, engine: AsyncEngine
) -> None:
    before = await snapshot(engine)
    outcome = await registrations.leave(db, caller(MEMBER), "digi")
    assert outcome.reply.text == "You are not registered for *Digitalisaatio*."
    with pytest.raises(UserError, match="Only the contacts of Tampereen kaupunkiseutu"):
        await registrations.leave(db, caller(MEMBER), "digi", "tampere")
    assert await snapshot(engine) == before


async def test_org_sets_the_callers_own_organisation(db: Sessions) -> None:
    outcome = await registrations.set_organisation(db, caller(MEMBER), "hels")
    assert outcome.reply.text == "Your organisation is now Helsingin seutu."
    async with db() as session:
        member = await session.scalar(select(Member).where(Member.user_id == MEMBER))
        assert member is not None
        organisation = await session.get(Organisation, member.organisation_id)
        assert organisation is not None and organisation.key == "helsinki"


async def test_an_unknown_organisation_or_none_at_all_is_refused_and_writes_nothing(
    db: Sessions, engine: AsyncEngine
) -> None:
    before = await snapshot(engine)
    with pytest.raises(UserError, match="Did you mean `tampere`"):
        await registrations.set_organisation(db, caller(MEMBER), "tampre")
    with pytest.raises(UserError) as refused:
        await registrations.ORG.run(db, caller(MEMBER), [])
    assert refused.value.message == "Write it like this: `/network org &lt;organisation&gt;`"
    assert await snapshot(engine) == before


async def test_the_join_button_redraws_the_list_topped_by_the_reply(db: Sessions) -> None:
    press = theme_list.presses()[JOIN]
    outcome = await press(db, caller(MEMBER), {"action_id": JOIN, "value": "digi"})
    assert not isinstance(outcome, dict) and outcome.public
    assert outcome.reply.text.startswith("You joined the theme *Digitalisaatio*.")
    assert outcome.reply.blocks is not None
    buttons = [
        block["accessory"]
        for block in outcome.reply.blocks
        if block.get("accessory", {}).get("value") == "digi"
    ]
    assert [button["action_id"] for button in buttons] == [LEAVE]
    assert await registered(db) == [("digi", MEMBER, None)]
