"""Pressing a button of one of the bot's messages, as Slack sends it."""

from __future__ import annotations

from typing import Any

from tests.harness import Bot
from tests.seed import CHANNELS


def button_payload(
    bot: Bot,
    user: str,
    action_id: str,
    value: str,
    channel: str = "C0GENERAL",
    ephemeral: bool = True,
) -> dict[str, Any]:
    """The block_actions payload of pressing a button in a message in `channel` (an ephemeral
    reply unless told)."""
    return {
        "type": "block_actions",
        "user": {"id": user, "name": user.lower()},
        "team": {"id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "trigger_id": f"trigger-{user}",
        "container": {"type": "message", "channel_id": channel, "is_ephemeral": ephemeral},
        "channel": {"id": channel, "name": CHANNELS.get(channel, "general")},
        "response_url": bot.slack.response_url(f"button-{user}"),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "value": value,
                "block_id": "b1",
                "action_ts": "1",
                "text": {"type": "plain_text", "text": "x"},
            }
        ],
    }


async def press(bot: Bot, user: str, action_id: str, value: str, **where: Any) -> dict[str, Any]:
    """Press a button; the answer the presser gets through the response URL."""
    before = len(bot.slack.calls_to("respond"))
    response = await bot.action(button_payload(bot, user, action_id, value, **where))
    assert response.status_code == 200
    return (await bot.wait_for("respond", before + 1))[before].params
