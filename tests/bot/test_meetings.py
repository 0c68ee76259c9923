"""Pure rules of meetings and deadlines: keys, local times, agenda, parsing, the form, rendering."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot import deadlines as dl
from bot.i18n import language
from bot.meetings.form import Details, details_form, read_details
from bot.meetings.meeting import (
    AgendaLine,
    Counts,
    MeetingChange,
    MeetingView,
    agenda_text,
    end_on_day,
    link,
    parse_agenda,
    parse_change,
    reschedule,
)
from bot.meetings.posts import announcement, change_notice, meeting_list
from bot.outcome import UserError
from bot.parsing import ParseError
from bot.permissions import Actor, ThemeRoles
from bot.scheduling import (
    day_and_clock,
    is_clock,
    key_base,
    local_moment,
    manage_audience,
    pick,
    split_trailing_options,
    unique_key,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = date(2027, 1, 10)
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
START = datetime(2027, 5, 20, 6, 0, tzinfo=UTC)  # 9.00 in Helsinki
VIEW = MeetingView(7, "tyopaja-2027-05-20", "Työpaja", START)
LIIKENNE = ThemeRoles("liikenne", "Liikenne", chair="U0CHAIR", lead="tampere")


# --- keys and times ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("MAL-aiesopimusten jatkotyöpaja", "mal-aiesopimusten-jatkotyopaja-2027-05-20"),
        ("  Åbo & Öresund!  ", "abo-oresund-2027-05-20"),
        ("!!!", "2027-05-20"),
        ("x" * 80, "x" * 40 + "-2027-05-20"),
    ],
)
def test_keys_are_the_titles_slug_and_the_date(title: str, key: str) -> None:
    assert key_base(title, date(2027, 5, 20)) == key


def test_a_taken_key_gets_a_number() -> None:
    assert unique_key("a-2027-05-20", []) == "a-2027-05-20"
    assert unique_key("a-2027-05-20", ["a-2027-05-20", "a-2027-05-20-2"]) == "a-2027-05-20-3"


def test_local_times_become_utc_by_the_calendar_not_by_adding_hours() -> None:
    assert local_moment(date(2027, 3, 27), time(10), HELSINKI) == datetime(
        2027, 3, 27, 8, 0, tzinfo=UTC
    )
    assert local_moment(date(2027, 3, 29), time(10), HELSINKI) == datetime(
        2027, 3, 29, 7, 0, tzinfo=UTC
    )


def test_a_time_the_clocks_skip_is_refused() -> None:
    with language("en"), pytest.raises(UserError) as refused:
        local_moment(date(2027, 3, 28), time(3, 30), HELSINKI)
    assert refused.value.message == (
        "There is no 03:30 on Sun 28 Mar 2027: the clocks jump forward an hour that night."
        " Choose another time."
    )


def test_the_autumn_hour_that_happens_twice_is_taken_in_summer_time() -> None:
    assert local_moment(date(2027, 10, 31), time(3, 30), HELSINKI) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )


def test_a_moved_meeting_keeps_its_length_on_the_clock_across_dst() -> None:
    start = local_moment(date(2027, 3, 27), time(10), HELSINKI)
    end = local_moment(date(2027, 3, 27), time(12), HELSINKI)
    moved = reschedule(start, end, date(2027, 3, 29), time(10), HELSINKI)
    assert moved == (
        datetime(2027, 3, 29, 7, 0, tzinfo=UTC),
        datetime(2027, 3, 29, 9, 0, tzinfo=UTC),
    )
    assert reschedule(start, None, date(2027, 3, 29), time(9), HELSINKI)[1] is None


def test_the_end_comes_after_the_start_on_the_same_day() -> None:
    assert end_on_day(START, time(15, 30), HELSINKI) == datetime(2027, 5, 20, 12, 30, tzinfo=UTC)
    with language("en"), pytest.raises(UserError) as refused:
        end_on_day(START, time(9, 0), HELSINKI)
    assert refused.value.message == "The end must be after the start (09:00)."


@pytest.mark.parametrize(
    ("word", "clock"),
    [("9.00", True), ("16:30", True), ("28.4.", False), ("28.4", False), ("2027-04-28", False)],
)
def test_clock_shaped_words(word: str, clock: bool) -> None:
    assert is_clock(word) is clock


# --- agenda ------------------------------------------------------------------------------------


def test_an_agenda_is_read_one_item_per_line() -> None:
    text = (
        "9.00\tKahvit\n\n9:20 Johdatus päivään — Maija\n"
        "11.30 Kommentteja – mitä lisäarvoa? — Fasilitaattori\nPURKU"
    )
    assert parse_agenda(text) == (
        AgendaLine(time(9, 0), "Kahvit"),
        AgendaLine(time(9, 20), "Johdatus päivään", "Maija"),
        AgendaLine(time(11, 30), "Kommentteja – mitä lisäarvoa?", "Fasilitaattori"),
        AgendaLine(None, "PURKU"),
    )
    assert agenda_text(parse_agenda(text)).split("\n")[1] == "9.20 Johdatus päivään — Maija"


@pytest.mark.parametrize(
    ("text", "value"),
    [("25.00 Lounas", "25.00"), ("9.00", "9.00"), ("9.00 — Maija", "9.00 — Maija")],
)
def test_a_wrong_agenda_line_is_named(text: str, value: str) -> None:
    with language("en"), pytest.raises(UserError) as refused:
        parse_agenda("Kahvit\n" + text)
    assert refused.value.message.startswith(f"Line 2 ('{value}') is not an agenda item.")


def test_an_agenda_has_at_most_fifty_items() -> None:
    assert len(parse_agenda("\n".join(["x"] * 50))) == 50
    with pytest.raises(UserError):
        parse_agenda("\n".join(["x"] * 51))


# --- parsing edits -----------------------------------------------------------------------------


def test_option_values_run_to_the_next_option_and_lose_their_quotes() -> None:
    tokens = ["mal", "21.5.", 'title:"Uusi', 'otsikko"', "place:Tampere-talo,", "sali", "A"]
    assert split_trailing_options(tokens, ["title", "place"]) == (
        ["mal", "21.5."],
        {"title": "Uusi otsikko", "place": "Tampere-talo, sali A"},
    )


def test_an_option_given_twice_is_refused_wherever_it_stands() -> None:
    tokens = ["mal", "place:Oulu", "title:Uusi", "PLACE:Kemi"]
    with pytest.raises(ParseError) as error:
        split_trailing_options(tokens, ["title", "place"])
    assert (error.value.kind, error.value.value) == ("repeated_option", "place:")


@pytest.mark.parametrize(
    ("args", "change"),
    [
        (["mal", "21.5.", "10.00"], MeetingChange("mal", date(2027, 5, 21), time(10))),
        (["mal", "10.00", "21.5.2027"], MeetingChange("mal", date(2027, 5, 21), time(10))),
        (["mal", "place:Tampere"], MeetingChange("mal", place="Tampere")),
        (["mal", "place:"], MeetingChange("mal", place="")),
        (["mal", "title:Uusi", "nimi"], MeetingChange("mal", title="Uusi nimi")),
        (["mal"], None),
        ([], None),
        (["mal", "title:"], None),
        (["mal", "21.5.", "22.5."], None),
        (["mal", "10.00", "11.00"], None),
    ],
)
def test_meeting_edits_are_read(args: list[str], change: MeetingChange | None) -> None:
    assert parse_change(args, TODAY) == change


def test_a_wrong_date_in_an_edit_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        day_and_clock(["31.2.2027"], TODAY)


# --- naming and permissions --------------------------------------------------------------------

ITEMS = [("tyopaja-2027-05-20", "Työpaja"), ("tyopaja-2027-06-01", "Työpaja"), ("kokous", "Kokous")]


def test_meetings_are_named_by_key_or_a_prefix_of_key_or_title() -> None:
    unknown, ambiguous = "No '{query}'.", "'{query}' fits {options}."
    assert pick("kok", ITEMS, unknown, ambiguous) == "kokous"
    assert pick("tyopaja-2027-06", ITEMS, unknown, ambiguous) == "tyopaja-2027-06-01"
    with language("en"), pytest.raises(UserError) as several:
        pick("Työ", ITEMS, unknown, ambiguous)
    assert several.value.message == (
        "'Työ' fits `tyopaja-2027-05-20` (Työpaja), `tyopaja-2027-06-01` (Työpaja)."
    )
    with language("en"), pytest.raises(UserError) as none:
        pick("kokos", ITEMS, unknown, ambiguous)
    assert none.value.message == "No 'kokos'. Did you mean `kokous` (Kokous)?"


def test_the_audience_decides_who_manages() -> None:
    chair, boss, nobody = Actor("U0CHAIR"), Actor("U1", coordinator=True), Actor("U2")
    assert manage_audience(chair, [LIIKENNE], network=False).allowed
    assert not manage_audience(chair, [LIIKENNE], network=True).allowed
    assert manage_audience(boss, [], network=True).allowed
    assert not manage_audience(nobody, [LIIKENNE], network=False).allowed
    other = ThemeRoles("digi", "Digi", chair="U0DIGI", lead="turku", lead_name="Turun seutu")
    assert manage_audience(chair, [LIIKENNE, other], network=False).allowed  # any of its themes
    assert manage_audience(Actor("U0DIGI"), [LIIKENNE, other], network=False).allowed
    contact = Actor("U3", contact_of=frozenset({"turku"}))
    assert manage_audience(contact, [LIIKENNE, other], network=False).allowed
    with language("en"):
        refusal = manage_audience(nobody, [LIIKENNE, other], network=False)
    assert refusal.reason == (
        "Only the people who run one of its themes can do that: the chairs <@U0CHAIR>,"
        " <@U0DIGI>, the contacts of the lead organisations (tampere, Turun seutu) and the"
        " coordinators."
    )
    with language("fi"):
        refusal = manage_audience(nobody, [LIIKENNE, ThemeRoles("digi", "Digi")], network=False)
    assert refusal.reason == (
        "Tämän voivat tehdä vain sen teemojen vetäjät: puheenjohtaja <@U0CHAIR>,"
        " vastuuorganisaation yhteyshenkilöt (tampere) ja koordinaattorit."
    )


def test_only_safe_addresses_become_links() -> None:
    assert link("https://x.fi/a?b=1&c=2", "X <b>") == "<https://x.fi/a?b=1&amp;c=2|X &lt;b&gt;>"
    assert link("https://x.fi/a|<!channel>", "X") == "X"
    assert link("javascript:alert(1)", "X") == "X"


# --- deadlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["all", "28.4.", "Ilmoittautuminen", "teemoihin", "ilmoittautuminen"],
            dl.NewDeadline(
                "all", date(2027, 4, 28), None, "Ilmoittautuminen teemoihin", None, True
            ),
        ),
        (
            ["liik", "30.6.2027", "16.00", "Raportti", "remind:14d,2pv", "REGISTRATION"],
            dl.NewDeadline("liik", date(2027, 6, 30), time(16), "Raportti", ("14d", "2d"), True),
        ),
        (
            ["all", "28.4.", "Ilmoittautuminen"],
            dl.NewDeadline("all", date(2027, 4, 28), None, "Ilmoittautuminen", None, False),
        ),
        (
            ["all", "28.4.", "16.00"],
            dl.NewDeadline("all", date(2027, 4, 28), time(16), "", None, False),
        ),
        (["all", "28.4."], None),
    ],
)
def test_new_deadlines_are_read(args: list[str], expected: dl.NewDeadline | None) -> None:
    assert dl.parse_new(args, TODAY) == expected


def test_deadline_edits_are_read() -> None:
    assert dl.parse_change(["ilm", "5.5.", "remind:1d", "title:Uusi", "nimi"], TODAY) == (
        dl.DeadlineChange("ilm", date(2027, 5, 5), None, "Uusi nimi", ("1d",))
    )
    assert dl.parse_change(["ilm"], TODAY) is None
    with pytest.raises(ParseError):
        dl.parse_change(["ilm", "remind:soon"], TODAY)


@pytest.mark.parametrize(
    ("due", "text"),
    [
        (date(2027, 1, 10), "today"),
        (date(2027, 1, 11), "tomorrow"),
        (date(2027, 1, 12), "in 2 days"),
    ],
)
def test_days_left(due: date, text: str) -> None:
    with language("en"):
        assert dl.days_left(due, TODAY) == text


def test_a_deadline_passes_at_its_time_or_when_its_day_ends() -> None:
    assert dl.due_moment(date(2027, 4, 28), None, HELSINKI) == datetime(
        2027, 4, 28, 21, 0, tzinfo=UTC
    )
    assert dl.due_moment(date(2027, 4, 28), time(16), HELSINKI) == datetime(
        2027, 4, 28, 13, 0, tzinfo=UTC
    )
    view = dl.DeadlineView("k", "T", date(2027, 1, 10), time(13, 0))
    assert not dl.still_open(view, NOW, HELSINKI)  # 13.00 in Helsinki is 11.00 UTC
    assert dl.still_open(dl.DeadlineView("k", "T", date(2027, 1, 10)), NOW, HELSINKI)
    with language("en"), pytest.raises(UserError):
        dl.check_due(date(2027, 1, 10), time(13, 0), HELSINKI, NOW)
    dl.check_due(date(2027, 1, 10), None, HELSINKI, NOW)


def test_a_long_deadline_list_stays_within_block_kit_limits() -> None:
    views = [dl.DeadlineView(f"k{n}", "x" * 400, date(2027, 2, 1)) for n in range(100)]
    with language("en"):
        message = dl.deadline_list(views, TODAY, "Upcoming deadlines")
    assert message.blocks is not None and len(message.blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in message.blocks)
    assert len(message.text) <= 3000
    assert "…and 60 more." in json.dumps(message.blocks, ensure_ascii=False)


# --- the details form --------------------------------------------------------------------------


def values(**fields: str) -> dict[str, dict[str, dict[str, object]]]:
    given = {"title": "Työpaja", "date": "2027-05-20", "start": "9.00", **fields}
    found: dict[str, dict[str, dict[str, object]]] = {}
    for name, value in given.items():
        key = "selected_date" if name == "date" else "value"
        found[name] = {"value": {key: value}}
    return found


def test_a_valid_form_is_read_into_details() -> None:
    read = read_details(
        {
            **values(end="15.30", place=" Helsinki ", link="https://x.fi", agenda="9.00 Kahvit"),
            "materials": {"value": {"selected_options": [{"value": "3"}]}},
        },
        VIEW,
        HELSINKI,
        NOW,
        {3, 4},
    )
    assert read == Details(
        "Työpaja",
        START,
        datetime(2027, 5, 20, 12, 30, tzinfo=UTC),
        "Helsinki",
        "https://x.fi",
        (AgendaLine(time(9, 0), "Kahvit"),),
        (3,),
    )


def test_a_wrong_form_names_each_wrong_field() -> None:
    with language("en"):
        read = read_details(
            values(title="", start="9", link="www.x.fi"), VIEW, HELSINKI, NOW, set()
        )
    assert read == {
        "title": "Write a title.",
        "start": "'9' is not a time of day I understand. Write a time like 16:00 or 16.00.",
        "link": "Write the whole address, starting with https://",
    }


def test_a_started_meeting_keeps_its_start_but_cannot_be_moved_into_the_past() -> None:
    later = datetime(2027, 5, 20, 7, 0, tzinfo=UTC)
    assert isinstance(read_details(values(place="Sali"), VIEW, HELSINKI, later, set()), Details)
    with language("en"):
        read = read_details(values(start="8.00"), VIEW, HELSINKI, later, set())
    assert read == {"start": "That time has already passed. Choose a time in the future."}


def test_the_form_offers_at_most_a_hundred_materials_with_short_names() -> None:
    options = [(n, f"Aineisto {n} " + "x" * 100) for n in range(150)]
    with language("en"):
        view = details_form(VIEW, HELSINKI, options, {1, 2})
    [materials] = [b for b in view["blocks"] if b["block_id"] == "materials"]
    element = materials["element"]
    assert len(element["options"]) == 100
    assert all(len(o["text"]["text"]) <= 75 for o in element["options"])
    assert [o["value"] for o in element["initial_options"]] == ["1", "2"]
    assert view["private_metadata"] == "7"


# --- what is posted ----------------------------------------------------------------------------


def test_a_cancelled_announcement_has_no_buttons() -> None:
    with language("en"):
        message = announcement(
            MeetingView(7, "k", "Työpaja", START, cancelled=True, counts=Counts(2)), HELSINKI
        )
    assert message.text == "CANCELLED: Työpaja, Thu 20 May 2027 at 09:00"
    assert message.blocks is not None
    assert [b["type"] for b in message.blocks] == ["section", "context"]


def test_the_change_notice_names_only_what_changed() -> None:
    after = MeetingView(7, "k", "Työpaja", START, place="Tampere")
    with language("en"):
        notice = change_notice(VIEW, after, HELSINKI)
    assert notice.text == (
        "🔄 *Työpaja* has changed:\n• place: not set → Tampere\n"
        "The calendar file below has the new details."
    )


def test_a_long_meeting_list_stays_within_block_kit_limits() -> None:
    agenda = tuple(AgendaLine(time(9, n), "y" * 400, "z" * 100) for n in range(20))
    views = [MeetingView(n, f"k{n}", "x" * 400, START, agenda=agenda) for n in range(60)]
    with language("en"):
        message = meeting_list(views, HELSINKI, "Upcoming meetings")
    assert message.blocks is not None and len(message.blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in message.blocks)
    assert len(message.text) <= 3000
    assert message.blocks[-1]["elements"][0]["text"] == "…and 40 more."
