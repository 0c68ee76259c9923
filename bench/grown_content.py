"""What a grown network holds besides people and themes: work packages, materials, meetings and
deadlines, generated for `bench/grown_network.py` (its docstring says what they look like)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.plan.records import (
    AgendaRecord,
    DeadlineRecord,
    MaterialRecord,
    MeetingRecord,
    PlanRecords,
    UpdateRecord,
    WorkPackageRecord,
)

WORK = (
    "Nykytilan kartoitus",
    "Seurantamallin kehittäminen",
    "Hyvien käytäntöjen koonti",
    "Kustannusvertailu",
    "Tiekartan laatiminen",
    "Indikaattorien määrittely",
    "Pilotin toteutus",
    "Kyselyn toteutus ja analyysi",
    "Työpajasarjan järjestäminen",
    "Vaikutusten arviointi",
    "Ohjeistuksen päivitys",
    "Tiedonkeruun yhtenäistäminen",
)
DOCUMENTS = (
    "seurantaraportti",
    "selvitys",
    "esitys",
    "muistio",
    "työpajan yhteenveto",
    "kyselyn tulokset",
    "tilannekatsaus",
    "toimintasuunnitelma",
    "loppuraportti",
    "tiekartta",
    "hyvät käytännöt",
    "pöytäkirja",
    "kustannusvertailu",
    "ohje",
)
TAGS = (
    "seuranta",
    "raportti",
    "hyvät käytännöt",
    "esitys",
    "tilasto",
    "mal-2027",
    "kysely",
    "työpaja",
    "ilmasto",
    "liikenne",
    "asuminen",
    "maankäyttö",
)
NOTES = (
    "Seutujen kommentit koottu",
    "Luonnos ohjausryhmälle",
    "Aikataulu tarkentunut",
    "Kuntakierros aloitettu",
    "Aineisto kerätty, analyysi käynnissä",
    "Odottaa rahoituspäätöstä",
    "Työpaja pidetty",
    "",
)
STATUS_WEIGHTS = {"planned": 30, "in_progress": 45, "done": 12, "blocked": 8, "cancelled": 5}
HELSINKI = ZoneInfo("Europe/Helsinki")
LOGS_END = date(2026, 12, 1)  # no update in a log is later
NETWORK_BASKET = 7
ASCII = str.maketrans("äöå", "aoa")  # one material in this many is in the network's basket


@dataclass(frozen=True)
class Sizes:
    """How much of each to add."""

    packages: int = 0
    materials: int = 0
    meetings: int = 0
    deadlines: int = 0


def add_content(
    plan: PlanRecords,
    sizes: Sizes,
    popularity: Sequence[float],
    members_of: dict[str, list[str]],
    seed: int,
) -> PlanRecords:
    """`plan` with `sizes` of each added; themes picked by `popularity` (one per theme of the
    plan, in its order), owners among `members_of` each organisation."""
    rnd = random.Random(seed)
    keys = [theme.key for theme in plan.themes]
    registered: dict[str, list[str]] = {}
    for registration in plan.registrations:
        if registration.user:
            registered.setdefault(registration.theme, []).append(registration.user)
    everyone = [member.user for member in plan.members]
    names = {o.key: o.name for o in plan.organisations}
    organisations = list(names)
    leads = {t.key: t.lead or rnd.choice(organisations) for t in plan.themes}
    subjects = {t.key: t.name.partition(": ")[2] or t.name for t in plan.themes}
    numbers = {key: 0 for key in keys}
    for package in plan.work_packages:
        numbers[package.theme] = max(numbers[package.theme], package.number)

    def members(theme: str) -> list[str]:
        return registered.get(theme) or everyone

    packages = []
    for theme in rnd.choices(keys, popularity, k=sizes.packages):
        numbers[theme] += 1
        owner = leads[theme] if rnd.random() < 0.6 else rnd.choice(organisations)
        staff = members_of.get(owner, [])
        owner_user = rnd.choice(staff) if staff and rnd.random() < 0.6 else None
        writer = owner_user or rnd.choice(members(theme))
        made = _package(rnd, theme, numbers[theme], subjects[theme], owner, owner_user, writer)
        packages.append(made)
    materials = []
    for n in range(sizes.materials):
        basket = None if rnd.randrange(NETWORK_BASKET) == 0 else rnd.choices(keys, popularity)[0]
        subject = subjects[basket] if basket else rnd.choice(list(subjects.values()))
        adder = rnd.choice(members(basket) if basket else everyone)
        region = names[rnd.choice(organisations)]
        materials.append(_material(rnd, n, basket, subject, region, adder))
    meetings = [
        _meeting(rnd, n, theme, subjects[theme])
        for n, theme in enumerate(rnd.choices(keys, popularity, k=sizes.meetings), 1)
    ]
    deadlines = [
        DeadlineRecord(
            f"{theme}-maaraaika-{n}",
            f"{subjects[theme]}: kommentit {rnd.choice(DOCUMENTS)}luonnokseen",
            date(2027, 1, 4) + timedelta(days=rnd.randrange(180)),
            theme=theme,
        )
        for n, theme in enumerate(rnd.choices(keys, popularity, k=sizes.deadlines), 1)
    ]
    return replace(
        plan,
        work_packages=plan.work_packages + tuple(packages),
        materials=plan.materials + tuple(materials),
        meetings=plan.meetings + tuple(meetings),
        deadlines=plan.deadlines + tuple(deadlines),
    )


def _package(
    rnd: random.Random,
    theme: str,
    number: int,
    subject: str,
    owner: str,
    owner_user: str | None,
    writer: str,
) -> WorkPackageRecord:
    """A package; its log, if it has one, written by `writer`."""
    status = rnd.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    progress = {"planned": 0, "done": 100}.get(status, rnd.randrange(5, 95, 5))
    start = date(2025, 6, 1) + timedelta(days=rnd.randrange(540))
    due = start + timedelta(days=rnd.randrange(60, 720))
    count = rnd.choices((0, rnd.randint(1, 5), rnd.randint(10, 40)), (58, 40, 2))[0]
    last = datetime.combine(min(LOGS_END, due), time(8), UTC)
    first = datetime.combine(start, time(8), UTC)
    updates = None
    count = min(count, (last - first).days // 7)  # a week apart at least
    if count and status != "planned":
        step = timedelta(days=(last - first).days // count)
        steps = [
            UpdateRecord(
                first + step * i + timedelta(minutes=rnd.randrange(480)),
                writer,
                "in_progress",
                min(progress, 5 * (i + 1)),
                rnd.choice(NOTES),
            )
            for i in range(count - 1)
        ]
        steps.append(UpdateRecord(last, writer, status, progress, rnd.choice(NOTES)))
        updates = tuple(steps)
    description = f"{subject}: {rnd.choice(WORK).lower()} seuduilla." if rnd.random() < 0.3 else ""
    return WorkPackageRecord(
        theme,
        number,
        f"{rnd.choice(WORK)}: {subject.lower()}",
        description,
        owner,
        owner_user,
        status,
        progress,
        start,
        due,
        updates,
    )


def _material(
    rnd: random.Random, n: int, basket: str | None, subject: str, region: str, adder: str
) -> MaterialRecord:
    document, year = rnd.choice(DOCUMENTS), rnd.randint(2014, 2026)
    if rnd.random() < 0.5:
        title = f"{subject}: {document} {year}"
    else:
        title = f"{region} – {document}: {subject.lower()}"
    slug = "-".join(document.split()).translate(ASCII)
    return MaterialRecord(
        basket,
        f"https://aineistot.mal-verkosto.fi/{basket or 'verkosto'}/{n:05}-{slug}.pdf",
        title,
        "document" if rnd.random() < 0.7 else "link",
        tuple(rnd.sample(TAGS, rnd.choice((0, 1, 1, 2, 2, 3)))),
        adder,
        datetime(2023, 1, 2, 6, tzinfo=UTC)  # office hours from 2023 to November 2026
        + timedelta(days=rnd.randrange(1400), minutes=rnd.randrange(9 * 60)),
    )


def _meeting(rnd: random.Random, n: int, theme: str, subject: str) -> MeetingRecord:
    week, day = rnd.randrange(25), rnd.randrange(5)  # Monday to Friday from 11 January
    local = datetime(2027, 1, 11, 9, tzinfo=HELSINKI) + timedelta(
        weeks=week, days=day, hours=rnd.randrange(6)
    )  # wall-clock arithmetic: 9–14 o'clock in Helsinki whatever the season
    start = local.astimezone(UTC)
    return MeetingRecord(
        f"{theme}-kokous-{n}",
        f"{subject}: työryhmän kokous",
        start,
        (theme,),
        start + timedelta(minutes=90),
        "Teams",
        "https://teams.example.org/tyoryhma",
        (
            AgendaRecord("Ajankohtaiset", local.time()),
            AgendaRecord("Työpakettien tilanne", None, "Vastuuseutu"),
            AgendaRecord("Seuraavat askeleet"),
        ),
    )
