"""Slack's event retries: each event acted on once, across processes; a retry of an event no
one acted on is acted on."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.services import Services
from app.web import build_app
from storage.models import SeenEvent
from storage.seen_events import REMEMBERED, first_sighting
from tests.fake_slack import FakeSlack
from tests.harness import Bot, start_bot


def mention(event_id: str, ts: str = "1700000000.000100") -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": "U0MEMBER1",
                "text": "<@UBOT> moi",
                "ts": ts,
                "channel": "C0GENERAL",
            },
        }
    )


async def deliver(bot: Bot, body: str, retry: int | None = None) -> httpx.Response:
    headers = bot.signed_headers(body) | {"Content-Type": "application/json"}
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    response = await bot.post(body, headers)
    await bot.settle()
    return response


def posts(slack: FakeSlack) -> list[dict[str, Any]]:
    return [call.params for call in slack.calls_to("chat.postMessage")]


async def test_a_retried_event_is_acted_on_once(bot: Bot) -> None:
    body = mention("Ev0RETRY1")
    assert (await deliver(bot, body)).status_code == 200
    assert (await deliver(bot, body, retry=1)).status_code == 200
    assert (await deliver(bot, body, retry=2)).status_code == 200
    assert len(posts(bot.slack)) == 1


async def test_a_retry_whose_first_delivery_never_arrived_is_acted_on(bot: Bot) -> None:
    assert (await deliver(bot, mention("Ev0LOST01"), retry=1)).status_code == 200
    assert len(posts(bot.slack)) == 1
    await deliver(bot, mention("Ev0OTHER1", ts="1700000001.000100"))
    assert len(posts(bot.slack)) == 2  # another event is another event


async def test_another_process_does_not_act_on_a_retry_again(
    bot: Bot, services: Services, slack: FakeSlack
) -> None:
    body = mention("Ev0SHARED")
    await deliver(bot, body)
    # a second web process on the same database, holding nothing in memory of the first
    other = await start_bot(Services(services.settings, services.db, services.registry), slack)
    async with other.web.router.lifespan_context(other.web):
        assert (await deliver(other, body, retry=1)).status_code == 200
    await other.http.aclose()
    assert len(posts(slack)) == 1


async def test_events_are_forgotten_after_an_hour(session: AsyncSession) -> None:
    start = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
    async with session.begin():
        assert await first_sighting(session, "Ev1", start)
        assert not await first_sighting(session, "Ev1", start + timedelta(minutes=5))
    later = start + REMEMBERED + timedelta(seconds=1)
    async with session.begin():
        assert await first_sighting(session, "Ev2", later)
        assert await session.scalar(select(func.count()).select_from(SeenEvent)) == 1
        assert await first_sighting(session, "Ev1", later)


async def test_in_socket_mode_too(services: Services, slack: FakeSlack) -> None:
    """Socket Mode hands bolt the event as it came over the socket (no HTTP, no signature)."""
    app = build_app(services)
    for attempt in (None, 1):
        headers: dict[str, str | Sequence[str]] = (
            {} if attempt is None else {"x-slack-retry-num": str(attempt)}
        )
        request = AsyncBoltRequest(
            body=json.loads(mention("Ev0SOCKET")), headers=headers, mode="socket_mode"
        )
        assert (await app.async_dispatch(request)).status == 200
    listeners = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    await asyncio.wait_for(asyncio.gather(*listeners), timeout=5)  # bolt's, after its ack
    assert len(posts(slack)) == 1
