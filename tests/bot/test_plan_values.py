"""Every kind of value a plan holds, and what an import says of each wrong one (the messages
of `bot.plan.fields`, `bot.plan.times` and pydantic's own errors in `bot.plan.problems`)."""

# ruff: noqa: E501 (the plan and the messages are as an operator sees them, line for line)

from __future__ import annotations

import pytest

from bot.plan import PlanError, format_problems, load_plan

WRONG = """\
network: {name: "  ", timezone: Mars/Olympus, language: fin, announcement_channel: liikenne}
organisations:
  - {key: Tampere, name: 5, kind: pdf, contacts: [U0AAAA001, maija]}
  - {key: a, name: [Nokia], parent: ""}
  - {key: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, name: X, contacts: U0AAAA001}
  - {key: 5, name: "", parent: 5}
members:
  - {user: "<@U0AAAA001|maija>", role: admin}
  - {user: 5, organisation: tampere}
themes:
  - {key: liikenne, name: Liikenne, channel: "#liikenne", chair: maija, digest: maybe, archived: [x],
     registration_deadline: 28.4., language: fin}
  - {key: asuminen, name: Asuminen, channel: "<#C0ASUMINEN|asuminen>", digest: "on", archived: 1,
     registration_deadline: 2027-04-28T10:00, description: 5}
  - {key: maankaytto, name: Maankäyttö, registration_deadline: 5, lead: ""}
work_packages:
  - {ref: liikenne-1, title: "", status: in-progress, progress: abc, start: 2027-02-30}
  - {ref: liikenne-2, title: T, progress: 40.5, owner_user: 5}
  - {ref: liikenne-3, title: T, progress: true, due: "2027"}
  - {ref: liikenne-4, title: T, progress: "40%", updates: x}
  - {ref: liikenne-5, title: T, updates: [5, {at: 5, user: U0AAAA001, status: done, progress: 200}]}
materials:
  - {title: R, url: "ftp://example.org/r.pdf", kind: pdf, tags: ["#", seuranta, "#x"]}
  - {title: R, url: "https://exa mple.org", tags: seuranta, added_at: "2027-05-20"}
  - {title: R, url: 5, added_by: maija}
meetings:
  - {key: a, audience: [], title: T, start: 2027-05-20 klo 9, end: "25:00", online: "teams/x"}
  - {key: kokous-2, audience: 5, title: T, start: 2027-05-20, remind: [7pv, 1x],
     agenda: [{time: 9.3, title: A}, {time: "9:30:15", title: B}, {time: "24:00", title: C}, 5]}
  - {key: kokous-3, audience: liikenne, title: T, start: "2027-05-20T09:00+02:00", remind: 5,
     materials: [5, "ftp://x"], place: [x], cancelled: maybe}
  - {key: kokous-4, audience: all, title: T, start: 5, end: 2027-05-20T25:00, agenda: x, remind: "7d,,1d"}
deadlines:
  - {key: dl, audience: "", title: T, due: bad, registration: maybe}
  - {key: dl-2, audience: all, title: T, due: 2027-04-28T25:00, remind: []}
  - {key: dl-3, audience: all, title: T, due: 28.4.2027 16.00}
  - {key: dl-4, audience: all, title: T, due: 5}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(text)
    return [
        line.removeprefix("plan.yaml:")
        for line in format_problems("plan.yaml", caught.value.problems).splitlines()
    ]


def test_every_wrong_value_is_named_with_how_to_write_it() -> None:
    assert problems(WRONG) == [
        "1 network.name: must not be empty",
        "1 network.timezone: unknown time zone 'Mars/Olympus'; write e.g. Europe/Helsinki",
        "1 network.language: unknown language 'fin' (did you mean 'fi'?); use one of fi, sv, en",
        "1 network.announcement_channel: 'liikenne' is not a Slack channel id (like C0LIIKENNE)",
        "3 organisations[0].key: 'Tampere' is not a key: use lower-case letters, digits and hyphens (2 to 64), e.g. 'tampere' or 'liikenne-2'",
        "3 organisations[0].name: must be text, not the number 5",
        "3 organisations[0].kind: unknown kind 'pdf'; use one of region, municipality, agency, other",
        "3 organisations[0].contacts[1]: 'maija' is not a Slack user id (like U0AAAA001)",
        "4 organisations[1].key: 'a' is not a key: use lower-case letters, digits and hyphens (2 to 64), e.g. 'tampere' or 'liikenne-2'",
        "4 organisations[1].name: must be text, not a list",
        "4 organisations[1].parent: must not be empty",
        "5 organisations[2].key: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not a key: use lower-case letters, digits and hyphens (2 to 64), e.g. 'tampere' or 'liikenne-2'",
        "5 organisations[2].contacts: must be a list, not the text 'U0AAAA001'",
        "6 organisations[3].key: must be text, not the number 5",
        "6 organisations[3].name: must not be empty",
        "6 organisations[3].parent: must be text, not the number 5",
        "8 members[0].role: unknown role 'admin'; use one of coordinator, member",
        "9 members[1].user: must be text, not the number 5",
        "9 members[1].organisation: unknown organisation 'tampere' (did you mean 'Tampere'?)",
        "11 themes[0].channel: '#liikenne' is not a Slack channel id (like C0LIIKENNE)",
        "11 themes[0].chair: 'maija' is not a Slack user id (like U0AAAA001)",
        "11 themes[0].digest: 'maybe' is not true or false",
        "11 themes[0].archived: ['x'] is not true or false",
        "12 themes[0].registration_deadline: '28.4.' is not a date with a year: write e.g. 2027-04-28 or 28.4.2027",
        "12 themes[0].language: unknown language 'fin' (did you mean 'fi'?); use one of fi, sv, en",
        "13 themes[1].archived: 1 is not true or false",
        "14 themes[1].description: must be text, not the number 5",
        "14 themes[1].registration_deadline: '2027-04-28T10:00' is not a date: write e.g. 2027-04-28 or 28.4.2027",
        "15 themes[2].lead: must not be empty",
        "15 themes[2].registration_deadline: must be text, not the number 5",
        "17 work_packages[0].title: must not be empty",
        "17 work_packages[0].status: unknown status 'in-progress' (did you mean 'in_progress'?); use one of planned, in_progress, done, blocked, cancelled",
        "17 work_packages[0].progress: 'abc' is not a progress figure: write a whole number from 0 to 100",
        "17 work_packages[0].start: there is no '2027-02-30' in the calendar: that month has fewer days",
        "18 work_packages[1].owner_user: must be text, not the number 5",
        "18 work_packages[1].progress: 40.5 is not a progress figure: write a whole number from 0 to 100",
        "19 work_packages[2].progress: True is not a progress figure: write a whole number from 0 to 100",
        "19 work_packages[2].due: '2027' is not a date with a year: write e.g. 2027-04-28 or 28.4.2027",
        "20 work_packages[3].updates: must be a list, not the text 'x'",
        "21 work_packages[4].updates[0]: must be a mapping (key: value), not the number 5",
        "21 work_packages[4].updates[1].at: must be text, not the number 5",
        "21 work_packages[4].updates[1].progress: 200 is outside 0–100",
        "23 materials[0].url: 'ftp://example.org/r.pdf' is not a web address: it must start with http:// or https://",
        "23 materials[0].kind: unknown kind 'pdf'; use one of link, file, document, other",
        "23 materials[0].tags[0]: must not be empty",
        "24 materials[1].url: 'https://exa mple.org' is not a web address: it must start with http:// or https://",
        "24 materials[1].tags: must be a list, not the text 'seuranta'",
        "24 materials[1].added_at: '2027-05-20' is not a date and time: write e.g. 2027-05-20T09:00",
        "25 materials[2].url: must be text, not the number 5",
        "25 materials[2].added_by: 'maija' is not a Slack user id (like U0AAAA001)",
        "27 meetings[0].key: 'a' is not a key: use lower-case letters, digits and hyphens (2 to 100), e.g. 'tampere' or 'liikenne-2'",
        "27 meetings[0].audience: write 'all' or a list of themes, e.g. [liikenne, asuminen]",
        "27 meetings[0].start: '2027-05-20 klo 9' is not a date and time: write e.g. 2027-05-20T09:00",
        "27 meetings[0].end: '25:00' is not a time of day: write e.g. 09:00 or 16.30",
        "27 meetings[0].online: 'teams/x' is not a web address: it must start with http:// or https://",
        "28 meetings[1].audience: write 'all' or a list of themes, e.g. [liikenne, asuminen]",
        "28 meetings[1].start: '2027-05-20' is not a date and time: write e.g. 2027-05-20T09:00",
        "28 meetings[1].remind: '1x' is not a reminder offset: write e.g. 7d, 1d, 0d (days), 2h (hours) or 30m (minutes)",
        "29 meetings[1].agenda[2].time: '24:00' is not a time of day: write e.g. 09:00 or 16.30",
        "29 meetings[1].agenda[3]: must be a mapping (key: value), not the number 5",
        "30 meetings[2].start: '2027-05-20T09:00+02:00' is not a date and time: write e.g. 2027-05-20T09:00",
        "30 meetings[2].remind: must be text, not the number 5",
        "31 meetings[2].place: must be text, not a list",
        "31 meetings[2].materials[0]: must be a mapping (key: value), not the number 5",
        "31 meetings[2].materials[1].url: 'ftp://x' is not a web address: it must start with http:// or https://",
        "31 meetings[2].cancelled: 'maybe' is not true or false",
        "32 meetings[3].start: must be text, not the number 5",
        "32 meetings[3].end: '2027-05-20T25:00' is not a date and time: write e.g. 2027-05-20T09:00",
        "32 meetings[3].agenda: must be a list, not the text 'x'",
        "32 meetings[3].remind: '7d,,1d' is not a reminder offset: write e.g. 7d, 1d, 0d (days), 2h (hours) or 30m (minutes)",
        "34 deadlines[0].audience: must not be empty",
        "34 deadlines[0].due: 'bad' is not a date with a year: write e.g. 2027-04-28 or 28.4.2027",
        "34 deadlines[0].registration: 'maybe' is not true or false",
        "35 deadlines[1].due: '2027-04-28T25:00' is not a date and time: write e.g. 2027-05-20T09:00",
        "35 deadlines[1].remind: '' is not a reminder offset: write e.g. 7d, 1d, 0d (days), 2h (hours) or 30m (minutes)",
        "37 deadlines[3].due: must be text, not the number 5",
    ]


def test_an_end_is_not_compared_with_a_start_that_is_wrong_itself() -> None:
    assert problems("""\
network: {name: X}
meetings:
  - {key: kokous, audience: all, title: T, start: 2027-05-20, end: 10.3}
  - {key: kokous-2, audience: all, title: T, start: 2027-05-20T11:00, end: 10.3}
""") == [
        "3 meetings[0].start: '2027-05-20' is not a date and time: write e.g. 2027-05-20T09:00",
        "4 meetings[1].end: 2027-05-20T10:30 is before the start 2027-05-20T11:00",
    ]


def test_the_rules_between_fields_are_checked_whatever_else_is_wrong() -> None:
    assert problems("""\
network: {name: X}
themes:
  - {key: liikenne, name: Liikenne}
work_packages:
  - {ref: liikenne-1, theme: asuminen, title: "", start: 2027-03-01, due: 2027-02-01}
registrations:
  - {theme: liikenne, by: maija}
""") == [
        "5 work_packages[0].theme: 'asuminen' is not the theme of 'liikenne-1'",
        "5 work_packages[0].title: must not be empty",
        "5 work_packages[0].due: 2027-02-01 is before the start 2027-03-01",
        "7 registrations[0].by: 'maija' is not a Slack user id (like U0AAAA001)",
    ]
