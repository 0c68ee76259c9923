"""The meeting use cases called as a form would call them: plain values, a session factory and
a caller, no Slack."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.deployment import Deployment
from bot.i18n import set_language
from bot.outcome import UserError
from storage.models import Meeting, Notification, Rsvp
from tests.conftest import COORDINATOR
from tests.seed import CHAIR, LIIKENNE_MANAGERS, seed, seed_meetings, snapshot
from usecases.caller import Caller
from usecases.meetings.answers import rsvp
from usecases.meetings.changes import NewMeeting, add

NOW = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
DEPLOYMENT = Deployment(admins=frozenset({COORDINATOR}))
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("fi")


@pytest.fixture
async def db(session_factory: Sessions) -> Sessions:
    await seed(session_factory)
    await seed_meetings(session_factory)
    return session_factory


def caller(user_id: str, now: datetime = NOW) -> Caller:
    return Caller(user_id, now, DEPLOYMENT)


async def test_a_chair_adds_a_meeting_with_its_place_and_link_and_it_is_announced(
    db: Sessions,
) -> None:
    new = NewMeeting(
        "liikenne",
        "Verkostotapaaminen",
        date(2027, 5, 20),
        time(9, 0),
        ends=time(12, 0),
        place="Tampere-talo",
        link="https://meet.example.org/v",
    )
    outcome = await add(db, caller(CHAIR), new)

    assert outcome.reply.text.startswith(
        "Meeting *Verkostotapaaminen* (`verkostotapaaminen-2027-05-20`) added for"
    )
    assert "I announced it in <#C0LIIKENNE>." in outcome.reply.text
    async with db() as session:
        meeting = await session.scalar(select(Meeting))
        assert meeting is not None
        assert (meeting.place, meeting.online_url, meeting.created_by) == (
            "Tampere-talo",
            "https://meet.example.org/v",
            CHAIR,
        )
        assert meeting.starts_at.replace(tzinfo=UTC) == datetime(2027, 5, 20, 6, 0, tzinfo=UTC)
        assert meeting.ends_at is not None
        assert meeting.ends_at.replace(tzinfo=UTC) == datetime(2027, 5, 20, 9, 0, tzinfo=UTC)
        posted = await session.execute(
            select(Notification.kind, Notification.target)
            .where(Notification.immediate)
            .order_by(Notification.id)
        )
        assert list(posted) == [("meeting_announcement", "C0LIIKENNE"), ("file", "C0LIIKENNE")]


@pytest.mark.parametrize(
    ("user_id", "new", "message"),
    [
        pytest.param(
            "U0MEMBER3",
            NewMeeting("liikenne", "Tapaaminen", date(2027, 5, 20), time(9, 0)),
            LIIKENNE_MANAGERS,
            id="not a manager",
        ),
        pytest.param(
            CHAIR,
            NewMeeting("all", "Tapaaminen", date(2027, 5, 20), time(9, 0)),
            "Only the network's coordinators can do that.",
            id="all, not a coordinator",
        ),
        pytest.param(
            CHAIR,
            NewMeeting("liikenne", "", date(2027, 5, 20), time(9, 0)),
            "Write a title.",
            id="no title",
        ),
        pytest.param(
            CHAIR,
            NewMeeting("liikenne", "T", date(2027, 5, 20), time(9, 0), link="meet.example.org"),
            "Write the whole address, starting with https://",
            id="half a link",
        ),
        pytest.param(
            CHAIR,
            NewMeeting("liikenne", "T", date(2027, 5, 2), time(9, 0)),
            "That time has already passed. Choose a time in the future.",
            id="past",
        ),
        pytest.param(
            CHAIR,
            NewMeeting("liikenne", "T", date(2027, 5, 20), time(9, 0), ends=time(8, 0)),
            "The end must be after the start (09:00).",
            id="ends before it starts",
        ),
    ],
)
async def test_a_refused_meeting_says_why_and_writes_nothing(
    db: Sessions, engine: AsyncEngine, user_id: str, new: NewMeeting, message: str
) -> None:
    before = await snapshot(engine)

    with pytest.raises(UserError) as refused:
        await add(db, caller(user_id), new)

    assert refused.value.message == message
    assert await snapshot(engine) == before


async def test_an_answer_is_counted_and_changed_until_the_meeting_begins(db: Sessions) -> None:
    new = NewMeeting("all", "Tilannekatsaus", date(2027, 5, 20), time(13, 0))
    await add(db, caller(COORDINATOR), new)
    async with db() as session:
        meeting_id = await session.scalar(select(Meeting.id))
    assert meeting_id is not None

    first = await rsvp(db, caller("U0MEMBER3"), meeting_id, "yes")
    await rsvp(db, caller("U0MEMBER3"), meeting_id, "maybe")

    assert first.reply.text == "Your answer to *Tilannekatsaus* (Thu 20 May 2027 at 13:00): Coming."
    assert [post.kind for post in first.posts] == ["meeting_redraw"]
    async with db() as session:
        answers = await session.execute(select(Rsvp.user_id, Rsvp.answer))
        assert list(answers) == [("U0MEMBER3", "maybe")]
    begun = datetime(2027, 5, 20, 10, 0, tzinfo=UTC)
    with pytest.raises(UserError, match="has already begun, so answers are closed"):
        await rsvp(db, caller("U0MEMBER3", begun), meeting_id, "no")
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Rsvp)) == 1
