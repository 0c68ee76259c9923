"""What no single item can tell: duplicates, references between items, parent cycles, and local
times that do not exist in the network's time zone (the clocks skip them in spring)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from datetime import datetime
from typing import TypeVar

from bot.moments import to_utc
from bot.plan.items import Indexed, Items
from bot.plan.models import ANY_BASKET, local_end, ref_parts
from bot.plan.problems import Loc, Problem, unknown
from bot.suggest import did_you_mean

T = TypeVar("T")


def check(items: Items) -> list[Problem]:
    """Every problem between the items of a plan."""
    return [
        *_duplicates(items),
        *_organisation_references(items),
        *_cycles(items),
        *_theme_references(items),
        *_registrations(items),
        *_work_packages(items),
        *_meetings(items),
        *_deadlines(items),
        *_local_times(items),
    ]


# --- duplicates ---------------------------------------------------------------------------


def _duplicates(items: Items) -> Iterator[Problem]:
    yield from _once(items.organisations, "organisations", "key", lambda o: o.key, "organisation")
    yield from _once(items.members, "members", "user", lambda m: m.user, "member")
    yield from _once(items.themes, "themes", "key", lambda t: t.key, "theme")
    yield from _once(items.work_packages, "work_packages", "ref", lambda w: w.ref, "work package")
    yield from _once(items.meetings, "meetings", "key", lambda m: m.key, "meeting")
    yield from _once(items.deadlines, "deadlines", "key", lambda d: d.key, "deadline")
    yield from _once(
        items.materials,
        "materials",
        "url",
        lambda m: (m.theme, m.url),
        "material",
        " in its basket",
    )
    registered = [r for r in items.registrations if r.item.organisation is not None]
    yield from _once(
        registered,
        "registrations",
        "organisation",
        lambda r: (r.theme, r.organisation),
        "registration of",
        " for this theme",
    )
    personal = [r for r in items.registrations if r.item.user is not None]
    yield from _once(
        personal,
        "registrations",
        "user",
        lambda r: (r.theme, r.user),
        "registration of",
        " for this theme",
    )


def _once(
    indexed: list[Indexed[T]],
    section: str,
    field: str,
    ident: Callable[[T], Hashable],
    what: str,
    where: str = "",
) -> Iterator[Problem]:
    """`duplicate organisation 'tampere'`, `duplicate material '…' in its basket`, …"""
    seen: dict[Hashable, int] = {}
    for entry in indexed:
        value = ident(entry.item)
        if entry.partial and (value is None or (isinstance(value, tuple) and None in value)):
            continue  # part of what names it failed: its own problem says so
        if value in seen:
            shown = value[-1] if isinstance(value, tuple) else value
            first: Loc = (section, seen[value], field)
            message = f"duplicate {what} {shown!r}{where}"
            yield Problem((section, entry.index, field), message, None, first)
        else:
            seen[value] = entry.index


# --- organisations and themes -------------------------------------------------------------


def _organisation_references(items: Items) -> Iterator[Problem]:
    known = items.organisation_keys
    for entry in items.organisations:
        if entry.item.parent is not None and entry.item.parent not in known:
            loc: Loc = ("organisations", entry.index, "parent")
            yield Problem(loc, unknown("organisation", entry.item.parent, known))
    for member in items.members:
        if member.item.organisation is not None and member.item.organisation not in known:
            loc = ("members", member.index, "organisation")
            yield Problem(loc, unknown("organisation", member.item.organisation, known))
    for theme in items.themes:
        if theme.item.lead is not None and theme.item.lead not in known:
            loc = ("themes", theme.index, "lead")
            yield Problem(loc, unknown("organisation", theme.item.lead, known))


def _cycles(items: Items) -> Iterator[Problem]:
    parents = {o.item.key: o.item.parent for o in items.organisations if o.item.key is not None}
    reported: set[str] = set()
    for entry in items.organisations:
        if entry.item.key is None:
            continue
        cycle = _cycle_from(entry.item.key, parents)
        if cycle and not reported & set(cycle):
            reported.update(cycle)
            loc: Loc = ("organisations", entry.index, "parent")
            yield Problem(loc, "parent cycle: " + " → ".join([*cycle, cycle[0]]))


def _cycle_from(start: str, parents: dict[str, str | None]) -> list[str]:
    """The organisations of the cycle `start` is in, from `start`; empty if it is in none."""
    path: list[str] = []
    current: str | None = start
    while current is not None and current not in path:
        path.append(current)
        current = parents.get(current)
    return path if current == start else []


def _theme_references(items: Items) -> Iterator[Problem]:
    themes = items.theme_keys
    for material in items.materials:
        basket = material.item.theme
        if basket is not None and basket not in themes:
            yield Problem(("materials", material.index, "theme"), unknown("theme", basket, themes))


def _registrations(items: Items) -> Iterator[Problem]:
    for entry in items.registrations:
        item, loc = entry.item, ("registrations", entry.index)
        if item.theme is not None and item.theme not in items.theme_keys:
            yield Problem((*loc, "theme"), unknown("theme", item.theme, items.theme_keys))
        if item.organisation is not None and item.organisation not in items.organisation_keys:
            message = unknown("organisation", item.organisation, items.organisation_keys)
            yield Problem((*loc, "organisation"), message)


# --- work packages ------------------------------------------------------------------------


def _work_packages(items: Items) -> Iterator[Problem]:
    for entry in items.work_packages:
        item, loc = entry.item, ("work_packages", entry.index)
        parts = ref_parts(item.ref) if item.ref is not None else None
        if parts is not None and parts[0] not in items.theme_keys:
            yield Problem((*loc, "ref"), unknown("theme", parts[0], items.theme_keys))
        if item.owner is not None and item.owner not in items.organisation_keys:
            message = unknown("organisation", item.owner, items.organisation_keys)
            yield Problem((*loc, "owner"), message)


# --- meetings and deadlines ---------------------------------------------------------------


def _meetings(items: Items) -> Iterator[Problem]:
    for entry in items.meetings:
        item, loc = entry.item, ("meetings", entry.index)
        for position, theme in enumerate(item.audience or ()):
            if theme not in items.theme_keys:
                where = (*loc, "audience", position)
                yield Problem(where, unknown("theme", theme, items.theme_keys))
        for position, ref in enumerate(item.materials or ()):
            problem = _material_problem(ref.url, ref.theme, items)
            if problem:
                yield Problem((*loc, "materials", position), problem)


def resolve_material(url: str, basket: str | None, items: Items) -> list[tuple[str | None, str]]:
    """The materials a meeting's reference names (more than one: ambiguous)."""
    found = items.material_urls.get(url, [])
    return found if basket == ANY_BASKET else [key for key in found if key[0] == basket]


