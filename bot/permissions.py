"""Who may do what (PRODUCT.md §2): pure decisions with the reason a refusal gives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.i18n import _, ngettext
from bot.outcome import UserError
from bot.text import escape


@dataclass(frozen=True)
class Actor:
    """The person acting, as the stored data describes them."""

    user_id: str
    coordinator: bool = False
    organisation: str | None = None  # key of their own organisation
    contact_of: frozenset[str] = field(default_factory=frozenset)  # organisation keys


@dataclass(frozen=True)
class ThemeRoles:
    """The people who run one theme."""

    key: str
    name: str
    chair: str | None = None  # user id
    lead: str | None = None  # organisation key
    lead_name: str | None = None


@dataclass(frozen=True)
class Decision:
    """Allowed, or refused with a sentence that says who can."""

    allowed: bool
    reason: str = ""


ALLOW = Decision(True)


def require(decision: Decision) -> None:
    """Go on if allowed; else stop with the reason as the user's answer."""
    if not decision.allowed:
        raise UserError(decision.reason)


def coordinate(actor: Actor) -> Decision:
    """Network-wide management: coordinators only."""
    if actor.coordinator:
        return ALLOW
    return Decision(False, _("Only the network's coordinators can do that."))


def manages(actor: Actor, theme: ThemeRoles) -> bool:
    """A coordinator, the theme's chair, or a contact of its lead organisation."""
    lead_contact = theme.lead is not None and theme.lead in actor.contact_of
    return actor.coordinator or actor.user_id == theme.chair or lead_contact


def manage_theme(actor: Actor, theme: ThemeRoles) -> Decision:
    """Work packages, materials, meetings, deadlines and announcements of one theme."""
    if manages(actor, theme):
        return ALLOW
    return Decision(
        False,
        _("Only {who} can do that in the theme {theme}.").format(
            who=managers(theme), theme=escape(theme.name)
        ),
    )


def set_theme(actor: Actor, theme: ThemeRoles, who_runs_it: bool) -> Decision:
    """`theme set`: who chairs and leads a theme is the coordinators' decision; its channel
    language and weekly digest are also its managers'."""
    if not who_runs_it:
        return manage_theme(actor, theme)
    if actor.coordinator:
        return ALLOW
    return Decision(
        False, _("Only the network's coordinators can change who chairs or leads a theme.")
    )


def managers(theme: ThemeRoles) -> str:
    """Who runs a theme, as a refusal names them (each name in the nominative)."""
    who = []
    if theme.chair:
        who.append(_("its chair <@{user}>").format(user=theme.chair))
    if theme.lead:
        who.append(
            _("the contacts of its lead organisation ({organisation})").format(
                organisation=escape(theme.lead_name or theme.lead)
            )
        )
    return _join([*who, _("the coordinators")])


def manage_any(actor: Actor, themes: Sequence[ThemeRoles]) -> Decision:
    """Something of several themes (a meeting): the managers of any of them (PRODUCT.md §2)."""
    if len(themes) == 1:
        return manage_theme(actor, themes[0])
    if actor.coordinator or any(manages(actor, theme) for theme in themes):
        return ALLOW
    return Decision(
        False,
        _("Only the people who run one of its themes can do that: {who}.").format(
            who=_all_managers(themes)
        ),
    )


def _all_managers(themes: Sequence[ThemeRoles]) -> str:
    chairs = list(dict.fromkeys(f"<@{theme.chair}>" for theme in themes if theme.chair))
    leads = list(
        dict.fromkeys(escape(theme.lead_name or theme.lead) for theme in themes if theme.lead)
    )
    who = []
    if chairs:
        chaired = ngettext("the chair {people}", "the chairs {people}", len(chairs))
        who.append(chaired.format(people=", ".join(chairs)))
    if leads:
        led = ngettext(
            "the contacts of the lead organisation ({organisations})",
            "the contacts of the lead organisations ({organisations})",
            len(leads),
        )
        who.append(led.format(organisations=", ".join(leads)))
    return _join([*who, _("the coordinators")])


def announce(actor: Actor, theme: ThemeRoles | None) -> Decision:
    """An announcement in a theme's channel: its managers; to the whole network (`theme`
    None): the coordinators."""
    return coordinate(actor) if theme is None else manage_theme(actor, theme)


def cancel_announcement(actor: Actor, author: str, theme: ThemeRoles | None) -> Decision:
    """A scheduled announcement: its author, the theme's managers and the coordinators."""
    if actor.user_id == author or actor.coordinator:
        return ALLOW
    if theme is None:
        return Decision(
            False, _("Only its author and the coordinators can cancel this announcement.")
        )
    if manages(actor, theme):
        return ALLOW
    reason = _("This announcement can be cancelled by its author and, in the theme {theme}, {who}.")
    return Decision(False, reason.format(theme=escape(theme.name), who=managers(theme)))


def register_organisation(actor: Actor, organisation_key: str, organisation_name: str) -> Decision:
    """Registering an organisation for a theme: its contacts (and coordinators)."""
    if actor.coordinator or organisation_key in actor.contact_of:
        return ALLOW
    return Decision(
        False,
        _("Only the contacts of {organisation} can register it for a theme.").format(
            organisation=escape(organisation_name)
        ),
    )


def update_work_package(
    actor: Actor, owner_user: str | None, owner_organisation: str | None, theme: ThemeRoles
) -> Decision:
    """The owner (or the owning organisation's contacts) and the theme's managers."""
    if actor.user_id == owner_user or (
        owner_organisation and owner_organisation in actor.contact_of
    ):
        return ALLOW
    if manages(actor, theme):
        return ALLOW
    reason = _(
        "Only the work package's owner and the people who run the theme {theme} can update it:"
        " {who}."
    )
    return Decision(False, reason.format(theme=escape(theme.name), who=managers(theme)))


def add_material(actor: Actor, theme: ThemeRoles | None, registered: bool) -> Decision:
    """A theme's registered members and managers; the network basket: coordinators."""
    if theme is None:
        return coordinate(actor)
    if registered or manages(actor, theme):
        return ALLOW
    return Decision(
        False,
        _(
            "Only members registered for {theme} and the people who run it can add materials."
            " Join the theme first."
        ).format(theme=escape(theme.name)),
    )


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return _("{first} and {last}").format(first=", ".join(parts[:-1]), last=parts[-1])
