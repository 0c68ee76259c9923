"""Interactive payloads as an attacker could sign them only by being a workspace member: another
theme's id, another person's work package, ids changed in a form's `private_metadata`. Each
is refused in the presser's language and writes nothing; and a press Slack sends without a
response URL (a button in a modal or on the Home tab) still tells the person when it fails.

The buttons are read from `handlers.button_presses`, so those merged later are forged too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from bot.materials.form import MODAL
from bot.meetings.form import FORM
from bot.meetings.posts import CANCEL, DETAILS, EDIT
from handlers import button_presses
from storage.models import Meeting
from tests.conftest import COORDINATOR
from tests.e2e.buttons import button_payload, press
from tests.harness import Bot
from tests.seed import seed, seed_meetings, seed_work_packages, snapshot

T = TypeVar("T")


@pytest.fixture
async def net(bot: Bot) -> Bot:
    await seed(bot.services.db)
    await seed_work_packages(bot.services.db)
    await seed_meetings(bot.services.db)
    return bot


async def test_a_failed_press_without_a_response_url_is_told_in_a_direct_message(
    net: Bot,
) -> None:
    action_id = sorted(button_presses(net.services.registry))[0]
    payload = button_payload(net, "U0MEMBER3", action_id, "<!channel>")
    del payload["response_url"]
    payload["container"] = {"type": "view", "view_id": "V0HOME"}
    posts = len(net.slack.calls_to("chat.postMessage"))

    response = await net.action(payload)

    assert response.status_code == 200
    told = (await net.wait_for("chat.postMessage", posts + 1))[posts].params
    assert told["channel"] == "U0MEMBER3"
    assert told["text"].startswith("Sorry, something went wrong on my side")


EMMA = "U0MEMBER3"  # reads English, runs no theme


async def _digi_meeting(net: Bot) -> int:
    """A meeting of digi, which only the coordinators run."""
    reply = await net.command('meeting add digi 20.5.2030 9.00 "Digi kokous"', user=COORDINATOR)
    assert "Digi kokous" in reply["text"]
    await net.settle()
    async with net.services.engine.connect() as connection:
        found = await connection.scalar(select(Meeting.id).where(Meeting.title == "Digi kokous"))
    assert found is not None
    return int(found)


async def _writes_nothing(net: Bot, act: Callable[[], Awaitable[T]]) -> T:
    await net.settle()
    before = await snapshot(net.services.engine)
    result = await act()
    await net.settle()
    assert await snapshot(net.services.engine) == before, "the forged payload wrote"
    return result


def _form(user: str, callback_id: str, metadata: str, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": {"id": user, "name": user.lower()},
        "team": {"id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "trigger_id": "trigger-submit",
        "view": {
            "id": "V0FORGED",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": values},
        },
    }


@pytest.mark.parametrize("action_id", [CANCEL, EDIT, DETAILS])
async def test_another_themes_meeting_buttons_are_refused_and_write_nothing(
    net: Bot, action_id: str
) -> None:
    meeting = await _digi_meeting(net)
    opened = len(net.slack.calls_to("views.open"))

    reply = await _writes_nothing(net, lambda: press(net, EMMA, action_id, str(meeting)))

    assert reply["text"].startswith("Only"), reply["text"]
    assert len(net.slack.calls_to("views.open")) == opened


@pytest.mark.parametrize("metadata", ["{meeting}", "{meeting} OR 1=1", "-1", "999999999", ""])
async def test_a_meeting_form_with_a_changed_id_is_refused_and_writes_nothing(
    net: Bot, metadata: str
) -> None:
    meeting = await _digi_meeting(net)
    values = {
        "title": {"value": {"type": "plain_text_input", "value": "Kaapattu"}},
        "date": {"value": {"type": "datepicker", "selected_date": "2030-05-21"}},
        "start": {"value": {"type": "plain_text_input", "value": "10.00"}},
    }
    payload = _form(EMMA, FORM, metadata.format(meeting=meeting), values)

    response = await _writes_nothing(net, lambda: net.action(payload))

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "update"  # the form shows why, in the person's language
    shown = json.dumps(answer["view"])
    assert "Only" in shown or "no longer exists" in shown, shown


@pytest.mark.parametrize(
    ("action_id", "theme"),
    [("theme_join", "vanha"), ("theme_join", "nope"), ("theme_leave", "digi")],
)
async def test_a_forged_theme_button_is_refused_and_writes_nothing(
    net: Bot, action_id: str, theme: str
) -> None:
    reply = await _writes_nothing(net, lambda: press(net, EMMA, action_id, theme))

    notice = reply["blocks"][0]  # the list is shown again, topped by the refusal
    assert notice["type"] == "section" and "accessory" not in notice, notice


async def test_a_material_form_naming_a_basket_not_ones_own_is_refused_and_writes_nothing(
    net: Bot,
) -> None:
    values: dict[str, Any] = {
        "url": {"value": {"type": "plain_text_input", "value": "https://example.org/x"}},
        "title": {"value": {"type": "plain_text_input", "value": "Kaapattu"}},
        "basket": {"value": {"type": "static_select", "selected_option": {"value": "all"}}},
        "tags": {"value": {"type": "plain_text_input", "value": None}},
    }
    metadata = json.dumps({"channel": "C0DIGI", "ts": "1.0"})

    for basket in ("all", "vanha", "digi", "999"):
        values["basket"]["value"]["selected_option"]["value"] = basket
        payload = _form(EMMA, MODAL, metadata, values)
        response = await _writes_nothing(net, lambda p=payload: net.action(p))  # type: ignore[misc]
        assert response.json()["response_action"] == "errors", basket


@pytest.mark.parametrize(
    ("user", "ref", "refusal"),
    [
        ("U0MEMBER2", "liikenne-2", "kan bara arbetspaketets ägare"),  # Sven reads Swedish
        ("U0MEMBER1", "digi-1", "voivat päivittää vain sen omistaja"),  # Maija runs liikenne only
    ],
)
async def test_another_persons_work_package_is_not_updated(
    net: Bot, user: str, ref: str, refusal: str
) -> None:
    text = await net.command_writing_nothing(f"update {ref} done 100% kaapattu", user=user)
    assert refusal in text, text


@pytest.mark.parametrize(
    "values",
    [
        None,
        [],
        {"url": None, "basket": "x", "title": []},
        {"basket": {"value": {"selected_option": "all"}}},
    ],
)
async def test_a_material_form_of_a_broken_shape_is_refused_not_crashed(
    net: Bot, caplog: pytest.LogCaptureFixture, values: object
) -> None:
    payload = _form(EMMA, MODAL, "", values)  # type: ignore[arg-type]

    response = await _writes_nothing(net, lambda: net.action(payload))

    assert response.json()["response_action"] == "errors"  # "Choose the basket."
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
