"""The delivery engine end to end: items in the database, a fake Slack, an injected clock.

Items are created the way the features' use cases do (rows, then the outbox reconciled in the
same transaction); the engine's tick is run at chosen moments. Nothing here really sleeps: the
engine's sleep advances the fake clock, which also stamps the fake Slack's messages.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select, update

from app.cli import main
from app.clock import start_clock, stop_clock
from app.services import Services
from app.web import build_app, build_web, web_client
from bot import outgoing
from bot.outcome import Message
from bot.planner import Planned, Rules
from delivery import slack as slack_api
from delivery.engine import Engine
from delivery.looks import Timing
from storage import notifications, outbox, planner_items, reconcile
from storage.db import create_engine, create_session_factory
from storage.models import (
    Deadline,
    Meeting,
    Network,
    Notification,
    Organisation,
    OrganisationContact,
    Registration,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)
from tests.conftest import COORDINATOR, USERS
from tests.fake_slack import FakeSlack
from tests.harness import BOT_TOKEN
from tests.seed import CHANNELS, CONTACT, seed

CREATED = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
METADATA = "network_bot_notification"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


class FakeClock:
    """Time that moves only when the engine sleeps (or a test sets it)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def timestamp(self) -> float:
        return self.now.timestamp()

    async def read(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        target = self.now + timedelta(seconds=seconds)
        await asyncio.sleep(0)
        self.now = max(self.now, target)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utc(2027, 4, 1, 12, 0))


@pytest.fixture
def slack(clock: FakeClock) -> Iterator[FakeSlack]:
    """The fake Slack, stamping messages with the fake clock; the theme channels exist. The
    coordinator reads English here, like the network (direct messages follow Slack's locale)."""
    with FakeSlack(bot_token=BOT_TOKEN, clock=clock.timestamp) as fake:
        for user_id, (name, locale) in USERS.items():
            fake.add_user(user_id, name=name, locale="en-GB" if user_id == COORDINATOR else locale)
        for channel_id, name in CHANNELS.items():
            fake.add_channel(channel_id, name)
        fake.add_channel("C0NETWORK", "verkosto")
        yield fake


@pytest.fixture
async def net(services: Services) -> Services:
    """The seeded network, in English (until the catalogs have these texts) with an
    announcement channel."""
    await seed(services.db)
    async with services.db() as session, session.begin():
        await session.execute(
            update(Network).values(language="en", announcement_channel="C0NETWORK")
        )
    return services


# Short for tests: Slack's answer is awaited two seconds (the fake answers at once, but a busy
# machine may take a second to run it); an unclear post is looked for 15 s
# after that (fake time: the test ticks on to then), and again two minutes later.
TIMING = Timing(
    lease=timedelta(seconds=60),
    client_timeout=timedelta(seconds=2),
    first_look=timedelta(seconds=15),
    second_look=timedelta(seconds=120),
)


class Delivery(Engine):
    """The engine on the fake clock, with the services the tests build items with."""

    def __init__(
        self, services: Services, session: aiohttp.ClientSession, clock: FakeClock, worker: str
    ) -> None:
        super().__init__(
            services.db,
            services.settings.deployment,
            client(services, session),
            clock.read,
            clock.sleep,
            worker,
            TIMING,
            clock.timestamp,  # the lanes' pace in fake time too
        )
        self.services = services


def client(services: Services, session: aiohttp.ClientSession) -> Any:
    return slack_api.client(BOT_TOKEN, services.settings.slack_api_url, session)


@pytest.fixture
async def delivery(net: Services, clock: FakeClock) -> AsyncIterator[Delivery]:
    async with http() as session:
        yield Delivery(net, session, clock, "w1")


def http(timeout: float = 2.0) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))


async def ticking(delivery: Delivery, clock: FakeClock, until: datetime, step: float = 5) -> int:
    """Tick every `step` seconds of fake time until `until`; how many were handled."""
    handled = 0
    assert until - clock.now < timedelta(hours=1), "start nearer"
    while clock.now < until:
        handled += await delivery.tick()
        clock.now = min(until, clock.now + timedelta(seconds=step))
    return handled + await delivery.tick()


async def at(delivery: Delivery, clock: FakeClock, moment: datetime) -> int:
    clock.now = moment
    return await delivery.tick()


def texts(slack: FakeSlack, channel: str) -> list[str]:
    """What stands in a channel (a user id: their direct messages with the bot)."""
    channel = f"D{channel}" if channel.startswith("U") else channel
    found = slack.channels.get(channel)
    return [m["text"] for m in found.messages] if found else []


def posts(slack: FakeSlack) -> list[dict[str, Any]]:
    return [c.params for c in slack.calls_to("chat.postMessage")]


async def rules(services: Services) -> Rules:
    async with services.db() as session:
        return await planner_items.rules(session, services.settings.deployment)


async def theme(services: Services, key: str = "liikenne") -> Theme:
    async with services.db() as session:
        found = await session.scalar(select(Theme).where(Theme.key == key))
    assert found is not None
    return found


async def add(services: Services, item: Any, reconcile: Any) -> int:
    """Create an item and reconcile its notifications in the same transaction."""
    async with services.db() as session, session.begin():
        item.created_at = CREATED
        session.add(item)
        await session.flush()
        await reconcile(session, item.id, await rules(services), CREATED)
        return int(item.id)


async def deadline(services: Services, due: date, at: time | None = None, **more: Any) -> int:
    liikenne = await theme(services)
    values = {"key": "d1", "title": "Loppuraportti", "theme_id": liikenne.id, **more}
    item = Deadline(due_date=due, due_time=at, **values)
    return await add(services, item, outbox.reconcile_deadline)


async def work_package(services: Services, **values: Any) -> int:
    liikenne = await theme(services)
    item = WorkPackage(**{"theme_id": liikenne.id, "number": 1, **values})
    return await add(services, item, outbox.reconcile_work_package)


async def notification(services: Services, identity: str) -> Notification:
    async with services.db() as session:
        found = await session.scalar(select(Notification).where(Notification.identity == identity))
    assert found is not None, identity
    return found


