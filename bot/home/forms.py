"""The Home tab's forms (Slack modals): a work package's update, and the managers' new work
package, meeting and deadline.

A submitted form becomes the words of the subcommand it stands for (`update`, `wp add`,
`meeting add`, `deadline add`), so it follows exactly that subcommand's rules and permissions;
its `private_metadata` only names the item (a package's reference, a theme's key or `all`),
which the subcommand reads again. A field the form can check itself is answered under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import blocks
from bot.blocks import form_input, option, text_input
from bot.i18n import _
from bot.messages import parse_error_text
from bot.parsing import ParseError
from bot.scheduling import TITLE_LIMIT
from bot.text import clean, escape, unescape
from bot.work_packages.packages import PackageView
from bot.work_packages.statuses import STATUSES, status_label
from bot.work_packages.updates import NOTE_LIMIT

UPDATE_FORM = "home_update_form"
PACKAGE_FORM = "home_package_form"
MEETING_FORM = "home_meeting_form"
DEADLINE_FORM = "home_deadline_form"
FORMS = (UPDATE_FORM, PACKAGE_FORM, MEETING_FORM, DEADLINE_FORM)
STATUS, PROGRESS, NOTE, TITLE, DATE, TIME = "status", "progress", "note", "title", "date", "time"
VALUE = blocks.INPUT_ACTION

Values = dict[str, dict[str, dict[str, Any]]]  # view.state.values: block → action → state
Errors = dict[str, str]  # block id → the message shown under that field


@dataclass(frozen=True)
class Words:
    """A submitted form as the subcommand it stands for would be typed."""

    subcommand: str
    words: list[str]


def update_form(package: PackageView) -> dict[str, Any]:
    """Status, progress and a note for one package, filled in with how it stands."""
    statuses = [option(status, status_label(status)) for status in STATUSES]
    current = next(o for o in statuses if o["value"] == package.status)
    select = {"type": "static_select", "options": statuses, "initial_option": current}
    progress = f"{package.progress} %"
    unchanged = _("Left empty: as it is, or 100 % when done.")
    body = [
        blocks.section(f"`{package.ref}` *{escape(package.title)}*"),
        form_input(STATUS, _("Status"), select),
        form_input(PROGRESS, _("Progress (%)"), text_input("", 4, progress), True, unchanged),
        form_input(NOTE, _("Note"), text_input("", NOTE_LIMIT, multiline=True), True),
    ]
    return _modal(_("Update"), UPDATE_FORM, package.ref, body)


def package_form(theme_key: str, theme_name: str) -> dict[str, Any]:
    """A new work package of a theme: its title and due date."""
    body = [
        _about(theme_name),
        form_input(TITLE, _("Title"), text_input("", TITLE_LIMIT)),
        form_input(DATE, _("Due date"), {"type": "datepicker"}, True),
    ]
    return _modal(_("New work package"), PACKAGE_FORM, theme_key, body)


def meeting_form(audience: str, audience_name: str) -> dict[str, Any]:
    """A new meeting of a theme (or the whole network): title, day and starting time; its
    announcement's button opens the details form for the rest."""
    body = [
        _about(audience_name),
        form_input(TITLE, _("Title"), text_input("", TITLE_LIMIT)),
        form_input(DATE, _("Date"), {"type": "datepicker"}),
        form_input(TIME, _("Starts"), text_input("", 5, "9.00")),
    ]
    return _modal(_("New meeting"), MEETING_FORM, audience, body)


def deadline_form(audience: str, audience_name: str) -> dict[str, Any]:
    """A new deadline of a theme (or the whole network): title, day and an optional time."""
    body = [
        _about(audience_name),
        form_input(TITLE, _("Title"), text_input("", TITLE_LIMIT)),
        form_input(DATE, _("Date"), {"type": "datepicker"}),
        form_input(TIME, _("Time"), text_input("", 5, "16.00"), True),
    ]
    return _modal(_("New deadline"), DEADLINE_FORM, audience, body)


def notice(text: str) -> dict[str, Any]:
    """A small window with one message (help, a refusal) and a Close button."""
    return blocks.modal(_("Network"), _("Close"), blocks=blocks.sections([text]))


def _about(name: str) -> blocks.Block:
    return blocks.section(_("For: {audience}").format(audience=escape(name)))


def _modal(title: str, callback: str, metadata: str, body: list[blocks.Block]) -> dict[str, Any]:
    return blocks.modal(
        title,
        _("Cancel"),
        callback_id=callback,
        private_metadata=metadata,
        submit=blocks.plain(_("Save")),
        blocks=body,
    )


def read(callback: str, metadata: str, values: Values) -> Words | Errors:
    """The subcommand's words a submitted form stands for, or the fields it must ask again."""
    title = _text(values, TITLE)
    if callback == UPDATE_FORM:
        return _update(metadata, values)
    if not title:
        return {TITLE: _("Write a title.")}
    date, time = _picked(values, DATE), _text(values, TIME)
    if callback == PACKAGE_FORM:
        due = [f"due:{date}"] if date else []
        return Words("wp add", [metadata, title, *due])
    if callback == MEETING_FORM:
        return Words("meeting add", [metadata, date, time, title])
    return Words("deadline add", [metadata, date, *([time] if time else []), title])


def _update(ref: str, values: Values) -> Words | Errors:
    status = ((values.get(STATUS) or {}).get(VALUE) or {}).get("selected_option") or {}
    progress, note = _text(values, PROGRESS).removesuffix("%").strip(), _text(values, NOTE)
    if progress and not (progress.isdigit() and int(progress) <= 100):
        return {PROGRESS: _("Write the progress as a whole number from 0 to 100.")}
    words = [ref, str(status.get("value") or "")]
    words += [f"{progress}%"] if progress else []
    return Words("update", words + ([note] if note else []))


def error_field(callback: str, message: str, error: ParseError | None = None) -> Errors:
    """A refusal of the subcommand, shown under the field it is about (the first by default)."""
    field = STATUS if callback == UPDATE_FORM else TITLE
    if error is not None and (error.kind.startswith("date") or error.kind == "no_such_date"):
        field = DATE
    elif error is not None and error.kind == "time":
        field = TIME
    elif callback == UPDATE_FORM and str(NOTE_LIMIT) in message:
        field = NOTE
    return {field: unescape(message)}


def parse_error(callback: str, error: ParseError) -> Errors:
    """A value the subcommand could not read, under its field."""
    return error_field(callback, parse_error_text(error), error)


def _text(values: Values, block: str) -> str:
    state = (values.get(block) or {}).get(VALUE) or {}
    return clean(str(state.get("value") or "")).strip()


def _picked(values: Values, block: str) -> str:
    state = (values.get(block) or {}).get(VALUE) or {}
    return str(state.get("selected_date") or "")
