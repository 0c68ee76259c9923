"""Interactive payloads as an attacker could sign them only by being a workspace member: another
theme's id, another person's work package, ids changed in a form's `private_metadata`. Each
is refused in the presser's language and writes nothing; and a press Slack sends without a
response URL (a button in a modal or on the Home tab) still tells the person when it fails.

The buttons are read from `handlers.button_presses`, so those merged later are forged too.
"""

from __future__ import annotations

import pytest

from handlers import button_presses
from tests.e2e.buttons import button_payload
from tests.harness import Bot
from tests.seed import seed, seed_meetings, seed_work_packages


@pytest.fixture
async def net(bot: Bot) -> Bot:
    await seed(bot.services.db)
    await seed_work_packages(bot.services.db)
    await seed_meetings(bot.services.db)
    return bot


async def test_a_failed_press_without_a_response_url_is_told_in_a_direct_message(
    net: Bot,
) -> None:
    action_id = sorted(button_presses(net.services))[0]
    payload = button_payload(net, "U0MEMBER3", action_id, "<!channel>")
    del payload["response_url"]
    payload["container"] = {"type": "view", "view_id": "V0HOME"}
    posts = len(net.slack.calls_to("chat.postMessage"))

    response = await net.action(payload)

    assert response.status_code == 200
    told = (await net.wait_for("chat.postMessage", posts + 1))[posts].params
    assert told["channel"] == "U0MEMBER3"
    assert told["text"].startswith("Sorry, something went wrong on my side")
