"""Replies to a response_url go over the web process's one shared HTTP session."""

from __future__ import annotations

import aiohttp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from handlers.connections import Connections, SharedRespond

URL = "https://hooks.slack.com/commands/T0/1/abc"


async def test_the_middleware_gives_listeners_a_respond_over_the_shared_session() -> None:
    connections = Connections()
    request = AsyncBoltRequest(body=f"command=%2Fnetwork&response_url={URL}", mode="http")
    called: list[bool] = []

    async def next_() -> BoltResponse:
        called.append(True)
        return BoltResponse(status=200)

    middleware = connections.middleware()
    await middleware.async_process(req=request, resp=BoltResponse(status=200), next=next_)
    assert "respond" not in request.context and called == [True]  # no session: bolt's own
    async with connections.opened(AsyncWebClient()):
        await middleware.async_process(req=request, resp=BoltResponse(status=200), next=next_)
        respond = request.context["respond"]
        assert isinstance(respond, SharedRespond) and respond.response_url == URL
        assert isinstance(respond.session, aiohttp.ClientSession)
        assert respond.session is connections.session
    assert called == [True, True]
