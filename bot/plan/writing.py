"""Write a network as a plan file: the layout of PRODUCT.md §6, the same text every time.

Short items are one-line flow mappings (`- {key: nokia, name: Nokia, kind: municipality}`),
longer ones blocks. Values equal to what an import assumes when a key is left out are left
out. Text is written plain when YAML would read it back as the same text, else in double
quotes (JSON's escapes are YAML's too). A dedicated writer, because a general YAML emitter is
slow on a network of tens of thousands of items and does not choose the layout per item.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.plan.build import default_registrant
from bot.plan.records import (
    DEADLINE_REMIND,
    MEETING_REMIND,
    SECTIONS,
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
from bot.plan.times import clock_text, local_text

FLOW_WIDTH: Final = 120

_PLAIN = re.compile(r"[\w(][\w .()/+'’–-]*[\w.)’]|\w")
_NOT_TEXT = re.compile(
    r"[-+]?(\d[\d_]*)?(\.[\d_]*)?([eE][-+]?\d+)?|0[xob][\da-fA-F_]+|\d{4}-\d\d?-\d\d?.*"
    r"|(?i:true|false|null|yes|no|on|off|y|n|~|[-+]?\.inf|\.nan)"
)
# Escaped inside double quotes: what YAML may not hold raw, and the line breaks it folds.
_ESCAPED = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


class Plain(str):
    """Text known to read back as itself unquoted (dates, local times)."""


def render(plan: PlanRecords) -> str:
    """The plan file of a whole network."""
    zone = ZoneInfo(plan.timezone)
    contacts = {o.key: o.contacts for o in plan.organisations}
    urls = Counter(m.url for m in plan.materials)
    sections: dict[str, list[dict[str, Any]]] = {
        "organisations": [_organisation(o) for o in plan.organisations],
        "members": [_member(m) for m in plan.members],
        "themes": [_theme(t) for t in plan.themes],
        "registrations": [_registration(r, contacts, zone) for r in plan.registrations],
        "work_packages": [_work_package(w, zone) for w in plan.work_packages],
        "materials": [_material(m, zone) for m in plan.materials],
        "meetings": [_meeting(m, zone, urls) for m in plan.meetings],
        "deadlines": [_deadline(d) for d in plan.deadlines],
    }
    lines: list[str] = []
    if plan.network is not None:
        lines.append("network: " + _flow(_network(plan.network)))
    for name in SECTIONS[1:]:
        if sections[name]:
            lines.append(f"{name}:")
            lines += [line for item in sections[name] for line in _item(item, "  ")]
    return "".join(line + "\n" for line in lines)


# --- records as mappings ------------------------------------------------------------------


def _present(**values: Any) -> dict[str, Any]:
    """The mapping without the keys whose value is None (left out of the plan)."""
    return {key: value for key, value in values.items() if value is not None}


def _network(n: NetworkRecord) -> dict[str, Any]:
    return _present(
        name=n.name,
        timezone=n.timezone,
        language=n.language,
        announcement_channel=n.announcement_channel,
    )


def _organisation(o: OrganisationRecord) -> dict[str, Any]:
    return _present(
        key=o.key, name=o.name, kind=o.kind, parent=o.parent, contacts=list(o.contacts) or None
    )


def _member(m: MemberRecord) -> dict[str, Any]:
    return _present(user=m.user, organisation=m.organisation, role=m.role)


def _theme(t: ThemeRecord) -> dict[str, Any]:
    return _present(
        key=t.key,
        name=t.name,
        description=t.description or None,
        channel=t.channel,
        lead=t.lead,
        chair=t.chair,
        registration_deadline=t.registration_deadline,
        language=t.language,
        digest=None if t.digest else False,
        archived=True if t.archived else None,
    )


def _registration(
    r: RegistrationRecord, contacts: dict[str, tuple[str, ...]], zone: ZoneInfo
) -> dict[str, Any]:
    default = default_registrant(r.organisation, r.user, contacts)
    return _present(
        theme=r.theme,
        organisation=r.organisation,
        user=r.user,
        by=None if r.by in (default, "") else r.by,
        at=_moment(r.at, zone),
    )


def _work_package(w: WorkPackageRecord, zone: ZoneInfo) -> dict[str, Any]:
    return _present(
        ref=w.ref,
        theme=w.theme,
        title=w.title,
        description=w.description or None,
        owner=w.owner,
        owner_user=w.owner_user,
        status=w.status,
        progress=w.progress,
        start=w.start,
        due=w.due,
        updates=[_update(u, zone) for u in w.updates] if w.updates else None,
    )


def _update(u: UpdateRecord, zone: ZoneInfo) -> dict[str, Any]:
    return _present(
        at=_moment(u.at, zone),
        user=u.user,
        status=u.status,
        progress=u.progress,
        note=u.note or None,
    )


def _material(m: MaterialRecord, zone: ZoneInfo) -> dict[str, Any]:
    return _present(
        theme=m.basket,
        title=m.title,
        url=m.url,
        kind=None if m.kind == "link" else m.kind,
        tags=list(m.tags) or None,
        added_by=m.added_by or None,
        added_at=_moment(m.added_at, zone),
    )


def _meeting(m: MeetingRecord, zone: ZoneInfo, urls: Counter[str]) -> dict[str, Any]:
    return _present(
        key=m.key,
        audience=list(m.audience) or "all",
        title=m.title,
        start=_moment(m.start, zone),
        end=_moment(m.end, zone),
        place=m.place or None,
        online=m.online,
        agenda=[
            _present(time=_clock(a.time), title=a.title, presenter=a.presenter or None)
            for a in m.agenda
        ]
        or None,
        materials=[
            url if urls[url] == 1 else _present(url=url, theme=basket)
            for basket, url in m.materials
        ]
        or None,
        remind=None if m.remind == MEETING_REMIND else list(m.remind),
        cancelled=True if m.cancelled else None,
    )


def _deadline(d: DeadlineRecord) -> dict[str, Any]:
    due: str = Plain(d.due_date.isoformat())
    if d.due_time is not None:
        due = Plain(f"{d.due_date.isoformat()}T{clock_text(d.due_time)}")
    return _present(
        key=d.key,
        audience=d.theme or "all",
        title=d.title,
        due=due,
        remind=None if d.remind == DEADLINE_REMIND else list(d.remind),
        registration=True if d.registration else None,
    )


def _moment(value: datetime | None, zone: ZoneInfo) -> str | None:
    return None if value is None else Plain(local_text(value, zone))


def _clock(value: time | None) -> str | None:
    return None if value is None else clock_text(value)


# --- YAML text ----------------------------------------------------------------------------


def _item(item: Any, indent: str) -> Iterator[str]:
    """One list item: a flow mapping if it is simple and short, else a block."""
    flow = _flow(item)
    if _simple(item) and len(indent) + 2 + len(flow) <= FLOW_WIDTH:
        yield f"{indent}- {flow}"
        return
    prefix = f"{indent}- "
    for key, value in item.items():
        if _has_mappings(value):
            yield f"{prefix}{key}:"
            for nested in value:
                yield from _item(nested, indent + "    ")
        else:
            yield f"{prefix}{key}: {_flow(value)}"
        prefix = indent + "  "


def _simple(item: Any) -> bool:
    """A scalar, or a mapping with no list of mappings in it."""
    return not isinstance(item, dict) or not any(_has_mappings(v) for v in item.values())


def _has_mappings(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) for item in value)


def _flow(value: Any, nested: bool = False) -> str:
    if isinstance(value, dict):
        items = (f"{key}: {_flow(item, True)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item, True) for item in value) + "]"
    return scalar(value, in_flow=nested)


def scalar(value: Any, in_flow: bool = False) -> str:
    """One value as YAML text that reads back as the same value.

    Inside `{…}` and `[…]` a `:` is quoted even where YAML 1.2 allows it plain (`10:00`):
    libyaml-based readers (YAML 1.1) do not.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Plain) and not (in_flow and ":" in value):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not _NOT_TEXT.fullmatch(text):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)
