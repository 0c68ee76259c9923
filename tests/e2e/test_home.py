"""The Home tab end to end: published on `app_home_opened` in the person's language, its buttons
and forms, and the welcome to a theme channel."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from app.services import Clock
from bot.home.tab import ADD_DEADLINE, ADD_MEETING, ADD_PACKAGE, HELP, RETRY, UPDATE
from bot.materials.form import MODAL
from bot.meetings.posts import RSVP
from bot.themes import JOIN
from storage.models import (
    Deadline,
    Meeting,
    Notification,
    Registration,
    Rsvp,
    Theme,
    WorkPackage,
)
from tests.conftest import COORDINATOR, fixed
from tests.e2e.buttons import button_payload
from tests.harness import Bot
from tests.seed import CHAIR, CHANNELS, CONTACT, seed, seed_meetings, seed_work_packages, snapshot

NOW = datetime(2098, 12, 1, 8, 0, tzinfo=UTC)
EMMA = "U0MEMBER3"  # English; owns liikenne-2 (overdue), runs nothing
SVEN = "U0MEMBER2"  # Swedish; owns nothing, runs nothing


@pytest.fixture
def bot_clock() -> Clock:
    return fixed(NOW)


@pytest.fixture
async def net(bot: Bot) -> Bot:
    """The seeded network with work packages; the theme channels hold Emma and Sven."""
    await seed(bot.services.db)
    await seed_work_packages(bot.services.db)
    await seed_meetings(bot.services.db)
    for channel_id, name in CHANNELS.items():
        bot.slack.add_channel(channel_id, name, members=[EMMA, SVEN])
    bot.slack.add_channel("C0NETWORK", "verkosto")
    bot.slack.add_user(CHAIR, name="Puheenjohtaja", locale="en-US")
    return bot


_events = 0


async def event(bot: Bot, payload: dict[str, Any]) -> None:
    """Deliver an event as Slack does, and let its listener finish."""
    global _events
    _events += 1
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": f"Ev0HOME{_events:04d}",
            "event_time": int(time.time()),
            "event": payload,
        }
    )
    headers = bot.signed_headers(body) | {"Content-Type": "application/json"}
    assert (await bot.post(body, headers)).status_code == 200
    await bot.settle()


async def opened(bot: Bot, user: str) -> dict[str, Any]:
    """Open the Home tab: the view published for the person."""
    before = len(bot.slack.calls_to("views.publish"))
    home = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    await event(bot, home)
    calls = await bot.wait_for("views.publish", before + 1)
    assert calls[-1].params["user_id"] == user
    return dict(calls[-1].params["view"])


def text_of(view: dict[str, Any]) -> str:
    """Every text the view shows (mrkdwn as sent)."""
    return json.dumps(view["blocks"], ensure_ascii=False)


def buttons(view: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for block in view["blocks"]:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        elements += [block["accessory"]] if "accessory" in block else []
        found += [(e["action_id"], e["value"]) for e in elements if e.get("type") == "button"]
    return found


async def press_in_home(bot: Bot, user: str, action_id: str, value: str) -> None:
    """Press a button of the Home tab (no message, no response URL) and let it finish."""
    payload = button_payload(bot, user, action_id, value)
    for key in ("channel", "response_url"):
        payload.pop(key)
    payload["container"] = {"type": "view", "view_id": "VHOME"}
    payload["view"] = {"id": "VHOME", "type": "home", "blocks": [], "private_metadata": ""}
    assert (await bot.action(payload)).status_code == 200
    await bot.settle()


def submission(user: str, callback: str, metadata: str, **fields: str) -> dict[str, Any]:
    """A view_submission of one of the tab's forms."""
    values: dict[str, Any] = {}
    for name, given in fields.items():
        if name == "status":
            state = {"type": "static_select", "selected_option": {"value": given}}
        elif name == "date":
            state = {"type": "datepicker", "selected_date": given}
        else:
            state = {"type": "plain_text_input", "value": given}
        values[name] = {"value": state}
    return {
        "type": "view_submission",
        "user": {"id": user, "name": user.lower()},
        "team": {"id": "T0TEAM"},
        "api_app_id": "A0APP",
        "token": "legacy",
        "trigger_id": "trigger-submit",
        "view": {
            "id": "VFORM",
            "type": "modal",
            "callback_id": callback,
            "private_metadata": metadata,
            "state": {"values": values},
        },
    }


