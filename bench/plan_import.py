"""Plan import and export on a large network: 100 organisations, 60 themes, 5,000 work packages,
20,000 materials and 500 meetings.

Times the first import into an empty database (reading and checking the YAML, then writing),
importing the same plan again (nothing changes, so nothing may be written) and the export, and
reports the process's peak memory. SQLite always (a temporary file); PostgreSQL too with
`--postgres URL` or TEST_DATABASE_URL (a fresh database is created and dropped).

    python bench/plan_import.py [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

The last line holds the SQLite figures:
`import s: X.X, re-import s: Y.Y, export s: Z.Z, peak MiB: M`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file, too

from app.settings import load_settings
from bench.postgres import scratch_database
from bot.plan import load_plan
from bot.plan.records import (
    AgendaRecord,
    DeadlineRecord,
    MaterialRecord,
    MeetingRecord,
    MemberRecord,
    NetworkRecord,
    OrganisationRecord,
    PlanRecords,
    RegistrationRecord,
    ThemeRecord,
    UpdateRecord,
    WorkPackageRecord,
)
from bot.plan.writing import render
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.plan import export_plan
from usecases.plans import import_and_plan

STATUSES = ("planned", "in_progress", "done", "blocked", "cancelled")
WORDS = ("seuranta", "liikenne", "asuminen", "maankäyttö", "digi", "selvitys", "raportti")


def network(seed: int = 2027) -> PlanRecords:
    """The generated network (the same every run)."""
    rnd = random.Random(seed)
    regions = [f"seutu-{n:02}" for n in range(10)]
    towns = [f"kunta-{n:02}" for n in range(90)]
    users = [f"U0B{n:07}" for n in range(300)]
    themes = [f"teema-{n:02}" for n in range(60)]
    organisations = [
        OrganisationRecord(key, f"Kaupunkiseutu {n}", "region", None, (users[n],))
        for n, key in enumerate(regions)
    ] + [
        OrganisationRecord(key, f"Kunta {n} – Ylöjärvi", "municipality", regions[n % 10])
        for n, key in enumerate(towns)
    ]
    return PlanRecords(
        network=NetworkRecord("Penkkiverkosto", "Europe/Helsinki", "fi", "C0BENCH"),
        organisations=tuple(organisations),
        members=tuple(MemberRecord(u, rnd.choice(regions + towns)) for u in users[:200]),
        themes=tuple(
            ThemeRecord(key, f"Teema {n}", "Kuvaus", f"C0T{n:04}", regions[n % 10], users[n])
            for n, key in enumerate(themes)
        ),
        registrations=tuple(
            RegistrationRecord(theme, region, None, "")
            for theme in themes
            for region in rnd.sample(regions, 5)
        ),
        work_packages=tuple(_packages(rnd, themes, towns, users)),
        materials=tuple(_materials(rnd, themes, users)),
        meetings=tuple(_meetings(rnd, themes)),
        deadlines=tuple(
            DeadlineRecord(f"dl-{n}", f"Määräaika {n}", date(2027, 1, 1) + timedelta(days=n))
            for n in range(100)
        ),
    )


def _packages(
    rnd: random.Random, themes: list[str], towns: list[str], users: list[str]
) -> list[WorkPackageRecord]:
    moment = datetime(2026, 9, 1, 7, tzinfo=UTC)
    return [
        WorkPackageRecord(
            themes[n % 60],
            n // 60 + 1,
            f"Työpaketti {n}: {rnd.choice(WORDS)}",
            owner=rnd.choice(towns),
            owner_user=rnd.choice(users),
            status=rnd.choice(STATUSES),
            progress=rnd.randrange(101),
            due=date(2027, 1, 1) + timedelta(days=n % 365),
            updates=(
                UpdateRecord(moment + timedelta(hours=n), rnd.choice(users), "in_progress", 20),
            ),
        )
        for n in range(5000)
    ]


def _materials(rnd: random.Random, themes: list[str], users: list[str]) -> list[MaterialRecord]:
    added = datetime(2026, 10, 1, 9, tzinfo=UTC)
    return [
        MaterialRecord(
            themes[n % 60] if n % 20 else None,
            f"https://aineistot.example.org/{n}.pdf",
            f"Aineisto {n} – {rnd.choice(WORDS)}",
            "document",
            tuple(rnd.sample(WORDS, 2)),
            rnd.choice(users),
            added + timedelta(minutes=n),
        )
        for n in range(20000)
    ]


def _meetings(rnd: random.Random, themes: list[str]) -> list[MeetingRecord]:
    start = datetime(2027, 1, 11, 7, tzinfo=UTC)
    return [
        MeetingRecord(
            f"kokous-{n}",
            f"Kokous {n}",
            start + timedelta(days=n // 3, hours=n % 3 * 2),
            tuple(sorted(rnd.sample(themes, rnd.randint(1, 3)))) if n % 10 else (),
            start + timedelta(days=n // 3, hours=n % 3 * 2 + 1),
            "Tampere",
            "https://meet.example.org/k",
            tuple(AgendaRecord(f"Kohta {i}") for i in range(5)),
            ((None, "https://aineistot.example.org/0.pdf"),),
        )
        for n in range(500)
    ]


@dataclass
class Figures:
    import_s: float
    parse_s: float  # of the first import: reading and checking the YAML
    reimport_s: float
    reparse_s: float
    export_s: float
    changed: int


async def measure(url: str, plan_text: str) -> Figures:
    """Import twice and export, each in its own transaction, on a migrated database; each
    import plans its notifications, as `python -m bot import` does."""
    engine = create_engine(url)
    db = create_session_factory(engine)
    settings = load_settings(_env_file=None, database_url=url)
    try:
        started = time.perf_counter()
        plan = load_plan(plan_text)
        parse_s = time.perf_counter() - started
        async with db.begin() as session:
            await import_and_plan(session, plan, settings.deployment)
        import_s = time.perf_counter() - started
        del plan  # each import is a command of its own: nothing is left over from the first
        gc.collect()
        started = time.perf_counter()
        plan = load_plan(plan_text)
        reparse_s = time.perf_counter() - started
        async with db.begin() as session:
            again = await import_and_plan(session, plan, settings.deployment)
        reimport_s = time.perf_counter() - started
        started = time.perf_counter()
        async with db() as session:
            exported = await export_plan(session)
        export_s = time.perf_counter() - started
    finally:
        await engine.dispose()
    assert exported.count("\n") > 25_000
    return Figures(import_s, parse_s, reimport_s, reparse_s, export_s, again.changed)


def peak_mib() -> int:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


async def on_sqlite(plan_text: str) -> Figures:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        await upgrade(url)
        return await measure(url, plan_text)


async def on_postgres(server: str, plan_text: str) -> Figures:
    async with scratch_database(server) as url:
        await upgrade(url)
        return await measure(url, plan_text)


def report(label: str, f: Figures) -> None:
    print(
        f"{label}: first import {f.import_s:.1f} s (YAML {f.parse_s:.1f} s,"
        f" database {f.import_s - f.parse_s:.1f} s); again {f.reimport_s:.1f} s"
        f" (YAML {f.reparse_s:.1f} s, database {f.reimport_s - f.reparse_s:.1f} s,"
        f" {f.changed} changes); export {f.export_s:.1f} s"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    arguments = parser.parse_args()
    plan_text = render(network())
    lines = plan_text.count("\n")
    print(f"plan: {len(plan_text) / 1e6:.1f} MB, {lines} lines")
    sqlite = await on_sqlite(plan_text)
    report("SQLite", sqlite)
    peak = peak_mib()
    if arguments.postgres:
        report("PostgreSQL", await on_postgres(arguments.postgres, plan_text))
    print(
        f"import s: {sqlite.import_s:.1f}, re-import s: {sqlite.reimport_s:.1f},"
        f" export s: {sqlite.export_s:.1f}, peak MiB: {peak}"
    )


if __name__ == "__main__":
    asyncio.run(main())
