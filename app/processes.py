"""The long-running processes: the web process (`serve`), Socket Mode (`socket`) and the clock
(`clock`), each with its logs redacted of the secrets."""

from __future__ import annotations

import asyncio
import gc

from app.settings import Settings, require
from bot import logs


def secrets(settings: Settings) -> list[str]:
    """What no log line may show: the Slack secrets and the database's password."""
    from sqlalchemy import make_url

    values = [settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token]
    password = make_url(settings.database_url).password
    return [value.get_secret_value() for value in values if value is not None] + (
        [str(password)] if password else []
    )


def serve(settings: Settings) -> int:
    """The web process: the Events API over HTTP (uvicorn, one worker), the clock inside
    unless `RUN_SCHEDULER=false`."""
    import uvicorn

    from app.web import build_app, build_services, build_web

    require(settings, "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    logs.configure(secrets(settings))
    services = build_services(settings)
    web = build_web(services, build_app(services))
    steady_collector()
    uvicorn.run(web, host=settings.host, port=settings.port, log_config=None, access_log=False)
    return 0


def steady_collector() -> None:
    """Keep the cycle collector's pauses short (measured in bench/ack_latency.py).

    What start-up built lives as long as the process, so it is frozen out of every collection,
    and the oldest generation is looked through less often. Young collections stay frequent:
    each request leaves some hundreds of objects in reference cycles, and a collection's pause
    grows with what it looks through (every 50,000 allocations it paused 60–110 ms and doubled
    the slowest acks; every 1,000 it pauses 7 ms at most).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(1_000, 10, 50)


def socket_mode(settings: Settings) -> int:
    """The bot over Socket Mode (no public address needed), the clock inside unless
    `RUN_SCHEDULER=false`."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from app.clock import run_until_signal
    from app.web import build_app, build_services

    require(settings, "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    logs.configure(secrets(settings))
    services = build_services(settings)
    app_token = settings.slack_app_token.get_secret_value()  # type: ignore[union-attr]
    app = build_app(services)
    handler = AsyncSocketModeHandler(app, app_token)

    async def connected() -> None:
        """Socket Mode over the shared connections to Slack (see handlers.connections)."""
        async with services.connections.opened(app.client):
            await handler.start_async()  # type: ignore[no-untyped-call]

    steady_collector()
    asyncio.run(run_until_signal(services, connected(), with_clock=settings.run_scheduler))
    return 0


def clock(settings: Settings) -> int:
    """The clock alone: it plans and delivers what the bot posts by itself."""
    from app.clock import run_until_signal
    from app.web import build_services

    require(settings, "SLACK_BOT_TOKEN")
    logs.configure(secrets(settings))
    asyncio.run(run_until_signal(build_services(settings), None, with_clock=True))
    return 0
