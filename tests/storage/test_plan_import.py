"""Importing a plan into the database: all or nothing, idempotent, in place, pruning on request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.cli import main
from bot.deployment import Deployment
from bot.plan import load_plan
from bot.plan.diff import Summary
from storage.models import (
    AgendaItem,
    Base,
    Deadline,
    Material,
    Meeting,
    MeetingMaterial,
    MeetingTheme,
    Member,
    Network,
    Notification,
    Organisation,
    OrganisationContact,
    Registration,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)
from storage.plan import export_plan, import_plan
from tests.seed import snapshot
from usecases.plans import import_file, load_example

Sessions = async_sessionmaker[AsyncSession]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mal-verkosto.yaml"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
EXAMPLE_COUNTS = {
    Network: 1,
    Organisation: 32,
    OrganisationContact: 9,
    Member: 11,
    Theme: 5,
    Registration: 11,
    WorkPackage: 10,
    WorkPackageUpdate: 3,
    Material: 7,
    Meeting: 3,
    MeetingTheme: 5,
    AgendaItem: 13,
    MeetingMaterial: 2,
    Deadline: 3,
}


async def run(db: Sessions, text: str, **options: Any) -> Summary:
    async with db.begin() as session:
        return await import_plan(session, load_plan(text), **options)


async def export(db: Sessions) -> str:
    async with db() as session:
        return await export_plan(session)


async def counts(db: Sessions) -> dict[type[Base], int]:
    async with db() as session:
        return {
            model: await session.scalar(select(func.count()).select_from(model)) or 0
            for model in EXAMPLE_COUNTS
        }


def created(summary: Summary) -> dict[str, int]:
    return {section: count.created for section, count in summary.counts.items()}


async def test_the_example_is_imported_whole(session_factory: Sessions) -> None:
    summary = await run(session_factory, EXAMPLE_TEXT)
    assert created(summary) == {
        "network": 1,
        "organisations": 32,
        "members": 11,
        "themes": 5,
        "registrations": 11,
        "work_packages": 10,
        "materials": 7,
        "meetings": 3,
        "deadlines": 3,
    }
    assert await counts(session_factory) == EXAMPLE_COUNTS
    async with session_factory() as session:
        workshop = await session.scalar(select(Meeting).where(Meeting.key == "jatkotyopaja-2027"))
        digi = await session.scalar(select(Theme).where(Theme.key == "digi"))
        nokia = await session.scalar(select(Organisation).where(Organisation.key == "nokia"))
        log = list(
            await session.scalars(
                select(WorkPackageUpdate).order_by(
                    WorkPackageUpdate.work_package_id, WorkPackageUpdate.at
                )
            )
        )
    assert workshop is not None and digi is not None and nokia is not None
    assert workshop.starts_at == datetime(2027, 5, 20, 6, 0, tzinfo=UTC)
    assert [item.time for item in workshop.agenda_items][:2] == [time(9, 0), time(9, 20)]
    assert digi.next_wp_number == 4
    assert nokia.parent_id is not None
    assert [(u.old_status, u.new_status, u.old_progress, u.progress) for u in log[:2]] == [
        (None, "in_progress", None, 20),
        ("in_progress", "in_progress", 20, 40),
    ]


async def test_a_dry_run_counts_and_writes_nothing(session_factory: Sessions) -> None:
    summary = await run(session_factory, EXAMPLE_TEXT, dry_run=True)
    assert summary.dry_run and created(summary)["organisations"] == 32
    assert await export(session_factory) == ""
    assert set((await counts(session_factory)).values()) == {0}


async def test_importing_the_same_plan_again_changes_nothing(
    session_factory: Sessions, engine: AsyncEngine
) -> None:
    await run(session_factory, EXAMPLE_TEXT)
    before = await snapshot(engine)
    again = await run(session_factory, EXAMPLE_TEXT)
    assert again.changed == 0
    assert all(c.created == c.updated == c.absent == 0 for c in again.counts.values())
    assert again.counts["materials"].unchanged == 7
    assert await snapshot(engine) == before  # no row touched: updated_at as it was


async def test_an_export_imported_again_changes_nothing(session_factory: Sessions) -> None:
    await run(session_factory, EXAMPLE_TEXT)
    exported = await export(session_factory)
    assert (await run(session_factory, exported)).changed == 0


def _edited(text: str) -> str:
    """The example with a theme renamed, a package blocked, a meeting moved, a contact gone
    and an organisation more."""
    aalto = "  - {key: aalto, name: Aalto-yliopisto, kind: other}"
    package = "title: Joukkoliikenteen palvelutason kustannusvertailu, owner: turku, status: "
    replacements = {
        "name: Liikenne ja saavutettavuus": "name: Liikenne",
        package + "planned": package + "blocked",
        "start: 2027-06-10T12:00": "start: 2027-06-10T13:00",
        "contacts: [U0CONSOLE, U0TRE00001]": "contacts: [U0CONSOLE]",
        aalto: aalto + "\n  - {key: sitra, name: Sitra, kind: other}",
    }
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


async def test_an_edited_plan_updates_in_place(
    session_factory: Sessions, engine: AsyncEngine
) -> None:
    await run(session_factory, EXAMPLE_TEXT)
    before = await snapshot(engine)
    summary = await run(session_factory, _edited(EXAMPLE_TEXT))
    figures = {
        s: (c.created, c.updated) for s, c in summary.counts.items() if c.created or c.updated
    }
    assert figures == {
        "organisations": (1, 1),
        "themes": (0, 1),
        "work_packages": (0, 1),
        "meetings": (0, 1),
    }
    after = await snapshot(engine)
    assert len(after["theme"]) == len(before["theme"])  # updated, not duplicated
    changed_themes = [row for row in after["theme"] if row not in before["theme"]]
    assert [row[1] for row in changed_themes] == ["liikenne"]
    assert after["organisation_contact"] == [
        row for row in before["organisation_contact"] if row[1] != "U0TRE00001" or row[0] != 3
    ]
    async with session_factory() as session:
        meeting = await session.scalar(
            select(Meeting).where(Meeting.key == "verkostotapaaminen-2027-06")
        )
    assert meeting is not None and meeting.sequence == 1  # calendars see the new time
    assert meeting.starts_at == datetime(2027, 6, 10, 10, 0, tzinfo=UTC)


def _without(text: str, *keys: str) -> str:
    return "".join(
        line for line in text.splitlines(keepends=True) if not any(k in line for k in keys)
    )


async def test_items_the_plan_leaves_out_stay_unless_pruned(session_factory: Sessions) -> None:
    await run(session_factory, EXAMPLE_TEXT)
    shorter = _without(EXAMPLE_TEXT, "key: tilannekatsaukset-2027-06", "key: aalto,")
    kept = await run(session_factory, shorter)
    assert (kept.counts["deadlines"].absent, kept.counts["organisations"].absent) == (1, 1)
    assert (await counts(session_factory))[Deadline] == 3

    preview = await run(session_factory, shorter, prune=True, dry_run=True)
    assert preview.counts["deadlines"].absent_idents == ("tilannekatsaukset-2027-06",)
    assert preview.counts["organisations"].absent_idents == ("aalto",)
    assert (await counts(session_factory))[Deadline] == 3

    pruned = await run(session_factory, shorter, prune=True)
    assert pruned.changed == 2
    after = await counts(session_factory)
    assert (after[Deadline], after[Organisation]) == (2, 31)
    assert (await run(session_factory, shorter, prune=True)).changed == 0


async def test_a_plan_without_history_keeps_the_stored_history(session_factory: Sessions) -> None:
    await run(session_factory, EXAMPLE_TEXT)
    plain = "\n".join(
        line
        for line in EXAMPLE_TEXT.splitlines()
        if '{at: "2026-' not in line and line.strip() != "updates:"
    ).replace(', at: "2026-11', ", x: ")
    plain = _strip_option(plain, ", x: ")
    summary = await run(session_factory, plain)
    assert summary.changed == 0
    assert (await counts(session_factory))[WorkPackageUpdate] == 3


def _strip_option(text: str, marker: str) -> str:
    """Cut `marker` and what follows it up to the closing brace on each line."""
    lines = []
    for line in text.splitlines():
        if marker in line:
            head, _sep, tail = line.partition(marker)
            line = head + tail[tail.index("}") :]
        lines.append(line)
    return "\n".join(lines) + "\n"


async def test_a_registration_in_the_way_is_replaced(session_factory: Sessions) -> None:
    await run(session_factory, EXAMPLE_TEXT)
    both = EXAMPLE_TEXT.replace(
        '{theme: liikenne, organisation: turku, at: "2026-11-05T14:00"}',
        '{theme: liikenne, organisation: turku, user: U0TKU00001, at: "2026-11-05T14:00"}',
    )
    summary = await run(session_factory, both)
    assert (summary.counts["registrations"].created, summary.counts["registrations"].updated) == (
        1,
        1,
    )
    assert (await counts(session_factory))[Registration] == 11


async def test_a_rejected_plan_leaves_the_database_as_it_was(
    session_factory: Sessions, database_url: str, tmp_path: Path
) -> None:
    await run(session_factory, EXAMPLE_TEXT)
    before = await export(session_factory)
    bad = tmp_path / "plan.yaml"
    bad.write_text(
        _edited(EXAMPLE_TEXT).replace("lead: helsinki", "lead: helsnki"), encoding="utf-8"
    )
    report = await import_file(session_factory, Deployment(), bad)
    assert not report.ok
    assert report.text == (
        "plan.yaml:72 themes[1].lead: unknown organisation 'helsnki' (did you mean 'helsinki'?)"
    )
    assert await export(session_factory) == before


async def test_the_example_is_loaded_into_an_empty_database_once(
    session_factory: Sessions,
) -> None:
    line = await load_example(session_factory, Deployment(), EXAMPLE)
    assert line == "Loaded the example network from mal-verkosto.yaml (83 items)."
    assert await load_example(session_factory, Deployment(), EXAMPLE) is None
    missing = EXAMPLE.with_name("missing.yaml")
    assert await load_example(session_factory, Deployment(), missing) is None


async def test_an_import_plans_the_reminders_of_what_it_wrote_at_once(
    session_factory: Sessions, database_url: str, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(EXAMPLE_TEXT, encoding="utf-8")
    assert (await import_file(session_factory, Deployment(), plan, dry_run=True)).ok
    assert await pending_reminders(session_factory) == set()
    assert (await import_file(session_factory, Deployment(), plan)).ok
    # The example's registration deadline, 2027-04-28, reminded 7d, 1d and 0d before.
    assert {
        "deadline:ilmoittautuminen-teemoihin:7d",
        "deadline:ilmoittautuminen-teemoihin:1d",
        "deadline:ilmoittautuminen-teemoihin:0d",
    } <= await pending_reminders(session_factory)


async def pending_reminders(session_factory: Sessions) -> set[str]:
    async with session_factory() as session:
        rows = await session.execute(
            select(Notification.identity, Deadline.key)
            .join(Deadline, Deadline.id == Notification.subject_id)
            .where(Notification.subject_type == "deadline", Notification.state == "pending")
        )
    return {identity.split(":")[0] + f":{key}:" + identity.split(":")[2] for identity, key in rows}


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    yield database_url


def test_the_command_line_imports_and_exports(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("network: {name: X}\nthemes:\n  - {key: x}\n", encoding="utf-8")
    assert main(["import", str(bad)]) == 1
    assert capsys.readouterr().err == (
        "bad.yaml:3 themes[0].key: 'x' is not a key: use lower-case letters, digits and hyphens"
        " (2 to 64), e.g. 'tampere' or 'liikenne-2'\n"
        "bad.yaml:3 themes[0].name: required, but missing\n"
    )
    assert main(["import", str(EXAMPLE), "--dry-run"]) == 0
    assert "mal-verkosto.yaml: dry run, nothing was written" in capsys.readouterr().out
    assert main(["import", str(EXAMPLE)]) == 0
    assert "organisations         32        0          0" in capsys.readouterr().out
    out = tmp_path / "export.yaml"
    assert main(["export", str(out)]) == 0
    assert main(["export"]) == 0
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8").startswith("network: {name: MAL-verkosto")
