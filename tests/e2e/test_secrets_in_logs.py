"""No token or secret in the logs of a representative run, logged as loud as an operator can.

Logging is set up as `network-bot serve` sets it up (`bot.logs.configure` with the secrets the
command line gives it), at DEBUG, before the bot is built (bolt and slack-sdk read their level
then). The run: commands, a button, a mention, a badly signed request, a failing subcommand
(a traceback), delivery by the engine (the token in every call's header), and a database that
cannot be reached through a URL holding its password. The whole of stderr is then searched.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest

from app.processes import secrets
from app.services import Services
from app.web import build_app, build_web
from bot import logs
from bot.commands import Subcommand
from storage.db import create_engine, create_session_factory
from tests.e2e.buttons import press
from tests.fake_slack import FakeSlack
from tests.harness import BOT_TOKEN, SIGNING_SECRET, start_bot
from tests.seed import seed

PASSWORD = "db-pass-Zq8w"
UNREACHABLE = f"postgresql+asyncpg://bot:{PASSWORD}@127.0.0.1:9/network"


@pytest.fixture
def loud() -> Iterator[None]:
    """The logging configuration as it was, restored after the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logs.SLACK_SDK_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


@pytest.mark.usefixtures("loud")
async def test_a_loud_run_writes_no_token_secret_or_password(
    services: Services, slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = services.settings.model_copy(update={"database_url": UNREACHABLE})
    logs.configure(secrets(settings), level=logging.DEBUG)
    await seed(services.db)

    async def explode(*_: object) -> None:
        raise RuntimeError(f"token {BOT_TOKEN}, secret {SIGNING_SECRET}, url {UNREACHABLE}")

    services.registry.add(Subcommand("boom", "pum", "", "", run=explode))
    bot = await start_bot(services, slack)
    async with bot.web.router.lifespan_context(bot.web):
        for text in ("help", "themes", "join liikenne", "status", "boom"):
            await bot.command(text, user="U0MEMBER1")
        await press(bot, "U0MEMBER1", "theme_join", "digi")
        mention = json.dumps(_mention())
        json_headers = bot.signed_headers(mention) | {"Content-Type": "application/json"}
        assert (await bot.post(mention, json_headers)).status_code == 200
        forged = {"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "1"}
        assert (await bot.post("text=help", forged)).status_code == 401
        await bot.settle()
        assert bot.slack.calls_to("chat.postMessage"), "the engine posted nothing while logged"
    await bot.http.aclose()
    assert slack.calls_to("chat.postMessage"), "the engine posted nothing"

    unreachable = replace(services, db=create_session_factory(create_engine(UNREACHABLE)))
    web = build_web(unreachable, build_app(unreachable))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://bot.test"
    ) as client:
        assert (await client.get("/healthz")).status_code == 503
    await unreachable.engine.dispose()

    written = capsys.readouterr().err
    assert "DEBUG slack_sdk" in written and "Traceback" in written, "the run was not loud"
    for secret in (BOT_TOKEN, SIGNING_SECRET, PASSWORD):
        assert secret not in written, f"{secret} was logged"


def _mention() -> dict[str, object]:
    return {
        "token": "legacy",
        "team_id": "T0TEAM",
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(datetime.now(UTC).timestamp()),
        "event": {
            "type": "app_mention",
            "user": "U0MEMBER2",
            "text": "<@UBOT> hej",
            "ts": "1700000000.000100",
            "channel": "C0GENERAL",
        },
    }
