"""Pure rules and rendering of work packages, with plain values."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.blocks import MESSAGE_BLOCK_LIMIT, SECTION_TEXT_LIMIT
from bot.i18n import language
from bot.outcome import Message, UserError
from bot.parsing import ParseError
from bot.permissions import Actor, ThemeRoles
from bot.work_packages.packages import PackageView, split_ref
from bot.work_packages.pages import (
    LOG_SHOWN,
    PER_PAGE,
    ThemeStatus,
    detail,
    overview,
    summarise,
    theme_page,
)
from bot.work_packages.statuses import (
    is_overdue,
    may_change_status,
    needs_manager,
    parse_status,
    progress_bar,
)
from bot.work_packages.updates import (
    Log,
    UpdateArgs,
    UpdateView,
    log_line,
    next_progress,
    parse_update,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = date(2027, 5, 10)
ROLES = ThemeRoles("liikenne", "Liikenne", chair="U0CHAIR", lead="tampere", lead_name="Tampere")
CHAIR, OWNER = Actor("U0CHAIR"), Actor("U0OWNER")


# --- status words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("planned", "planned"),
        ("suunniteltu", "planned"),
        ("in_progress", "in_progress"),
        ("In-Progress", "in_progress"),
        ("käynnissä", "in_progress"),
        ("kaynnissa", "in_progress"),
        ("KÄYNNISSÄ", "in_progress"),
        ("pågår", "in_progress"),
        ("done", "done"),
        ("valmis", "done"),
        ("klar", "done"),
        ("blocked", "blocked"),
        ("estynyt", "blocked"),
        ("cancelled", "cancelled"),
        ("canceled", "cancelled"),
        ("peruttu", "cancelled"),
        ("inställd", "cancelled"),
    ],
)
def test_status_words_in_every_language(word: str, status: str) -> None:
    assert parse_status(word) == status


@pytest.mark.parametrize(
    ("word", "lang", "message"),
    [
        (
            "donne",
            "en",
            "'donne' is not a status I know. Write one of: `planned`, `in_progress`, `done`,"
            " `blocked`, `cancelled`. Did you mean `done`?",
        ),
        ("käynisä", "en", "Did you mean `in_progress`?"),  # in the reader's words
        ("valmsi", "fi", "Tarkoititko `valmis`?"),
        ("in_progres", "fi", "Tarkoititko `käynnissä`?"),
        ("in_progres", "sv", "Menade du `pågår`?"),
        ("<!here>", "en", "'&lt;!here&gt;' is not a status I know."),
    ],
)
def test_a_near_miss_gets_a_did_you_mean(word: str, lang: str, message: str) -> None:
    with language(lang), pytest.raises(UserError) as error:
        parse_status(word)
    assert message in error.value.message


def test_a_word_far_from_every_status_gets_no_suggestion() -> None:
    with language("en"), pytest.raises(UserError) as error:
        parse_status("xyzzy")
    assert "Did you mean" not in error.value.message


# --- update arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["liikenne-3", "done"], UpdateArgs("liikenne-3", "done", None, "")),
        (["Liikenne-3", "käynnissä", "40%"], UpdateArgs("liikenne-3", "in_progress", 40, "")),
        (["x-1", "kaynnissa", "40", "%", "a", "b"], UpdateArgs("x-1", "in_progress", 40, "a b")),
        (["x-1", "blocked", "0", "waiting"], UpdateArgs("x-1", "blocked", 0, "waiting")),
        (["x-1", "done", "100%"], UpdateArgs("x-1", "done", 100, "")),
        (
            ["x-1", "planned", "3 kuntaa mukana"],
            UpdateArgs("x-1", "planned", None, "3 kuntaa mukana"),
        ),
        (["x-1", "planned", "note", "40%"], UpdateArgs("x-1", "planned", None, "note 40%")),
    ],
)
def test_update_arguments(args: list[str], expected: UpdateArgs) -> None:
    assert parse_update(args) == expected


@pytest.mark.parametrize("args", [[], ["liikenne-3"]])
def test_update_without_a_status_is_a_usage_error(args: list[str]) -> None:
    assert parse_update(args) is None


@pytest.mark.parametrize("figure", ["101%", "140", "-5%", "%", "4o%"])
def test_progress_outside_0_to_100_is_refused(figure: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_update(["x-1", "done", figure])
    assert error.value.kind == "percent"


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("liikenne-3", ("liikenne", 3)),
        ("Liikenne-12", ("liikenne", 12)),
        ("digi-2-5", ("digi-2", 5)),
        ("liikenne", None),
        ("liikenne-", None),
        ("-3", None),
        ("liikenne-3a", None),
    ],
)
def test_references_are_theme_key_and_number(text: str, ref: tuple[str, int] | None) -> None:
    assert split_ref(text) == ref


# --- transitions and progress -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "manager"),
    [
        ("planned", "in_progress", False),
        ("in_progress", "blocked", False),
        ("blocked", "in_progress", False),
        ("done", "in_progress", False),  # an owner may reopen a done package
        ("in_progress", "done", False),
        ("in_progress", "in_progress", False),
        ("planned", "cancelled", True),
        ("in_progress", "cancelled", True),
        ("cancelled", "planned", True),
        ("cancelled", "in_progress", True),
        ("cancelled", "cancelled", True),  # even a note on a cancelled package
    ],
)
def test_cancelling_and_reopening_a_cancelled_package_need_a_manager(
    old: str, new: str, manager: bool
) -> None:
    assert needs_manager(old, new) is manager
    assert may_change_status(CHAIR, ROLES, old, new).allowed
    assert may_change_status(OWNER, ROLES, old, new).allowed is not manager


def test_the_refusal_says_who_can() -> None:
    with language("en"):
        decision = may_change_status(OWNER, ROLES, "planned", "cancelled")
    assert decision.reason == (
        "Only the people who run the theme Liikenne can cancel a work package or reopen one:"
        " its chair <@U0CHAIR>, the contacts of its lead organisation (Tampere) and the"
        " coordinators."
    )


@pytest.mark.parametrize(
    ("status", "current", "given", "expected"),
    [
        ("done", 40, None, 100),  # done implies 100 %
        ("done", 40, 90, 90),  # unless told otherwise
        ("in_progress", 40, None, 40),
        ("in_progress", 100, None, 100),  # reopening keeps the figure until told
        ("blocked", 40, 0, 0),
    ],
)
def test_progress_after_an_update(
    status: str, current: int, given: int | None, expected: int
) -> None:
    assert next_progress(status, current, given) == expected


# --- overdue ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        (date(2027, 5, 9), "in_progress", True),
        (date(2027, 5, 9), "planned", True),
        (date(2027, 5, 9), "blocked", True),
        (date(2027, 5, 10), "in_progress", False),  # due today is not late yet
        (date(2027, 5, 11), "in_progress", False),
        (date(2027, 5, 9), "done", False),
        (date(2027, 5, 9), "cancelled", False),
        (None, "in_progress", False),
    ],
)
def test_overdue_is_past_the_due_day_and_still_open(
    due: date | None, status: str, overdue: bool
) -> None:
    assert is_overdue(due, status, TODAY) is overdue


def test_summary_counts_statuses_and_only_open_packages_as_overdue() -> None:
    rows = [("planned", 2, 1), ("done", 1, 1), ("cancelled", 3, 2), ("blocked", 1, 0)]
    summary = summarise("liikenne", "Liikenne", rows)
    assert summary.counts == (("planned", 2), ("done", 1), ("blocked", 1), ("cancelled", 3))
    assert (summary.total, summary.overdue) == (7, 1)


# --- rendering ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "bar"),
    [
        (0, "▱▱▱▱▱▱▱▱▱▱ 0 %"),
        (40, "▰▰▰▰▱▱▱▱▱▱ 40 %"),
        (95, "▰▰▰▰▰▰▰▰▰▱ 95 %"),  # not full until it is done
        (100, "▰▰▰▰▰▰▰▰▰▰ 100 %"),
    ],
)
def test_the_progress_bar_reads_at_a_glance(percent: int, bar: str) -> None:
    assert progress_bar(percent) == bar


def test_a_log_entry_says_who_when_what_and_why() -> None:
    entry = UpdateView(
        "U1", datetime(2027, 4, 28, 13, 0, tzinfo=UTC), "planned", "in_progress", 0, 40, "<b>"
    )
    created = UpdateView("U2", datetime(2027, 1, 4, 7, 5, tzinfo=UTC), None, "planned", None, 0)
    with language("en"):
        assert log_line(entry, HELSINKI) == (
            "• Wed 28 Apr 2027 at 16:00 <@U1>: 📝 planned → 🔄 in progress · 0 % → 40 %"
            " · “&lt;b&gt;”"
        )
        assert log_line(created, HELSINKI) == (
            "• Mon 4 Jan 2027 at 09:05 <@U2>: created (📝 planned, 0 %)"
        )


def _within_limits(message: Message) -> None:
    assert message.blocks is not None and len(message.blocks) <= MESSAGE_BLOCK_LIMIT
    for block in message.blocks:
        assert len(block.get("text", {}).get("text", "")) <= SECTION_TEXT_LIMIT
    assert len(message.text) <= 3000


def test_five_hundred_packages_page_within_block_kit_limits() -> None:
    views = [
        PackageView(f"iso-{n}", "<T> " + "x" * 490, owner_org="O" * 200, due=TODAY)
        for n in range(1, 501)
    ]
    summary = summarise("iso", "Iso", [("planned", 500, 0)])
    seen = []
    with language("en"):
        for page in range(1, 500 // PER_PAGE + 1):
            shown = views[(page - 1) * PER_PAGE : page * PER_PAGE]
            message = theme_page(summary, shown, page, TODAY, "/network")
            _within_limits(message)
            assert message.blocks is not None
            seen += [b["accessory"]["value"] for b in message.blocks if "accessory" in b]
    assert seen == [f"iso-{n}" for n in range(1, 501)]
    assert message.blocks is not None
    assert "&lt;T&gt;" in json.dumps(message.blocks) and "<T>" not in json.dumps(message.blocks)
    assert message.blocks[-1]["elements"][0]["value"] == "iso:24"  # the last page: only back


def test_a_thousand_log_entries_show_the_latest_and_say_how_many_more() -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    entries = [
        UpdateView("U1", start + timedelta(hours=n), "planned", "planned", 0, 0, "n" * 400)
        for n in range(LOG_SHOWN)
    ]
    package = PackageView("iso-1", "T", description="d" * 5000)
    with language("en"):
        message = detail(package, "Iso", Log(entries, 1000), TODAY, HELSINKI)
    _within_limits(message)
    assert message.blocks is not None
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert text.count("<@U1>") == LOG_SHOWN
    assert "980 earlier updates are not shown." in text
    assert message.blocks[-1]["elements"][0]["value"] == "iso-1"


def test_the_overview_pages_themes_and_offers_a_button_for_those_with_packages() -> None:
    themes = [ThemeStatus(f"t{n:02}", f"T{n:02}", (("done", 1),) if n else ()) for n in range(45)]
    with language("en"):
        first, last = overview(themes, 1, personal=False), overview(themes, 9, personal=True)
    assert first.blocks is not None and last.blocks is not None
    sections = [b for b in first.blocks if b["type"] == "section"]
    assert len(sections) == 20 and "accessory" not in sections[0]
    assert sections[0]["text"]["text"] == "*T00* (`t00`)\nNo work packages yet."
    assert sections[1]["text"]["text"] == "*T01* (`t01`)\n1 work package: done 1"
    assert sections[1]["accessory"]["value"] == "t01"
    assert first.blocks[0]["text"]["text"] == "Work packages in all themes"
    assert last.blocks[0]["text"]["text"] == "Work packages in your themes"
    assert "Page 3 of 3" in json.dumps(last.blocks)
