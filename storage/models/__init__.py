"""The tables: every entity of the product contract (§2) and the notification outbox (§4).

One database holds one network (the single Slack workspace install), so no table carries a
network id. Enumerations are short strings guarded by named CHECK constraints; their allowed
values are the tuples below. Relationships never load lazily (``lazy="raise"``) except small
child collections, which come with their parent (``lazy="selectin"``); ask for the rest with
``selectinload(...)`` or a join. Rows deleted in the database take their children with them
(``ON DELETE CASCADE``), so collections use ``passive_deletes=True``.
"""

from __future__ import annotations

from storage.models.base import (
    DEFAULT_DEADLINE_REMIND,
    DEFAULT_MEETING_REMIND,
    DEFAULT_TIMEZONE,
    LANGUAGES,
    MATERIAL_KINDS,
    MEMBER_ROLES,
    NAMING_CONVENTION,
    NOTIFICATION_STATES,
    ORGANISATION_KINDS,
    RSVP_ANSWERS,
    SUBJECT_TYPES,
    WP_STATUSES,
    Base,
    SlackId,
    one_of,
    utcnow,
)
from storage.models.meetings import (
    AgendaItem,
    Deadline,
    Meeting,
    MeetingMaterial,
    MeetingTheme,
    Rsvp,
)
from storage.models.network import (
    Member,
    Network,
    Organisation,
    OrganisationContact,
    Registration,
    Theme,
)
from storage.models.outbox import Notification, SeenEvent
from storage.models.work import Material, WorkPackage, WorkPackageUpdate

__all__ = [
    "DEFAULT_DEADLINE_REMIND",
    "DEFAULT_MEETING_REMIND",
    "DEFAULT_TIMEZONE",
    "LANGUAGES",
    "MATERIAL_KINDS",
    "MEMBER_ROLES",
    "NAMING_CONVENTION",
    "NOTIFICATION_STATES",
    "ORGANISATION_KINDS",
    "RSVP_ANSWERS",
    "SUBJECT_TYPES",
    "WP_STATUSES",
    "AgendaItem",
    "Base",
    "Deadline",
    "Material",
    "Meeting",
    "MeetingMaterial",
    "MeetingTheme",
    "Member",
    "Network",
    "Notification",
    "Organisation",
    "OrganisationContact",
    "Registration",
    "Rsvp",
    "SeenEvent",
    "SlackId",
    "Theme",
    "WorkPackage",
    "WorkPackageUpdate",
    "one_of",
    "utcnow",
]
