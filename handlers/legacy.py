"""While the features move to `usecases`: their subcommands written for `CommandRequest`, made
to run as the new dispatcher runs every subcommand (`usecases.commands.Run`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from types import ModuleType

from bot.commands import Registry, Subcommand
from bot.outcome import Outcome
from handlers.request import CommandRequest, Services
from usecases.caller import Caller, Sessions
from usecases.commands import Run


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