async def submit(bot: Bot, payload: dict[str, Any]) -> dict[str, Any]:
    """Submit a form: Slack's answer to it (empty when the form closes)."""
    response = await bot.action(payload)
    assert response.status_code == 200
    await bot.settle()
    return response.json() if response.content.strip() else {}


async def refused_in_form(bot: Bot, payload: dict[str, Any]) -> dict[str, str]:
    """Submit a form that must be refused: the errors shown in it, having written nothing."""
    await bot.settle()
    before = await snapshot(bot.services.engine)
    answer = await submit(bot, payload)
    assert answer.get("response_action") == "errors", answer
    assert await snapshot(bot.services.engine) == before, "the refused form wrote"
    return dict(answer["errors"])


def failed_notification(identity: str, error: str) -> Notification:
    """A post to #digi that Slack refused for good."""
    return Notification(
        identity=identity,
        kind="post",
        subject_type="network",
        subject_id=0,
        target="C0DIGI",
        due_at=NOW,
        state="failed",
        last_error=error,
        payload={"message": {"text": "hei", "blocks": None}},
    )


async def package(bot: Bot, number: int) -> WorkPackage:
    async with bot.services.db() as session:
        found = await session.scalar(
            select(WorkPackage)
            .join(Theme)
            .where(Theme.key == "liikenne", WorkPackage.number == number)
        )
    assert found is not None
    return found


# --- what each person sees ----------------------------------------------------------------------


async def test_a_member_sees_their_packages_themes_and_meetings_in_english(net: Bot) -> None:
    view = await opened(net, EMMA)
    text = text_of(view)
    assert "Your network" in text
    assert "`liikenne-2` *Pysäköintiselvitys*" in text
    assert "overdue" in text and "planned" in text  # a word with every status
    assert "Valmis työ" not in text  # done: not open
    assert (UPDATE, "liikenne-2") in buttons(view)
    assert (JOIN, "liikenne") in buttons(view) and (JOIN, "digi") in buttons(view)
    assert ("home_help", "help") in buttons(view) and ("home_add_material", "material") in buttons(
        view
    )
    assert "Themes you run" not in text and "Network overview" not in text


async def test_a_swedish_speaker_sees_the_tab_in_swedish(net: Bot) -> None:
    text = text_of(await opened(net, SVEN))
    assert "Ditt nätverk" in text
    assert "Your network" not in text


async def test_a_theme_manager_sees_the_themes_they_run_with_their_forms(net: Bot) -> None:
    view = await opened(net, CHAIR)
    text = text_of(view)
    assert "Themes you run" in text
    assert "*Liikenne ja saavutettavuus* (`liikenne`)" in text
    assert "Organisations registered: 0 of the 3 expected." in text
    assert "`liikenne-2` Pysäköintiselvitys — 📝 planned · overdue" in text
    for action in (ADD_PACKAGE, ADD_MEETING, ADD_DEADLINE):
        assert (action, "liikenne") in buttons(view)


async def test_a_coordinator_sees_the_network_overview_and_retries_a_failed_notice(
    net: Bot,
) -> None:
    async with net.services.db.begin() as session:
        failed = failed_notification("test:failed", "is_archived")
        session.add(failed)
    view = await opened(net, COORDINATOR)
    text = text_of(view)
    assert "Verkoston tilannekuva" in text  # Kaisa reads Finnish
    assert "Helsingin seutu" in text  # expected, registered for no theme
    assert "`liikenne-2`" in text
    assert (RETRY, str(failed.id)) in buttons(view)
    await press_in_home(net, COORDINATOR, RETRY, str(failed.id))
    async with net.services.db() as session:
        state = await session.scalar(select(Notification.state).where(Notification.id == failed.id))
    assert state in ("pending", "sent")
    assert "lähetetään uudelleen" in text_of(net.slack.calls_to("views.publish")[-1].params["view"])


async def test_a_member_may_not_retry(net: Bot) -> None:
    async with net.services.db.begin() as session:
        failed = failed_notification("test:failed", "is_archived")
        session.add(failed)
    await press_in_home(net, EMMA, RETRY, str(failed.id))
    view = net.slack.calls_to("views.publish")[-1].params["view"]
    assert "Only the network's coordinators can do that." in text_of(view)
    async with net.services.db() as session:
        state = await session.scalar(select(Notification.state).where(Notification.id == failed.id))
    assert state == "failed"


