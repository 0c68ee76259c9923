"""The sections of a plan file (PRODUCT.md §6) as pydantic models: shapes and single values.

Each item is validated on its own, so that one bad item does not hide the problems of the
others; references between items are checked afterwards (`bot.plan_check`). Unknown keys are
refused (`extra="forbid"`).

A key an item leaves out keeps what is stored (`model_fields_set` tells which were written; the
defaults here are for a new item); `null` clears a field that may be empty (text to "", a list
to [], an optional reference to none) and is refused where a field may not be empty.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.plan.fields import (
    Channel,
    Clock,
    Day,
    DeadlineAudience,
    DueValue,
    Key64,
    Key100,
    LocalMoment,
    LongText,
    MeetingAudience,
    MeetingEnd,
    Name,
    Offsets,
    Place,
    Presenter,
    Progress,
    Ref,
    Switch,
    Tag,
    TimeZone,
    Title,
    Url,
    User,
    checked,
    choice,
    none_is_empty,
    not_null,
)
from bot.plan.records import DEADLINE_REMIND, MEETING_REMIND

LANGUAGES: Final = ("fi", "sv", "en")
ORGANISATION_KINDS: Final = ("region", "municipality", "agency", "other")
MEMBER_ROLES: Final = ("coordinator", "member")
WP_STATUSES: Final = ("planned", "in_progress", "done", "blocked", "cancelled")
MATERIAL_KINDS: Final = ("link", "file", "document", "other")

Language = Annotated[str, checked(choice(LANGUAGES, "language"))]
OrganisationKind = Annotated[str, checked(choice(ORGANISATION_KINDS, "kind"))]
Role = Annotated[str, checked(choice(MEMBER_ROLES, "role"))]
Status = Annotated[str, checked(choice(WP_STATUSES, "status"))]
MaterialKind = Annotated[str, checked(choice(MATERIAL_KINDS, "kind"))]
Users = Annotated[list[User], checked(none_is_empty)]
Tags = Annotated[list[Tag], checked(none_is_empty)]
Kept = checked(not_null)  # may be left out (kept), not cleared


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


class UpdateIn(Item):
    at: LocalMoment
    user: User
    status: Status
    progress: Progress
    note: LongText = ""


class WorkPackageIn(Item):
    ref: Ref
    theme: Ref | None = None
    title: Title
    description: LongText = ""
    owner: Ref | None = None
    owner_user: User | None = None
    status: Status = "planned"
    progress: Progress = 0
    start: Day | None = None
    due: Day | None = None
    updates: Annotated[list[UpdateIn] | None, checked(none_is_empty)] = None


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


ANY_BASKET: Final = "*"


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
    agenda: Annotated[list[AgendaIn], checked(none_is_empty)] = Field(default_factory=list)
    materials: Annotated[list[MaterialRef], checked(none_is_empty)] = Field(default_factory=list)
    remind: Offsets = MEETING_REMIND
    cancelled: Switch = False


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
