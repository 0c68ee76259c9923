"""The database unreachable for a while (PostgreSQL behind `tests.tcp_proxy`, cut and restored;
the shared server itself is never stopped).

A person typing a command during the outage is told, in their language and within Slack's 3 s,
to try again; once the database answers, commands work again. The delivery engine, on injected
time, fails its ticks quietly while the database is gone (the clock's `Outage`), then posts
every due notification exactly once, including the one it had posted when the database went
away before the post could be recorded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import make_url, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import DATABASE_DOWN
from app.services import Services
from app.settings import Settings
from bot import outgoing
from bot.commands import Registry
from bot.outage import Outage, watched
from bot.outcome import Message
from delivery.engine import Engine
from handlers import fill_registry
from storage import claims, outbox
from storage.db import create_engine, create_session_factory
from storage.models import Notification
from tests.conftest import USERS
from tests.db import requires_postgres
from tests.e2e.test_delivery import TIMING, FakeClock, client, http, utc
from tests.fake_slack import FakeSlack
from tests.harness import BOT_TOKEN, Bot, start_bot
from tests.seed import seed
from tests.tcp_proxy import TcpProxy

pytestmark = requires_postgres

Db = async_sessionmaker[AsyncSession]
TRY_AGAIN = "Yritä hetken päästä uudelleen"  # the Finnish "try again in a moment"
OUTAGE = timedelta(seconds=10)
POSTS = 6
CHANNEL = "C0LIIKENNE"
START = utc(2027, 4, 27, 6, 0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def slack(clock: FakeClock) -> Iterator[FakeSlack]:
    """The fake Slack, its messages stamped with the fake clock (as the engine reads it)."""
    with FakeSlack(bot_token=BOT_TOKEN, clock=clock.timestamp) as fake:
        for user_id, (name, locale) in USERS.items():
            fake.add_user(user_id, name=name, locale=locale)
        fake.add_channel(CHANNEL, "liikenne")
        yield fake


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[TcpProxy]:
    server = make_url(database_url)
    running = await TcpProxy(server.host or "127.0.0.1", server.port or 5432).start()
    yield running
    await running.close()


@pytest.fixture
async def proxied(
    settings: Settings, database_url: str, proxy: TcpProxy, session_factory: Db
) -> AsyncIterator[Services]:
    """The bot's services on the proxy, with the timeouts the settings give (as `serve` has
    them); the network seeded straight on the server."""
    await seed(session_factory)
    url = make_url(database_url).set(port=proxy.port).render_as_string(hide_password=False)
    engine = create_engine(
        url,
        connect_timeout=settings.database_connect_timeout_seconds,
        command_timeout=settings.database_command_timeout_seconds,
    )
    services = Services(settings, create_session_factory(engine), Registry())
    fill_registry(services.registry)
    yield services
    await engine.dispose()


@pytest.fixture
async def cut_off(proxied: Services, slack: FakeSlack) -> AsyncIterator[Bot]:
    harness = await start_bot(proxied, slack)
    async with harness.web.router.lifespan_context(harness.web):
        yield harness
    await harness.http.aclose()


async def reply_within(bot: Bot, text: str, seconds: float) -> tuple[str, float]:
    """Send a command; its reply's text, which must reach Slack within `seconds`, and how long
    it took (nothing delivered meanwhile: the harness's own delivery would meet the outage)."""
    before = len(bot.slack.calls_to("respond"))
    started = time.monotonic()
    response = await bot.send_command(text, user="U0MEMBER1")
    assert response.status_code == 200
    while len(bot.slack.calls_to("respond")) == before:
        assert time.monotonic() - started < seconds, f"no reply to {text!r} in {seconds} s"
        await asyncio.sleep(0.02)
    reply = str(bot.slack.calls_to("respond")[before].params["text"])
    return reply, time.monotonic() - started


@pytest.mark.parametrize("silent", [False, True], ids=["refused", "silent"])
async def test_commands_during_a_ten_second_outage_are_told_to_try_again_within_three_seconds(
    cut_off: Bot, proxy: TcpProxy, silent: bool, caplog: pytest.LogCaptureFixture
) -> None:
    assert USERS["U0MEMBER1"][1] == "fi-FI"
    assert "Liikenne" in (await reply_within(cut_off, "teemat", 10))[0]
    await proxy.cut(silent=silent)
    cut, waits = time.monotonic(), []
    while time.monotonic() - cut < OUTAGE.total_seconds():  # a command every half second
        told, took = await reply_within(cut_off, "teemat", 3)
        assert TRY_AGAIN in told and "Liikenne" not in told
        waits.append(took)
        await asyncio.sleep(0.5)
    await proxy.restore()
    assert "Liikenne" in (await reply_within(cut_off, "teemat", 3))[0]
    caplog.set_level(logging.INFO)
    logging.getLogger("tests").info(
        "%d commands in the outage, answered in %.2f–%.2f s", len(waits), min(waits), max(waits)
    )


# --- the delivery engine ----------------------------------------------------------------------


async def due(db: Db, clock: FakeClock) -> list[str]:
    """`POSTS` posts to one channel, due now; their identities."""
    rows = [
        outgoing.post(f"test:{n}", ("network", n), CHANNEL, Message(f"m{n}"), clock.now)
        for n in range(POSTS)
    ]
    async with db() as session, session.begin():
        await outbox.enqueue(session, rows, clock.now)
    return [row.identity for row in rows]


async def states(db: Db) -> Counter[str]:
    async with db() as session:
        return Counter(await session.scalars(select(Notification.state)))


async def cut_during_post(slack: FakeSlack, proxy: TcpProxy, nth: int, silent: bool) -> None:
    """Cut the database while Slack takes the `nth` post (it takes half a second)."""
    while len(slack.calls_to("chat.postMessage")) < nth:
        await asyncio.sleep(0.01)
    await proxy.cut(silent=silent)


@pytest.mark.parametrize("silent", [False, True], ids=["refused", "silent"])
async def test_the_engine_resumes_after_an_outage_and_posts_each_notification_once(
    proxied: Services,
    proxy: TcpProxy,
    session_factory: Db,
    slack: FakeSlack,
    clock: FakeClock,
    silent: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    identities = await due(session_factory, clock)
    slack.fail("chat.postMessage", delay=0.0, times=2)  # answered at once,
    slack.fail("chat.postMessage", delay=0.5)  # then slowly: the cut comes meanwhile
    cutting = asyncio.create_task(cut_during_post(slack, proxy, 3, silent))
    caplog.set_level(logging.INFO)
    outage = Outage(logging.getLogger("network_bot.clock"), "the database")
    async with http() as session:
        engine = Engine(
            proxied.db,
            proxied.settings.deployment,
            client(proxied, session),
            clock.read,
            clock.sleep,
            "w1",
            TIMING,
            clock.timestamp,
        )
        tick = watched(engine.tick, outage, DATABASE_DOWN)
        started = time.monotonic()
        await tick()  # posts two, then the third, which it cannot record
        await cutting
        assert len(slack.calls_to("chat.postMessage")) == 3
        while clock.now < START + OUTAGE:  # the clock ticks on, in vain
            clock.now += timedelta(seconds=TIMING.tick_seconds)
            await tick()
            assert outage.down
        assert time.monotonic() - started < 30, "a tick waited on the database too long"
        await proxy.restore()
        for _ in range(60):  # five minutes: the lease runs out, the unclear post is looked for
            clock.now += timedelta(seconds=TIMING.tick_seconds)
            await tick()
    assert not outage.down
    assert await states(session_factory) == {"sent": POSTS}
    calls = slack.calls_to("chat.postMessage")
    posted = Counter(c.params["metadata"]["event_payload"]["identity"] for c in calls)
    assert posted == dict.fromkeys(identities, 1)
    assert len(slack.channels[CHANNEL].messages) == POSTS
    told = [r.getMessage() for r in caplog.records if r.name == "network_bot.clock"]
    assert len(told) == 2, told  # the outage, once, and its end


async def test_a_process_stopped_in_the_middle_of_a_claim_does_not_stop_the_others(
    database_url: str, session_factory: Db
) -> None:
    paused = create_engine(database_url, command_timeout=2, idle_in_transaction=1)
    waited = float("inf")  # the claim never got the lock
    try:
        async with paused.connect() as connection, connection.begin():
            await connection.execute(claims._ONE_CLAIMER)  # then it stops, holding the lock
            started = time.monotonic()
            async with asyncio.timeout(5), session_factory() as session, session.begin():
                await claims.claim(session, START, "w2", timedelta(seconds=60), 10, 5)
            waited = time.monotonic() - started
            with pytest.raises(DATABASE_DOWN):  # it wakes up to find its session ended
                await connection.execute(select(1))
    except DATABASE_DOWN:
        pass  # (the rollback, too)
    finally:
        await paused.dispose()
    assert waited < 2.5
