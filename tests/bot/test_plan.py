"""Reading a plan: the records it describes, and every problem with its path and line."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.plan import PlanError, format_problems, load_plan
from bot.plan.diff import Count, Summary, format_summary
from bot.plan.document import read
from bot.plan.writing import render, scalar

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mal-verkosto.yaml"

# The example of PRODUCT.md §6, line for line.
SECTION_6 = """\
network: {name: MAL-verkosto, timezone: Europe/Helsinki, language: fi, announcement_channel: C0NETWORK}
organisations:
  - {key: tampere, name: Tampereen kaupunkiseutu, kind: region, contacts: [U0AAAA001]}
  - {key: nokia, name: Nokia, kind: municipality, parent: tampere}
members:
  - {user: U0AAAA001, organisation: tampere}
themes:
  - key: liikenne
    name: Liikenne ja saavutettavuus
    description: Seudullinen liikennejärjestelmätyö
    channel: C0LIIKENNE
    lead: tampere
    chair: U0AAAA001
    registration_deadline: 2027-04-28
registrations:
  - {theme: liikenne, organisation: tampere}
  - {theme: liikenne, user: U0AAAA002}
work_packages:
  - {ref: liikenne-1, theme: liikenne, title: Indikaattorit, owner: tampere, status: in_progress, progress: 40, due: 2027-06-30}
materials:
  - {theme: liikenne, title: Seurantaraportti 2014, url: "https://example.org/seuranta.pdf", tags: [seuranta]}
meetings:
  - key: tyopaja-2027
    audience: [liikenne]          # or: all
    title: MAL-aiesopimusten jatkotyöpaja
    start: 2027-05-20T09:00
    end: 2027-05-20T15:30
    place: Helsinki
    agenda:
      - {time: "09:00", title: Kahvit}
      - {time: "09:20", title: Johdatus päivään}
    remind: [7d, 1d, 1h]
deadlines:
  - {key: ilmoittautuminen, audience: all, title: Ilmoittautuminen teemoihin, due: 2027-04-28, registration: true}
"""  # noqa: E501


def problems(text: str) -> list[str]:
    """The problem lines an import prints for this plan text."""
    with pytest.raises(PlanError) as caught:
        load_plan(textwrap.dedent(text))
    return format_problems("plan.yaml", caught.value.problems).splitlines()


def test_the_example_of_section_6_reads_as_the_network_it_shows() -> None:
    plan = load_plan(SECTION_6)
    assert plan.network is not None and plan.network.announcement_channel == "C0NETWORK"
    assert [o.key for o in plan.organisations] == ["tampere", "nokia"]
    assert plan.organisations[1].parent == "tampere"
    assert plan.themes[0].registration_deadline == date(2027, 4, 28)
    package = plan.work_packages[0]
    assert (package.ref, package.status, package.progress) == ("liikenne-1", "in_progress", 40)
    meeting = plan.meetings[0]
    assert meeting.start == datetime(2027, 5, 20, 6, 0, tzinfo=UTC)  # 9.00 in summer time
    assert meeting.end == datetime(2027, 5, 20, 12, 30, tzinfo=UTC)
    assert [(a.time, a.title) for a in meeting.agenda] == [
        (time(9, 0), "Kahvit"),
        (time(9, 20), "Johdatus päivään"),
    ]
    assert plan.deadlines[0].registration is True
    assert plan.deadlines[0].theme is None
    assert plan.registrations[0].by == "U0AAAA001"  # the organisation's contact


def test_the_shipped_example_is_a_valid_plan() -> None:
    plan = load_plan(EXAMPLE.read_text(encoding="utf-8"))
    tampere = [o.key for o in plan.organisations if o.parent == "tampere"]
    assert len(tampere) == 8
    console = [m for m in plan.members if m.user == "U0CONSOLE"]
    assert console and console[0].role == "coordinator" and console[0].organisation == "tampere"
    assert "U0CONSOLE" in next(o for o in plan.organisations if o.key == "tampere").contacts
    assert any(d.registration and d.due_date == date(2027, 4, 28) for d in plan.deadlines)
    workshop = next(m for m in plan.meetings if m.title == "MAL-aiesopimusten jatkotyöpaja")
    assert workshop.agenda[0].title == "Kahvit" and workshop.agenda[-1].title == "Tilaisuus päättyy"
    assert all(m.start.year == 2027 for m in plan.meetings)


def test_local_times_follow_summer_and_winter_time() -> None:
    plan = load_plan("""\
