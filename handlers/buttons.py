"""A button's listener: ack at once, run what the button does, answer in place or open a form."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import log_request
from bot.outcome import Outcome
from handlers import home
from handlers.errors import reporting
from handlers.middleware import Acting
from handlers.replies import reply, send_files
from usecases.caller import Sessions
from usecases.commands import Press, attempt

Listener = Callable[..., Awaitable[None]]


def on_press(press: Press) -> Listener:
    """A listener that runs `press`: a view it returns is opened; an outcome marked `public`
    replaces the message pressed, any other is answered only to the person. Pressed in the
    Home tab (which has no message to answer under), the tab is published again, topped by
    the answer's first line."""

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond | None,
        client: AsyncWebClient,
        db: Sessions,
        acting: Acting,
    ) -> None:
        await ack()
        started = time.perf_counter()
        async with reporting(body, respond, client):
            caller = await acting()
            result = await attempt(press(db, caller, action))
            if not isinstance(result, Outcome):
                await client.views_open(trigger_id=body["trigger_id"], view=result)
            elif (body.get("view") or {}).get("type") == "home":
                await home.publish(client, db, caller, result)
            elif respond is not None:
                await reply(respond, result, in_place=True)
                await send_files(client, result.effects)
        log_request("action", action["action_id"], body["user"]["id"], started, "ok")

    return listener
