"""Work packages with their updates, and the materials the themes share."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import (
    MATERIAL_KINDS,
    WP_STATUSES,
    Base,
    SlackId,
    Timestamps,
    one_of,
    utcnow,
)
from storage.types import JSONList

if TYPE_CHECKING:
    from storage.models.network import Organisation, Theme


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
