"""The declarative base, the naming convention and the allowed values every table shares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Final

from sqlalchemy import (
    CheckConstraint,
    MetaData,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.plan.records import DEADLINE_REMIND, MEETING_REMIND
from storage.types import UTCDateTime

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