network: {name: X, timezone: Europe/Helsinki}
meetings:
  - {key: talvi, audience: all, title: Talvi, start: 27.1.2027 9.00, end: "10.30"}
  - {key: kesa, audience: all, title: Kesä, start: "2027-07-01 09:00", end: 2027-07-01T17:15}
""")
    winter, summer = plan.meetings
    assert winter.start == datetime(2027, 1, 27, 7, 0, tzinfo=UTC)  # UTC+2 in winter
    assert winter.end == datetime(2027, 1, 27, 8, 30, tzinfo=UTC)
    assert summer.start == datetime(2027, 7, 1, 6, 0, tzinfo=UTC)  # UTC+3 in summer
    assert summer.end == datetime(2027, 7, 1, 14, 15, tzinfo=UTC)


# --- problems, each with its path and line ------------------------------------------------


def test_malformed_yaml_is_one_problem_with_its_line() -> None:
    found = problems("network: {name: X\norganisations: []\n")
    # The wording is the YAML parser's (libyaml's).
    assert len(found) == 1
    assert found[0].startswith("plan.yaml:2: malformed YAML: ")
    assert "expected ',' or '}'" in found[0]


def test_a_key_written_twice_in_a_mapping_is_named() -> None:
    assert problems("network: {name: X}\norganisations:\n  - key: a1\n    key: b1\n") == [
        "plan.yaml:4: duplicate key 'key' (the mapping starts at line 3)"
    ]


def test_a_control_character_in_the_file_is_a_problem_with_its_line() -> None:
    assert problems('network: {name: X}\nthemes:\n  - {key: a1, name: "A\x01"}\n') == [
        "plan.yaml:3: malformed YAML: control characters are not allowed"
    ]


def test_values_are_read_as_yaml_1_2_reads_them() -> None:
    plan = load_plan("""\
network: {name: X}
organisations:
  - {key: no, name: yes, kind: other}
  - {key: on, name: Off}
themes:
  - {key: liikenne, name: Liikenne}
