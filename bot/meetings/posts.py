"""What is posted about a meeting: its announcement, the notices in its thread, and the lists.

Each function writes in the current language (`bot.i18n.language`): a channel's for what is
posted there, the reader's for replies. Times are shown in the network's time zone.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import blocks
from bot.i18n import _, format_clock, format_moment
from bot.meetings.meeting import AgendaLine, MeetingView, link
from bot.outcome import Message
from bot.text import escape, truncate

RSVP = {"yes": "meeting_rsvp_yes", "no": "meeting_rsvp_no", "maybe": "meeting_rsvp_maybe"}
DETAILS, EDIT, CANCEL = "meeting_details", "meeting_edit", "meeting_cancel"
LISTED = 20  # meetings in one list, within Block Kit's 50 blocks
LISTED_AGENDA = 8  # agenda items a list shows of each meeting


def when(view: MeetingView, zone: ZoneInfo) -> str:
    """`ke 20.5.2027 klo 9.00–15.30`; an end on another day is written out in full."""
    start = format_moment(view.starts_at, zone)
    if view.ends_at is None:
        return start
    same_day = view.ends_at.astimezone(zone).date() == view.starts_at.astimezone(zone).date()
    end = (
        format_clock(view.ends_at.astimezone(zone))
        if same_day
        else format_moment(view.ends_at, zone)
    )
    return f"{start}–{end}" if same_day else f"{start} – {end}"


def answer_label(answer: str) -> str:
    """The words of an RSVP answer (also on its button)."""
    return {"yes": _("Coming"), "no": _("Not coming"), "maybe": _("Maybe")}[answer]


def announcement(view: MeetingView, zone: ZoneInfo) -> Message:
    """The channel message of a meeting: details, agenda, materials, answers and buttons."""
    if view.cancelled:
        return _cancelled(view, zone)
    title = f"📅 *{escape(view.title)}*"
    body = [blocks.section("\n".join([title, *_facts(view, zone)]))]
    if view.agenda:
        body.append(blocks.section(_("*Agenda*") + "\n" + _agenda(view.agenda)))
    if view.materials:
        links = [f"• {link(m.url, m.title)}" for m in view.materials]
        body.append(blocks.section(_("*Materials*") + "\n" + "\n".join(links)))
    body += [blocks.context(counts_text(view)), _answers(view), _management(view)]
    text = _("Meeting: {title}, {when}").format(title=escape(view.title), when=when(view, zone))
    return Message(text, body)


def _facts(view: MeetingView, zone: ZoneInfo) -> list[str]:
    facts = [_("*When:* {when}").format(when=when(view, zone))]
    if view.place:
        facts.append(_("*Where:* {place}").format(place=escape(view.place)))
    if view.online_url:
        facts.append(_("*Online:* {link}").format(link=link(view.online_url, view.online_url)))
    return facts


def _agenda(agenda: tuple[AgendaLine, ...]) -> str:
    return "\n".join(agenda_line(item) for item in agenda)


def agenda_line(item: AgendaLine) -> str:
    """`9.20 Johdatus päivään — Maija`, with the time as the reader writes it."""
    clock = f"{format_clock(item.clock)} " if item.clock else ""
    presenter = f" — {escape(item.presenter)}" if item.presenter else ""
    return f"{clock}{escape(item.title)}{presenter}"


def counts_text(view: MeetingView) -> str:
    """How many are coming, not coming, and maybe."""
    counts = view.counts
    return _("Coming: {yes} · Not coming: {no} · Maybe: {maybe}").format(
        yes=counts.yes, no=counts.no, maybe=counts.maybe
    )


def _answers(view: MeetingView) -> blocks.Block:
    value = str(view.id)
    return blocks.actions(
        blocks.button(answer_label("yes"), RSVP["yes"], value, style="primary"),
        blocks.button(answer_label("no"), RSVP["no"], value),
        blocks.button(answer_label("maybe"), RSVP["maybe"], value),
    )


def _management(view: MeetingView) -> blocks.Block:
    cancel = blocks.button(_("Cancel meeting"), CANCEL, str(view.id), style="danger")
    cancel["confirm"] = {
        "title": blocks.plain(_("Cancel the meeting?")),
        "text": blocks.mrkdwn(escape(truncate(view.title, 250))),
        "confirm": blocks.plain(_("Cancel meeting")),
        "deny": blocks.plain(_("Keep it")),
        "style": "danger",
    }
    return blocks.actions(blocks.button(_("Edit"), EDIT, str(view.id)), cancel)


def _cancelled(view: MeetingView, zone: ZoneInfo) -> Message:
    head = _("❌ *CANCELLED* ~{title}~").format(title=escape(view.title))
    moment = when(view, zone)
    body = [blocks.section(f"{head}\n~{moment}~"), blocks.context(_("This meeting is cancelled."))]
    text = _("CANCELLED: {title}, {when}").format(title=escape(view.title), when=moment)
    return Message(text, body)


def change_notice(before: MeetingView, after: MeetingView, zone: ZoneInfo) -> Message:
    """The thread notice of a new time or place, with the old one beside the new."""
    lines = [_("🔄 *{title}* has changed:").format(title=escape(after.title))]
    if (before.starts_at, before.ends_at) != (after.starts_at, after.ends_at):
        lines.append(
            _("• time: {old} → {new}").format(old=when(before, zone), new=when(after, zone))
        )
    if before.place != after.place:
        lines.append(_("• place: {old} → {new}").format(old=_place(before), new=_place(after)))
    lines.append(_("The calendar file below has the new details."))
    return Message("\n".join(lines))


def _place(view: MeetingView) -> str:
    return escape(view.place) if view.place else _("not set")


def cancel_notice(view: MeetingView, zone: ZoneInfo) -> Message:
    """The thread notice of a cancellation."""
    return Message(
        _("❌ *{title}* on {when} is cancelled.").format(
            title=escape(view.title), when=when(view, zone)
        )
    )


def meeting_list(
    views: list[MeetingView], zone: ZoneInfo, heading: str, total: int | None = None
) -> Message:
    """Upcoming meetings with time, place, link and agenda, within Block Kit's limits: the first
    LISTED of `views`, and how many more there are of `total` (by default, of `views`)."""
    shown = views[:LISTED]
    total = len(views) if total is None else total
    body: list[blocks.Block] = [blocks.header(heading)]
    lines = [escape(heading)]  # the header is plain text, the fallback mrkdwn
    for view in shown:
        text = "\n".join([f"*{escape(view.title)}* (`{view.key}`)", *_facts(view, zone)])
        if view.agenda:
            text += "\n" + _listed_agenda(view.agenda)
        body += [blocks.section(text), blocks.context(audience_text(view))]
        lines.append(f"• {when(view, zone)} {escape(view.title)} (`{view.key}`)")
    if total > len(shown):
        more = _("…and {count} more.").format(count=total - len(shown))
        body.append(blocks.context(more))
        lines.append(more)
    return Message(blocks.fallback(lines), body)


def _listed_agenda(agenda: tuple[AgendaLine, ...]) -> str:
    lines = [agenda_line(item) for item in agenda[:LISTED_AGENDA]]
    if len(agenda) > LISTED_AGENDA:
        lines.append("…")
    return "\n".join(lines)


def audience_text(view: MeetingView) -> str:
    """Who the meeting is for, and how many have answered."""
    who = (
        _("Theme: {themes}").format(themes=escape(", ".join(view.audience)))
        if view.audience
        else _("The whole network")
    )
    return f"{who} · {counts_text(view)}"


def mine_lines(views: list[MeetingView], zone: ZoneInfo) -> list[str]:
    """The user's next meetings, for `mine`; nothing when there are none."""
    if not views:
        return []
    lines = [_("*Your next meetings*")]
    lines += [f"• {when(v, zone)} — {escape(v.title)} (`{v.key}`)" for v in views]
    return lines


def answered(view: MeetingView, answer: str, zone: ZoneInfo) -> str:
    """The reply to the person who answered."""
    return _("Your answer to *{title}* ({when}): {answer}.").format(
        title=escape(view.title), when=when(view, zone), answer=answer_label(answer)
    )