async def test_hostile_names_never_live_in_the_tab(net: Bot) -> None:
    async with net.services.db.begin() as session:
        theme = await session.scalar(select(Theme).where(Theme.key == "digi"))
        assert theme is not None
        theme.name = "<!channel> *Digi* <@U0COORD01>"
    text = text_of(await opened(net, EMMA))
    assert "<!channel>" not in text and "<@U0COORD01>" not in text
    assert "&lt;!channel&gt;" in text


async def test_help_opens_in_a_window(net: Bot) -> None:
    await press_in_home(net, EMMA, HELP, "help")
    opened_view = net.slack.calls_to("views.open")[-1].params["view"]
    assert "join" in text_of(opened_view)


async def test_join_in_the_tab_registers_and_publishes_the_tab_again(net: Bot) -> None:
    await press_in_home(net, EMMA, JOIN, "digi")
    async with net.services.db() as session:
        joined = await session.scalar(
            select(Registration)
            .join(Theme)
            .where(Theme.key == "digi", Registration.user_id == EMMA)
        )
    assert joined is not None
    view = net.slack.calls_to("views.publish")[-1].params["view"]
    assert ("theme_leave", "digi") in buttons(view)


# --- the forms ------------------------------------------------------------------------------------


async def test_the_update_form_records_the_update_and_publishes_the_tab(net: Bot) -> None:
    await press_in_home(net, EMMA, UPDATE, "liikenne-2")
    form = net.slack.calls_to("views.open")[-1].params["view"]
    assert form["callback_id"] == "home_update_form" and form["private_metadata"] == "liikenne-2"
    before = len(net.slack.calls_to("views.publish"))
    answer = await submit(
        net,
        submission(
            EMMA,
            "home_update_form",
            "liikenne-2",
            status="in_progress",
            progress="30",
            note="Aloitettu",
        ),
    )
    assert answer == {}
    found = await package(net, 2)
    assert (found.status, found.progress) == ("in_progress", 30)
    publish = await net.wait_for("views.publish", before + 1)
    assert "in progress" in text_of(publish[-1].params["view"])


async def test_a_bad_progress_is_answered_in_the_form(net: Bot) -> None:
    errors = await refused_in_form(
        net, submission(EMMA, "home_update_form", "liikenne-2", status="done", progress="lots")
    )
    assert set(errors) == {"progress"}


async def test_a_forged_update_is_refused_in_the_form(net: Bot) -> None:
    errors = await refused_in_form(
        net, submission(SVEN, "home_update_form", "liikenne-1", status="done")
    )
    assert set(errors) == {"status"}
    assert "Tampereen kaupunkiseutu" in errors["status"]  # who may, as `update` says it


async def test_a_manager_adds_a_work_package_and_a_member_may_not(net: Bot) -> None:
    errors = await refused_in_form(
        net, submission(EMMA, "home_package_form", "liikenne", title="Uusi selvitys")
    )
    assert "Only its chair" in errors["title"]
    answer = await submit(
        net,
        submission(
            CHAIR, "home_package_form", "liikenne", title="Uusi selvitys", date="2099-03-01"
        ),
    )
    assert answer == {}
    found = await package(net, 4)
    assert (found.title, str(found.due_date)) == ("Uusi selvitys", "2099-03-01")


async def test_the_meeting_form_adds_a_meeting_and_refuses_a_bad_time(net: Bot) -> None:
    errors = await refused_in_form(
        net,
        submission(
            CHAIR, "home_meeting_form", "liikenne", title="Työpaja", date="2099-01-20", time="25.00"
        ),
    )
    assert set(errors) == {"time"}
    answer = await submit(
        net,
        submission(
            CHAIR, "home_meeting_form", "liikenne", title="Työpaja", date="2099-01-20", time="9.00"
        ),
    )
    assert answer == {}
    async with net.services.db() as session:
        assert await session.scalar(select(Meeting.title)) == "Työpaja"


async def test_the_deadline_form_adds_a_deadline_and_refuses_a_past_date(net: Bot) -> None:
    errors = await refused_in_form(
        net,
        submission(CHAIR, "home_deadline_form", "liikenne", title="Kommentit", date="2090-01-20"),
    )
    assert set(errors) == {"date"}
    answer = await submit(
        net,
        submission(CHAIR, "home_deadline_form", "liikenne", title="Kommentit", date="2099-01-20"),
    )
    assert answer == {}
    async with net.services.db() as session:
        assert await session.scalar(select(Deadline.title)) == "Kommentit"


async def test_a_view_of_another_app_is_ignored(net: Bot) -> None:
    payload = submission(CHAIR, "home_package_form", "liikenne", title="Uusi")
    payload["view"]["app_id"] = "A0OTHER"
    await net.settle()
    before = await snapshot(net.services.engine)
    assert await submit(net, payload) == {}
    assert await snapshot(net.services.engine) == before


