"""import → export → import into an empty database → export gives the same text, for any network."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.plan import load_plan
from storage.models import Base
from storage.plan import export_plan, import_plan

Sessions = async_sessionmaker[AsyncSession]
Draw = Any

KEYS = st.from_regex(r"[a-z][a-z0-9-]{1,6}[a-z0-9]", fullmatch=True)
USERS = st.sampled_from([f"U0USER{n:04}" for n in range(8)])
TEXT = st.text(
    st.sampled_from("abcxyzäöÅé ÉK012:#-'\",[]{}&*!|>%@`?–\\/\t"), min_size=1, max_size=16
).filter(lambda text: text.strip() != "")
TAGS = TEXT.filter(lambda text: text.strip().lstrip("#").strip() != "")
ZONES = st.sampled_from(["Europe/Helsinki", "Europe/Stockholm", "America/New_York", "UTC"])
DAYS = st.dates(date(2026, 1, 1), date(2028, 12, 31))
# Clock times away from the small hours, where the clocks change.
MOMENTS = st.builds(
    lambda day, minutes: datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes),
    DAYS,
    st.integers(6 * 60, 22 * 60),
)
OFFSETS = st.lists(st.sampled_from(["7d", "1d", "0d", "2h", "30m", "3pv", "1t"]), min_size=1)


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def maybe(draw: Draw, strategy: Any) -> Any:
    return draw(st.none() | strategy)


def optional(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


@st.composite
def plans(draw: Draw) -> dict[str, Any]:
    """A network as a plan mapping: every section, references only to what exists."""
    org_keys = draw(st.lists(KEYS, max_size=5, unique=True))
    theme_keys = draw(st.lists(KEYS, max_size=3, unique=True))
    plan: dict[str, Any] = {
        "network": optional(
            name=draw(TEXT),
            timezone=draw(ZONES),
            language=draw(st.sampled_from(["fi", "sv", "en"])),
            announcement_channel=maybe(draw, st.just("C0NETWORK")),
        ),
        "organisations": [_organisation(draw, key, org_keys[:n]) for n, key in enumerate(org_keys)],
        "members": [
            optional(
                user=user,
                organisation=maybe(draw, st.sampled_from(org_keys)) if org_keys else None,
                role=draw(st.sampled_from(["coordinator", "member"])),
            )
            for user in draw(st.lists(USERS, max_size=3, unique=True))
        ],
        "themes": [_theme(draw, key, org_keys) for key in theme_keys],
    }
    if theme_keys:
        plan["registrations"] = _registrations(draw, theme_keys, org_keys)
        plan["work_packages"] = [_package(draw, key, org_keys) for key in theme_keys for _ in "ab"]
        plan["work_packages"] = _numbered(draw, plan["work_packages"])
    plan["materials"] = _materials(draw, theme_keys)
    plan["meetings"] = [_meeting(draw, key, theme_keys, plan["materials"]) for key in "ab"]
    plan["deadlines"] = [_deadline(draw, key, theme_keys) for key in ("dl-1", "dl-2")]
    return plan


def _organisation(draw: Draw, key: str, earlier: list[str]) -> dict[str, Any]:
    return optional(
        key=key,
        name=draw(TEXT),
        kind=draw(st.sampled_from(["region", "municipality", "agency", "other"])),
        parent=maybe(draw, st.sampled_from(earlier)) if earlier else None,
        contacts=draw(st.lists(USERS, max_size=2)),
    )


def _theme(draw: Draw, key: str, org_keys: list[str]) -> dict[str, Any]:
    return optional(
        key=key,
        name=draw(TEXT),
        description=maybe(draw, TEXT),
        channel=maybe(draw, st.just("C0THEME")),
        lead=maybe(draw, st.sampled_from(org_keys)) if org_keys else None,
        chair=maybe(draw, USERS),
        registration_deadline=maybe(draw, DAYS),
        language=maybe(draw, st.sampled_from(["fi", "sv", "en"])),
        digest=maybe(draw, st.booleans()),
        archived=maybe(draw, st.booleans()),
    )


def _registrations(draw: Draw, themes: list[str], orgs: list[str]) -> list[dict[str, Any]]:
    found = []
    for theme in themes:
        for org in draw(st.lists(st.sampled_from(orgs), unique=True)) if orgs else []:
            found.append(
                optional(theme=theme, organisation=org, at=maybe(draw, MOMENTS.map(local)))
            )
        for user in draw(st.lists(USERS, unique=True, max_size=2)):
            found.append(optional(theme=theme, user=user, by=maybe(draw, USERS)))
    return found


def _package(draw: Draw, theme: str, orgs: list[str]) -> dict[str, Any]:
    start = maybe(draw, DAYS)
    due = maybe(draw, DAYS)
    if start and due and due < start:
        start, due = due, start
    return optional(
        ref=theme,
        title=draw(TEXT),
        description=maybe(draw, TEXT),
        owner=maybe(draw, st.sampled_from(orgs)) if orgs else None,
        owner_user=maybe(draw, USERS),
        status=draw(st.sampled_from(["planned", "in_progress", "done", "blocked", "cancelled"])),
        progress=draw(st.integers(0, 100)),
        start=start,
        due=due,
        updates=maybe(
            draw,
            st.lists(
                st.builds(
                    lambda at, user, status, progress, note: optional(
                        at=local(at), user=user, status=status, progress=progress, note=note
                    ),
                    MOMENTS,
                    USERS,
                    st.sampled_from(["planned", "in_progress", "done"]),
                    st.integers(0, 100),
                    st.none() | TEXT,
                ),
                max_size=3,
            ),
        ),
    )


def _numbered(draw: Draw, packages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    numbers = draw(st.lists(st.integers(1, 40), min_size=len(packages), max_size=len(packages)))
    seen: set[str] = set()
    for package, number in zip(packages, numbers, strict=True):
        ref = f"{package['ref']}-{number}"
        while ref in seen:
            number += 41
            ref = f"{package['ref']}-{number}"
        seen.add(ref)
        package["ref"] = ref
    return packages


def _materials(draw: Draw, themes: list[str]) -> list[dict[str, Any]]:
    urls = st.sampled_from([f"https://example.org/{name}" for name in ("a.pdf", "b", "c?x=1")])
    baskets = st.sampled_from([None, *themes])
    found: dict[tuple[str | None, str], dict[str, Any]] = {}
    for basket, url in draw(st.lists(st.tuples(baskets, urls), max_size=4, unique=True)):
        found[(basket, url)] = optional(
            theme=basket,
            title=draw(TEXT),
            url=url,
            kind=maybe(draw, st.sampled_from(["link", "file", "document", "other"])),
            tags=draw(st.lists(TAGS, max_size=2)),
            added_by=maybe(draw, USERS),
            added_at=maybe(draw, MOMENTS.map(local)),
        )
    return list(found.values())


def _meeting(
    draw: Draw, key: str, themes: list[str], materials: list[dict[str, Any]]
) -> dict[str, Any]:
    start = draw(MOMENTS)
    end = maybe(draw, st.integers(0, 8 * 60).map(lambda m: local(start + timedelta(minutes=m))))
    audience = draw(st.lists(st.sampled_from(themes), min_size=1, unique=True)) if themes else []
    linked = draw(st.lists(st.sampled_from(materials), unique_by=id)) if materials else []
    return optional(
        key=f"meeting-{key}",
        audience=audience or "all",
        title=draw(TEXT),
        start=local(start),
        end=end,
        place=maybe(draw, TEXT),
        online=maybe(draw, st.just("https://meet.example.org/x")),
        agenda=[
            optional(
                time=maybe(draw, st.times().map(lambda t: t.strftime("%H:%M"))),
                title=draw(TEXT),
                presenter=maybe(draw, TEXT),
            )
            for _ in range(draw(st.integers(0, 3)))
        ],
        materials=[optional(url=m["url"], theme=m.get("theme")) for m in linked],
        remind=maybe(draw, OFFSETS),
        cancelled=maybe(draw, st.booleans()),
    )


def _deadline(draw: Draw, key: str, themes: list[str]) -> dict[str, Any]:
    due = draw(DAYS.map(date.isoformat) | MOMENTS.map(local))
    return optional(
        key=key,
        audience=draw(st.sampled_from(["all", *themes])),
        title=draw(TEXT),
        due=due,
        remind=maybe(draw, OFFSETS),
        registration=maybe(draw, st.booleans()),
    )


def as_yaml(plan: dict[str, Any]) -> str:
    """The plan as JSON, which is YAML too: written by anything but the exporter under test."""
    return json.dumps(plan, ensure_ascii=False, indent=1, default=str)


async def wipe(db: Sessions) -> None:
    async with db.begin() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(delete(table))


async def import_and_export(db: Sessions, text: str) -> str:
    await wipe(db)
    async with db.begin() as session:
        await import_plan(session, load_plan(text))
    async with db() as session:
        return await export_plan(session)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans())
async def test_a_network_survives_export_and_import(session_factory: Sessions, plan: Any) -> None:
    text = as_yaml(plan)
    first = await import_and_export(session_factory, text)
    second = await import_and_export(session_factory, first)
    assert second == first
    original, exported = load_plan(text), load_plan(first)
    for section in ("network", "organisations", "members", "themes", "meetings", "deadlines"):
        assert getattr(exported, section) == getattr(original, section), section
    async with session_factory.begin() as session:
        assert (await import_plan(session, exported)).changed == 0
