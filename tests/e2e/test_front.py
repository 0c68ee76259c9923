"""The unauthenticated front of `/slack/events`: bounded, checked before it is read, quiet.

Every request here is real HTTP through the app; the logs are captured at DEBUG, as loud as
an operator could make them, with bolt's loggers built at that level.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator

import pytest

from app.front import MAX_BODY
from app.services import Services
from tests.fake_slack import FakeSlack
from tests.harness import Bot, start_bot

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def loud(
    services: Services, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[Bot]:
    """The bot built while everything is logged (bolt copies the root's level when built)."""
    caplog.set_level(logging.DEBUG)
    harness = await start_bot(services, slack)
    async with harness.web.router.lifespan_context(harness.web):
        yield harness
        await harness.settle()
    await harness.http.aclose()


def unsigned(content_type: str = FORM) -> dict[str, str]:
    return {"Content-Type": content_type}


def wrongly_signed(content_type: str = FORM, timestamp: str | None = None) -> dict[str, str]:
    stamp = timestamp or str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + "0" * 64,
    }


async def test_a_body_that_does_not_decode_is_refused_not_crashed(loud: Bot) -> None:
    body = b"text=\xff\xfe\xfd"
    unsigned_response = await loud.http.post("/slack/events", content=body, headers=unsigned())
    assert unsigned_response.status_code == 401
    response = await loud.http.post("/slack/events", content=body, headers=wrongly_signed())
    assert response.status_code == 400


async def test_a_payload_that_is_not_json_is_refused_unless_signed(
    loud: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    body = "payload=%7Bnot-json"
    assert (await loud.post(body, unsigned())).status_code == 401
    assert (await loud.post(body, wrongly_signed())).status_code == 401
    # validly signed and still unreadable: a bad request, not a crash
    assert (await loud.post(body)).status_code == 400
    listed = json.dumps([1, 2])
    headers = loud.signed_headers(listed) | {"Content-Type": "application/json"}
    assert (await loud.post(listed, headers)).status_code == 400
    assert not [record for record in caplog.records if record.exc_info]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_timestamp_that_is_not_a_number_is_a_bad_request(loud: Bot) -> None:
    body = "command=%2Fnetwork&text=help"
    response = await loud.post(body, wrongly_signed(timestamp="soon"))
    assert response.status_code == 400
    assert (await loud.post(body, wrongly_signed(timestamp="1.7e9"))).status_code == 400


async def test_a_stale_signature_is_refused(loud: Bot) -> None:
    body = "command=%2Fnetwork&text=help"
    stale = loud.signed_headers(body, timestamp=int(time.time()) - 600)
    assert (await loud.post(body, stale)).status_code == 401
    assert loud.slack.calls == []


async def test_a_badly_signed_megabyte_leaves_nothing_of_itself_in_the_logs(
    loud: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "LEAKED-BODY-"
    body = "text=" + marker * (1_000_000 // len(marker))
    response = await loud.post(body, wrongly_signed())
    assert response.status_code == 401
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert marker not in logged
    assert len(logged) < 2_000


async def test_a_body_announced_too_large_is_refused_before_it_is_read(loud: Bot) -> None:
    read: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        read.append(1)
        yield b"x" * 1024

    headers = wrongly_signed() | {"Content-Length": str(MAX_BODY + 1)}
    response = await loud.http.post("/slack/events", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert read == []
    malformed = wrongly_signed() | {"Content-Length": "lots"}
    response = await loud.http.post("/slack/events", content=b"x", headers=malformed)
    assert response.status_code == 400


async def test_a_streamed_body_is_read_only_up_to_the_limit(loud: Bot) -> None:
    chunk, sent = b"x" * 65536, [0]

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(1_000):  # 64 MB, were it all read
            sent[0] += 1
            yield chunk

    response = await loud.http.post("/slack/events", content=endless(), headers=wrongly_signed())
    assert response.status_code == 413
    assert sent[0] <= MAX_BODY // len(chunk) + 2


async def test_a_signed_request_still_works(loud: Bot) -> None:
    reply = await loud.command("help")
    assert "/network" in reply["text"]
