"""A key a plan's item leaves out keeps the stored value, `null` clears it (or is refused where
the field may not be empty), and `--prune` removes only the items the plan does not mention:
every section, every field, the same in a dry run (PRODUCT.md §5-6)."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.settings import Settings, load_settings
from bot.plan import PlanError, format_problems, load_plan
from bot.plan.records import PlanRecords
from storage.db import create_engine, create_session_factory
from storage.plan import export_plan
from storage.plan.stored import load
from usecases.plans import import_file

Sessions = async_sessionmaker[AsyncSession]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mal-verkosto.yaml"

FULL = """
network: {name: N, timezone: Europe/Stockholm, language: sv, announcement_channel: C0NET}
organisations:
  - {key: tampere, name: Tampere, kind: region, contacts: [U0AAAA001]}
  - {key: nokia, name: Nokia, kind: municipality, parent: tampere, contacts: [U0AAAA002]}
members:
  - {user: U0AAAA001, organisation: tampere, role: coordinator}
themes:
  - {key: liikenne, name: Liikenne, description: Kuvaus, channel: C0LIIKENNE, lead: tampere,
     chair: U0AAAA001, registration_deadline: 2027-04-28, language: en, digest: false}
  - {key: vanha, name: Vanha, archived: true}
registrations:
  - {theme: liikenne, organisation: tampere, by: U0AAAA002, at: "2026-11-05T14:00"}
work_packages:
  - ref: liikenne-1
    title: Mittarit
    description: Kuvaus
    owner: tampere
    owner_user: U0AAAA001
    status: in_progress
    progress: 40
    start: 2027-01-01
    due: 2027-06-30
    updates: [{at: "2026-11-02T10:15", user: U0AAAA001, status: in_progress, progress: 40}]
materials:
  - {theme: liikenne, title: Raportti, url: "https://example.org/r.pdf", kind: document,
     tags: [seuranta], added_by: U0AAAA001, added_at: "2026-11-03T09:00"}
meetings:
  - key: tapaaminen
    audience: [liikenne]
    title: Tapaaminen
    start: 2027-05-20T09:00
    end: 2027-05-20T15:30
    place: Helsinki
    online: "https://meet.example.org/x"
    agenda: [{time: "09:00", title: Kahvit, presenter: Maija}]
    materials: ["https://example.org/r.pdf"]
    remind: [1d]
    cancelled: true
deadlines:
  - {key: raportti, audience: liikenne, title: Raportti, due: 2027-04-28T16:00, remind: [2d],
     registration: true}
"""

ONLY_KEYS = """
network: {name: N}
organisations:
  - {key: tampere, name: Tampere}
  - {key: nokia, name: Nokia}
members:
  - {user: U0AAAA001}
themes:
  - {key: liikenne, name: Liikenne}
  - {key: vanha, name: Vanha}
registrations:
  - {theme: liikenne, organisation: tampere}
work_packages:
  - {ref: liikenne-1, title: Mittarit}
materials:
  - {theme: liikenne, title: Raportti, url: "https://example.org/r.pdf"}
meetings:
  - {key: tapaaminen, audience: [liikenne], title: Tapaaminen, start: 2027-05-20T09:00}
deadlines:
  - {key: raportti, audience: liikenne, title: Raportti, due: 2027-04-28T16:00}
"""

NULLS = """
network: {name: N, announcement_channel: null}
organisations:
  - {key: tampere, name: Tampere, contacts: null}
  - {key: nokia, name: Nokia, parent: null, contacts: null}
members:
  - {user: U0AAAA001, organisation: null}
themes:
  - {key: liikenne, name: Liikenne, description: null, channel: null, lead: null, chair: null,
     registration_deadline: null, language: null}
  - {key: vanha, name: Vanha}
registrations:
  - {theme: liikenne, organisation: tampere, by: null}
work_packages:
  - {ref: liikenne-1, title: Mittarit, description: null, owner: null, owner_user: null,
     start: null, due: null, updates: null}
materials:
  - {theme: liikenne, title: Raportti, url: "https://example.org/r.pdf", tags: null,
     added_by: null}
meetings:
  - {key: tapaaminen, audience: [liikenne], title: Tapaaminen, start: 2027-05-20T09:00,
     end: null, place: null, online: null, agenda: null, materials: null}
deadlines:
  - {key: raportti, audience: liikenne, title: Raportti, due: 2027-04-28T16:00}
