"""What each kind of notification says, read from the current data (or its payload) and
rendered in the reader's language (the caller sets it): a message to post, or why there is none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import announcements, digests, notices, outgoing, planner
from bot.meetings.posts import announcement
from bot.notices import DeadlineView, Writing
from bot.outcome import Message
from bot.planner import Planned
from storage import meetings, notice_views, notifications
from storage.claims import Claimed
from storage.planner_items import contacts_of

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Ready:
    """Post this; when it is in Slack, enqueue the children (direct messages it entails)."""

    message: Message
    children: list[Planned] = field(default_factory=list)


@dataclass(frozen=True)
class Drop:
    """Do not post: `state` is `skipped` or `cancelled`, `reason` says why (for operators)."""

    state: str
    reason: str


Content = Ready | Drop
Render = Callable[[AsyncSession, Claimed, Writing, datetime], Awaitable[Content]]
GONE = Drop("cancelled", "its item no longer exists")


async def _deadline(session: AsyncSession, note: Claimed, how: Writing, now: datetime) -> Content:
    found = await _deadline_of(session, note)
    return Ready(notices.deadline_reminder(found[0], how)) if found else GONE


async def _registration(
    session: AsyncSession, note: Claimed, how: Writing, now: datetime
) -> Content:
    found = await _deadline_of(session, note)
    if found is None:
        return GONE
    view, theme_id = found
    missing = await notice_views.unregistered(session, theme_id)
    message = notices.registration_reminder(view, [o for o, _id in missing], how)
    return Ready(message, await _contact_messages(session, note, [i for _o, i in missing]))


async def _registration_dm(
    session: AsyncSession, note: Claimed, how: Writing, now: datetime
) -> Content:
    found = await _deadline_of(session, note)
    if found is None:
        return GONE
    view, theme_id = found
    still = await notice_views.unregistered(session, theme_id, note.payload["organisations"])
    if not still:
        return Drop("skipped", "registered meanwhile")
    return Ready(notices.registration_dm(view, [o for o, _id in still], how))


async def _deadline_of(
    session: AsyncSession, note: Claimed
) -> tuple[DeadlineView, int | None] | None:
    """The deadline a reminder is about (a theme's own registration deadline for a theme),
    and its theme (None: the whole network)."""
    assert note.subject_id is not None
    if note.subject_type == "theme":
        view = await notice_views.theme_deadline_view(session, note.subject_id)
        return (view, note.subject_id) if view else None
    return await notice_views.deadline_view(session, note.subject_id)


async def _contact_messages(
    session: AsyncSession, note: Claimed, organisation_ids: list[int]
) -> list[Planned]:
    """One direct message per contact of the organisations that have not registered."""
    by_user: dict[str, list[int | None]] = defaultdict(list)
    for organisation_id, users in (await contacts_of(session, organisation_ids)).items():
        for user in users:
            by_user[user].append(organisation_id)
    event = note.payload.get("event_at")
    return [
        Planned(
            f"{note.identity}:dm:{user}",
            planner.REGISTRATION_DM,
            note.subject_type,
            note.subject_id or 0,
            user,
            note.due_at,
            datetime.fromisoformat(event) if event else None,
            {"organisations": organisations},
        )
        for user, organisations in sorted(by_user.items())
    ]


async def _meeting(session: AsyncSession, note: Claimed, how: Writing, now: datetime) -> Content:
    assert note.subject_id is not None
    view = await notice_views.meeting_view(session, note.subject_id)
    return Ready(notices.meeting_reminder(view, how)) if view else GONE


async def _package(session: AsyncSession, note: Claimed, how: Writing, now: datetime) -> Content:
    assert note.subject_id is not None
    found = await notice_views.package_view(session, note.subject_id)
    if not found:
        return GONE
    render = (
        notices.package_overdue
        if note.kind == planner.PACKAGE_OVERDUE
        else notices.package_due_soon
    )
    return Ready(render(found[0][0], how))


async def _digest(session: AsyncSession, note: Claimed, how: Writing, now: datetime) -> Content:
    assert note.subject_id is not None
    view = await notice_views.digest_view(session, note.subject_id, now, how.today)
    message = digests.digest(view, how) if view else None
    return Ready(message) if message else Drop("skipped", "nothing to say this week")


async def _before_meeting(
    session: AsyncSession, note: Claimed, how: Writing, now: datetime
) -> Content:
    """Before a network meeting: an owner asked to update their packages, or the status review."""
    assert note.subject_id is not None
    meeting = await notice_views.meeting_view(session, note.subject_id)
    if meeting is None:
        return GONE
    if note.kind == planner.STATUS_REQUEST:
        packages = await notice_views.owned_packages(session, note.target)
        message = digests.status_request(meeting, packages, how)
    else:
        message = digests.status_review(meeting, await notice_views.review(session), how)
    return Ready(message) if message else Drop("skipped", "no active work packages")


async def _failures(session: AsyncSession, note: Claimed, how: Writing, now: datetime) -> Content:
    """To a coordinator: what could not be posted in one hour (those still failed)."""
    start = datetime.fromisoformat(note.payload["hour"])
    failed = await notifications.failed_between(
        session, start, start + HOUR, planner.FAILURE_REPORT
    )
    if not failed:
        return Drop("skipped", "nothing failed that hour is still failed")
    listed = [(n.id, n.identity, n.target, n.last_error or "") for n in failed]
    return Ready(notices.failure_summary(listed, how))


async def _announcement(
    session: AsyncSession, note: Claimed, how: Writing, now: datetime
) -> Content:
    """A meeting's announcement as it stands now (also when it is drawn again)."""
    assert note.subject_id is not None
    meeting = await meetings.meeting_by_id(session, note.subject_id)
    if meeting is None:
        return GONE
    return Ready(announcement(await meetings.view(session, meeting), how.zone))


async def _written(session: AsyncSession, note: Claimed, how: Writing, now: datetime) -> Content:
    """A message written when it was caused."""
    written = note.payload["message"]
    return Ready(Message(written["text"], written.get("blocks")))


async def _announce(session: AsyncSession, note: Claimed, how: Writing, now: datetime) -> Content:
    """A person's announcement, headed in the channel's language."""
    said = note.payload
    return Ready(announcements.post(said["theme"], said["author"], said["text"], how))


async def _refused(session: AsyncSession, note: Claimed, how: Writing, now: datetime) -> Content:
    """To the person who acted: Slack refused their post for good, and why."""
    where = note.payload.get("label") or f"<#{note.payload['channel']}>"
    return Ready(Message(notices.unposted([(where, note.payload["error"])])))


def failure_report(coordinator: str, now: datetime) -> Planned:
    """The coordinator's summary of this hour's failures, due at the end of the hour."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    identity = f"failures:{hour.strftime('%Y-%m-%dT%H')}:{coordinator}"
    payload = {"hour": hour.isoformat()}
    return Planned(
        identity, planner.FAILURE_REPORT, "network", 0, coordinator, hour + HOUR, None, payload
    )


def refused(note: Claimed, error: str, now: datetime) -> Planned:
    """The direct message telling the person who acted that their post was refused."""
    payload = {"label": note.payload.get("label", ""), "channel": note.target, "error": error}
    actor = note.payload["actor"]
    return Planned(
        f"{note.identity}:refused",
        outgoing.REFUSED,
        note.subject_type,
        note.subject_id or 0,
        actor,
        now,
        None,
        payload,
    )


def fallback(note: Claimed, now: datetime) -> list[Planned]:
    """The direct messages an invitation the bot could not make sends instead."""
    return [
        Planned(
            f"{note.identity}:fallback:{told['user']}",
            outgoing.POST,
            note.subject_type,
            note.subject_id or 0,
            told["user"],
            now,
            None,
            {"message": told["message"]},
        )
        for told in note.payload.get("fallback", [])
    ]


# Each kind of notification, and how its content is read and rendered.
RENDER: dict[str, Render] = {
    planner.DEADLINE_REMINDER: _deadline,
    planner.REGISTRATION_REMINDER: _registration,
    planner.REGISTRATION_DM: _registration_dm,
    planner.MEETING_REMINDER: _meeting,
    planner.PACKAGE_DUE_SOON: _package,
    planner.PACKAGE_OVERDUE: _package,
    planner.DIGEST: _digest,
    planner.STATUS_REQUEST: _before_meeting,
    planner.STATUS_REVIEW: _before_meeting,
    planner.FAILURE_REPORT: _failures,
    outgoing.ANNOUNCEMENT: _announcement,
    outgoing.REDRAW: _announcement,
    outgoing.POST: _written,
    outgoing.EPHEMERAL: _written,
    outgoing.REFUSED: _refused,
    outgoing.ANNOUNCE: _announce,
}
