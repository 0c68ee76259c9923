"""What importing a plan changes, section by section, and the summary an operator reads."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from bot.plan.records import (
    SECTIONS,
    MaterialRecord,
    MeetingRecord,
    PlanRecords,
    RegistrationRecord,
    WorkPackageRecord,
)


class Record(Protocol):
    @property
    def ident(self) -> Hashable: ...


R = TypeVar("R", bound=Record)
Aliases = Callable[[Any], Iterable[Hashable]]


@dataclass
class Changes(Generic[R]):
    """One section: what to create, what to update (stored ident and new record), what is left.

    `absent` are the stored items the plan does not mention (deleted only with --prune);
    `replaced` are stored items in the way of a planned one (deleted in any case).
    """

    created: list[R] = field(default_factory=list)
    updated: list[tuple[Hashable, R]] = field(default_factory=list)
    unchanged: int = 0
    absent: list[Hashable] = field(default_factory=list)
    replaced: list[Hashable] = field(default_factory=list)


def diff(
    planned: Sequence[R],
    stored: Mapping[Hashable, R],
    settle: Callable[[R, R], R] | None = None,
    aliases: Aliases | None = None,
) -> Changes[R]:
    """Compare a section of the plan with what is stored.

    `settle(new, old)` fills in what the plan leaves to the database (history it does not give);
    `aliases` names the unique keys besides the ident that a stored item may clash on.
    """
    changes: Changes[R] = Changes()
    wanted = {record.ident for record in planned}
    for record in planned:
        old = stored.get(record.ident)
        if old is None:
            changes.created.append(record)
        elif (settled := settle(record, old) if settle else record) != old:
            changes.updated.append((record.ident, settled))
        else:
            changes.unchanged += 1
    changes.absent = [ident for ident in stored if ident not in wanted]
    if aliases is not None:
        _clashes(changes, stored, aliases)
    return changes


def _clashes(changes: Changes[R], stored: Mapping[Hashable, R], aliases: Aliases) -> None:
    """Stored items that are not planned but hold a unique key a planned one needs go."""
    needed = {alias for record in changes.created for alias in aliases(record)}
    needed |= {alias for _ident, record in changes.updated for alias in aliases(record)}
    in_the_way = {i for i in changes.absent if needed & set(aliases(stored[i]))}
    changes.replaced = [ident for ident in changes.absent if ident in in_the_way]
    changes.absent = [ident for ident in changes.absent if ident not in in_the_way]


# --- what the plan leaves out -------------------------------------------------------------


def settle_plan(plan: PlanRecords, stored: Mapping[str, Mapping[Hashable, Any]]) -> PlanRecords:
    """The plan with each field its items leave out taken from the stored item (a new item
    keeps the defaults): `stored` maps each section to its `{ident: record}`."""
    settled: dict[str, Any] = {}
    for section, left_out in plan.left_out.items():
        kept = stored.get(section, {})
        if section == "network":
            if plan.network is not None:
                settled[section] = _kept(plan.network, kept.get("network"), left_out)
            continue
        records = getattr(plan, section)
        settled[section] = tuple(_kept(r, kept.get(r.ident), left_out) for r in records)
    return replace(plan, **settled) if settled else plan


def _kept(record: Any, old: Any, left_out: Mapping[Hashable, frozenset[str]]) -> Any:
    names = left_out.get(record.ident)
    if old is None or not names:
        return record
    settled = replace(record, **{name: getattr(old, name) for name in names})
    if isinstance(settled, MeetingRecord) and "end" in names:
        settled = replace(settled, end=moved_end(old, settled.start))
    return settled


def moved_end(old: MeetingRecord, start: datetime) -> datetime | None:
    """A stored meeting's end when a plan moves its start and says nothing of the end: the
    meeting keeps its length, as in a calendar."""
    return None if old.end is None else old.end + (start - old.start)


# --- history the plan may leave out -------------------------------------------------------


def settle_registration(new: RegistrationRecord, old: RegistrationRecord) -> RegistrationRecord:
    """A registration keeps its time when the plan gives none."""
    return new if new.at is not None else replace(new, at=old.at)


def settle_work_package(new: WorkPackageRecord, old: WorkPackageRecord) -> WorkPackageRecord:
    """A work package keeps its update log when the plan gives none."""
    return new if new.updates is not None else replace(new, updates=old.updates)


def settle_material(new: MaterialRecord, old: MaterialRecord) -> MaterialRecord:
    """A material keeps when it was added when the plan does not say."""
    return new if new.added_at is not None else replace(new, added_at=old.added_at)


def registration_aliases(record: RegistrationRecord) -> list[Hashable]:
    """The unique keys of a registration: the theme with its organisation, with its user."""
    keys: list[Hashable] = []
    if record.organisation is not None:
        keys.append(("organisation", record.theme, record.organisation))
    if record.user is not None:
        keys.append(("user", record.theme, record.user))
    return keys


# --- the summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """One section's figures."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    absent: int = 0
    absent_idents: tuple[str, ...] = ()


