"""Generated text for every subcommand the registry offers (hypothesis), run by the command
layer as Slack's listener and the console run it: one reply, in the reader's language, within
Slack's limits, never an exception, and a refused input writes nothing.

The subcommands are read from the registry, so a feature merged later is covered without
touching this file. Examples are derandomized (the same ones every run) and the database is
shared by the examples, so later ones meet what earlier ones wrote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import cache
from typing import Any

from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from sqlalchemy import func, select

from app.services import Services
from bot.commands import Registry, Subcommand
from bot.i18n import catalog_path, set_language
from bot.outcome import Outcome, UserError
from bot.parsing import ParseError
from storage.models import Network
from tests.conftest import COORDINATOR
from tests.seed import CHAIR, CONTACT, seed, seed_meetings, seed_work_packages, snapshot
from usecases import commands
from usecases.caller import Caller

# Who types: the coordinator and a theme's chair (who may write most), a contact, an outsider.
CALLERS = ((COORDINATOR, "fi"), (CHAIR, "sv"), (CONTACT, "fi"), ("U0MEMBER3", "en"))
TRICKY = (
    "",
    " ",
    '"',
    "'",
    '""',
    '"auki',
    "“lainaus”",
    "«»",
    "\\",
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200b",
    "\x00",
    "\x1b[31m",
    "\t",
    "\r\n",
    "🙂",
    "👩‍👩‍👧",
    "<!channel>",
    "<@U0MEMBER1>",
    "<#C0LIIKENNE|liikenne>",
    "&lt;!here&gt;",
    "*bold*",
    "`code`",
    "-1",
    "0",
    "101",
    "99999999999999999999999",
    "1e308",
    "31.2.2027",
    "29.2.2100",
    "1.1.0001",
    "25:61",
    "9.00",
    "2027-13-01",
    "liikenne",
    "digi",
    "vanha",
    "liikenne-1",
    "liikenne-99",
    "digi-1",
    "org:",
    "org:tampere",
    "#liikenne",
    "https://example.org/a",
    "javascript:alert(1)",
    "ftp://x",
    "tag:",
    "a" * 3000,
    "ä" * 200,
)
token = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=4),
)


@cache
def _fragments(language: str) -> tuple[str, ...]:
    """Pieces of the catalog's translations long enough to tell the language, and not the
    same in English."""
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    found: set[str] = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english = " ".join(str(i) for i in ids)
        for text in strings:
            for piece in re.split(r"\{[^}]*\}|[`*_<>\n:.,;()'\"“”?!]", str(text)):
                piece = piece.strip()
                if len(piece) >= 6 and piece not in english:
                    found.add(piece)
    return tuple(found)


def _in_language(text: str, language: str) -> bool:
    if language == "en":  # English: none of the words only a Finnish or Swedish reply has
        return not any(piece in text for other in ("fi", "sv") for piece in _fragments(other))
    return any(piece in text for piece in _fragments(language))


def _watched(subcommand: Subcommand, refused: list[str]) -> Subcommand:
    """The subcommand, telling `refused` when it refuses its input."""
    run: Callable[..., Awaitable[Outcome]] = subcommand.run

    async def watched(*args: Any) -> Outcome:
        try:
            return await run(*args)
        except (UserError, ParseError):
            refused.append(subcommand.name)
            raise

    return replace(subcommand, run=watched)


def _check_limits(outcome: Outcome) -> None:
    """What Slack would take: a non-empty text, at most 50 valid blocks."""
    message = outcome.reply
    assert message.text.strip()
    assert len(message.text) <= 40_000
    blocks = message.blocks or []
    assert len(blocks) <= 50
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()


def _spellings(registry: Registry) -> list[str]:
    return sorted({spelling for item in registry for spelling in item.spellings})


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_every_subcommand_answers_generated_text_once_in_the_readers_language(
    services: Services, data: st.DataObject
) -> None:
    if not await _seeded(services):
        await seed(services.db)
        await seed_work_packages(services.db)
        await seed_meetings(services.db)
    refused: list[str] = []
    registry = Registry()
    for item in services.registry:
        registry.add(_watched(item, refused))
    words = data.draw(st.sampled_from(_spellings(registry)) | st.sampled_from(TRICKY), "words")
    rest = data.draw(st.lists(token, max_size=6), "rest")
    user, language = data.draw(st.sampled_from(CALLERS), "caller")
    text = " ".join([words, *rest])
    set_language(language)
    caller = Caller(user, services.clock(), services.settings.deployment)
    before = await snapshot(services.engine)

    name, outcome = await commands.run(services.db, caller, registry, text)

    _check_limits(outcome)
    shown = outcome.reply.text + json.dumps(outcome.reply.blocks, ensure_ascii=False)
    assert _in_language(shown, language), shown
    if refused or name in ("-", "unknown", "group", "help"):
        assert await snapshot(services.engine) == before, f"{text!r} was refused and wrote"


async def _seeded(services: Services) -> bool:
    async with services.db() as session:
        return bool(await session.scalar(select(func.count()).select_from(Network)))