async def test_a_view_of_another_callback_is_not_the_tabs(net: Bot) -> None:
    await net.settle()
    before = await snapshot(net.services.engine)
    payload = submission(CHAIR, "someone_elses_form", "liikenne", title="Uusi")
    response = await net.action(payload)
    await net.settle()
    assert await snapshot(net.services.engine) == before
    assert response.status_code in (200, 404)


# --- the welcome ----------------------------------------------------------------------------------


async def test_joining_a_theme_channel_welcomes_once(net: Bot) -> None:
    joined = {"type": "member_joined_channel", "user": EMMA, "channel": "C0LIIKENNE"}
    await event(net, joined)
    await event(net, joined)
    await event(net, {"type": "member_joined_channel", "user": EMMA, "channel": "C0GENERAL"})
    await net.settle()
    sent = net.slack.calls_to("chat.postEphemeral")
    assert len(sent) == 1
    params = sent[0].params
    assert (params["channel"], params["user"]) == ("C0LIIKENNE", EMMA)
    text = json.dumps(params["blocks"], ensure_ascii=False)
    assert "Welcome to the theme *Liikenne ja saavutettavuus*" in text
    assert "Tampereen kaupunkiseutu" in text and "<@U0CHAIR01>" in text
    assert '"theme_join"' in text


# --- a grown network ------------------------------------------------------------------------------


async def test_the_tab_stays_within_block_kit_limits_on_a_grown_network(net: Bot) -> None:
    """200 themes led by Tampere (Maija runs them all), 40 packages of Tampere's with long
    hostile titles, 30 failed notifications: every list is cut, nothing over Slack's limits."""
    long = "<!channel> " + "Pitkä nimi " * 40
    async with net.services.db.begin() as session:
        tampere = await session.scalar(
            select(Theme.lead_organisation_id).where(Theme.key == "liikenne")
        )
        themes = [
            Theme(key=f"teema-{n:03d}", name=f"{long[:190]} {n}", lead_organisation_id=tampere)
            for n in range(200)
        ]
        session.add_all(themes)
        await session.flush()
        session.add_all(
            WorkPackage(
                theme_id=themes[n % 5].id,
                number=n + 1,
                title=long,
                owner_organisation_id=tampere,
                status="blocked",
                due_date=datetime(2020, 1, 1).date(),
            )
            for n in range(40)
        )
        session.add_all(failed_notification(f"test:failed:{n}", "x" * 500) for n in range(30))
    for user in (CONTACT, COORDINATOR):
        view = await opened(net, user)
        assert len(view["blocks"]) <= 100
        for block in view["blocks"]:
            assert len((block.get("text") or {}).get("text", "")) <= 3000
        assert "<!channel>" not in text_of(view)
    assert "…" in text_of(view)  # the lists say there is more


async def test_a_typed_update_publishes_the_tab_again(net: Bot) -> None:
    before = len(net.slack.calls_to("views.publish"))
    await net.command("update liikenne-2 blocked Odottaa", user=EMMA)
    publish = await net.wait_for("views.publish", before + 1)
    assert publish[-1].params["user_id"] == EMMA
    assert "blocked" in text_of(publish[-1].params["view"])


async def test_a_meeting_is_answered_from_the_tab(net: Bot) -> None:
    await submit(
        net,
        submission(
            CHAIR, "home_meeting_form", "liikenne", title="Työpaja", date="2099-01-20", time="9.00"
        ),
    )
    await press_in_home(net, EMMA, JOIN, "liikenne")
    view = await opened(net, EMMA)
    async with net.services.db() as session:
        meeting_id = await session.scalar(select(Meeting.id))
    assert (RSVP["yes"], str(meeting_id)) in buttons(view)
    await press_in_home(net, EMMA, RSVP["yes"], str(meeting_id))
    async with net.services.db() as session:
        answer = await session.scalar(select(Rsvp.answer).where(Rsvp.user_id == EMMA))
    assert answer == "yes"
    assert "Your answer to *Työpaja*" in text_of(
        net.slack.calls_to("views.publish")[-1].params["view"]
    )


async def test_add_a_material_opens_the_shortcuts_form(net: Bot) -> None:
    await press_in_home(net, CHAIR, "home_add_material", "material")
    form = (await net.wait_for("views.open", 1))[-1].params["view"]
    assert form["callback_id"] == MODAL
