"""While the features move to `usecases`: their subcommands written for `CommandRequest`, made
to run as the new dispatcher runs every subcommand (`usecases.commands.Run`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from types import ModuleType
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import Registry, Subcommand
from bot.i18n import set_language
from bot.outcome import Outcome
from handlers.language import user_language
from handlers.request import CommandRequest, Services
from usecases.caller import Caller, Sessions
from usecases.commands import Press, Run, View


def subcommands(services: Services, feature: ModuleType) -> Iterable[Subcommand]:
    """The subcommands a not yet moved feature offers, each made to run the new way."""
    found = Registry()
    feature.register(found)
    return [replace(item, run=_adapted(services, item.run)) for item in found]


def _adapted(services: Services, run: Callable[[CommandRequest], Awaitable[Outcome]]) -> Run:
    async def adapted(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
        request = CommandRequest(
            services,
            caller.user_id,
            caller.now,
            words,
            channel_named=caller.channel_id,
            names_of=caller.names,
        )
        return await run(request)

    return adapted


LegacyPress = Callable[[CommandRequest, dict[str, Any]], Awaitable[Outcome | View]]


def press(services: Services, legacy: LegacyPress) -> Press:
    """A not yet moved feature's button, made to run the new way."""

    async def adapted(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome | View:
        request = CommandRequest(services, caller.user_id, caller.now, [])
        return await legacy(request, action)

    return adapted


async def user_request(services: Services, client: AsyncWebClient, user_id: str) -> CommandRequest:
    """A request by this user now (a shortcut, a form), their language set."""
    set_language(await user_language(services, client, user_id))
    return CommandRequest(services, user_id, services.clock(), [])
