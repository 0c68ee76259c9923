"""The notification outbox (§4) and the Slack events already acted on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import (
    NOTIFICATION_STATES,
    SUBJECT_TYPES,
    Base,
    SlackId,
    Timestamps,
    one_of,
)
from storage.types import JSONDict


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
