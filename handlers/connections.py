"""Connections to Slack kept open and shared by every request.

Left alone, slack-sdk opens a new HTTP session (a new connection, and in production a new TLS
handshake) for every Web API call, and bolt's `respond` does the same for every reply to a
response_url. The web process opens one session at start-up instead: the app's Web API client
and every reply use it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

TIMEOUT_SECONDS = 30


class Connections:
    """The shared session, open inside `opened` (None outside: a call then opens a session of
    its own)."""

    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None

    @asynccontextmanager
    async def opened(self, client: AsyncWebClient) -> AsyncIterator[None]:
        """The session open, and given to `client` (bolt copies it into each request's)."""
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        client.session = self.session
        try:
            yield
        finally:
            client.session, session, self.session = None, self.session, None
            await session.close()

    def middleware(self) -> AsyncMiddleware:
        """A bolt middleware giving listeners a `respond` over the shared session."""
        return _Responding(self)


class _Responding(AsyncMiddleware):
    """Puts a `SharedRespond` into each request's context. A middleware of bolt's own kind, not a
    function: bolt works out a function's arguments by name on every request."""

    def __init__(self, connections: Connections) -> None:
        self.connections = connections

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        session, context = self.connections.session, req.context
        if session is not None and context.response_url:
            context["respond"] = SharedRespond(context.response_url, session)
        return await next()


class SharedRespond(AsyncRespond):
    """bolt's `respond` (the same arguments), posting over an open session."""

    def __init__(self, response_url: str, session: aiohttp.ClientSession) -> None:
        super().__init__(response_url=response_url)
        self.session = session

    async def __call__(  # type: ignore[override]
        self,
        text: str = "",
        blocks: Sequence[dict[str, Any]] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
    ) -> WebhookResponse:
        assert self.response_url is not None
        client = AsyncWebhookClient(self.response_url, session=self.session)
        return await client.send(  # leaves out what is None, as bolt's `respond` does
            text=text,
            blocks=blocks,
            response_type=response_type,
            replace_original=replace_original,
            delete_original=delete_original,
        )
