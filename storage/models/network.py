"""The network and who is in it: organisations, their contacts, members, themes, registrations."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import (
    DEFAULT_TIMEZONE,
    LANGUAGES,
    MEMBER_ROLES,
    ORGANISATION_KINDS,
    Base,
    SlackId,
    Timestamps,
    one_of,
    utcnow,
)

if TYPE_CHECKING:
    from storage.models.work import WorkPackage


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