def count(changes: Changes[Any]) -> Count:
    """The figures of one section's changes (replaced items count as updates)."""
    return Count(
        len(changes.created),
        len(changes.updated) + len(changes.replaced),
        changes.unchanged,
        len(changes.absent),
        tuple(show_ident(ident) for ident in changes.absent),
    )


def show_ident(ident: Hashable) -> str:
    """An item's key as the summary lists it."""
    if not isinstance(ident, tuple):
        return str(ident)
    return "/".join(str(part) for part in ident if part is not None) or "network basket"


@dataclass(frozen=True)
class Summary:
    """What an import did (or, in a dry run, would do)."""

    counts: dict[str, Count]
    dry_run: bool = False
    prune: bool = False

    @property
    def changed(self) -> int:
        """How many items were (or would be) created, updated or deleted."""
        pruned = sum(c.absent for c in self.counts.values()) if self.prune else 0
        return sum(c.created + c.updated for c in self.counts.values()) + pruned


LISTED = 10


def format_summary(summary: Summary, filename: str) -> str:
    """The table an import prints: created, updated, unchanged and pruned (or kept) per section."""
    last = "pruned" if summary.prune else "not in plan"
    head = (
        f"{filename}: dry run, nothing was written" if summary.dry_run else f"{filename}: imported"
    )
    lines = [head, f"{'section':<15}{'created':>9}{'updated':>9}{'unchanged':>11}{last:>13}"]
    for section in SECTIONS:
        c = summary.counts.get(section, Count())
        lines.append(f"{section:<15}{c.created:>9}{c.updated:>9}{c.unchanged:>11}{c.absent:>13}")
    lines += _absent_lines(summary)
    return "\n".join(lines)


def _absent_lines(summary: Summary) -> list[str]:
    verb = "would prune" if summary.dry_run else "pruned"
    if not summary.prune:
        kept = sum(c.absent for c in summary.counts.values())
        return (
            [f"{kept} items not in the plan were left as they are (--prune deletes them)"]
            if kept
            else []
        )
    lines = []
    for section in SECTIONS:
        idents = summary.counts.get(section, Count()).absent_idents
        if idents:
            more = f" and {len(idents) - LISTED} more" if len(idents) > LISTED else ""
            lines.append(f"{verb} {section}: {', '.join(idents[:LISTED])}{more}")
    return lines


# --- a whole plan -------------------------------------------------------------------------


def compare(
    plan: PlanRecords, stored: Mapping[str, Mapping[Hashable, Any]]
) -> dict[str, Changes[Any]]:
    """Every section's changes: `stored` maps each section to its `{ident: record}`."""
    network = [plan.network] if plan.network is not None else []
    settle: dict[str, Callable[[Any, Any], Any]] = {
        "registrations": settle_registration,
        "work_packages": settle_work_package,
        "materials": settle_material,
    }
    changes: dict[str, Changes[Any]] = {}
    for section in SECTIONS:
        planned: Sequence[Any] = network if section == "network" else getattr(plan, section)
        aliases = registration_aliases if section == "registrations" else None
        kept = stored.get(section, {})
        changes[section] = diff(planned, kept, settle.get(section), aliases)
    if plan.network is None:
        changes["network"].absent = []  # a plan without its network leaves the network be
    return changes
