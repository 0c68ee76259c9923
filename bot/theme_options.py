"""The options `theme add` and `theme set` take beside names: `lang:` and `digest:`."""

from __future__ import annotations

from bot.i18n import LANGUAGES, _
from bot.outcome import UserError
from bot.suggest import did_you_mean
from bot.text import escape

DIGEST_WORDS = {"on": True, "off": False, "päälle": True, "pois": False, "paalle": True}


def parse_language(value: str | None) -> str | None:
    """The language `lang:` names for a theme's channel posts; None when it is not given."""
    if value is None:
        return None
    if value.lower() in LANGUAGES:
        return value.lower()
    hint = did_you_mean(value, LANGUAGES)
    text = _("'{value}' is not a language I write. Choose fi, sv or en.").format(
        value=escape(value)
    )
    raise UserError(
        text + (" " + _("Did you mean `{suggestion}`?").format(suggestion=hint) if hint else "")
    )


def parse_digest(value: str | None) -> bool | None:
    """Whether `digest:` turns the weekly digest on; None when it is not given."""
    if value is None:
        return None
    if value.lower() not in DIGEST_WORDS:
        raise UserError(_("Write digest:on or digest:off."))
    return DIGEST_WORDS[value.lower()]
