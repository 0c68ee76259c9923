"""The options `theme add` and `theme set` take beside names: `lang:` and `digest:`."""

from __future__ import annotations

from bot.i18n import LANGUAGES, _, language, language_name
from bot.outcome import UserError
from bot.suggest import did_you_mean, normalise
from bot.text import escape

DIGEST_WORDS = {"on": True, "off": False, "päälle": True, "pois": False, "paalle": True}


def parse_language(value: str | None) -> str | None:
    """The language `lang:` names for a theme's channel posts (`sv`, or its name in any of
    them: `ruotsi`, `svenska`, `Swedish`); None when it is not given."""
    if value is None:
        return None
    words = _language_words()
    if normalise(value) in words:
        return words[normalise(value)]
    choices = ", ".join(f"`{code}` ({language_name(code)})" for code in LANGUAGES)
    text = _("'{value}' is not a language I write. Choose one of: {languages}.").format(
        value=escape(value), languages=choices
    )
    near = did_you_mean(value, words)
    if near:
        text += " " + _("Did you mean `{suggestion}`?").format(suggestion=words[normalise(near)])
    raise UserError(text)


def _language_words() -> dict[str, str]:
    """Every way to name a language, normalised, and its code."""
    words = {code: code for code in LANGUAGES}
    for reader in LANGUAGES:
        with language(reader):
            words |= {normalise(language_name(code)): code for code in LANGUAGES}
    return words


def parse_digest(value: str | None) -> bool | None:
    """Whether `digest:` turns the weekly digest on; None when it is not given."""
    if value is None:
        return None
    if value.lower() not in DIGEST_WORDS:
        raise UserError(_("Write digest:on or digest:off."))
    return DIGEST_WORDS[value.lower()]