def _material_problem(url: str, basket: str | None, items: Items) -> str | None:
    found = resolve_material(url, basket, items)
    if len(found) == 1:
        return None
    if found:
        baskets = ", ".join(sorted(key[0] or "the network's" for key in found))
        return (
            f"the material {url!r} is in several baskets ({baskets}):"
            " write {url: …, theme: …} to name one"
        )
    if basket not in (ANY_BASKET, None) and basket not in items.theme_keys:
        return unknown("theme", basket, items.theme_keys)
    where = "" if basket == ANY_BASKET else f" in the basket of {basket!r}" if basket else ""
    near = did_you_mean(url, items.material_urls)
    return f"unknown material {url!r}{where}" + (f" (did you mean {near!r}?)" if near else "")


def _deadlines(items: Items) -> Iterator[Problem]:
    for entry in items.deadlines:
        theme = entry.item.audience
        if theme is not None and theme not in items.theme_keys:
            loc: Loc = ("deadlines", entry.index, "audience")
            yield Problem(loc, unknown("theme", theme, items.theme_keys))


# --- local times --------------------------------------------------------------------------


def _local_times(items: Items) -> Iterator[Problem]:
    zone = items.zone
    for loc, moment in _moments(items):
        if to_utc(moment, zone) is None:
            yield Problem(
                loc,
                f"{moment.isoformat(timespec='minutes')} does not exist in {zone.key}:"
                " the clocks skip it when summer time begins",
            )


def _moments(items: Items) -> Iterator[tuple[Loc, datetime]]:
    for meeting in items.meetings:
        loc: Loc = ("meetings", meeting.index)
        if meeting.item.start is not None:
            yield (*loc, "start"), meeting.item.start
        end = local_end(meeting.item.start, meeting.item.end)
        if end is not None:
            yield (*loc, "end"), end
    for package in items.work_packages:
        for position, update in enumerate(package.item.updates or ()):
            yield ("work_packages", package.index, "updates", position, "at"), update.at
    for material in items.materials:
        if material.item.added_at is not None:
            yield ("materials", material.index, "added_at"), material.item.added_at
    for registration in items.registrations:
        if registration.item.at is not None:
            yield ("registrations", registration.index, "at"), registration.item.at
