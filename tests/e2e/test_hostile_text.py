"""Hostile text in every name and title reaches Slack only escaped: no ping goes out live.

The example network is imported with every name, title, description, note, place and presenter
holding `<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`, `<!subteam^…>` and `&lt;` tricks, and the
people's Slack names hold them too. Then every subcommand the registry offers answers, items
are added by command (their announcements go out), and the delivery engine walks a fake clock
from one due notification to the next through the spring, posting every reminder, notice,
digest and status review as it comes due. The fake Slack checks every call it records (see
`conftest.slack`); here it also watches for the hostile user mention, which must arrive as
`&lt;@U0EVIL1&gt;` while the bot's own mentions of chairs and owners stay real.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from sqlalchemy import func, select

from app.services import Services
from bot.plan import load_plan
from delivery import slack as slack_api
from delivery.engine import Engine
from storage.models import Notification
from tests.conftest import COORDINATOR, USERS
from tests.e2e.test_delivery import TIMING, FakeClock
from tests.fake_slack import FakeSlack
from tests.harness import BOT_TOKEN, Bot
from usecases.plans import defaults, import_and_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mal-verkosto.yaml"
EVIL_USER = "<@U0EVIL1>"
HOSTILE = (
    f"<!channel> <!here> <!everyone> {EVIL_USER} <!subteam^S0EVIL|@kaikki> <!here|here>"
    " &lt;!channel&gt; &amp;lt;!here&amp;gt; <<!everyone>> <https://evil.example|<!channel>>"
)
TEXT_FIELDS = {"name", "title", "description", "note", "place", "presenter"}


def hostile(value: Any) -> Any:
    """The plan with hostile text added to every free-text field."""
    if isinstance(value, list):
        return [hostile(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: f"{item[:20]} {HOSTILE}"
        if key in TEXT_FIELDS and isinstance(item, str)
        else hostile(item)
        for key, item in value.items()
    }


@pytest.fixture
async def net(bot: Bot) -> Bot:
    """The example network, hostile; the people's Slack names hostile too."""
    plan = hostile(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    deployment = bot.services.settings.deployment
    records = load_plan(yaml.safe_dump(plan, allow_unicode=True), defaults(deployment))
    async with bot.services.db.begin() as session:
        await import_and_plan(session, records, deployment)
    people = {m["user"] for m in plan["members"]} | {
        user for o in plan["organisations"] for user in o.get("contacts", [])
    }
    for user_id in sorted(people | set(USERS)):
        name, locale = USERS.get(user_id, (user_id, "fi-FI"))
        bot.slack.add_user(user_id, name=f"{name} {HOSTILE}", locale=locale)
    for theme in plan["themes"]:
        bot.slack.add_channel(theme["channel"], theme["key"])
    bot.slack.add_channel(plan["network"]["announcement_channel"], "mal-verkosto")
    bot.slack.watch(EVIL_USER)
    return bot


async def test_no_reply_pings_anyone(net: Bot) -> None:
    words = sorted({item.name for item in net.services.registry})
    for name in words:
        for args in ("", " liikenne", " liikenne-1", " jatkotyopaja-2027"):
            await net.command(name + args, user=COORDINATOR)
    await net.settle()
    replies = net.slack.calls_to("respond")
    assert len(replies) == 4 * len(words)
    assert any("&lt;!channel&gt;" in str(call.params) for call in replies)


async def test_items_added_by_command_announce_and_notify_without_pinging(net: Bot) -> None:
    commands = (
        f'meeting add liikenne 20.5.2030 9.00 "Kokous {HOSTILE}"',
        f'deadline add liikenne 10.5.2030 "Määräaika {HOSTILE}"',
        f'material add liikenne https://example.org/evil "Aineisto {HOSTILE}" #tag',
        f'wp add liikenne "Paketti {HOSTILE}"',
        f"update liikenne-1 in_progress 50% {HOSTILE}",
        f'theme add paha "Teema {HOSTILE}" #liikenne',
        "join digi",
    )
    for text in commands:
        for user in (COORDINATOR, "U0TRE00001"):
            await net.command(text, user=user)
    await net.settle()
    posts = [str(call.params) for call in net.slack.calls_to("chat.postMessage")]
    assert any("&lt;@U0EVIL1&gt;" in post for post in posts), "no hostile title was posted"
    assert any("<@U0TRE00001>" in post for post in posts), "the bot's own mentions went dead"


async def test_every_scheduled_message_goes_out_without_pinging(
    net: Bot, services: Services, slack: FakeSlack
) -> None:
    await net.command(f"update liikenne-1 in_progress 50% {HOSTILE}", user="U0TRE00001")
    await net.command(f'material add digi https://example.org/x "A {HOSTILE}"', user="U0CONSOLE")
    await net.settle()
    clock = FakeClock(datetime.now(UTC))
    until = datetime(2027, 7, 1, tzinfo=UTC)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        client = slack_api.client(BOT_TOKEN, services.settings.slack_api_url, session)
        engine = Engine(
            services.db,
            services.settings.deployment,
            client,
            clock.read,
            clock.sleep,
            "hostile",
            TIMING,
            clock.timestamp,
        )
        handled = 0
        for _ in range(400):
            handled += await engine.tick()
            due = await _next_due(services, clock.now)
            if due is None or due > until:
                break
            clock.now = max(due, clock.now + timedelta(seconds=1))
    kinds = await _kinds_sent(services)
    assert handled > 20, kinds
    posts = [str(call.params) for call in slack.calls_to("chat.postMessage")]
    assert sum("&lt;@U0EVIL1&gt;" in post for post in posts) >= 4, "the hostile names went unsaid"
    assert {"deadline_reminder", "meeting_reminder", "digest", "status_review"} <= kinds, kinds


async def _next_due(services: Services, after: datetime) -> datetime | None:
    async with services.db() as session:
        found = await session.scalar(
            select(func.min(Notification.due_at)).where(Notification.state == "pending")
        )
    if found is None:
        return None
    return max(found.replace(tzinfo=found.tzinfo or UTC), after)


async def _kinds_sent(services: Services) -> set[str]:
    async with services.db() as session:
        rows = await session.scalars(
            select(Notification.kind).where(Notification.state == "sent").distinct()
        )
        return set(rows)
