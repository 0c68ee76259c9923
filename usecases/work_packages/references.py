"""The work package a reference names (`liikenne-3`), or a `UserError` saying why there is none."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _
from bot.outcome import UserError
from bot.suggest import did_you_mean
from bot.text import escape
from bot.work_packages.packages import split_ref
from storage import themes as themes_store
from storage import work_packages as store
from storage.work_packages import Found
from usecases.caller import Caller

Ref = tuple[str, int]


def checked_ref(text: str) -> Ref:
    """The theme key and number a reference is made of; refused when it is not shaped like one."""
    ref = split_ref(text)
    if ref is None:
        raise UserError(
            _("'{value}' is not a work package reference. Write it like liikenne-3.").format(
                value=escape(text)
            )
        )
    return ref


async def package(session: AsyncSession, caller: Caller, ref: Ref, lock: bool = False) -> Found:
    """The package and its theme (locked for an update when `lock`); refused when there is none,
    with the nearest theme key or the way to the theme's packages."""
    found = await store.find(session, *ref, lock=lock)
    if found is None:
        raise UserError(await _no_package(session, caller, ref))
    return found


async def _no_package(session: AsyncSession, caller: Caller, ref: Ref) -> str:
    key, number = ref
    text = _("There is no work package `{ref}`.").format(ref=f"{key}-{number}")
    keys = [choice for choice, _name in await themes_store.theme_choices(session)]
    if key in keys:
        hint = _("See the packages of the theme with `{command} status {key}`.")
        return text + " " + hint.format(command=caller.command, key=key)
    near = did_you_mean(key, keys)
    if near:
        text += " " + _("Did you mean `{suggestion}`?").format(suggestion=f"{near}-{number}")
    return text
