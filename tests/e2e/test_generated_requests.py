"""Generated requests to `POST /slack/events` (hypothesis, derandomized): bodies, headers and
sizes of every shape, unsigned and validly signed. Never a 500, never a listener's crash in
the logs, and a slash command always gets exactly one reply.

Buttons are read from `handlers.button_presses`, so buttons merged later are pressed too.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.materials.form import MODAL, SHORTCUT
from bot.meetings.form import FORM
from handlers import button_presses
from tests.e2e.test_generated_commands import TRICKY
from tests.harness import Bot
from tests.seed import seed, seed_meetings, seed_work_packages

USERS = ("U0COORD01", "U0CHAIR01", "U0MEMBER1", "U0MEMBER3", "U0NOBODY1")
VIEWS = (FORM, MODAL)
CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "application/json",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded; charset=latin-1",
    "",
)
SETTINGS = settings(
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.sampled_from(TRICKY) | st.text(max_size=30)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture
async def net(bot: Bot, caplog: pytest.LogCaptureFixture) -> Bot:
    await seed(bot.services.db)
    await seed_work_packages(bot.services.db)
    await seed_meetings(bot.services.db)
    caplog.set_level(logging.INFO)
    return bot


def _crashes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@st.composite
def interactions(draw: st.DrawFn, action_ids: list[str], response_url: str) -> dict[str, Any]:
    """An interactivity payload of any kind, aimed at the bot's own buttons and forms, with
    odd values and fields left out (a message's button always comes with its response URL)."""
    kind = draw(
        st.sampled_from(
            ("block_actions", "view_submission", "shortcut", "message_action", "view_closed")
        )
        | text
    )
    user = draw(st.sampled_from(USERS))
    payload: dict[str, Any] = {
        "type": kind,
        "user": {"id": user, "name": user.lower()},
        "team": {"id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "trigger_id": "trigger-generated",
        "container": {"type": "message", "channel_id": "C0LIIKENNE", "is_ephemeral": True},
        "channel": {"id": "C0LIIKENNE", "name": "liikenne"},
        "actions": [
            {
                "type": "button",
                "action_id": draw(st.sampled_from(action_ids)),
                "value": draw(text | st.integers().map(str) | json_values.map(json.dumps)),
                "block_id": "b1",
                "action_ts": "1",
            }
        ],
        "callback_id": draw(st.sampled_from((SHORTCUT, MODAL, FORM))),
        "message": {"type": "message", "user": "U0MEMBER1", "ts": "1.0", "text": draw(text)},
        "view": {
            "id": "V0GENERATED",
            "type": "modal",
            "callback_id": draw(st.sampled_from(VIEWS)),
            "private_metadata": draw(text | json_values.map(json.dumps)),
            "state": {"values": draw(json_values)},
        },
    }
    for key in draw(st.lists(st.sampled_from(sorted(payload)), max_size=3)):
        payload.pop(key, None)
    return payload | {"response_url": response_url}


@settings(SETTINGS, max_examples=60)
@given(data=st.data())
@pytest.mark.parametrize("signed", [False, True])
async def test_any_body_and_headers_get_an_answer_never_a_500(
    net: Bot, caplog: pytest.LogCaptureFixture, signed: bool, data: st.DataObject
) -> None:
    body = data.draw(
        st.binary(max_size=300)
        | text.map(str.encode)
        | st.dictionaries(text, text, max_size=4).map(lambda f: urlencode(f).encode())
        | json_values.map(lambda v: json.dumps(v).encode())
        | st.sampled_from((b"", b"x" * 1_100_000, b"payload=", b"payload=null", b"command=")),
        "body",
    )
    headers = {"Content-Type": data.draw(st.sampled_from(CONTENT_TYPES) | text, "type")}
    if signed:
        headers |= net.signed_headers(body.decode("utf-8", "replace"))
        headers["Content-Type"] = data.draw(st.sampled_from(CONTENT_TYPES), "signed type")
    else:
        headers["X-Slack-Request-Timestamp"] = data.draw(text, "timestamp")
        headers["X-Slack-Signature"] = data.draw(text, "signature")
    headers = {k: v for k, v in headers.items() if v.isprintable() and v.isascii()}

    response = await net.http.post("/slack/events", content=body, headers=headers)

    assert response.status_code < 500
    await net.settle()
    assert _crashes(caplog) == []


@settings(SETTINGS, max_examples=80)
@given(data=st.data())
async def test_signed_interactions_of_any_shape_never_crash_a_listener(
    net: Bot, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    action_ids = sorted(button_presses(net.services.registry))
    payload = data.draw(interactions(action_ids, net.slack.response_url()), "payload")

    response = await net.action(payload)

    assert response.status_code < 500
    assert response.status_code != 401, payload  # signed: it reached the listeners
    await net.settle()
    assert _crashes(caplog) == [], payload


@settings(SETTINGS, max_examples=30)
@given(data=st.data())
async def test_a_generated_command_over_http_gets_exactly_one_reply(
    net: Bot, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    spellings = sorted({s for item in net.services.registry for s in item.spellings})
    words = data.draw(st.sampled_from(spellings), "words")
    rest = data.draw(st.lists(text, max_size=4), "rest")
    user = data.draw(st.sampled_from(USERS), "user")
    await net.settle()
    before = len(net.slack.calls_to("respond"))

    response = await net.send_command(" ".join([words, *rest]), user=user)

    assert response.status_code == 200
    await net.settle()
    assert len(net.slack.calls_to("respond")) == before + 1
    assert _crashes(caplog) == []