"""


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(_env_file=None, database_url=database_url)


async def imported(settings: Settings, tmp_path: Path, text: str, **options: Any) -> str:
    """Import a plan file as the command line does; its report."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(textwrap.dedent(text), encoding="utf-8")
    engine = create_engine(settings.database_url)
    try:
        report = await import_file(
            create_session_factory(engine), settings.deployment, plan, **options
        )
    finally:
        await engine.dispose()
    assert report.ok, report.text
    return report.text


async def exported(db: Sessions) -> str:
    async with db() as session:
        return await export_plan(session)


async def stored(db: Sessions) -> PlanRecords:
    async with db() as session:
        return (await load(session)).plan()


async def test_a_plan_of_names_only_keeps_every_stored_field(
    settings: Settings, session_factory: Sessions, tmp_path: Path
) -> None:
    await imported(settings, tmp_path, FULL)
    before = await exported(session_factory)
    preview = await imported(settings, tmp_path, ONLY_KEYS, dry_run=True)
    report = await imported(settings, tmp_path, ONLY_KEYS)
    assert await exported(session_factory) == before
    for text in (preview, report):
        assert changed(text) == {}


def changed(report: str) -> dict[str, tuple[int, int]]:
    """The sections a report says were created or updated in: `{section: (created, updated)}`."""
    rows = [line.split() for line in report.splitlines()[2:11]]
    return {row[0]: (int(row[1]), int(row[2])) for row in rows if row[1:3] != ["0", "0"]}


async def test_null_clears_what_may_be_empty_and_keeps_the_rest(
    settings: Settings, session_factory: Sessions, tmp_path: Path
) -> None:
    await imported(settings, tmp_path, FULL)
    preview = await imported(settings, tmp_path, NULLS, dry_run=True)
    report = await imported(settings, tmp_path, NULLS)
    assert preview.splitlines()[1:] == report.splitlines()[1:]
    assert changed(report) == {
        "network": (0, 1),
        "organisations": (0, 2),
        "members": (0, 1),
        "themes": (0, 1),
        "registrations": (0, 1),
        "work_packages": (0, 1),
        "materials": (0, 1),
        "meetings": (0, 1),
    }
    plan = await stored(session_factory)
    assert plan.network is not None
    assert (plan.network.timezone, plan.network.language) == ("Europe/Stockholm", "sv")
    assert plan.network.announcement_channel is None
    tampere, nokia = plan.organisations
    assert (tampere.contacts, nokia.contacts, nokia.parent, nokia.kind) == (
        (),
        (),
        None,
        "municipality",
    )
    (member,) = plan.members
    assert (member.organisation, member.role) == (None, "coordinator")
    liikenne, vanha = plan.themes
    assert (liikenne.description, liikenne.channel, liikenne.lead, liikenne.chair) == (
        "",
        None,
        None,
        None,
    )
    assert (liikenne.registration_deadline, liikenne.language, liikenne.digest) == (
        None,
        None,
        False,
    )
    assert vanha.archived
    (registration,) = plan.registrations
    assert registration.by == ""  # null: the organisation's first contact, and it has none
    assert registration.at == datetime(2026, 11, 5, 13, 0, tzinfo=UTC)  # 14.00 in Stockholm
    (package,) = plan.work_packages
    assert (package.description, package.owner, package.owner_user) == ("", None, None)
    assert (package.start, package.due, package.updates) == (None, None, ())
    assert (package.status, package.progress) == ("in_progress", 40)
    (material,) = plan.materials
    assert (material.tags, material.added_by, material.kind) == ((), "", "document")
    (meeting,) = plan.meetings
    assert (meeting.end, meeting.place, meeting.online, meeting.agenda, meeting.materials) == (
        None,
        "",
        None,
        (),
        (),
    )
    assert (meeting.remind, meeting.cancelled) == (("1d",), True)
    (deadline,) = plan.deadlines
    assert (deadline.remind, deadline.registration) == (("2d",), True)


