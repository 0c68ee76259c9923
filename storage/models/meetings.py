"""Meetings (with their themes, materials, agenda and answers) and deadlines."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Time,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import (
    DEFAULT_DEADLINE_REMIND,
    DEFAULT_MEETING_REMIND,
    RSVP_ANSWERS,
    Base,
    SlackId,
    Timestamps,
    one_of,
    utcnow,
)
from storage.types import JSONList

if TYPE_CHECKING:
    from storage.models.network import Theme
    from storage.models.work import Material


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
