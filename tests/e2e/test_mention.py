"""Mentioning the bot gets a pointer to the command, in the thread."""

from __future__ import annotations

import json
import time

from tests.harness import Bot


async def test_a_mention_is_answered_in_the_thread(bot: Bot) -> None:
    event = {
        "token": "legacy",
        "team_id": "T0TEAM",
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": int(time.time()),
        "event": {
            "type": "app_mention",
            "user": "U0MEMBER2",
            "text": "<@UBOT> hej",
            "ts": "1700000000.000100",
            "channel": "C0GENERAL",
        },
    }
    body = json.dumps(event)
    headers = bot.signed_headers(body) | {"Content-Type": "application/json"}
    response = await bot.post(body, headers)
    assert response.status_code == 200
    post = (await bot.wait_for("chat.postMessage", 1))[0].params
    assert post["channel"] == "C0GENERAL"
    assert post["thread_ts"] == "1700000000.000100"
    assert (
        post["text"]
        == "Hej! Jag svarar på kommandot `/network`: skriv `/network help` för att se vad jag kan."
    )