# --- deadline reminders -----------------------------------------------------------------------


async def test_a_deadline_reminder_is_posted_once_at_its_time(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    deadline_id = await deadline(delivery.services, date(2027, 4, 28), time(16, 0), remind=["1d"])
    assert await at(delivery, clock, utc(2027, 4, 27, 12, 59)) == 0
    assert await at(delivery, clock, utc(2027, 4, 27, 13, 0)) == 1  # 16:00 EEST the day before
    assert await at(delivery, clock, utc(2027, 4, 27, 13, 5)) == 0
    [post] = posts(slack)
    identity = f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-28T13:00Z"
    assert post["channel"] == "C0LIIKENNE"
    assert post["text"] == (
        "Reminder: the deadline *Loppuraportti* is tomorrow, Wed 28 Apr 2027 at 16:00."
    )
    assert post["metadata"] == {"event_type": METADATA, "event_payload": {"identity": identity}}
    note = await notification(delivery.services, identity)
    assert (note.state, note.attempts, note.slack_channel) == ("sent", 1, "C0LIIKENNE")
    assert note.slack_ts == slack.channels["C0LIIKENNE"].messages[0]["ts"]
    assert note.sent_at == utc(2027, 4, 27, 13, 0)


async def test_a_channel_post_is_in_the_theme_language(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    asuminen = await theme(delivery.services, "asuminen")  # a Swedish theme
    await deadline(
        delivery.services,
        date(2027, 4, 28),
        key="sv",
        title="Rapport",
        theme_id=asuminen.id,
        remind=["1d"],
    )
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    [text] = texts(slack, "C0ASUMINEN")
    assert "ons 28.4.2027" in text  # a Swedish date, whatever the catalog says yet


async def test_an_edit_reschedules_and_a_delete_drops(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    deadline_id = await deadline(services, date(2027, 4, 28), remind=["1d"])
    async with services.db() as session, session.begin():
        item = await session.get(Deadline, deadline_id)
        assert item is not None
        item.due_date = date(2027, 4, 30)
        await outbox.reconcile_deadline(session, deadline_id, await rules(services), CREATED)
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    assert posts(slack) == []
    await at(delivery, clock, utc(2027, 4, 29, 6, 0))
    assert texts(slack, "C0LIIKENNE") == [
        "Reminder: the deadline *Loppuraportti* is tomorrow, Fri 30 Apr 2027."
    ]
    other = await deadline(services, date(2027, 5, 10), remind=["1d"], key="d2")
    async with services.db() as session, session.begin():
        await session.delete(await session.get(Deadline, other))
        await outbox.drop(session, "deadline", other)
    await at(delivery, clock, utc(2027, 5, 9, 6, 0))
    assert len(posts(slack)) == 1


async def test_an_edit_not_yet_reconciled_is_caught_when_due(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    deadline_id = await deadline(services, date(2027, 4, 28), remind=["1d"])
    async with services.db() as session, session.begin():
        await session.execute(
            update(Deadline).where(Deadline.id == deadline_id).values(due_date=date(2027, 5, 5))
        )
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    assert posts(slack) == []
    old = await notification(services, f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-28T21:00Z")
    assert (old.state, old.last_error) == ("cancelled", "no longer planned for its item")
    note = await notification(services, f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-05-05T21:00Z")
    assert (note.state, note.due_at, note.attempts) == ("pending", utc(2027, 5, 4, 6), 0)
    async with services.db() as session, session.begin():
        await session.execute(update(Deadline).values(remind=[]))
    await at(delivery, clock, utc(2027, 5, 4, 6, 0))
    note = await notification(services, note.identity)
    assert (note.state, note.last_error) == ("cancelled", "no longer planned for its item")
    assert posts(slack) == []


async def test_a_moved_deadline_is_reminded_again_but_never_twice_for_one_time(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    deadline_id = await deadline(services, date(2027, 4, 28), remind=["7d", "1d"])
    await at(delivery, clock, utc(2027, 4, 21, 6, 0))  # the 7d reminder for the 28th

    async def move(to: date) -> None:
        async with services.db() as session, session.begin():
            item = await session.get(Deadline, deadline_id)
            assert item is not None
            item.due_date = to
            await outbox.reconcile_deadline(session, deadline_id, await rules(services), clock.now)

    await move(date(2027, 4, 30))  # both offsets lie ahead of the new date: both planned anew
    await at(delivery, clock, utc(2027, 4, 23, 6, 0))
    await move(date(2027, 4, 28))  # back: its 7d reminder went out already, the 1d did not
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    assert texts(slack, "C0LIIKENNE") == [
        "Reminder: the deadline *Loppuraportti* is in 7 days, Wed 28 Apr 2027.",
        "Reminder: the deadline *Loppuraportti* is in 7 days, Fri 30 Apr 2027.",
        "Reminder: the deadline *Loppuraportti* is tomorrow, Wed 28 Apr 2027.",
    ]


# --- restarts, crashes, downtime --------------------------------------------------------------


async def test_a_restarted_engine_posts_nothing_twice(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await deadline(delivery.services, date(2027, 4, 28), remind=["7d", "1d"])
    await at(delivery, clock, utc(2027, 4, 21, 6, 0))
    async with http() as session:
        again = Delivery(delivery.services, session, clock, "w2")
        assert await at(again, clock, utc(2027, 4, 21, 6, 5)) == 0
        assert await at(again, clock, utc(2027, 4, 27, 6, 0)) == 1
    assert len(posts(slack)) == 2


async def claim_and_crash(
    services: Services, identity: str, now: datetime, tried: datetime | None = None
) -> None:
    """A delivery that claimed a notification (and started a try at `tried`, its lease then
    running to `now`) and died before recording anything."""
    async with services.db() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(Notification.identity == identity)
            .values(state="claimed", claimed_by="dead", attempts=1, lease_until=now, tried_at=tried)
        )


async def test_a_post_made_before_a_crash_is_found_and_not_repeated(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    deadline_id = await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    identity = f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-28T21:00Z"
    # The dead delivery's post reached Slack, but its result was never written.
    clock.now = utc(2027, 4, 27, 6, 0, 1)
    slack.add_channel("C0LIIKENNE", "liikenne")
    async with http() as session:
        response = await client(delivery.services, session).chat_postMessage(
            channel="C0LIIKENNE",
            text="Reminder",
            metadata={"event_type": METADATA, "event_payload": {"identity": identity}},
        )
    await claim_and_crash(delivery.services, identity, utc(2027, 4, 27, 6, 1), utc(2027, 4, 27, 6))
    assert await at(delivery, clock, utc(2027, 4, 27, 6, 1, 1)) == 1
    assert len(posts(slack)) == 1  # the dead delivery's, none since
    history = slack.calls_to("conversations.history")
    assert [str(c.params["include_all_metadata"]).lower() for c in history] in (["1"], ["true"])
    note = await notification(delivery.services, identity)
    assert (note.state, note.attempts, note.slack_ts) == ("sent", 2, response["ts"])


async def test_a_crash_before_the_post_is_posted_once_after_the_search(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    deadline_id = await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    identity = f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-28T21:00Z"
    await claim_and_crash(delivery.services, identity, utc(2027, 4, 27, 6, 1), utc(2027, 4, 27, 6))
    assert await at(delivery, clock, utc(2027, 4, 27, 6, 0, 30)) == 0  # the lease still holds
    await at(delivery, clock, utc(2027, 4, 27, 6, 1, 1))  # a first look: nothing
    assert len(slack.calls_to("conversations.history")) == 1
    assert texts(slack, "C0LIIKENNE") == []
    await ticking(delivery, clock, utc(2027, 4, 27, 6, 5))  # a second look, then the post
    assert len(slack.calls_to("conversations.history")) == 2
    assert len(texts(slack, "C0LIIKENNE")) == 1


async def test_a_claim_that_was_never_tried_is_posted_without_looking(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    deadline_id = await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    identity = f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-28T21:00Z"
    await claim_and_crash(delivery.services, identity, utc(2027, 4, 27, 6, 1))
    await at(delivery, clock, utc(2027, 4, 27, 6, 1, 1))
    assert slack.calls_to("conversations.history") == []
    assert len(texts(slack, "C0LIIKENNE")) == 1


async def test_a_crashed_dm_is_searched_for_in_the_opened_conversation(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    package_id = await work_package(
        delivery.services, title="Mittarit", owner_user_id="U0MEMBER3", due_date=date(2027, 4, 30)
    )
    identity = f"wp:{package_id}:due-3d:U0MEMBER3@2027-04-30T21:00Z"
    await claim_and_crash(delivery.services, identity, utc(2027, 4, 27, 6, 1), utc(2027, 4, 27, 6))
    clock.now = utc(2027, 4, 27, 6, 1, 1)
    await ticking(delivery, clock, utc(2027, 4, 27, 6, 5))
    opened = slack.calls_to("conversations.open")[0]
    assert opened.params["users"] == "U0MEMBER3"
    assert slack.calls_to("conversations.history")[0].params["channel"] == "DU0MEMBER3"
    assert len(texts(slack, "U0MEMBER3")) == 1


async def test_an_operator_retry_posts_a_failed_notification_once(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    deadline_id = await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    identity = f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-28T21:00Z"
    slack.fail("chat.postMessage", error="is_archived")
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    note = await notification(delivery.services, identity)
    assert (note.state, note.last_error) == ("failed", "is_archived")
    async with delivery.services.db() as session, session.begin():
        assert await notifications.retry(session, note.id, utc(2027, 4, 27, 9, 0))  # three hours on
    await at(delivery, clock, utc(2027, 4, 27, 9, 0, 1))
    assert len(texts(slack, "C0LIIKENNE")) == 1
    assert (await notification(delivery.services, identity)).state == "sent"


async def started_at(services: Services, clock: FakeClock, moment: datetime) -> int:
    """Start an engine at `moment` (the bot back after downtime) and let it tick once."""
    clock.now = moment
    async with http() as session:
        return await Delivery(services, session, clock, "w-restarted").tick()


async def test_after_downtime_a_notice_goes_out_marked_late_or_is_skipped(
    net: Services, clock: FakeClock, slack: FakeSlack
) -> None:
    services = net
    early = await deadline(services, date(2027, 4, 28), remind=["1d"])
    late = await deadline(services, date(2027, 4, 28), remind=["2d"], key="d2")
    await started_at(services, clock, utc(2027, 4, 27, 8, 30))  # 2.5 h and 26.5 h late
    assert texts(slack, "C0LIIKENNE") == [
        "_Late: this was meant for Tue 27 Apr 2027 at 09:00._\n"
        "Reminder: the deadline *Loppuraportti* is tomorrow, Wed 28 Apr 2027."
    ]
    skipped = await notification(services, f"deadline:{late}:2d:C0LIIKENNE@2027-04-28T21:00Z")
    assert skipped.state == "skipped"
    assert skipped.last_error == "26.5 hours late, more than CATCHUP_GRACE_HOURS"
    assert (
        await notification(services, f"deadline:{early}:1d:C0LIIKENNE@2027-04-28T21:00Z")
    ).state == "sent"


async def test_a_notice_missed_by_seconds_of_downtime_is_marked_late_for_its_time(
    net: Services, clock: FakeClock, slack: FakeSlack
) -> None:
    # A reminder due at 03:12 local time; the bot starts again at 03:12:20.
    async with net.db() as session, session.begin():
        await session.execute(update(Network).values(language="fi"))
    await deadline(net, date(2027, 4, 27), time(4, 12), remind=["1h"])
    await started_at(net, clock, utc(2027, 4, 27, 0, 12, 20))
    assert texts(slack, "C0LIIKENNE") == [
        "_Myöhässä: tämän piti lähteä ti 27.4.2027 klo 3.12._\n"
        "Muistutus: määräaika *Loppuraportti* päättyy tänään, ti 27.4.2027 klo 4.12."
    ]


async def test_a_clock_that_starts_at_zero_marks_only_what_fell_due_before_it_started(
    net: Services, clock: FakeClock, slack: FakeSlack
) -> None:
    epoch = utc(1970, 1, 1)
    liikenne = await theme(net)
    async with net.db() as session, session.begin():
        for key, remind in (("d1", "1d"), ("d2", "2d")):
            item = Deadline(
                key=key,
                title=key,
                theme_id=liikenne.id,
                due_date=date(1970, 1, 3),
                remind=[remind],
                created_at=epoch,
            )
            session.add(item)
            await session.flush()
            await outbox.reconcile_deadline(session, item.id, await rules(net), epoch)
    clock.now = epoch
    async with http() as client:
        engine = Delivery(net, client, clock, "w1")
        assert await engine.tick() == 0
        assert await at(engine, clock, utc(1970, 1, 1, 7, 0)) == 1  # 9.00 in Helsinki
    assert await started_at(net, clock, utc(1970, 1, 2, 7, 0, 20)) == 1
    first, second = texts(slack, "C0LIIKENNE")
    assert first.startswith("Reminder: the deadline *d2* is in 2 days")
    assert second.startswith("_Late: this was meant for Fri 2 Jan 1970 at 09:00._\n")


async def test_a_notice_delayed_while_the_engine_ran_is_not_marked_and_a_past_event_skipped(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    liikenne = await theme(services)
    meeting = Meeting(
        key="m", title="Työpaja", starts_at=utc(2027, 4, 20, 7, 0), remind=["1d", "1h"]
    )
    meeting.themes = [liikenne]
    meeting_id = await add(services, meeting, outbox.reconcile_meeting)
    await at(delivery, clock, utc(2027, 4, 19, 6, 0))  # running before it falls due
    await at(delivery, clock, utc(2027, 4, 19, 7, 14))  # 14 minutes late: a busy tick
    assert texts(slack, "C0LIIKENNE") == [
        "Reminder: *Työpaja* starts tomorrow, Tue 20 Apr 2027 at 10:00."
    ]
    await at(delivery, clock, utc(2027, 4, 20, 7, 0))  # down through the 1h reminder's time
    note = await notification(services, f"meeting:{meeting_id}:1h:C0LIIKENNE@2027-04-20T07:00Z")
    assert (note.state, note.last_error) == ("skipped", "its event has already happened")
    assert len(posts(slack)) == 1


# --- registrations ----------------------------------------------------------------------------


async def contacts(services: Services) -> None:
    """Helsinki's contact is Swedish-speaking (in Slack; nothing stored), Turku's English."""
    async with services.db() as session, session.begin():
        orgs = {o.key: o.id for o in await session.scalars(select(Organisation))}
        session.add(OrganisationContact(organisation_id=orgs["helsinki"], user_id="U0MEMBER2"))
        session.add(OrganisationContact(organisation_id=orgs["turku"], user_id="U0MEMBER3"))
        session.add(
            Registration(
                theme_id=(await theme(services)).id,
                registered_by=CONTACT,
                organisation_id=orgs["tampere"],
            )
        )


async def test_a_theme_registration_deadline_names_the_missing_and_tells_their_contacts(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    await contacts(services)
    liikenne = await theme(services)
    async with services.db() as session, session.begin():
        await session.execute(
            update(Theme)
            .where(Theme.id == liikenne.id)
            .values(registration_deadline=date(2027, 4, 28), digest_enabled=False)
        )
        await outbox.reconcile_theme(session, liikenne.id, await rules(services), CREATED)
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    assert texts(slack, "C0LIIKENNE") == [
        "Reminder: registration for the theme *Liikenne ja saavutettavuus* closes tomorrow,"
        " Wed 28 Apr 2027.\nNot registered for this theme yet: Helsingin seutu,"
        " Turun kaupunkiseutu."
    ]
    await at(delivery, clock, utc(2027, 4, 27, 6, 0, 5))  # the direct messages it entailed
    assert texts(slack, "U0MEMBER3") == [
        "*Turun kaupunkiseutu* has not registered for the theme *Liikenne ja saavutettavuus* yet,"
        " and registration closes tomorrow, Wed 28 Apr 2027. As its contact you can register it"
        " with `/network join liikenne org:turku`."
    ]
    [swedish] = texts(slack, "U0MEMBER2")
    assert "ons 28.4.2027" in swedish  # the contact's own language, from their Slack locale
    identity = f"theme:{liikenne.id}:registration:1d:C0LIIKENNE@2027-04-28T21:00Z:dm:U0MEMBER3"
    assert (await notification(services, identity)).state == "sent"
    assert texts(slack, CONTACT) == []  # Tampere registered


async def test_a_network_registration_deadline_names_who_is_in_no_theme(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    await contacts(services)
    await deadline(
        services,
        date(2027, 4, 28),
        key="ilmo",
        title="Ilmoittautuminen teemoihin",
        theme_id=None,
        registration=True,
        remind=["1d"],
    )
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    assert texts(slack, "C0NETWORK") == [
        "Reminder: registration *Ilmoittautuminen teemoihin* closes tomorrow, Wed 28 Apr 2027.\n"
        "Not registered for any theme yet: Helsingin seutu, Turun kaupunkiseutu."
    ]


async def test_a_contact_whose_organisation_registered_meanwhile_is_not_told(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    await contacts(services)
    deadline_id = await deadline(services, date(2027, 4, 28), remind=["1d"], registration=True)
    async with services.db() as session, session.begin():
        turku = await session.scalar(select(Organisation.id).where(Organisation.key == "turku"))
        assert turku is not None
        # The reminder went out naming Turku and queued the message to its contact; then
        # Turku registered before that message's turn came.
        identity = f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-28T21:00Z:dm:U0MEMBER3"
        child = Planned(
            identity,
            "registration_dm",
            "deadline",
            deadline_id,
            "U0MEMBER3",
            utc(2027, 4, 27, 6, 0),
            utc(2027, 4, 28, 21, 0),
            {"organisations": [turku]},
        )
        await reconcile.insert(session, [child], CREATED)
        session.add(
            Registration(
                theme_id=(await theme(services)).id,
                registered_by="U0MEMBER3",
                organisation_id=turku,
            )
        )
    await at(delivery, clock, utc(2027, 4, 27, 6, 1))
    assert texts(slack, "U0MEMBER3") == []
    note = await notification(services, identity)
    assert (note.state, note.last_error) == ("skipped", "registered meanwhile")


# --- meetings, work packages, digests, the round before a network meeting ---------------------


async def test_a_meeting_is_reminded_in_its_channels_unless_cancelled(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    meeting = Meeting(
        key="m",
        title="Työpaja",
        starts_at=utc(2027, 5, 20, 6, 0),
        remind=["1h"],
        place="Tampere",
        online_url="https://meet.example/abc",
    )
    meeting.themes = [await theme(services), await theme(services, "digi")]
    meeting_id = await add(services, meeting, outbox.reconcile_meeting)
    await at(delivery, clock, utc(2027, 5, 20, 5, 0))
    expected = (
        "Reminder: *Työpaja* starts today, Thu 20 May 2027 at 09:00.\n"
        "Place: Tampere\nOnline: https://meet.example/abc"
    )
    assert texts(slack, "C0LIIKENNE") == texts(slack, "C0DIGI") == [expected]
    async with services.db() as session, session.begin():
        await session.execute(update(Meeting).values(cancelled=True, remind=["1d"]))
        await outbox.reconcile_meeting(session, meeting_id, await rules(services), CREATED)
    await at(delivery, clock, utc(2027, 5, 21, 6, 0))
    assert len(posts(slack)) == 2


async def test_a_package_owner_is_told_before_and_the_channel_after_the_due_date(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    await work_package(
        services,
        number=3,
        title="Indikaattorit",
        progress=40,
        status="in_progress",
        owner_user_id="U0MEMBER3",
        due_date=date(2027, 4, 30),
    )
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    assert texts(slack, "U0MEMBER3") == [
        "The work package `liikenne-3` Indikaattorit is due in 3 days, Fri 30 Apr 2027."
        " It is in progress, 40 % done."
        " Record how it stands with `/network update liikenne-3 <status> [<n>%] [note…]`."
    ]
    await at(delivery, clock, utc(2027, 5, 1, 6, 0))
    assert texts(slack, "C0LIIKENNE") == [
        "The work package `liikenne-3` Indikaattorit is overdue: it was due Fri 30 Apr 2027."
        " It is in progress, 40 % done. Owner: <@U0MEMBER3>."
    ]


async def test_a_package_done_before_its_due_date_is_not_announced(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    package_id = await work_package(
        services, title="X", owner_user_id="U0MEMBER3", due_date=date(2027, 4, 30)
    )
    async with services.db() as session, session.begin():
        await session.execute(update(WorkPackage).values(status="done"))
        await outbox.reconcile_work_package(session, package_id, await rules(services), CREATED)
    await at(delivery, clock, utc(2027, 5, 1, 6, 0))
    assert posts(slack) == []
    overdue = await notification(services, f"wp:{package_id}:overdue:C0LIIKENNE@2027-04-30T21:00Z")
    assert overdue.state == "cancelled"


async def test_the_weekly_digest_goes_out_on_monday_or_is_skipped_when_quiet(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    liikenne = await theme(services)
    async with services.db() as session, session.begin():
        await session.execute(
            update(Theme).where(Theme.key != "liikenne").values(digest_enabled=False)
        )
        await outbox.plan_everything(session, await rules(services), utc(2027, 4, 28, 12))
    await at(delivery, clock, utc(2027, 5, 3, 6, 0))
    quiet = await notification(services, f"digest:{liikenne.id}:2027-W18:C0LIIKENNE")
    assert (quiet.state, quiet.last_error) == ("skipped", "nothing to say this week")
    package_id = await work_package(services, title="Mittarit", status="in_progress")
    async with services.db() as session, session.begin():
        session.add(
            WorkPackageUpdate(
                work_package_id=package_id,
                user_id="U0MEMBER3",
                at=utc(2027, 5, 7, 10),
                old_status="planned",
                new_status="in_progress",
                old_progress=0,
                progress=30,
            )
        )
        session.add(
            Deadline(
                key="d",
                title="Raportti",
                theme_id=liikenne.id,
                due_date=date(2027, 5, 12),
                created_at=CREATED,
            )
        )
        await outbox.plan_everything(session, await rules(services), utc(2027, 5, 3, 19))
    await at(delivery, clock, utc(2027, 5, 10, 6, 0))
    assert texts(slack, "C0LIIKENNE")[-1] == "\n".join(
        [
            "*Weekly digest: Liikenne ja saavutettavuus*",
            "",
            "*Coming up in the next two weeks*",
            "• Wed 12 May 2027: deadline *Raportti*",
            "",
            "*Status changes last week*",
            "• `liikenne-1` Mittarit: planned → in progress, 30 % (<@U0MEMBER3>)",
        ]
    )


async def test_before_a_network_meeting_owners_are_asked_and_the_review_is_posted(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    async with services.db() as session, session.begin():
        tampere = await session.scalar(select(Organisation.id).where(Organisation.key == "tampere"))
    for number, owner in (
        (1, {"owner_user_id": "U0MEMBER3"}),
        (2, {"owner_organisation_id": tampere}),
    ):
        await work_package(
            services,
            number=number,
            title=f"P{number}",
            status="in_progress",
            progress=10 * number,
            **owner,
        )
    meeting = Meeting(
        key="v",
        title="Verkostotapaaminen",
        starts_at=utc(2027, 5, 20, 11),
        audience_all=True,
        remind=[],
    )
    await add(services, meeting, outbox.reconcile_meeting)
    await at(delivery, clock, utc(2027, 5, 17, 11, 0))
    assert sorted(p["channel"] for p in posts(slack)) == [CONTACT, "U0MEMBER3"]
    assert texts(slack, "U0MEMBER3") == [
        "The network meeting *Verkostotapaaminen* is in 3 days, Thu 20 May 2027 at 14:00."
        " Please bring the status of your work packages up to date before it:\n"
        "• `liikenne-1` P1: in progress, 10 %\n"
        "Record each with `/network update <work package> <status> [<n>%] [note…]`."
    ]
    await at(delivery, clock, utc(2027, 5, 19, 11, 0))
    assert texts(slack, "C0NETWORK") == [
        "*Status review before Verkostotapaaminen* (Thu 20 May 2027 at 14:00)\n\n"
        "*Liikenne ja saavutettavuus*\n"
        "• `liikenne-1` P1: in progress, 10 %, <@U0MEMBER3>\n"
        "• `liikenne-2` P2: in progress, 20 %, Tampereen kaupunkiseutu"
    ]


# --- pacing and Slack's failures --------------------------------------------------------------


async def three_reminders(services: Services) -> None:
    for n in range(3):
        await deadline(services, date(2027, 4, 28), remind=["1d"], key=f"d{n}")


async def test_a_channel_gets_at_most_one_message_a_second(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await three_reminders(delivery.services)
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    stamps = [float(m["ts"]) for m in slack.channels["C0LIIKENNE"].messages]
    assert len(stamps) == 3
    assert all(later - earlier >= 1.0 for earlier, later in pairwise(stamps))


IDENTITY = "deadline:1:1d:C0LIIKENNE@2027-04-28T21:00Z"


async def idle(slack: FakeSlack) -> None:
    """Wait (real time) until the fake Slack has answered every call it received."""
    async with asyncio.timeout(5):
        while any(call.status == 0 for call in slack.calls):
            await asyncio.sleep(0.01)


async def failures(services: Services) -> list[Notification]:
    async with services.db() as session:
        found = await session.scalars(
            select(Notification).where(Notification.kind == "failure_report")
        )
        return list(found)


async def test_pacing_holds_with_a_clock_that_starts_at_zero(
    net: Services, clock: FakeClock, slack: FakeSlack
) -> None:
    clock.now = now = datetime(1970, 1, 1, tzinfo=UTC)  # the fake Slack stamps with it too
    rows = [
        outgoing.post(f"test:{n}", ("network", 1), "C0LIIKENNE", Message(f"m{n}"), now)
        for n in range(3)
    ]
    async with net.db() as session, session.begin():
        await outbox.enqueue(session, rows, now)
    async with http() as client:
        engine = Delivery(net, client, clock, "w0")
        assert await engine.tick() == 3
        assert clock.slept == [1.0, 1.0]  # a second after each answer, from a clock at zero
        stamps = [float(m["ts"]) for m in slack.channels["C0LIIKENNE"].messages]
        assert len(stamps) == 3  # (the fake's first ts is 0.0001: a ts is never 0)
        assert all(later - earlier >= 0.999 for earlier, later in pairwise(stamps))
        assert await engine.tick() == 0


async def test_a_rate_limit_defers_without_counting_and_the_post_is_made_once(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    slack.fail("chat.postMessage", retry_after=7)
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    note = await notification(delivery.services, IDENTITY)
    assert (note.state, note.not_before) == ("pending", utc(2027, 4, 27, 6, 0, 7))
    await at(delivery, clock, utc(2027, 4, 27, 6, 0, 6))
    assert texts(slack, "C0LIIKENNE") == []
    await at(delivery, clock, utc(2027, 4, 27, 6, 0, 7))
    assert len(texts(slack, "C0LIIKENNE")) == 1
    assert slack.calls_to("conversations.history") == []  # a 429 posts nothing: no look


async def test_a_rate_limit_storm_of_a_minute_delays_but_fails_nothing(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await three_reminders(delivery.services)
    slack.fail("chat.postMessage", retry_after=5, times=14)
    clock.now = utc(2027, 4, 27, 6, 0)
    await ticking(delivery, clock, utc(2027, 4, 27, 6, 3), step=1)
    assert len(texts(slack, "C0LIIKENNE")) == 3
    assert await failures(delivery.services) == []
    async with delivery.services.db() as session:
        states = set(await session.scalars(select(Notification.state)))
    assert states == {"sent"}


async def test_a_server_error_is_looked_for_twice_before_posting_again(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    slack.fail("chat.postMessage", status=500)
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    note = await notification(delivery.services, IDENTITY)
    assert (note.state, note.tried_at, note.last_error) == (
        "pending",
        utc(2027, 4, 27, 6, 0),
        "internal_error",
    )
    assert note.not_before == utc(2027, 4, 27, 6, 0, 17)  # timeout + first look
    await at(delivery, clock, utc(2027, 4, 27, 6, 0, 16))
    assert slack.calls_to("conversations.history") == []  # Slack may still be at it
    await ticking(delivery, clock, utc(2027, 4, 27, 6, 5))
    assert len(slack.calls_to("conversations.history")) == 2
    assert len(texts(slack, "C0LIIKENNE")) == 1
    assert await failures(delivery.services) == []


async def test_slack_down_for_thirty_seconds_delays_what_falls_due_but_loses_or_repeats_nothing(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    services = delivery.services
    await three_reminders(services)  # in C0LIIKENNE, and a reminder to a package's owner:
    await work_package(
        services, title="Mittarit", owner_user_id="U0MEMBER3", due_date=date(2027, 4, 30)
    )
    start = utc(2027, 4, 27, 6, 0)  # when all four fall due
    slack.down_until((start + timedelta(seconds=30)).timestamp())  # every call: HTTP 500
    clock.now = start
    await ticking(delivery, clock, start + timedelta(minutes=10), step=1)
    # Unclear tries are looked for (in vain while Slack is down, then twice) before posting
    # again: the channel's three and the direct message, each once, none marked late.
    calls = slack.calls_to("chat.postMessage")
    assert {c.status for c in calls} == {500, 200}
    sent = Counter(
        c.params["metadata"]["event_payload"]["identity"] for c in calls if c.status == 200
    )
    assert len(sent) == 4 and set(sent.values()) == {1}
    channel, direct = texts(slack, "C0LIIKENNE"), texts(slack, "U0MEMBER3")
    assert len(channel) == 3 and len(direct) == 1
    assert not [text for text in [*channel, *direct] if "Late" in text]
    stamps = [float(m["ts"]) for m in slack.channels["C0LIIKENNE"].messages]
    assert all(later - earlier >= 0.999 for earlier, later in pairwise(stamps))  # ts unique
    assert stamps[-1] - start.timestamp() < 4 * 60  # the second look (2 min) after Slack is back
    async with services.db() as session:
        due = select(Notification.state).where(Notification.due_at <= start)
        assert list(await session.scalars(due)) == ["sent"] * 4
    assert await failures(services) == []


async def test_an_internal_error_then_success_posts_once_with_no_failure_message(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    slack.fail("chat.postMessage", error="internal_error")  # HTTP 200, ok: false
    clock.now = utc(2027, 4, 27, 6, 0)
    await ticking(delivery, clock, utc(2027, 4, 27, 6, 5))
    await at(delivery, clock, utc(2027, 4, 27, 7, 1))  # after the hour: no summary either
    assert len(texts(slack, "C0LIIKENNE")) == 1
    assert (await notification(delivery.services, IDENTITY)).state == "sent"
    assert texts(slack, COORDINATOR) == []
    assert await failures(delivery.services) == []


async def test_a_post_answered_after_the_client_timeout_ends_as_one_message(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    slack.fail("chat.postMessage", delay=3.0)  # answers after the client gave up (2 s)
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    await idle(slack)  # the slow post lands in Slack
    await ticking(delivery, clock, utc(2027, 4, 27, 6, 5))
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(texts(slack, "C0LIIKENNE")) == 1
    note = await notification(delivery.services, IDENTITY)
    assert (note.state, note.slack_ts) == ("sent", slack.channels["C0LIIKENNE"].messages[0]["ts"])


async def test_a_connection_reset_after_slack_took_the_post_ends_as_one_message(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    slack.fail("chat.postMessage", reset=True)
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    assert (await notification(delivery.services, IDENTITY)).state == "pending"
    await ticking(delivery, clock, utc(2027, 4, 27, 6, 5))
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(texts(slack, "C0LIIKENNE")) == 1
    assert (await notification(delivery.services, IDENTITY)).state == "sent"


async def test_two_messages_of_one_notification_leave_only_the_first(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    clock.now = utc(2027, 4, 27, 6, 0, 1)
    async with http() as session:  # two workers' tries both landed, neither was recorded
        for _ in range(2):
            await client(delivery.services, session).chat_postMessage(
                channel="C0LIIKENNE", text="Reminder", metadata=slack_api.metadata(IDENTITY)
            )
    await claim_and_crash(delivery.services, IDENTITY, utc(2027, 4, 27, 6, 1), utc(2027, 4, 27, 6))
    await at(delivery, clock, utc(2027, 4, 27, 6, 1, 1))
    [kept] = slack.channels["C0LIIKENNE"].messages
    assert len(slack.calls_to("chat.delete")) == 1
    assert (await notification(delivery.services, IDENTITY)).slack_ts == kept["ts"]


async def test_a_public_channel_the_bot_is_not_in_is_joined(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    slack.add_channel("C0LIIKENNE", "liikenne", bot_member=False)
    await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    assert [c.params["channel"] for c in slack.calls_to("conversations.join")] == ["C0LIIKENNE"]
    assert len(texts(slack, "C0LIIKENNE")) == 1


@pytest.mark.parametrize(
    ("set_up", "error", "words"),
    [
        (
            lambda s: s.add_channel("C0LIIKENNE", "liikenne", is_private=True, bot_member=False),
            "channel_not_found",
            "the channel does not exist, or it is private and I am not in it.",
        ),
        (
            lambda s: (
                s.add_channel("C0LIIKENNE", "liikenne", is_private=True),
                s.fail("chat.postMessage", error="not_in_channel", times=2),
            ),
            "not_in_channel",
            "I am not in the channel and cannot join it (it is private). Add me to it.",
        ),
        (
            lambda s: s.fail("chat.postMessage", error="is_archived", times=2),
            "is_archived",
            "the channel is archived.",
        ),
        (
            lambda s: s.fail("chat.postMessage", error="invalid_auth", times=2),
            "invalid_auth",
            "my Slack token no longer works.",
        ),
    ],
)
async def test_a_permanent_error_fails_at_once_and_the_hour_is_summarised_to_coordinators(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack, set_up: Any, error: str, words: str
) -> None:
    set_up(slack)
    deadline_id = await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    other = await deadline(delivery.services, date(2027, 4, 28), remind=["1d"], key="d2")
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    note = await notification(
        delivery.services, f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-28T21:00Z"
    )
    assert (note.state, note.last_error) == ("failed", error)
    second = await notification(
        delivery.services, f"deadline:{other}:1d:C0LIIKENNE@2027-04-28T21:00Z"
    )
    assert second.state == "failed"
    await at(delivery, clock, utc(2027, 4, 27, 6, 59))
    assert texts(slack, COORDINATOR) == []  # at the end of the hour, once
    await at(delivery, clock, utc(2027, 4, 27, 7, 0))
    assert texts(slack, COORDINATOR) == [
        "I could not post 2 notifications in the last hour:\n"
        f"• to <#C0LIIKENNE>: {words} (notification {note.id}, `{note.identity}`)\n"
        f"• to <#C0LIIKENNE>: {words} (notification {second.id}, `{second.identity}`)\n"
        "Once the cause is fixed, an operator can send one again with"
        " `python -m bot outbox retry <id>`."
    ]


async def test_a_transient_error_is_retried_until_the_grace_ends_then_failed(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    slack.fail("chat.postMessage", error="ratelimited", times=100)
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    note = await notification(delivery.services, IDENTITY)
    assert (note.state, note.last_error) == ("pending", "ratelimited")
    await at(delivery, clock, utc(2027, 4, 27, 12, 0))
    assert (await notification(delivery.services, IDENTITY)).state == "pending"
    await at(delivery, clock, utc(2027, 4, 27, 18, 1))  # CATCHUP_GRACE_HOURS (12) on
    note = await notification(delivery.services, IDENTITY)
    assert (note.state, note.last_error) == ("failed", "ratelimited")
    assert texts(slack, "C0LIIKENNE") == []


async def test_a_failed_report_is_not_reported(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await deadline(delivery.services, date(2027, 4, 28), remind=["1d"])
    slack.fail("chat.postMessage", error="is_archived", times=2)
    await at(delivery, clock, utc(2027, 4, 27, 6, 0))
    await at(delivery, clock, utc(2027, 4, 27, 7, 0))
    await at(delivery, clock, utc(2027, 4, 27, 8, 0))
    async with delivery.services.db() as session:
        states = dict((await session.execute(select(Notification.kind, Notification.state))).all())
    assert states == {"deadline_reminder": "failed", "failure_report": "failed"}


async def test_stopping_finishes_the_post_in_flight_and_gives_back_the_rest(
    delivery: Delivery, clock: FakeClock, slack: FakeSlack
) -> None:
    await three_reminders(delivery.services)
    never = asyncio.Event()

    async def wait_forever(seconds: float) -> None:
        await never.wait()

    delivery.sleep = wait_forever
    clock.now = utc(2027, 4, 27, 6, 0)
    ticking = asyncio.ensure_future(delivery.tick())
    async with asyncio.timeout(5):
        while len(texts(slack, "C0LIIKENNE")) < 1:
            await asyncio.sleep(0.01)
    await delivery.stop()
    await ticking
    async with delivery.services.db() as session:
        found = await session.execute(
            select(
                Notification.state,
                Notification.attempts,
                Notification.claimed_by,
                Notification.tried_at,
            ).order_by(Notification.id)
        )
        assert sorted((tuple(row) for row in found), key=str) == [
            ("pending", 0, None, None),
            ("pending", 0, None, None),
            ("sent", 1, "w1", None),
        ]
    assert await delivery.tick() == 0  # stopped


async def test_no_client_that_posts_retries_on_its_own(net: Services) -> None:
    async with http() as session:
        assert client(net, session).retry_handlers == []
    assert web_client(net.settings).retry_handlers == []


# --- the clock, the web app's lifespan, the operator's commands ---------------------------------


async def post_due_now(services: Services) -> None:
    """An immediate post (a direct message to the coordinator), enqueued as a use case does."""
    now = datetime.now(UTC)
    row = outgoing.post("test:1", ("network", 1), COORDINATOR, Message("Hello"), now)
    async with services.db() as session, session.begin():
        await outbox.enqueue(session, [row], now)


async def posted_within(slack: FakeSlack, seconds: float) -> bool:
    limit = asyncio.get_running_loop().time() + seconds
    while not slack.calls_to("chat.postMessage"):
        if asyncio.get_running_loop().time() > limit:
            return False
        await asyncio.sleep(0.02)
    return True


async def test_the_clock_ticks_on_apscheduler_and_stops_cleanly(
    net: Services, slack: FakeSlack
) -> None:
    quick = net.settings.model_copy(update={"scheduler_tick_seconds": 0.05})
    services = Services(quick, net.db, net.registry)
    await post_due_now(services)
    clock = await start_clock(services)
    try:
        tick, plan = clock.scheduler.get_job("tick"), clock.scheduler.get_job("plan")
        assert (tick.max_instances, tick.coalesce, tick.trigger.interval) == (
            1,
            True,
            timedelta(seconds=0.05),
        )
        assert plan.trigger.interval == timedelta(minutes=5)
        assert await posted_within(slack, 5)
    finally:
        await stop_clock(clock)
    assert not clock.scheduler.running
    assert texts(slack, COORDINATOR) == ["Hello"]


async def test_the_web_apps_own_clock_posts_an_immediate_row_within_two_seconds(
    net: Services, slack: FakeSlack
) -> None:
    # A tick a minute: only the wake-up at commit can post it this soon.
    on = net.settings.model_copy(update={"scheduler_tick_seconds": 60, "run_scheduler": True})
    services = Services(on, net.db, net.registry)
    web = build_web(services, build_app(services))
    async with web.router.lifespan_context(web):
        await asyncio.sleep(0.5)  # the first tick has run and found nothing
        assert slack.calls_to("chat.postMessage") == []
        await post_due_now(services)
        assert await posted_within(slack, 2)


def run(work: Any) -> None:
    """Run a coroutine in a thread of its own (the command line runs its own event loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


async def failed_notification(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await reconcile.insert(
                session,
                [
                    Planned(
                        "deadline:1:7d:C0X",
                        "deadline_reminder",
                        "deadline",
                        1,
                        "C0X",
                        utc(2027, 4, 21, 6),
                    )
                ],
                CREATED,
            )
            await session.execute(
                update(Notification).values(state="failed", attempts=1, last_error="is_archived")
            )
    finally:
        await engine.dispose()


def test_an_operator_lists_the_outbox_and_queues_a_failed_one_again(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run(failed_notification(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["outbox", "--state", "failed"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "id  state   what               where  due/sent               tries  last error",
        "1   failed  deadline reminder  C0X    2027-04-21 09:00 EEST  1      is_archived",
    ]
    assert main(["outbox", "--state", "sent"]) == 0
    assert capsys.readouterr().out == "no notifications in state sent\n"
    assert main(["outbox", "retry", "1"]) == 0
    assert "notification 1 queued again" in capsys.readouterr().out
    assert main(["outbox", "--state", "pending"]) == 0
    assert "1   pending  deadline reminder  C0X" in capsys.readouterr().out
    assert main(["outbox", "retry", "1"]) == 1  # no longer failed
    assert capsys.readouterr().err == "network-bot: no failed notification 1\n"
    assert main(["outbox", "retry"]) == 2
