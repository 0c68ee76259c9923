"""Messages shared by many features: what was wrong with a piece of input, and its right form."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.parsing import ParseError
from bot.text import escape

_FORMS = {
    "quote": N_(
        'A quotation mark is not closed: {value}. Put the title in quotes like this: "My title".'
    ),
    "date": N_(
        "'{value}' is not a date I understand. Write a date like 28.4.2027, 28.4. or 2027-04-28."
    ),
    "no_such_date": N_(
        "There is no {value} in the calendar: that month has fewer days. Check the date."
    ),
    "date_past": N_("{value} is more than a year ago. Give a later date."),
    "date_future": N_("{value} is more than ten years ahead. Give an earlier date."),
    "repeated_option": N_("`{value}` is given twice. Give it once."),
    "time": N_("'{value}' is not a time of day I understand. Write a time like 16:00 or 16.00."),
    "offset": N_(
        "'{value}' is not a reminder time I understand. Write e.g. 7d (days), 2h (hours) or 30m"
        " (minutes), several separated by commas: 7d,1d,0d."
    ),
    "channel": N_(
        "'{value}' is not a channel. Pick the channel with # so Slack links it, e.g. #liikenne."
    ),
    "user": N_("'{value}' is not a person. Mention them with @, e.g. @Maija."),
    "percent": N_(
        "'{value}' is not a progress figure. Write a whole number from 0 to 100, e.g. 40%."
    ),
}


def parse_error_text(error: ParseError) -> str:
    """One clear sentence, in the reader's language, naming the wrong input and the right form."""
    template = _FORMS.get(error.kind, N_("'{value}' is not something I understand here."))
    return _(template).format(value=escape(error.value))
