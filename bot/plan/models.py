"""The sections of a plan file (PRODUCT.md §6) as pydantic models: shapes, single values (the
types of `bot.plan.fields` and `bot.plan.times`) and the rules between the fields of one item.

Each item is validated on its own, so that one bad item does not hide the problems of the
others; references between items are checked afterwards (`bot.plan.checks`). Unknown keys are
refused (`extra="forbid"`). A rule between two fields is checked once the field it compares
with is valid, whatever else of the item is wrong (pydantic validates the fields in order).

A key an item leaves out keeps what is stored (`model_fields_set` tells which were written; the
defaults here are for a new item); `null` clears a field that may be empty (text to "", a list
to [], an optional reference to none) and is refused where a field may not be empty.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.plan.fields import (
    Channel,
    EmptyIfNull,
    Kept,
    Key64,
    Key100,
    Language,
    LongText,
    MaterialKind,
    Name,
    OrganisationKind,
    Place,
    Presenter,
    Progress,
    Ref,
    Role,
    Status,
    Switch,
    Tag,
    TimeZone,
    Title,
    Url,
    User,
    fail,
    not_null,
)
from bot.plan.records import DEADLINE_REMIND, MEETING_REMIND
from bot.plan.times import Clock, Day, DueValue, LocalMoment, MeetingEnd, Offsets

ANY_BASKET: Final = "*"
_REF = re.compile(r"(.+)-([1-9][0-9]{0,8})")


def ref_parts(ref: str) -> tuple[str, int] | None:
    """The theme key and number of a work package reference `liikenne-3`."""
    match = _REF.fullmatch(ref)
    return (match.group(1), int(match.group(2))) if match else None


def _work_package_ref(ref: str) -> str:
    if ref_parts(ref) is None:
        fail(f"{ref!r} is not a work package reference: write <theme>-<number>, e.g. liikenne-3")
    return ref


def _meeting_audience(value: object) -> object:
    """`all` (the whole network: no theme) or a list of theme keys."""
    if isinstance(value, str) and value.strip() == "all":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        fail("write 'all' or a list of themes, e.g. [liikenne, asuminen]")
    return value


def _deadline_audience(theme: str | None) -> str | None:
    """`all` (None: the whole network) or one theme key."""
    return None if theme == "all" else theme


def before(end: date | datetime, start: date | datetime) -> str:
    """`2027-02-01 is before the start 2027-03-01`."""
    return f"{_iso(end)} is before the start {_iso(start)}"


def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


Users = Annotated[list[User], EmptyIfNull]
Tags = Annotated[list[Tag], EmptyIfNull]
WorkPackageRef = Annotated[Ref, AfterValidator(_work_package_ref)]
MeetingAudience = Annotated[tuple[Ref, ...], BeforeValidator(_meeting_audience)]
DeadlineAudience = Annotated[
    Ref | None, BeforeValidator(not_null), AfterValidator(_deadline_audience)
]


class Item(BaseModel):
    """An item of a section: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NetworkIn(Item):
    name: Name
    timezone: TimeZone = "Europe/Helsinki"
    language: Language = "fi"
    announcement_channel: Channel | None = None


class OrganisationIn(Item):
    key: Key64
    name: Name
    kind: OrganisationKind = "other"
    parent: Ref | None = None
    contacts: Users = Field(default_factory=list)


class MemberIn(Item):
    user: User
    organisation: Ref | None = None
    role: Role = "member"


class ThemeIn(Item):
    key: Key64
    name: Name
    description: LongText = ""
    channel: Channel | None = None
    lead: Ref | None = None
    chair: User | None = None
    registration_deadline: Day | None = None
    language: Language | None = None
    digest: Switch = True
    archived: Switch = False


class RegistrationIn(Item):
    theme: Ref
    organisation: Ref | None = None
    user: User | None = None
    by: User | None = None  # null: the user, else the organisation's first contact
    at: Annotated[LocalMoment | None, Kept] = None

    @model_validator(mode="after")
    def _someone(self) -> RegistrationIn:
        if self.organisation is None and self.user is None:
            fail("give the organisation, the user or both")
        return self


class UpdateIn(Item):
    at: LocalMoment
    user: User
    status: Status
    progress: Progress
    note: LongText = ""


class WorkPackageIn(Item):
    ref: WorkPackageRef
    theme: Ref | None = None
    title: Title
    description: LongText = ""
    owner: Ref | None = None
    owner_user: User | None = None
    status: Status = "planned"
    progress: Progress = 0
    start: Day | None = None
    due: Day | None = None
    updates: Annotated[list[UpdateIn] | None, EmptyIfNull] = None

    @field_validator("theme")
    @classmethod
    def _theme_of_ref(cls, theme: str | None, info: ValidationInfo) -> str | None:
        ref = info.data.get("ref")
        parts = ref_parts(ref) if ref is not None else None
        if parts is not None and theme is not None and theme != parts[0]:
            fail(f"{theme!r} is not the theme of {ref!r}")
        return theme

    @field_validator("due")
    @classmethod
    def _due_after_start(cls, due: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if due is not None and start is not None and due < start:
            fail(before(due, start))
        return due


class MaterialIn(Item):
    theme: Ref | None = None
    title: Title
    url: Url
    kind: MaterialKind = "link"
    tags: Tags = Field(default_factory=list)
    added_by: User | None = None
    added_at: Annotated[LocalMoment | None, Kept] = None


class AgendaIn(Item):
    time: Clock | None = None
    title: Title
    presenter: Presenter = ""


class MaterialRefIn(Item):
    """A material linked to a meeting: its url, and its basket (None: the network's).

    A bare url stands for `{url: …, theme: "*"}`: the one material with that url, in any basket.
    """

    url: Url
    theme: Ref | None = None


def _bare_url(value: object) -> object:
    return {"url": value, "theme": ANY_BASKET} if isinstance(value, str) else value


MaterialRef = Annotated[MaterialRefIn, BeforeValidator(_bare_url)]


class MeetingIn(Item):
    key: Key100
    audience: MeetingAudience
    title: Title
    start: LocalMoment
    end: MeetingEnd | None = None
    place: Place = ""
    online: Url | None = None
    agenda: Annotated[list[AgendaIn], EmptyIfNull] = Field(default_factory=list)
    materials: Annotated[list[MaterialRef], EmptyIfNull] = Field(default_factory=list)
    remind: Offsets = MEETING_REMIND
    cancelled: Switch = False

    @field_validator("end")
    @classmethod
    def _end_after_start(
        cls, end: datetime | time | None, info: ValidationInfo
    ) -> datetime | time | None:
        start = info.data.get("start")
        local = local_end(start, end)
        if local is not None and start is not None and local < start:
            fail(before(local, start))
        return end


def local_end(start: datetime | None, end: datetime | time | None) -> datetime | None:
    """A meeting's local end: a time alone is on the day the meeting starts."""
    if isinstance(end, time):
        return None if start is None else datetime.combine(start.date(), end)
    return end


class DeadlineIn(Item):
    key: Key100
    audience: DeadlineAudience
    title: Title
    due: DueValue
    remind: Offsets = DEADLINE_REMIND
    registration: Switch = False


ITEM_MODELS: Final[dict[str, type[Item]]] = {
    "organisations": OrganisationIn,
    "members": MemberIn,
    "themes": ThemeIn,
    "registrations": RegistrationIn,
    "work_packages": WorkPackageIn,
    "materials": MaterialIn,
    "meetings": MeetingIn,
    "deadlines": DeadlineIn,
}
