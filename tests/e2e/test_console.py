"""The console shows what Slack would show: blocks drawn as text, every post with its channel's
name, thread posts under their parent, buttons pressed by their label through the functions
Slack's listeners call, and people written `@U…`."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.console.conversation import run_console
from app.services import Services
from bot.plan import load_plan
from storage.models import Registration, Theme
from storage.plan import import_plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "mal-verkosto.yaml"
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
ME = "U0CONSOLE"  # a coordinator of the example network, a contact of Tampere


@pytest.fixture
async def example(services: Services) -> Services:
    async with services.db.begin() as session:
        await import_plan(session, load_plan(EXAMPLE.read_text(encoding="utf-8")))
    return services


async def console(services: Services, *lines: str, user: str = ME, lang: str = "en") -> str:
    """Everything the console prints for these lines."""
    out = io.StringIO()
    typed = io.StringIO("".join(line + "\n" for line in lines))
    await run_console(services, user, lang, typed, out, clock=lambda: NOW)
    return out.getvalue()


def answers(output: str) -> list[str]:
    """The console's output, one block per typed line (the greeting first)."""
    return output.split("\n\n")


async def test_the_theme_list_is_drawn_with_its_facts_and_buttons(example: Services) -> None:
    listing = answers(await console(example, "themes"))[1]
    line = next(line for line in listing.splitlines() if "(`liikenne`)" in line)
    assert line == "*Liikenne ja saavutettavuus* (`liikenne`)  [Join]"
    assert (
        "  channel #liikenne · lead Tampereen kaupunkiseutu · chair @U0TRE00001 · 1 member"
        in listing
    )
    assert "register by Wed 28 Apr 2027" in listing
    assert "*Digitalisaatio* (`digi`)  [Leave]" in listing  # U0CONSOLE is in digi


async def test_a_button_is_pressed_by_its_label_as_slack_presses_it(example: Services) -> None:
    output = answers(await console(example, "themes", "Join", "Join liikenne", "[Join] 1"))
    ambiguous = output[2].splitlines()
    assert ambiguous[0] == "Several buttons read [Join]; type which one:"
    assert "• `Join 2`  *Liikenne ja saavutettavuus* (`liikenne`)" in ambiguous
    joined = output[3]
    assert joined.startswith("You joined the theme *Liikenne ja saavutettavuus*.")
    assert "*Liikenne ja saavutettavuus* (`liikenne`)  [Leave]" in joined  # the list redrawn
    assert "→ @U0CONSOLE invited to #liikenne" in joined
    assert "→ posted in #liikenne:\n  @U0CONSOLE liittyi teemaan." in joined  # the channel's
    assert output[4].startswith("You joined the theme *Asuminen*.")  # the first Join left
    async with example.db() as session:
        keys = set(
            await session.scalars(
                select(Theme.key)
                .join(Registration, Registration.theme_id == Theme.id)
                .where(Registration.user_id == ME)
            )
        )
    assert {"liikenne", "asuminen"} <= keys


async def test_a_meetings_posts_its_update_and_cancellation_are_shown(example: Services) -> None:
    output = answers(
        await console(
            example,
            "meeting add liikenne 20.5.2027 9.00 Testikokous",
            "[Add details]",
            "meeting edit testikokous-2027-05-20 10.00",
            "meeting cancel testikokous-2027-05-20",
        )
    )
    added, details, edited, cancelled = output[1:5]
    # The reply is in the person's language, the channel's posts in the channel's (Finnish).
    assert "→ posted in #liikenne:\n  📅 *Testikokous*\n  *Aika:* to 20.5.2027 klo 9.00" in added
    assert "  [Tulen] [En tule] [Ehkä]" in added
    assert re.search(r"\n    → file testikokous-2027-05-20\.ics shared in #liikenne", added)
    assert details == (
        "[Add details] opens a form, and forms need Slack. Here, the subcommands do the same:"
        " type `help`."
    )
    assert (
        "→ message in #liikenne updated:\n  📅 *Testikokous*\n  *Aika:* to 20.5.2027 klo 10.00"
        in edited
    )
    thread = "→ posted in #liikenne, in the thread of “📅 Testikokous”:\n    "
    assert thread + "🔄 *Testikokous* on muuttunut:" in edited
    assert thread + "❌ *Testikokous* (to 20.5.2027 klo 10.00) on peruttu." in cancelled


async def test_people_may_be_written_with_an_at_sign(example: Services) -> None:
    output = answers(await console(example, "theme set liikenne chair:@U0HKI00001"))
    assert "chair @U0HKI00001" in output[1]
    async with example.db() as session:
        chair = await session.scalar(select(Theme.chair_user_id).where(Theme.key == "liikenne"))
    assert chair == "U0HKI00001"


async def test_the_greeting_tells_how_to_press_a_button(example: Services) -> None:
    greeting = answers(await console(example, lang="fi"))[0]
    assert "[Liity]" in greeting and "`Liity 2`" in greeting


async def test_the_readmes_console_examples_are_understood(example: Services) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("opens the **console**", 1)[1].split("```\n", 2)[1]
    typed = [line for line in block.splitlines() if line.strip()]
    output = answers(await console(example, *typed))
    assert len(output) >= len(typed) + 1
    for line, answer in zip(typed, output[1:], strict=False):
        assert "I don't know" not in answer, line
        assert "Write it like this" not in answer, line


async def test_home_shows_the_home_tab_and_its_buttons_press(example: Services) -> None:
    output = answers(await console(example, "home", "Help"))
    shown = output[1]
    assert "Your Home tab:" in shown and "*Your network*" in shown
    assert "*Your themes*" in shown and "[Leave]" in shown
    assert "*Network overview*" in shown  # U0CONSOLE is a coordinator
