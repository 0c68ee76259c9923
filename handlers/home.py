"""The Home tab: published when a person opens it, and again after a change they make in it;
its forms; the welcome to a theme channel.

The tab's buttons that the bot already has elsewhere (Join, Leave, the RSVP answers) are the
same listeners (`handlers.buttons`), which publish the tab again when pressed in it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import Registry
from bot.home.forms import FORMS
from bot.home.tab import ADD_MATERIAL, tab
from bot.logs import log_request
from bot.outcome import Outcome
from handlers.errors import answer, reporting
from handlers.middleware import Acting
from usecases import materials
from usecases.caller import Caller, Sessions
from usecases.home import actions
from usecases.home.tab import read

logger = logging.getLogger("network_bot.home")


def register(app: AsyncApp) -> None:
    """Listen to the tab being opened, its forms, its material button and channel joins."""
    app.event("app_home_opened")(on_home_opened)
    app.event("member_joined_channel")(on_member_joined)
    for callback in FORMS:
        app.view(callback)(on_submit)

    async def on_add_material(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, db: Sessions, acting: Acting
    ) -> None:
        await ack()
        async with reporting(body, None, client):
            no_message = materials.Source("", "", "", "")
            view = await materials.form(db, await acting(), no_message)
            await client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(ADD_MATERIAL)(on_add_material)


async def publish(
    client: AsyncWebClient, db: Sessions, caller: Caller, notice: Outcome | None = None
) -> None:
    """Publish the person's tab as it stands, topped by the first line of what they just did."""
    text = notice.reply.text.split("\n", 1)[0] if notice else ""
    view = tab(await read(db, caller), text or None)
    await client.views_publish(user_id=caller.user_id, view=view)


async def refresh(client: AsyncWebClient, db: Sessions, caller: Caller) -> None:
    """After a subcommand that changes what the tab shows, the tab drawn again; an app whose
    manifest has no Home tab yet is left as it is (logged)."""
    try:
        await publish(client, db, caller)
    except SlackApiError as error:
        logger.info(
            "home tab not published for %s: %s", caller.user_id, error.response.get("error")
        )


async def on_home_opened(
    event: dict[str, Any], client: AsyncWebClient, db: Sessions, acting: Acting
) -> None:
    """The person opened the Home tab (not the Messages tab): their tab, in their language."""
    if event.get("tab", "home") != "home":
        return
    started, caller = time.perf_counter(), await acting()
    await publish(client, db, caller)
    log_request("event", "app_home_opened", caller.user_id, started, "ok")


async def on_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    db: Sessions,
    registry: Registry,
    acting: Acting,
) -> None:
    """A form of the tab: a refusal or a wrong value is answered in the form; else it closes
    and the tab is published again. Slack waits for this ack, so it comes last."""
    started, user_id = time.perf_counter(), body["user"]["id"]
    if view.get("app_id", body.get("api_app_id")) != body.get("api_app_id"):
        await ack()  # a view of another app: not ours to act on
        return
    try:
        caller = await acting()
        result = await actions.submit(db, caller, registry, view["callback_id"], view)
    except Exception as error:
        await ack()
        await answer(error, body, None, client)
        return
    if isinstance(result, Outcome):
        await ack()
        async with reporting(body, None, client):
            await publish(client, db, caller, result)
    else:
        await ack(response_action="errors", errors=result)
    log_request("view", view["callback_id"], user_id, started, "ok")


async def on_member_joined(
    event: dict[str, Any], context: AsyncBoltContext, db: Sessions, acting: Acting
) -> None:
    """Someone joined a channel: a theme channel's welcome, once (the bot itself is not)."""
    if event.get("user") == context.bot_user_id:
        return
    await actions.greet(db, await acting(), str(event["channel"]))