materials:
  - {theme: liikenne, title: off, url: https://example.org/r.pdf}
meetings:
  - {key: kokous, audience: all, title: K, start: 2027-05-20T09:00, end: 10:15,
     agenda: [{time: 9:30, title: Kahvit}]}
""")
    assert [(o.key, o.name) for o in plan.organisations] == [("no", "yes"), ("on", "Off")]
    assert (plan.materials[0].title, plan.materials[0].url) == ("off", "https://example.org/r.pdf")
    assert plan.meetings[0].end == datetime(2027, 5, 20, 7, 15, tzinfo=UTC)
    assert plan.meetings[0].agenda[0].time == time(9, 30)


def test_an_empty_file_is_not_a_plan() -> None:
    assert problems("") == [
        "plan.yaml:1: a plan is a mapping of sections: network, organisations, members, themes,"
        " registrations, work_packages, materials, meetings, deadlines"
    ]


def test_unknown_sections_and_keys_get_a_did_you_mean() -> None:
    assert problems("""\
        network: {name: X}
        organisation: []
        themes:
          - {key: liikenne, nmae: Liikenne}
    """) == [
        "plan.yaml:2 organisation: unknown section 'organisation' (did you mean 'organisations'?)",
        "plan.yaml:4 themes[0].name: required, but missing",
        "plan.yaml:4 themes[0].nmae: unknown key 'nmae' (did you mean 'name'?)",
    ]


def test_missing_fields_and_wrong_types() -> None:
    assert problems("""\
        organisations:
          - key: tampere
            name: 5
            contacts: U0AAAA001
          - {key: nokia, name: [Nokia]}
        themes: {key: liikenne}
    """) == [
        "plan.yaml:1 network: required, but missing",
        "plan.yaml:3 organisations[0].name: must be text, not the number 5",
        "plan.yaml:4 organisations[0].contacts: must be a list, not the text 'U0AAAA001'",
        "plan.yaml:5 organisations[1].name: must be text, not a list",
        "plan.yaml:6 themes: must be a list of items, not a mapping",
    ]


def test_unknown_references_name_the_nearest_key() -> None:
    edited = SECTION_6.replace("lead: tampere", "lead: tampre").replace(
        "audience: all", "audience: liikene"
    )
    assert problems(edited) == [
        "plan.yaml:12 themes[0].lead: unknown organisation 'tampre' (did you mean 'tampere'?)",
        "plan.yaml:34 deadlines[0].audience: unknown theme 'liikene' (did you mean 'liikenne'?)",
    ]


def test_every_kind_of_reference_is_checked() -> None:
    assert problems("""\
        network: {name: X}
        organisations:
          - {key: tampere, name: Tampere, parent: pirkanmaa}
        members:
          - {user: maija, organisation: tampre}
        themes:
          - {key: liikenne, name: Liikenne, lead: tampere, chair: U0AAAA001}
        registrations:
          - {theme: liikene, organisation: tampere}
          - {theme: liikenne}
        work_packages:
          - {ref: liikene-1, title: Mittarit, owner: helsinki}
          - {ref: liikenne, title: Mittarit}
          - {ref: liikenne-2, theme: asuminen, title: Mittarit}
        materials:
          - {theme: liikene, title: Raportti, url: "https://example.org/r.pdf"}
        meetings:
          - {key: kokous, audience: [liikenne, asuminen], title: K, start: 2027-05-20T09:00,
             materials: ["https://example.org/x.pdf"]}
    """) == [
        "plan.yaml:3 organisations[0].parent: unknown organisation 'pirkanmaa'",
        "plan.yaml:5 members[0].user: 'maija' is not a Slack user id (like U0AAAA001)",
        "plan.yaml:5 members[0].organisation: unknown organisation 'tampre'"
        " (did you mean 'tampere'?)",
        "plan.yaml:9 registrations[0].theme: unknown theme 'liikene' (did you mean 'liikenne'?)",
        "plan.yaml:10 registrations[1]: give the organisation, the user or both",
        "plan.yaml:12 work_packages[0].ref: unknown theme 'liikene' (did you mean 'liikenne'?)",
        "plan.yaml:12 work_packages[0].owner: unknown organisation 'helsinki'",
        "plan.yaml:13 work_packages[1].ref: 'liikenne' is not a work package reference:"
        " write <theme>-<number>, e.g. liikenne-3",
        "plan.yaml:14 work_packages[2].theme: 'asuminen' is not the theme of 'liikenne-2'",
        "plan.yaml:16 materials[0].theme: unknown theme 'liikene' (did you mean 'liikenne'?)",
        "plan.yaml:18 meetings[0].audience[1]: unknown theme 'asuminen'",
        "plan.yaml:19 meetings[0].materials[0]: unknown material 'https://example.org/x.pdf'"
        " (did you mean 'https://example.org/r.pdf'?)",
    ]


def test_duplicates_point_at_the_first_one() -> None:
    assert problems("""\
        network: {name: X}
        organisations:
          - {key: tampere, name: Tampere}
          - {key: nokia, name: Nokia}
          - {key: tampere, name: Tampere again}
        members:
          - {user: U0AAAA001}
          - {user: U0AAAA001, role: coordinator}
        themes:
          - {key: liikenne, name: Liikenne}
        registrations:
          - {theme: liikenne, organisation: tampere}
          - {theme: liikenne, organisation: tampere, user: U0AAAA001}
        materials:
          - {title: A, url: "https://example.org/a"}
          - {title: B, url: "https://example.org/a"}
          - {theme: liikenne, title: C, url: "https://example.org/a"}
    """) == [
        "plan.yaml:5 organisations[2].key: duplicate organisation 'tampere' (first at line 3)",
        "plan.yaml:8 members[1].user: duplicate member 'U0AAAA001' (first at line 7)",
        "plan.yaml:13 registrations[1].organisation: duplicate registration of 'tampere'"
        " for this theme (first at line 12)",
        "plan.yaml:16 materials[1].url: duplicate material 'https://example.org/a' in its basket"
        " (first at line 15)",
    ]


def test_a_parent_cycle_is_named_once() -> None:
    assert problems("""\
        network: {name: X}
        organisations:
          - {key: aa, name: A, parent: bb}
          - {key: bb, name: B, parent: cc}
          - {key: cc, name: C, parent: aa}
          - {key: dd, name: D, parent: dd}
    """) == [
        "plan.yaml:3 organisations[0].parent: parent cycle: aa → bb → cc → aa",
        "plan.yaml:6 organisations[3].parent: parent cycle: dd → dd",
    ]


def test_dates_times_and_offsets_use_the_slash_commands_parsers() -> None:
    assert problems("""\
        network: {name: X, timezone: Europe/Helsinki}
        themes:
          - {key: liikenne, name: Liikenne, registration_deadline: 28.4.}
          - {key: asuminen, name: Asuminen, registration_deadline: 2027-02-30}
        meetings:
          - key: kokous
            audience: all
            title: Kokous
            start: 2027-05-20 klo 9
            agenda:
              - {time: "24:00", title: Kahvit}
            remind: [7pv, 1x]
        deadlines:
          - {key: dl, audience: all, title: DL, due: 20.5.2027 16.00, remind: "7d,,1d"}
    """) == [
        "plan.yaml:3 themes[0].registration_deadline: '28.4.' is not a date with a year:"
        " write e.g. 2027-04-28 or 28.4.2027",
        "plan.yaml:4 themes[1].registration_deadline: there is no '2027-02-30' in the calendar:"
        " that month has fewer days",
        "plan.yaml:9 meetings[0].start: '2027-05-20 klo 9' is not a date and time:"
        " write e.g. 2027-05-20T09:00",
        "plan.yaml:11 meetings[0].agenda[0].time: '24:00' is not a time of day:"
        " write e.g. 09:00 or 16.30",
        "plan.yaml:12 meetings[0].remind: '1x' is not a reminder offset:"
        " write e.g. 7d, 1d, 0d (days), 2h (hours) or 30m (minutes)",
        "plan.yaml:14 deadlines[0].remind: '7d,,1d' is not a reminder offset:"
        " write e.g. 7d, 1d, 0d (days), 2h (hours) or 30m (minutes)",
    ]


def test_control_characters_are_dropped_and_only_long_texts_keep_their_lines() -> None:
    plan = load_plan(
        'network: {name: "MAL\\0-verkosto"}\n'
        "themes:\n"
        '  - {key: liikenne, name: "Liikenne\\tja\\e[1m saavutettavuus\\r\\n",'
        ' description: "Rivi 1\\r\\nRivi\\0 2"}\n'
        "work_packages:\n"
        '  - {ref: liikenne-1, title: "Nolla\\0tavu\\nkaksi",'
        " updates: [{at: 2027-01-01T09:00, user: U0AAAA001, status: planned, progress: 0,"
        ' note: "a\\x07\\nb"}]}\n'
    )
    assert plan.network is not None and plan.network.name == "MAL-verkosto"
    assert plan.themes[0].name == "Liikenne ja[1m saavutettavuus"
    assert plan.themes[0].description == "Rivi 1\nRivi 2"
    assert plan.work_packages[0].title == "Nollatavu kaksi"
    updates = plan.work_packages[0].updates
    assert updates is not None and updates[0].note == "a\nb"


def test_a_plan_keeps_any_real_date_however_far() -> None:
    plan = load_plan(
        textwrap.dedent("""\
        network: {name: X}
        themes:
          - {key: liikenne, name: Liikenne, registration_deadline: 1.1.1900}
        work_packages:
          - {ref: liikenne-1, title: Vanha, start: 1900-01-01, due: 9999-12-31}
        deadlines:
          - {key: dl, audience: all, title: DL, due: 29.2.2028}
    """)
    )
    assert plan.themes[0].registration_deadline == date(1900, 1, 1)
    assert plan.work_packages[0].due == date(9999, 12, 31)
    assert plan.deadlines[0].due_date == date(2028, 2, 29)


def test_statuses_progress_urls_and_an_end_before_the_start() -> None:
    assert problems("""\
        network: {name: X, timezone: Europe/Helsnki}
        themes:
          - {key: liikenne, name: Liikenne}
        work_packages:
          - ref: liikenne-1
            title: Mittarit
            status: in-progress
            progress: 140
            start: 2027-03-01
            due: 2027-02-01
            updates:
              - {at: 2027-01-10T10:00, user: U0AAAA001, status: done, progress: "-5%"}
        materials:
          - {title: Raportti, url: "ftp://example.org/r.pdf", kind: pdf}
        meetings:
          - {key: kokous, audience: all, title: K, start: 2027-05-20T09:00, end: 2027-05-20T08:00,
             online: "teams.example.org/k"}
    """) == [
        "plan.yaml:1 network.timezone: unknown time zone 'Europe/Helsnki';"
        " write e.g. Europe/Helsinki",
        "plan.yaml:7 work_packages[0].status: unknown status 'in-progress'"
        " (did you mean 'in_progress'?); use one of planned, in_progress, done, blocked, cancelled",
        "plan.yaml:8 work_packages[0].progress: 140 is outside 0–100",
        "plan.yaml:10 work_packages[0].due: 2027-02-01 is before the start 2027-03-01",
        "plan.yaml:12 work_packages[0].updates[0].progress: -5 is outside 0–100",
        "plan.yaml:14 materials[0].url: 'ftp://example.org/r.pdf' is not a web address:"
        " it must start with http:// or https://",
        "plan.yaml:14 materials[0].kind: unknown kind 'pdf';"
        " use one of link, file, document, other",
        "plan.yaml:16 meetings[0].end: 2027-05-20T08:00 is before the start 2027-05-20T09:00",
        "plan.yaml:17 meetings[0].online: 'teams.example.org/k' is not a web address:"
        " it must start with http:// or https://",
    ]


def test_a_time_the_clocks_skip_does_not_exist() -> None:
    assert problems("""\
        network: {name: X}
        meetings:
          - {key: kevat, audience: all, title: K, start: 2027-03-28T03:30}
    """) == [
        "plan.yaml:3 meetings[0].start: 2027-03-28T03:30 does not exist in Europe/Helsinki:"
        " the clocks skip it when summer time begins"
    ]


def test_a_url_in_several_baskets_must_name_its_basket() -> None:
    assert problems("""\
        network: {name: X}
        themes:
          - {key: liikenne, name: Liikenne}
        materials:
          - {title: R, url: "https://example.org/r.pdf"}
          - {theme: liikenne, title: R, url: "https://example.org/r.pdf"}
        meetings:
          - {key: kokous, audience: all, title: K, start: 2027-05-20T09:00,
             materials: ["https://example.org/r.pdf", {url: "https://example.org/r.pdf"}]}
    """) == [
        "plan.yaml:9 meetings[0].materials[0]: the material 'https://example.org/r.pdf'"
        " is in several baskets (liikenne, the network's): write {url: …, theme: …} to name one"
    ]


# --- writing plans ------------------------------------------------------------------------


def test_a_rendered_plan_reads_back_as_the_same_network() -> None:
    plan = load_plan(EXAMPLE.read_text(encoding="utf-8"))
    text = render(plan)
    again = load_plan(text)
    assert render(again) == text
    assert again.meetings == plan.meetings
    assert again.work_packages == plan.work_packages


@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=30))
def test_any_text_reads_back_as_itself(text: str) -> None:
    block = read(f"a: {scalar(text)}\n").values
    flow = read(f"- {{a: {scalar(text)}, b: [{scalar(text)}, x]}}\n").values
    assert block == {"a": text}
    assert flow == [{"a": text, "b": [text, "x"]}]


def test_the_summary_is_a_table_with_what_a_prune_deletes() -> None:
    counts = {
        "organisations": Count(2, 1, 30, 1, ("vanha",)),
        "materials": Count(0, 0, 7, 2, ("liikenne/https://a", "https://b")),
    }
    text = format_summary(Summary(counts, dry_run=True, prune=True), "plan.yaml")
    assert text.splitlines()[:4] == [
        "plan.yaml: dry run, nothing was written",
        "section          created  updated  unchanged       pruned",
        "network                0        0          0            0",
        "organisations          2        1         30            1",
    ]
    assert text.splitlines()[-2:] == [
        "would prune organisations: vanha",
        "would prune materials: liikenne/https://a, https://b",
    ]
    kept = format_summary(Summary(counts), "plan.yaml")
    assert kept.splitlines()[-1] == (
        "3 items not in the plan were left as they are (--prune deletes them)"
    )
