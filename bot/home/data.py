"""What the Home tab shows, as plain values read by `usecases.home` (each list already cut to
what the tab shows; the totals say how many there are)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.deadlines import DeadlineView
from bot.meetings.meeting import MeetingView
from bot.work_packages.packages import PackageView

THEMES_SHOWN = 5  # of the person's own themes, and of the others, each
PACKAGES_SHOWN = 8
MEETINGS_SHOWN = 3
DEADLINES_SHOWN = 5
MANAGED_SHOWN = 3  # themes a manager sees a section of
LATE_SHOWN = 5  # overdue or blocked packages per managed theme
OVERVIEW_SHOWN = 10  # lines of each list of the coordinators' overview
FAILED_SHOWN = 5

T = TypeVar("T", covariant=True)


@dataclass(frozen=True)
class ThemeLine:
    """A theme as the tab names it; `through` when the person is in it by their organisation."""

    key: str
    name: str
    through: bool = False


@dataclass(frozen=True)
class Shown(Generic[T]):
    """The first few of a list, and how many there are in all."""

    items: tuple[T, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        """How many are not shown."""
        return max(0, self.total - len(self.items))


@dataclass(frozen=True)
class Managed:
    """A theme the person runs: its late packages and its registrations against those expected."""

    theme: ThemeLine
    late: Shown[PackageView]
    registered: int  # expected organisations registered
    expected: int
    missing: Shown[str]  # names of the expected organisations not registered


@dataclass(frozen=True)
class Failed:
    """A notification that could not be posted."""

    id: int
    target: str
    error: str


@dataclass(frozen=True)
class Overview:
    """The coordinators' view of the whole network."""

    registrations: Shown[tuple[str, int]]  # (theme name, organisations registered)
    missing: Shown[str]  # organisations expected that registered for no theme
    overdue: Shown[PackageView]
    meetings: Shown[MeetingView]
    failed: Shown[Failed]


@dataclass(frozen=True)
class Home:
    """One person's Home tab."""

    user_id: str
    command: str
    today: date
    zone: ZoneInfo
    organisation: str | None
    mine: Shown[ThemeLine]
    others: Shown[ThemeLine]
    packages: Shown[PackageView]
    meetings: Shown[MeetingView]
    deadlines: Shown[DeadlineView]
    managed: Shown[Managed] = field(default_factory=Shown)
    overview: Overview | None = None
