"""The listener of a meeting's details form (its buttons run through `handlers.buttons`)."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import log_request
from bot.meetings.form import FORM, notice
from bot.outcome import UserError
from handlers.errors import reporting
from handlers.middleware import Acting
from usecases.caller import Sessions
from usecases.meetings import details
from usecases.meetings.meeting import meeting_id


def register_listeners(app: AsyncApp) -> None:
    """The submission of a meeting's details form."""

    async def on_submit(
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        db: Sessions,
        acting: Acting,
    ) -> None:
        started, user_id = time.perf_counter(), body["user"]["id"]
        async with reporting(body, None, client):
            caller, view = await acting(), body["view"]
            try:
                ident = meeting_id(view["private_metadata"])
                saved = await details.save(db, caller, ident, view["state"]["values"])
            except UserError as error:
                await ack(response_action="update", view=notice(error.message))
                return
            except Exception:
                await ack()  # close the form; reporting() tells the person what went wrong
                raise
            if isinstance(saved, dict):
                await ack(response_action="errors", errors=saved)
                return
            await ack()
        log_request("view", FORM, user_id, started, "ok")

    app.view(FORM)(on_submit)
