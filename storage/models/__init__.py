"""The tables: every entity of the product contract (§2) and the notification outbox (§4).

One database holds one network (the single Slack workspace install), so no table carries a
network id. Enumerations are short strings guarded by named CHECK constraints; their allowed
values are the tuples below. Relationships never load lazily (``lazy="raise"``) except small
child collections, which come with their parent (``lazy="selectin"``); ask for the rest with
``selectinload(...)`` or a join. Rows deleted in the database take their children with them
(``ON DELETE CASCADE``), so collections use ``passive_deletes=True``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Final

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.plan.records import DEADLINE_REMIND, MEETING_REMIND
from storage.types import JSONDict, JSONList, UTCDateTime

LANGUAGES: Final = ("fi", "sv", "en")
ORGANISATION_KINDS: Final = ("region", "municipality", "agency", "other")
MEMBER_ROLES: Final = ("coordinator", "member")
WP_STATUSES: Final = ("planned", "in_progress", "done", "blocked", "cancelled")
MATERIAL_KINDS: Final = ("link", "file", "document", "other")
RSVP_ANSWERS: Final = ("yes", "no", "maybe")
NOTIFICATION_STATES: Final = ("pending", "claimed", "sent", "failed", "skipped", "cancelled")
SUBJECT_TYPES: Final = ("meeting", "deadline", "work_package", "theme", "network")
DEFAULT_TIMEZONE: Final = "Europe/Helsinki"
DEFAULT_MEETING_REMIND: Final = MEETING_REMIND  # as a plan that says nothing reminds
DEFAULT_DEADLINE_REMIND: Final = DEADLINE_REMIND

NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SlackId = String(32)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def one_of(column: str, values: Sequence[str], name: str | None = None) -> CheckConstraint:
    """A CHECK that ``column`` holds one of ``values``, named after the column by default."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or column)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Timestamps:
    """``created_at`` and ``updated_at``, kept by Python (the same on every database)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, sort_order=90)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, sort_order=91
    )


class Network(Timestamps, Base):
    __tablename__ = "network"
    __table_args__ = (one_of("language", LANGUAGES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    language: Mapped[str] = mapped_column(String(2), default="fi")
    announcement_channel: Mapped[str | None] = mapped_column(SlackId)
    calendar_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(32)
    )


class Organisation(Timestamps, Base):
    __tablename__ = "organisation"
    __table_args__ = (one_of("kind", ORGANISATION_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="other")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )

    parent: Mapped[Organisation | None] = relationship(remote_side="Organisation.id", lazy="raise")
    contacts: Mapped[list[OrganisationContact]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", passive_deletes=True
    )


class OrganisationContact(Base):
    __tablename__ = "organisation_contact"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(SlackId, primary_key=True, index=True)


class Member(Timestamps, Base):
    __tablename__ = "member"
    __table_args__ = (one_of("role", MEMBER_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(SlackId, unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="member")
    locale: Mapped[str | None] = mapped_column(String(16))

    organisation: Mapped[Organisation | None] = relationship(lazy="raise")


class Theme(Timestamps, Base):
    __tablename__ = "theme"
    __table_args__ = (
        one_of("language", LANGUAGES),
        CheckConstraint("next_wp_number >= 1", name="next_wp_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    channel_id: Mapped[str | None] = mapped_column(SlackId)
    lead_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    chair_user_id: Mapped[str | None] = mapped_column(SlackId)
    registration_deadline: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(2))
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    next_wp_number: Mapped[int] = mapped_column(Integer, default=1)

    lead_organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="theme", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )
    work_packages: Mapped[list[WorkPackage]] = relationship(
        back_populates="theme",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="WorkPackage.number",
    )


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR organisation_id IS NOT NULL", name="who"),
        UniqueConstraint("theme_id", "user_id"),
        UniqueConstraint("theme_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(SlackId, index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    registered_by: Mapped[str] = mapped_column(SlackId)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    theme: Mapped[Theme] = relationship(back_populates="registrations", lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")


class WorkPackage(Timestamps, Base):
    __tablename__ = "work_package"
    __table_args__ = (
        UniqueConstraint("theme_id", "number"),
        Index(None, "theme_id", "status", "due_date"),  # a theme's counts read only this index
        one_of("status", WP_STATUSES),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    owner_user_id: Mapped[str | None] = mapped_column(SlackId, index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)

    theme: Mapped[Theme] = relationship(back_populates="work_packages", lazy="raise")
    owner_organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    updates: Mapped[list[WorkPackageUpdate]] = relationship(
        back_populates="work_package",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="WorkPackageUpdate.at",
    )


class WorkPackageUpdate(Base):
    __tablename__ = "work_package_update"
    __table_args__ = (
        Index(None, "work_package_id", "at"),
        one_of("old_status", WP_STATUSES),
        one_of("new_status", WP_STATUSES),
        CheckConstraint("old_progress BETWEEN 0 AND 100", name="old_progress"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_package_id: Mapped[int] = mapped_column(ForeignKey("work_package.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(SlackId)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    old_progress: Mapped[int | None] = mapped_column(Integer)
    progress: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    work_package: Mapped[WorkPackage] = relationship(back_populates="updates", lazy="raise")


_SHOWN = ("title", "url", "tags", "added_by")  # what a page of materials shows of each


class Material(Timestamps, Base):
    __tablename__ = "material"
    __table_args__ = (
        # A search walks these newest first until a page is full, matching the words in the
        # index itself (on SQLite always; on PostgreSQL when the word is common): a word that
        # matches nothing reads the index, not every material. One for every basket, one for a
        # theme's, one for the network's. On PostgreSQL the baskets' carry what a page shows,
        # so their walk reads no table at all, and PostgreSQL, seeing it cheap, keeps planning
        # a basket's search for its words (see migration 0009).
        Index(None, "added_at", "id", "search_text"),
        Index(
            "ix_material_theme_basket",
            "theme_id",
            "added_at",
            "id",
            "search_text",
            postgresql_include=list(_SHOWN),
        ),
        Index(
            "ix_material_network_basket",
            "added_at",
            "id",
            "search_text",
            postgresql_include=list(_SHOWN),
            postgresql_where=text("theme_id IS NULL"),
            sqlite_where=text("theme_id IS NULL"),
        ),
        # One material per address in a basket, the network's (no theme) included.
        Index("uq_material_basket_url", text("coalesce(theme_id, 0)"), "url", unique=True),
        # On PostgreSQL, trigrams (pg_trgm): a word that few materials hold, or none, is found
        # from the index, not by reading every material. SQLite gets a plain index, which a
        # search for a word anywhere cannot use.
        Index(
            None,
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        one_of("kind", MATERIAL_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(20), default="link")
    tags: Mapped[list[str]] = mapped_column(JSONList, default=list)
    added_by: Mapped[str] = mapped_column(SlackId)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    search_text: Mapped[str] = mapped_column(Text, default="")

    theme: Mapped[Theme | None] = relationship(lazy="raise")


class MeetingTheme(Base):
    """A theme in a meeting's audience (prefer ``Meeting.themes`` to adding these directly)."""

    __tablename__ = "meeting_theme"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class MeetingMaterial(Base):
    """A material linked to a meeting (prefer ``Meeting.materials``)."""

    __tablename__ = "meeting_material"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    material_id: Mapped[int] = mapped_column(
        ForeignKey("material.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Meeting(Timestamps, Base):
    __tablename__ = "meeting"
    __table_args__ = (CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None] = mapped_column()
    place: Mapped[str] = mapped_column(String(500), default="")
    online_url: Mapped[str | None] = mapped_column(String(2000))
    audience_all: Mapped[bool] = mapped_column(Boolean, default=False)
    remind: Mapped[list[str]] = mapped_column(
        JSONList, default=lambda: list(DEFAULT_MEETING_REMIND)
    )
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(SlackId)

    themes: Mapped[list[Theme]] = relationship(
        secondary="meeting_theme", lazy="selectin", passive_deletes=True, order_by="Theme.key"
    )
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting",
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AgendaItem.position",
    )
    materials: Mapped[list[Material]] = relationship(
        secondary="meeting_material", lazy="raise", passive_deletes=True
    )
    rsvps: Mapped[list[Rsvp]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class AgendaItem(Base):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    time: Mapped[dt.time | None] = mapped_column(Time)
    title: Mapped[str] = mapped_column(String(500))
    presenter: Mapped[str] = mapped_column(String(200), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items", lazy="raise")


class Rsvp(Base):
    __tablename__ = "rsvp"
    __table_args__ = (one_of("answer", RSVP_ANSWERS),)

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(SlackId, primary_key=True)
    answer: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Deadline(Timestamps, Base):
    __tablename__ = "deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    due_date: Mapped[date] = mapped_column(Date, index=True)
    due_time: Mapped[dt.time | None] = mapped_column(Time)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), index=True
    )
    remind: Mapped[list[str]] = mapped_column(
        JSONList, default=lambda: list(DEFAULT_DEADLINE_REMIND)
    )
    registration: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(SlackId)

    theme: Mapped[Theme | None] = relationship(lazy="raise")


class Notification(Timestamps, Base):
    """One post (or invitation, update, file) to make, once: the outbox the delivery engine
    works through (§4). Scheduled ones come from the planner, immediate ones from the use
    case whose change causes them; README "Delivery" tells how to read the columns."""

    __tablename__ = "notification"
    __table_args__ = (
        # The tick: state = 'pending' AND due_at <= now ORDER BY due_at LIMIT n.
        Index(None, "state", "due_at"),
        Index(None, "subject_type", "subject_id"),
        Index(None, "target", "state"),
        Index(None, "target", "sent_at"),  # a target's last post (pacing across processes)
        # The tick's other half: immediate posts are due at once.
        Index(
            "ix_notification_immediate_state",
            "state",
            postgresql_where=text("immediate"),
            sqlite_where=text("immediate"),
        ),
        one_of("state", NOTIFICATION_STATES),
        one_of("subject_type", SUBJECT_TYPES),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(SlackId)
    due_at: Mapped[datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()
    slack_channel: Mapped[str | None] = mapped_column(SlackId)
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDict, default=dict)
    immediate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    not_before: Mapped[datetime | None] = mapped_column()
    tried_at: Mapped[datetime | None] = mapped_column()
    looks: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class SeenEvent(Base):
    """An Events API event acted on, by its `event_id`, so that Slack's retries of it are not
    (kept an hour: Slack retries within minutes)."""

    __tablename__ = "seen_event"
    __table_args__ = (Index(None, "seen_at"),)

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column()
