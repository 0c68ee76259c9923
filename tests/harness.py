"""Drive the bot as Slack does: signed HTTP requests in, a fake Web API behind it."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpx
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette

from app.services import Services
from app.web import build_app, build_web
from delivery import slack as slack_api
from delivery.engine import Engine
from delivery.looks import Timing
from tests.fake_slack import Call, FakeSlack
from tests.seed import snapshot

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"


@dataclass
class Bot:
    """The bot's web app behind an HTTP client, and the fake Slack it talks to."""

    services: Services
    slack: FakeSlack
    http: httpx.AsyncClient
    web: Starlette
    _responses: int = field(default=0)

    def signed_headers(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        """Headers Slack would send with this body."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        return {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        }

    async def post(self, body: str, headers: dict[str, str] | None = None) -> httpx.Response:
        """POST a raw body to /slack/events, signed unless headers are given."""
        return await self.http.post(
            "/slack/events", content=body, headers=headers or self.signed_headers(body)
        )

    async def send_command(
        self, text: str, user: str = "U0MEMBER1", channel: str = "C0GENERAL"
    ) -> httpx.Response:
        """Send the slash command and return the HTTP response (the ack) without waiting."""
        self._responses += 1
        form = {
            "token": "legacy",
            "team_id": "T0TEAM",
            "team_domain": "network",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": self.services.settings.slash_command,
            "text": text,
            "api_app_id": "A0APP",
            "response_url": self.slack.response_url(f"r{self._responses}"),
            "trigger_id": f"trigger-{self._responses}",
        }
        return await self.post(urlencode(form))

    async def command(
        self, text: str, user: str = "U0MEMBER1", channel: str = "C0GENERAL"
    ) -> dict[str, Any]:
        """Send the slash command and return the reply it gets through its response_url."""
        before = len(self.slack.calls_to("respond"))
        response = await self.send_command(text, user, channel)
        assert response.status_code == 200, response.text
        calls = await self.wait_for("respond", before + 1)
        return calls[before].params

    async def reply_writing_nothing(self, text: str, user: str = "U0MEMBER1") -> dict[str, Any]:
        """Send a command that must be refused: its reply, as Slack gets it, having written
        nothing by the time its listener is done (what earlier steps left to deliver is
        delivered first, so that it is not taken for the command's doing)."""
        await self.settle()
        before = await snapshot(self.services.engine)
        reply = await self.command(text, user=user)
        await self.settle()
        assert await snapshot(self.services.engine) == before, "the refused command wrote"
        return reply

    async def command_writing_nothing(self, text: str, user: str = "U0MEMBER1") -> str:
        """Send a command that must be refused: its reply's text (unescaped), having written
        nothing."""
        reply = await self.reply_writing_nothing(text, user)
        return str(reply["text"]).replace("&lt;", "<").replace("&gt;", ">")

    async def action(self, payload: dict[str, Any]) -> httpx.Response:
        """Send an interactivity payload (buttons, shortcuts, view submissions)."""
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def wait_for(self, method: str, count: int, timeout: float = 15.0) -> list[Call]:
        """Wait for `count` calls to `method` (the bot works on after its ack), delivering
        what the outbox holds meanwhile (as the clock would)."""
        deadline = time.monotonic() + timeout
        while len(calls := self.slack.calls_to(method)) < count:
            if time.monotonic() > deadline:
                seen = [call.method for call in self.slack.calls]
                raise AssertionError(f"expected {count} {method} calls, saw {seen}")
            await asyncio.sleep(0.01)
            await self.deliver()
        return calls

    async def settle(self) -> None:
        """Let the listeners still running after their ack finish, then deliver what they
        wrote to the outbox."""
        await self._listeners_done()
        await self.deliver()

    async def _listeners_done(self) -> None:
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for _ in range(1000):  # ten seconds at most: a busy machine runs listeners slowly
            await asyncio.sleep(0.01)
            if all(task.done() for task in tasks):
                return

    async def deliver(self) -> int:
        """Run the delivery engine until nothing is due now (what the clock would post; the
        test's own engine posts without pacing); how many notifications it handled."""
        settings = self.services.settings
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            client = slack_api.client(BOT_TOKEN, settings.slack_api_url, session)
            engine = Engine(
                self.services.db,
                settings.deployment,
                client,
                _now,
                worker="harness",
                timing=_UNPACED,
            )
            return await engine.tick()


_UNPACED = Timing(pace=timedelta(0), tick_seconds=0.05)


async def _now() -> datetime:
    return datetime.now(UTC)


async def start_bot(services: Services, slack: FakeSlack) -> Bot:
    """Build the app from services and wire an HTTP client to it."""
    web = build_web(services, build_app(services))
    transport = httpx.ASGITransport(app=web)
    http = httpx.AsyncClient(transport=transport, base_url="http://bot.test")
    return Bot(services, slack, http, web)
