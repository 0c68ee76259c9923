"""The meeting's details form (a Slack modal): building it, and reading what was submitted.

Reading checks everything before anything is saved, and answers with one message per field
that is wrong, shown in the form under that field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import blocks
from bot.blocks import form_input, text_input
from bot.button_values import item_id
from bot.dates import parse_date, parse_time, plausible_date
from bot.i18n import _, format_day
from bot.meetings.meeting import (
    PLACE_LIMIT,
    URL_LIMIT,
    AgendaLine,
    MeetingView,
    agenda_text,
    end_on_day,
    parse_agenda,
    typed_clock,
    valid_link,
)
from bot.messages import parse_error_text
from bot.outcome import UserError
from bot.parsing import ParseError
from bot.scheduling import TITLE_LIMIT, in_future, local_moment
from bot.text import clean

FORM = "meeting_details_form"
TITLE, DATE, START, END, PLACE, LINK, AGENDA, MATERIALS = (
    "title", "date", "start", "end", "place", "link", "agenda", "materials"
)  # fmt: skip
VALUE = blocks.INPUT_ACTION
OPTIONS_LIMIT = 100

Values = dict[str, dict[str, dict[str, Any]]]  # view.state.values: block → action → state


@dataclass(frozen=True)
class Details:
    """What a valid form sets."""

    title: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    online_url: str | None
    agenda: tuple[AgendaLine, ...]
    material_ids: tuple[int, ...]


def details_form(
    view: MeetingView, zone: ZoneInfo, options: list[tuple[int, str]], chosen: set[int]
) -> dict[str, Any]:
    """The modal, filled in with the meeting as it is; `options` are `(id, title)` materials."""
    local = view.starts_at.astimezone(zone)
    end = view.ends_at.astimezone(zone) if view.ends_at else None
    picker = {"type": "datepicker", "initial_date": local.date().isoformat()}
    ends = typed_clock(end.time()) if end else ""
    online = text_input(view.online_url or "", URL_LIMIT, "https://")
    body = [
        form_input(TITLE, _("Title"), text_input(view.title, TITLE_LIMIT)),
        form_input(DATE, _("Date"), picker),
        form_input(START, _("Starts"), text_input(typed_clock(local.time()), 5, "9.00")),
        form_input(END, _("Ends"), text_input(ends, 5, "15.30"), True),
        form_input(PLACE, _("Place"), text_input(view.place, PLACE_LIMIT), True),
        form_input(LINK, _("Online link"), online, True),
        _agenda_input(view),
    ]
    if options:
        body.append(_materials_input(options[:OPTIONS_LIMIT], chosen))
    return blocks.modal(
        _("Meeting details"),
        _("Close"),
        callback_id=FORM,
        private_metadata=str(view.id),
        submit=blocks.plain(_("Save")),
        blocks=body,
    )


def notice(text: str) -> dict[str, Any]:
    """The form replaced by one message (a refusal), with only a Close button."""
    return blocks.modal(_("Meeting details"), _("Close"), blocks=[blocks.section(text)])


def _agenda_input(view: MeetingView) -> blocks.Block:
    hint = _("One item per line: a time, a title and — the presenter, e.g. 9.20 Johdatus — Maija")
    element = text_input(agenda_text(view.agenda), 3000, "9.00 Kahvit", multiline=True)
    return form_input(AGENDA, _("Agenda"), element, True, hint)


def _materials_input(options: list[tuple[int, str]], chosen: set[int]) -> blocks.Block:
    made = [blocks.option(str(ident), title) for ident, title in options]
    element: blocks.Block = {"type": "multi_static_select", "options": made}
    initial = [option for option in made if int(option["value"]) in chosen]
    if initial:
        element["initial_options"] = initial
    return form_input(MATERIALS, _("Materials"), element, True)


def read_details(
    values: Values, before: MeetingView, zone: ZoneInfo, now: datetime, offered: set[int]
) -> Details | dict[str, str]:
    """The submitted details, or an error message per block that is wrong."""
    errors: dict[str, str] = {}

    def field(block_id: str, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except UserError as error:
            errors[block_id] = error.message
        except ParseError as error:
            errors[block_id] = parse_error_text(error)
        return None

    title = field(TITLE, lambda: read_title(_value(values, TITLE)))
    start = field(START, lambda: _start(values, before, zone, now))
    end = field(END, lambda: _end(_value(values, END), start, zone)) if start else None
    link = field(LINK, lambda: read_link(_value(values, LINK)))
    agenda = field(AGENDA, lambda: parse_agenda(_value(values, AGENDA)))
    chosen = field(MATERIALS, lambda: _materials(values, offered))
    if errors:
        return errors
    place = _value(values, PLACE)[:PLACE_LIMIT]
    return Details(title, start, end, place, link, agenda, chosen)


def _value(values: Values, block_id: str) -> str:
    """A field's text without control characters; only the agenda keeps its lines."""
    state = values.get(block_id, {}).get(VALUE, {})
    text = str(state.get("value") or state.get("selected_date") or "")
    return clean(text, multiline=block_id == AGENDA).strip()


def read_title(text: str) -> str:
    """A meeting's title, which it must have (the form's and any other caller's rule)."""
    if not text:
        raise UserError(_("Write a title."))
    return text[:TITLE_LIMIT]


def _start(values: Values, before: MeetingView, zone: ZoneInfo, now: datetime) -> datetime:
    """The start the form gives; a new one must be to come, and a date a person can mean."""
    written = _value(values, DATE) or "-"
    day = parse_date(written, date.min)
    start = local_moment(day, parse_time(_value(values, START) or "-"), zone)
    if start == before.starts_at:
        return start
    plausible_date(day, now.astimezone(zone).date(), format_day(day))
    return in_future(start, now)


def _end(text: str, start: datetime, zone: ZoneInfo) -> datetime | None:
    return end_on_day(start, parse_time(text), zone) if text else None


def read_link(text: str) -> str | None:
    """A meeting's online link, if any: a whole http(s) address."""
    if text and not valid_link(text):
        raise UserError(_("Write the whole address, starting with https://"))
    return text or None


def _materials(values: Values, offered: set[int]) -> tuple[int, ...]:
    state = values.get(MATERIALS, {}).get(VALUE, {})
    picked = [
        item_id(str(option.get("value", ""))) for option in state.get("selected_options") or []
    ]
    chosen = tuple(id_ for id_ in picked if id_ in offered)
    if len(chosen) != len(picked):  # a forged value, or one no longer offered
        raise UserError(_("A chosen material is no longer available. Choose again."))
    return chosen
