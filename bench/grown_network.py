"""The example network (`examples/mal-verkosto.yaml`) grown to a number of themes and members.

Everything in the example stays as it is (network settings, organisations, members, themes,
registrations, work packages, materials, meetings, deadlines). Added to it:

- themes `teema-001`, `teema-002`, … named `Teema 001: <subject>`, with channels `C0G0001`,
  `C0G0002`, …, each led by an organisation of the example and chaired by a generated member of
  that organisation when it has one, with the example's registration deadline;
- members `U0GM00001`, `U0GM00002`, … each in an organisation of the example (a region's more
  often than an agency's), each registered for 1–5 themes (most for one or two): member i for
  the i-th theme round the list, so that every theme has members, and the rest drawn with
  uneven popularity, so that some themes are large and some small;
- for each added theme, the registration of its lead organisation and of up to two regions.

Asked for (`bench/load.py` asks for 5,000 and 20,000, and for meetings and deadlines), there are
also, from `bench/grown_content.py`:

- work packages spread unevenly over all the themes (numbered on after the example's), owned by
  the theme's lead organisation or another one, often with an owner among its members, in every
  status; due dates from 2025 to 2028, so those past theirs and still open are overdue; two in
  five with a log of 1–5 updates, one in fifty with 10–40;
- materials in the themes' baskets (unevenly) and the network's (one in seven), with Finnish
  titles (`Pyöräliikenne: seurantaraportti 2024`, `Oulun seutu – kyselyn tulokset: …`) and tags,
  added by members from 2023 on;
- meetings of one theme each, and deadlines of one theme each, in the first half of 2027.

The same plan every time (a fixed seed). `ack_latency.py --grow 200,2000` uses it; on its own it
prints the plan:

    python bench/grown_network.py 200,2000 > grown.yaml
    python bench/grown_network.py 200,2000,5000,20000 > grown.yaml
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `bench.grown_content` when run as a file, too

from bench.grown_content import Sizes, add_content  # noqa: E402
from bot.plan import load_plan  # noqa: E402
from bot.plan.records import MemberRecord, PlanRecords, RegistrationRecord, ThemeRecord  # noqa: E402
from bot.plan.writing import render  # noqa: E402

EXAMPLE = ROOT / "examples" / "mal-verkosto.yaml"
SUBJECTS = (
    "Pyöräliikenne",
    "Joukkoliikenteen palvelutaso",
    "Kohtuuhintainen asuminen",
    "Keskustojen elinvoima",
    "Viherrakenne",
    "Ilmastotyö",
    "Elinkeinoalueet",
    "Avoin data",
    "Saavutettavuuden seuranta",
    "Asuntotuotannon ennusteet",
    "Liikenneturvallisuus",
    "Kaavoituksen prosessit",
    "Yhdyskuntatekniikka",
    "Maapolitiikka",
    "Logistiikka",
    "Kävely-ympäristöt",
)
# How many themes a generated member is registered for (1–5), and how often.
THEMES_PER_MEMBER, THEMES_PER_MEMBER_WEIGHTS = (1, 2, 3, 4, 5), (35, 30, 18, 10, 7)
KIND_WEIGHTS = {"region": 6, "municipality": 3, "agency": 1, "other": 1}
NO_CONTENT = Sizes()


def size(text: str) -> tuple[int, int]:
    """`200,2000` → (200, 2000): the themes and members of the grown network."""
    try:
        themes, members = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write THEMES,MEMBERS, e.g. 200,2000") from None
    return themes, members


def grown_example(
    themes: int, members: int, seed: int = 5, content: Sizes = NO_CONTENT
) -> PlanRecords:
    """The example network grown to `themes` themes and `members` members, with `content`
    added."""
    return grow(load_plan(EXAMPLE.read_text(encoding="utf-8")), themes, members, seed, content)


def grow(
    plan: PlanRecords, themes: int, members: int, seed: int = 5, content: Sizes = NO_CONTENT
) -> PlanRecords:
    """`plan` with generated themes, members and registrations added up to the given counts,
    and `content` (packages, materials, meetings, deadlines) added to them."""
    if themes < len(plan.themes) or members < len(plan.members):
        raise ValueError(
            f"the plan already has {len(plan.themes)} themes and {len(plan.members)} members"
        )
    rnd = random.Random(seed)
    organisations = [o.key for o in plan.organisations]
    weights = [KIND_WEIGHTS.get(o.kind, 1) for o in plan.organisations]
    regions = [o.key for o in plan.organisations if o.kind == "region"] or organisations
    width = max(3, len(str(themes)))
    new_members = tuple(
        MemberRecord(f"U0GM{n:05}", rnd.choices(organisations, weights)[0])
        for n in range(1, members - len(plan.members) + 1)
    )
    in_organisation: dict[str, list[str]] = {}
    for member in new_members:
        in_organisation.setdefault(member.organisation or "", []).append(member.user)
    deadline = plan.themes[0].registration_deadline if plan.themes else None
    new_themes: list[ThemeRecord] = []
    for n in range(1, themes - len(plan.themes) + 1):
        subject, lead = SUBJECTS[n % len(SUBJECTS)], rnd.choice(organisations)
        chairs = in_organisation.get(lead)
        new_themes.append(
            ThemeRecord(
                key=f"teema-{n:0{width}}",
                name=f"Teema {n:0{width}}: {subject}",
                description=f"Seutujen yhteistyö: {subject.lower()}",
                channel=f"C0G{n:04}",
                lead=lead,
                chair=rnd.choice(chairs) if chairs else None,
                registration_deadline=deadline,
            )
        )
    keys = [t.key for t in (*plan.themes, *new_themes)]
    popularity = [rnd.paretovariate(1.5) for _ in keys]
    start = datetime(2026, 11, 2, 6, tzinfo=UTC)  # 8.00 in Helsinki

    def moment() -> datetime:  # office hours of the month after the example's first ones
        return start + timedelta(days=rnd.randrange(30), minutes=rnd.randrange(9 * 60))

    registrations: list[RegistrationRecord] = []
    for i, member in enumerate(new_members):
        count = rnd.choices(THEMES_PER_MEMBER, THEMES_PER_MEMBER_WEIGHTS)[0]
        chosen = [keys[i % len(keys)]]
        while len(chosen) < min(count, len(keys)):
            key = rnd.choices(keys, popularity)[0]
            if key not in chosen:
                chosen.append(key)
        registrations += [RegistrationRecord(key, user=member.user, at=moment()) for key in chosen]
    for theme in new_themes:
        others = [key for key in regions if key != theme.lead]
        for organisation in (theme.lead, *rnd.sample(others, min(len(others), rnd.randint(0, 2)))):
            registrations.append(RegistrationRecord(theme.key, organisation, at=moment()))
    grown = replace(
        plan,
        members=plan.members + new_members,
        themes=plan.themes + tuple(new_themes),
        registrations=plan.registrations + tuple(registrations),
    )
    if content == NO_CONTENT:
        return grown
    # A random stream of its own: the people and themes stay as they were without content.
    return add_content(grown, content, popularity, in_organisation, seed + 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "size", help="THEMES,MEMBERS[,PACKAGES,MATERIALS], e.g. 200,2000 or 200,2000,5000,20000"
    )
    args = parser.parse_args()
    themes, members, *more = (int(part) for part in args.size.split(","))
    content = NO_CONTENT
    if more:  # as many meetings, and deadlines, as half the themes
        content = Sizes(more[0], more[1], themes // 2, themes // 2)
    sys.stdout.write(render(grown_example(themes, members, content=content)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
