"""The one middleware that hands listeners what they need, through bolt's context.

bolt gives a listener each argument it names, from its own set (`ack`, `body`, `respond`,
`client`, …) and then from the request's context: the composition root's values are put there
(`db`, `deployment`, `people`, `registry`, `clock`), and `acting` — awaited after the ack, it
sets the person's language and says who acts and when (a `usecases.caller.Caller`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.deployment import Deployment
from bot.i18n import set_language
from handlers.channels import channel_id
from handlers.people import People
from usecases.caller import Caller, Sessions
from usecases.people import network_language

Acting = Callable[[], Awaitable[Caller]]
Clock = Callable[[], datetime]


class Dependencies(AsyncMiddleware):
    """Puts the composition root's values, and `acting`, into every request's context."""

    def __init__(self, **values: Any) -> None:
        self.values = values

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        context = req.context
        context.update(self.values)
        if context.user_id and context.client is not None:
            context["acting"] = acting(context.user_id, context.client, **self.values)
        return await next()


def acting(
    user_id: str,
    client: AsyncWebClient,
    *,
    db: Sessions,
    deployment: Deployment,
    people: People,
    clock: Clock,
    **_: Any,
) -> Acting:
    """What a listener awaits after its ack: the person's language set, and who acts now."""

    async def who() -> Caller:
        async def network() -> str:
            return await network_language(db, deployment)

        set_language(await people.language(client, user_id, network))
        return Caller(user_id, clock(), deployment, SlackLookups(client, people))

    return who


class SlackLookups:
    """What only Slack knows, for the use cases that need it (`usecases.caller.SlackLookups`)."""

    def __init__(self, client: AsyncWebClient, people: People) -> None:
        self.client, self.people = client, people

    async def channel_id(self, name: str) -> str | None:
        return await channel_id(self.client, name)

    async def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        return await self.people.names(self.client, user_ids)
