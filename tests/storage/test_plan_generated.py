"""Broken plans, generated (hypothesis): an import answers with its problems, one a line with
where they are, or imports; never an exception, and a refused plan writes nothing.

The broken plans are a small valid plan with lines deleted, repeated, re-indented, cut short,
or given odd values, and a few hostile documents (alias bombs, Python tags, deep nesting).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings
from storage.db import create_session_factory
from tests.seed import snapshot
from usecases.plans import import_file

PLAN = """\
network: {name: Verkosto, timezone: Europe/Helsinki, language: fi, announcement_channel: C0NET}
organisations:
  - {key: tampere, name: Tampereen seutu, kind: region, contacts: [U0TRE00001]}
  - {key: nokia, name: Nokia, kind: municipality, parent: tampere}
  - {key: turku, name: Turun seutu, kind: region}
members:
  - {user: U0PM000001, organisation: tampere, role: coordinator}
  - {user: U0TRE00001, organisation: tampere}
themes:
  - key: liikenne
    name: Liikenne
    description: "Liikennejärjestelmätyö: seuranta"
    channel: C0LIIKENNE
    lead: tampere
    chair: U0TRE00001
    registration_deadline: 2027-04-28
  - {key: digi, name: Digitalisaatio, channel: C0DIGI, lead: turku}
registrations:
  - {theme: liikenne, organisation: tampere, at: "2026-11-02T10:15"}
  - {theme: digi, user: U0TRE00001, at: "2026-11-02T10:20"}
work_packages:
  - ref: liikenne-1
    title: Indikaattorit
    owner: tampere
    status: in_progress
    progress: 40
    start: 2026-09-01
    due: 2027-06-30
    updates:
      - {at: "2026-10-05T09:00", user: U0TRE00001, status: in_progress, progress: 20, note: Luonnos}
  - {ref: digi-1, title: Avoin data, owner: nokia, status: planned, due: 2027-08-31}
materials:
  - theme: liikenne
    title: Raportti
    url: "https://example.org/r.pdf"
    kind: document
    tags: [seuranta]
meetings:
  - key: tyopaja
    audience: [liikenne, digi]
    title: Työpaja
    start: 2027-05-20T09:00
    end: 2027-05-20T15:30
    place: Tampere
    agenda:
      - {time: "09:00", title: Kahvit}
      - {time: "09:30", title: Alustukset, presenter: Seudut}
    materials: ["https://example.org/r.pdf"]
    remind: [7d, 1d]
deadlines:
  - {key: ilmo, audience: all, title: Ilmoittautuminen, due: 2027-04-28, remind: [7d, 0d]}
  - {key: katsaus, audience: digi, title: Katsaus, due: "2027-05-06T16:00"}
"""
LINES = PLAN.splitlines()
ODD_VALUES = (
    "",
    "~",
    "null",
    "[]",
    "{}",
    "-1",
    "101",
    "1e400",
    "0x1F",
    "yes",
    "2027-02-30",
    "2027-13-01T25:61",
    "99d",
    "-7d",
    "'",
    '"',
    '"\\x00"',
    "&a [*a]",
    "*nowhere",
    "!!python/object/apply:os.system [echo hi]",
    "!!binary AAAA",
    "<!channel>",
    "\u202eevil",
    "🙂" * 50,
    "x" * 5000,
    "[unclosed",
    "{a: 1, a: 2}",
    "|\n  block",
    "- list",
    "tampre",
    "U0",
)
HOSTILE = (
    "",
    "\ufeff",
    "---\n---\n",
    "[1, 2, 3]",
    "just a string",
    "network: [",
    "\x00\x01\x02",
    "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d]\n"
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f]\n",
    "themes: " + "[" * 5000 + "]" * 5000,
    "themes: " + "{a: " * 2000 + "1" + "}" * 2000,
    "organisations:\n" + "  - {key: k, name: n}\n" * 2000,
    "network: !!python/object/apply:os.system [echo hi]\n",
    PLAN.replace("  ", "\t"),
    PLAN + PLAN,
)


async def test_the_small_plan_itself_imports(
    engine: AsyncEngine, settings: Settings, tmp_path: Path
) -> None:
    """The plan the generated ones are broken from is a good one: refusing all would not do."""
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    before = await snapshot(engine)
    report = await import_file(create_session_factory(engine), settings.deployment, path)
    assert report.ok, report.text
    assert await snapshot(engine) != before


@pytest.mark.parametrize("text", HOSTILE[2:])
async def test_a_hostile_document_is_refused(
    engine: AsyncEngine, settings: Settings, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    report = await import_file(create_session_factory(engine), settings.deployment, path)
    assert not report.ok, text[:80]


@st.composite
def broken_plans(draw: st.DrawFn) -> str:
    """The small plan with a few lines changed."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1)) if lines else 0
        change = draw(st.sampled_from(("delete", "repeat", "indent", "value", "insert", "cut")))
        if not lines:
            lines.append(draw(st.text(max_size=40)))
        elif change == "delete":
            del lines[at]
        elif change == "repeat":
            lines.insert(at, lines[at])
        elif change == "indent":
            lines[at] = draw(st.sampled_from((" ", "\t", "   ", ""))) + lines[at].lstrip()
        elif change == "value":
            key, _, _ = lines[at].partition(": ")
            odd = draw(st.sampled_from(ODD_VALUES) | st.text(max_size=20))
            lines[at] = f"{key}: {odd}"
        elif change == "insert":
            lines.insert(at, draw(st.text(max_size=40)))
        else:
            lines = lines[:at]
    return "\n".join(lines) + "\n"


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.sampled_from(HOSTILE) | broken_plans())
@example(text=PLAN)
async def test_a_broken_plan_is_refused_with_its_problems_and_writes_nothing(
    engine: AsyncEngine, settings: Settings, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = await snapshot(engine)

    report = await import_file(create_session_factory(engine), settings.deployment, path)

    if report.ok:
        assert "plan.yaml" in report.text
        return
    assert await snapshot(engine) == before, f"the refused plan wrote:\n{text}"
    problems = report.text.splitlines()
    assert problems, text
    for problem in problems:
        assert problem.startswith("plan.yaml:"), report.text
        assert len(problem) < 1_000, problem
