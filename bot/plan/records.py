"""A network as plain, comparable values: what a plan says and what the database holds.

Import validates a plan into these records, loads the database into the same records, and
compares the two; export renders the database's records as a plan. Every record has an
`ident`, the stable key a plan names it by (PRODUCT.md §6). Times are aware UTC datetimes;
collections whose order means nothing (contacts, audiences, linked materials) are sorted.
A history field that is `None` (a material's `added_at`, a registration's `at`, a work
package's `updates`) was not given: import keeps what the database has. So does any field a
plan's item leaves out (`PlanRecords.left_out`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Final

SECTIONS: Final = (
    "network",
    "organisations",
    "members",
    "themes",
    "registrations",
    "work_packages",
    "materials",
    "meetings",
    "deadlines",
)

DEFAULT_TIMEZONE: Final = "Europe/Helsinki"
MEETING_REMIND: Final = ("7d", "1d", "1h")  # what a plan that says nothing reminds of
DEADLINE_REMIND: Final = ("7d", "1d", "0d")
MaterialKey = tuple[str | None, str]  # (basket: theme key or None for the network's, url)
LeftOut = Mapping[str, Mapping[Hashable, frozenset[str]]]  # section → ident → field names


def material_order(key: MaterialKey) -> tuple[str, str]:
    """How a meeting's linked materials are listed: the network's basket first, then by theme."""
    return (key[0] or "", key[1])


@dataclass(frozen=True)
class NetworkRecord:
    name: str
    timezone: str = DEFAULT_TIMEZONE
    language: str = "fi"
    announcement_channel: str | None = None

    @property
    def ident(self) -> Hashable:
        return "network"


@dataclass(frozen=True)
class OrganisationRecord:
    key: str
    name: str
    kind: str = "other"
    parent: str | None = None
    contacts: tuple[str, ...] = ()

    @property
    def ident(self) -> Hashable:
        return self.key


@dataclass(frozen=True)
class MemberRecord:
    user: str
    organisation: str | None = None
    role: str = "member"

    @property
    def ident(self) -> Hashable:
        return self.user


@dataclass(frozen=True)
class ThemeRecord:
    key: str
    name: str
    description: str = ""
    channel: str | None = None
    lead: str | None = None
    chair: str | None = None
    registration_deadline: date | None = None
    language: str | None = None
    digest: bool = True
    archived: bool = False

    @property
    def ident(self) -> Hashable:
        return self.key


@dataclass(frozen=True)
class RegistrationRecord:
    theme: str
    organisation: str | None = None
    user: str | None = None
    by: str = ""
    at: datetime | None = None

    @property
    def ident(self) -> Hashable:
        return (self.theme, self.organisation, self.user)


@dataclass(frozen=True)
class UpdateRecord:
    at: datetime
    user: str
    status: str
    progress: int
    note: str = ""


@dataclass(frozen=True)
class WorkPackageRecord:
    theme: str
    number: int
    title: str
    description: str = ""
    owner: str | None = None  # organisation key
    owner_user: str | None = None
    status: str = "planned"
    progress: int = 0
    start: date | None = None
    due: date | None = None
    updates: tuple[UpdateRecord, ...] | None = None

    @property
    def ref(self) -> str:
        return f"{self.theme}-{self.number}"

    @property
    def ident(self) -> Hashable:
        return self.ref


@dataclass(frozen=True)
class MaterialRecord:
    basket: str | None
    url: str
    title: str
    kind: str = "link"
    tags: tuple[str, ...] = ()
    added_by: str = ""
    added_at: datetime | None = None

    @property
    def ident(self) -> MaterialKey:
        return (self.basket, self.url)


@dataclass(frozen=True)
class AgendaRecord:
    title: str
    time: time | None = None
    presenter: str = ""


@dataclass(frozen=True)
class MeetingRecord:
    key: str
    title: str
    start: datetime
    audience: tuple[str, ...] = ()  # theme keys, sorted; empty: the whole network
    end: datetime | None = None
    place: str = ""
    online: str | None = None
    agenda: tuple[AgendaRecord, ...] = ()
    materials: tuple[MaterialKey, ...] = ()
    remind: tuple[str, ...] = MEETING_REMIND
    cancelled: bool = False

    @property
    def ident(self) -> Hashable:
        return self.key


@dataclass(frozen=True)
class DeadlineRecord:
    key: str
    title: str
    due_date: date
    due_time: time | None = None
    theme: str | None = None  # None: the whole network
    remind: tuple[str, ...] = DEADLINE_REMIND
    registration: bool = False

    @property
    def ident(self) -> Hashable:
        return self.key


@dataclass(frozen=True)
class PlanRecords:
    """A whole network, section by section, in the order a plan lists them."""

    network: NetworkRecord | None = None
    organisations: tuple[OrganisationRecord, ...] = ()
    members: tuple[MemberRecord, ...] = ()
    themes: tuple[ThemeRecord, ...] = ()
    registrations: tuple[RegistrationRecord, ...] = ()
    work_packages: tuple[WorkPackageRecord, ...] = ()
    materials: tuple[MaterialRecord, ...] = ()
    meetings: tuple[MeetingRecord, ...] = ()
    deadlines: tuple[DeadlineRecord, ...] = ()
    # The fields each item left out: they keep what is stored (a new item has the defaults).
    left_out: LeftOut = field(default_factory=dict, compare=False)

    @property
    def timezone(self) -> str:
        """The network's time zone, in which the plan's times are written."""
        return self.network.timezone if self.network else DEFAULT_TIMEZONE
