"""A plan's items after each was validated on its own, and the problems found on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.plan.models import (
    DeadlineIn,
    MaterialIn,
    MeetingIn,
    MemberIn,
    NetworkIn,
    OrganisationIn,
    RegistrationIn,
    ThemeIn,
    WorkPackageIn,
)
from bot.plan.records import NetworkRecord, material_order

Loc = tuple[str | int, ...]
T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """Something wrong with a plan: where (`loc`, and its line once known) and what."""

    loc: Loc
    message: str
    line: int | None = None
    first: Loc | None = None  # for a duplicate: where the item first appeared

    @property
    def path(self) -> str:
        """The location as an operator reads it: `themes[2].lead`."""
        text = ""
        for part in self.loc:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text.lstrip(".")


@dataclass(frozen=True)
class Indexed(Generic[T]):
    """An item and its position in its section.

    A `partial` item failed validation: the fields that failed (or were missing) hold None,
    whatever their type says, so that the checks between items can still look at the rest.
    It is never built into a record.
    """

    index: int
    item: T
    partial: bool = False


@dataclass
class Items:
    """The valid items of each section, and the keys every item declares (valid or not).

    References are checked against the declared keys, so that one bad organisation does not
    also make every reference to it a problem.
    """

    network: NetworkIn | None = None
    organisations: list[Indexed[OrganisationIn]] = field(default_factory=list)
    members: list[Indexed[MemberIn]] = field(default_factory=list)
    themes: list[Indexed[ThemeIn]] = field(default_factory=list)
    registrations: list[Indexed[RegistrationIn]] = field(default_factory=list)
    work_packages: list[Indexed[WorkPackageIn]] = field(default_factory=list)
    materials: list[Indexed[MaterialIn]] = field(default_factory=list)
    meetings: list[Indexed[MeetingIn]] = field(default_factory=list)
    deadlines: list[Indexed[DeadlineIn]] = field(default_factory=list)
    organisation_keys: set[str] = field(default_factory=set)
    theme_keys: set[str] = field(default_factory=set)
    material_keys: set[tuple[str | None, str]] = field(default_factory=set)
    current: NetworkRecord | None = None  # the network as it stands: what `network:` leaves out

    @cached_property
    def material_urls(self) -> dict[str, list[tuple[str | None, str]]]:
        """The declared materials by url (read once the keys are declared)."""
        found: dict[str, list[tuple[str | None, str]]] = {}
        for key in sorted(self.material_keys, key=material_order):
            found.setdefault(key[1], []).append(key)
        return found

    @property
    def base(self) -> NetworkRecord:
        """The network as it stands, or the defaults of a new one."""
        return self.current or NetworkRecord("")

    @property
    def zone(self) -> ZoneInfo:
        """The network's time zone, in which the plan's times are local: the plan's, else the
        network's as it stands."""
        network = self.network
        if network is not None and "timezone" in network.model_fields_set:
            return ZoneInfo(network.timezone)
        return ZoneInfo(self.base.timezone)