def test_null_where_a_field_may_not_be_empty_is_refused_by_path_and_line() -> None:
    text = textwrap.dedent("""\
        network: {name: N, timezone: null, language: null}
        organisations:
          - {key: tampere, name: Tampere, kind: null}
        members:
          - {user: U0AAAA001, role: null}
        themes:
          - {key: liikenne, name: null, digest: null, archived: null}
        registrations:
          - {theme: liikenne, organisation: tampere, at: null}
        work_packages:
          - {ref: liikenne-1, title: Mittarit, status: null, progress: null}
        materials:
          - {theme: liikenne, title: R, url: "https://example.org/r.pdf", kind: null,
             added_at: null}
        meetings:
          - {key: tapaaminen, audience: all, title: T, start: 2027-05-20T09:00, remind: null,
             cancelled: null}
        deadlines:
          - {key: raportti, audience: all, title: R, due: 2027-04-28, remind: null,
             registration: null}
        """)
    with pytest.raises(PlanError) as error:
        load_plan(text)
    kept = "cannot be null: leave the key out to keep what is stored, or give a value"
    assert format_problems("plan.yaml", error.value.problems).splitlines() == [
        f"plan.yaml:1 network.timezone: {kept}",
        f"plan.yaml:1 network.language: {kept}",
        f"plan.yaml:3 organisations[0].kind: {kept}",
        f"plan.yaml:5 members[0].role: {kept}",
        "plan.yaml:7 themes[0].name: is null, but must have a value",
        f"plan.yaml:7 themes[0].digest: {kept}",
        f"plan.yaml:7 themes[0].archived: {kept}",
        f"plan.yaml:9 registrations[0].at: {kept}",
        f"plan.yaml:11 work_packages[0].status: {kept}",
        f"plan.yaml:11 work_packages[0].progress: {kept}",
        f"plan.yaml:13 materials[0].kind: {kept}",
        f"plan.yaml:14 materials[0].added_at: {kept}",
        f"plan.yaml:16 meetings[0].remind: {kept}",
        f"plan.yaml:17 meetings[0].cancelled: {kept}",
        f"plan.yaml:19 deadlines[0].remind: {kept}",
        f"plan.yaml:20 deadlines[0].registration: {kept}",
    ]


async def test_the_network_named_alone_keeps_its_channel_zone_and_language(
    settings: Settings, session_factory: Sessions, tmp_path: Path
) -> None:
    await imported(settings, tmp_path, EXAMPLE.read_text(encoding="utf-8"))
    await imported(settings, tmp_path, "network: {name: Testi}\n")
    plan = await stored(session_factory)
    assert plan.network is not None
    assert (plan.network.name, plan.network.announcement_channel) == ("Testi", "C0MALVERKOSTO")
    assert (plan.network.timezone, plan.network.language) == ("Europe/Helsinki", "fi")
    assert len(plan.themes) == 5  # not pruned


async def test_a_new_network_takes_what_its_plan_leaves_out_from_the_settings(
    database_url: str, session_factory: Sessions, tmp_path: Path
) -> None:
    settings = load_settings(
        _env_file=None,
        database_url=database_url,
        timezone="Europe/Stockholm",
        language="sv",
        announcement_channel="C0SETTING",
    )
    text = """
        network: {name: Testi}
        meetings:
          - {key: mm, audience: all, title: M, start: 2027-05-20T09:00}
        """
    await imported(settings, tmp_path, text)
    plan = await stored(session_factory)
    assert plan.network is not None
    assert (plan.network.timezone, plan.network.language) == ("Europe/Stockholm", "sv")
    assert plan.network.announcement_channel == "C0SETTING"
    assert plan.meetings[0].start == datetime(2027, 5, 20, 7, 0, tzinfo=UTC)  # Stockholm time


async def test_a_meeting_moved_without_its_end_keeps_its_length(
    settings: Settings, session_factory: Sessions, tmp_path: Path
) -> None:
    await imported(settings, tmp_path, FULL)
    moved = ONLY_KEYS.replace("start: 2027-05-20T09:00", "start: 2027-05-21T17:00")
    await imported(settings, tmp_path, moved)
    (meeting,) = (await stored(session_factory)).meetings
    assert meeting.start == datetime(2027, 5, 21, 15, 0, tzinfo=UTC)
    assert meeting.end == datetime(2027, 5, 21, 21, 30, tzinfo=UTC)  # 6.5 hours, as before
    assert meeting.place == "Helsinki"


async def test_prune_removes_only_what_the_plan_does_not_mention(
    settings: Settings, session_factory: Sessions, tmp_path: Path
) -> None:
    await imported(settings, tmp_path, FULL)
    without_vanha = ONLY_KEYS.replace("  - {key: vanha, name: Vanha}\n", "")
    await imported(settings, tmp_path, without_vanha, prune=True)
    plan = await stored(session_factory)
    assert [theme.key for theme in plan.themes] == ["liikenne"]
    (liikenne,) = plan.themes
    assert (liikenne.channel, liikenne.registration_deadline) == (
        "C0LIIKENNE",
        date(2027, 4, 28),
    )
    assert plan.organisations[1].parent == "tampere"
