"""The app factory: a bolt `AsyncApp` and its Starlette web front, built from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.clock import start_clock, stop_clock
from app.front import events_endpoint
from app.services import Services
from app.settings import Settings
from bot.commands import Registry
from handlers import fill_registry, register_listeners
from handlers.middleware import Dependencies
from handlers.retries import OncePerEvent
from storage.db import create_engine, create_session_factory, ping
from usecases.calendar import feed as calendar_feed


def web_client(settings: Settings) -> AsyncWebClient:
    """The listeners' Web API client on `SLACK_API_URL`. It only replies to the person who
    acted (what the bot posts goes through the outbox), and retries nothing by itself: a
    reply sent twice would be a message shown twice."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(token=token, base_url=settings.slack_api_url, retry_handlers=[])


def build_app(services: Services) -> AsyncApp:
    """The bolt app with every listener; signature verification stays on."""
    settings = services.settings
    secret = settings.slack_signing_secret
    app = AsyncApp(
        client=web_client(settings),
        signing_secret=secret.get_secret_value() if secret else None,
        request_verification_enabled=True,
    )
    app.middleware(services.connections.middleware())
    app.middleware(OncePerEvent(services.db, services.clock))
    app.middleware(
        Dependencies(
            db=services.db,
            deployment=settings.deployment,
            people=services.people,
            registry=services.registry,
            clock=services.clock,
        )
    )
    register_listeners(app, services.registry, services.settings.slash_command)
    return app


def build_services(settings: Settings) -> Services:
    """Settings, a database session factory and the subcommand registry."""
    engine = create_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        connect_timeout=settings.database_connect_timeout_seconds,
        command_timeout=settings.database_command_timeout_seconds,
        idle_in_transaction=settings.delivery_lease_seconds,  # no claim outlives its lease
    )
    services = Services(settings, create_session_factory(engine), Registry())
    fill_registry(services.registry)
    return services


def build_web(services: Services, app: AsyncApp) -> Starlette:
    """`POST /slack/events`, `GET /healthz` and `GET /calendar/<token>.ics`, with start and
    stop in `lifespan`."""
    secret = services.settings.slack_signing_secret
    assert secret is not None, "serving HTTP needs SLACK_SIGNING_SECRET"
    events = events_endpoint(app, secret.get_secret_value())

    async def healthz(request: Request) -> Response:
        healthy = await ping(services.engine)
        return JSONResponse({"ok": healthy}, status_code=200 if healthy else 503)

    async def calendar(request: Request) -> Response:
        body = await calendar_feed(services.db, request.path_params["token"], services.clock())
        if body is None:
            return Response(status_code=404)  # no details: a wrong token says nothing
        return Response(body, media_type="text/calendar; charset=utf-8")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with services.connections.opened(app.client):
            clock = await start_clock(services) if services.settings.run_scheduler else None
            yield
            if clock is not None:
                await stop_clock(clock)
        await services.dispose()

    routes = [
        Route("/slack/events", events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/calendar/{token}.ics", calendar, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
