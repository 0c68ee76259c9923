"""The Home tab's pure parts: a submitted form read as the subcommand it stands for, and the tab
drawn within Block Kit's limits however long its lists are."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.deadlines import DeadlineView
from bot.home.data import Failed, Home, Managed, Overview, Shown, ThemeLine
from bot.home.forms import DEADLINE_FORM, MEETING_FORM, PACKAGE_FORM, UPDATE_FORM, Words, read
from bot.home.tab import tab
from bot.meetings.meeting import MeetingView
from bot.work_packages.packages import PackageView


def state(**fields: str) -> dict[str, dict[str, dict[str, object]]]:
    values: dict[str, dict[str, dict[str, object]]] = {}
    for name, given in fields.items():
        if name == "status":
            values[name] = {"value": {"selected_option": {"value": given}}}
        elif name == "date":
            values[name] = {"value": {"selected_date": given}}
        else:
            values[name] = {"value": {"value": given}}
    return values


def asked(found: Words | dict[str, str]) -> set[str]:
    """The fields a form is sent back with."""
    assert isinstance(found, dict), found
    return set(found)


def test_an_update_form_is_the_update_subcommand() -> None:
    found = read(UPDATE_FORM, "liikenne-2", state(status="done", progress="", note="Valmis\x07"))
    assert found == Words("update", ["liikenne-2", "done", "Valmis"])
    found = read(UPDATE_FORM, "liikenne-2", state(status="blocked", progress="40 %"))
    assert found == Words("update", ["liikenne-2", "blocked", "40%"])


def test_a_progress_that_is_no_percentage_is_asked_again() -> None:
    for bad in ("lots", "101", "-5"):
        assert asked(read(UPDATE_FORM, "liikenne-2", state(status="done", progress=bad))) == {
            "progress"
        }


def test_the_managers_forms_are_their_subcommands() -> None:
    assert read(PACKAGE_FORM, "liikenne", state(title="Uusi", date="2099-03-01")) == Words(
        "wp add", ["liikenne", "Uusi", "due:2099-03-01"]
    )
    assert read(MEETING_FORM, "all", state(title="Kokous", date="2099-03-01", time="9.00")) == (
        Words("meeting add", ["all", "2099-03-01", "9.00", "Kokous"])
    )
    assert read(DEADLINE_FORM, "digi", state(title="DL", date="2099-03-01")) == Words(
        "deadline add", ["digi", "2099-03-01", "DL"]
    )
    assert asked(read(PACKAGE_FORM, "liikenne", state(title="  "))) == {"title"}


def test_long_lists_stay_within_block_kit_limits() -> None:
    long = "<!channel> " + "x" * 3000
    package = PackageView("teema-1", long, "blocked", 10, due=date(2020, 1, 1))
    meeting = MeetingView(1, "k", long, datetime(2099, 1, 1, tzinfo=UTC))
    deadline = DeadlineView("d", long, date(2099, 1, 1))
    theme = ThemeLine("teema", long)
    managed = Managed(theme, Shown((package,) * 5, 90), 1, 200, Shown((long,) * 10, 199))
    overview = Overview(
        Shown(((long, 3),) * 10, 200),
        Shown((long,) * 10, 150),
        Shown((package,) * 10, 400),
        Shown((meeting,) * 3, 50),
        Shown((Failed(1, "C0X", long),) * 5, 60),
    )
    home = Home(
        "U1",
        "/network",
        date(2098, 12, 1),
        ZoneInfo("Europe/Helsinki"),
        long,
        Shown((theme,) * 5, 200),
        Shown((theme,) * 5, 200),
        Shown((package,) * 8, 40),
        Shown((meeting,) * 3, 30),
        Shown((deadline,) * 5, 30),
        Shown((managed,) * 3, 200),
        overview,
    )
    view = tab(home, notice="You joined the theme.")
    assert len(view["blocks"]) <= 100
    for block in view["blocks"]:
        assert len((block.get("text") or {}).get("text", "")) <= 3000
    assert "<!channel>" not in str(view)
