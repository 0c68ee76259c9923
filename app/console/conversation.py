"""Talk to the bot in a terminal: the same command layer and buttons, no Slack needed.

What Slack would show is drawn as text (`app.console.drawing`): the reply, and every post, direct
message and update the bot would make, with the channel's name; a post in a thread is indented
under its parent. A button is pressed by typing its label; the press runs the function Slack's
listener runs (`handlers.button_presses`). `home` shows the person's Home tab.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from app.console.buttons import choose, press_hint
from app.console.drawing import Button, draw
from app.console.posts import Shown, deliver, sent
from app.services import Services
from bot import blocks
from bot.home.tab import tab
from bot.i18n import _, language
from bot.outcome import Message, Outcome
from handlers import button_presses
from storage.channels import channel_names
from storage.network import network_language
from usecases import commands
from usecases.caller import Caller
from usecases.commands import Press, attempt
from usecases.home.tab import read

Clock = Callable[[], datetime]
HOME = "home"  # typed alone: the Home tab, as Slack shows it
_MENTION = re.compile(r"(?<![<\w@])@([UW][A-Z0-9]{2,})\b(?![|>])")


async def run_console(
    services: Services,
    user_id: str,
    lang: str | None,
    lines: TextIO = sys.stdin,
    out: TextIO | None = None,
    clock: Clock = lambda: datetime.now(UTC),
) -> None:
    """Read commands line by line until end of input and print what the bot answers and does.

    Without `lang`, the bot answers in the network's language, as in Slack to a person whose
    Slack language it does not speak.
    """
    out = out or sys.stdout
    command = services.settings.slash_command
    interactive = lines.isatty()
    if lang is None:
        async with services.db() as session:
            lang = await network_language(session, services.settings.language)
    console = Console(services, user_id, out, clock, button_presses(services.registry))
    with language(lang):
        greeting = _("Talking to the bot as {user}. Type `help`; end with Ctrl-D.")
        console.say(greeting.format(user=user_id) + "\n" + press_hint() + "\n")
        while True:
            if interactive:
                out.write(f"{command} ")
                out.flush()
            line = lines.readline()
            if not line:
                break
            text = _strip_command(line.strip(), command)
            if text is not None:
                await console.handle(text)


class Console:
    """One person's conversation: the buttons last shown, and where posts landed."""

    def __init__(
        self,
        services: Services,
        user_id: str,
        out: TextIO,
        clock: Clock,
        presses: dict[str, Press],
    ) -> None:
        self.services, self.user_id, self.out, self.clock = services, user_id, out, clock
        self.presses = presses
        self.buttons: tuple[Button, ...] = ()
        self.shown = Shown()

    async def handle(self, text: str) -> None:
        """Press the button the text names, or run it as a subcommand; show what happens."""
        async with self.services.db() as session:
            self.shown.channels = await channel_names(session, "#" + _("announcements"))
        chosen = choose(self.buttons, text)
        outcome: Outcome | None
        if text.strip().lower() == HOME:
            outcome = await self._home()
        elif isinstance(chosen, Button):
            outcome = await self._press(chosen)
        elif chosen:
            outcome = Outcome(Message(_ambiguous(chosen)))
        else:
            now = self.clock()
            caller = Caller(self.user_id, now, self.services.settings.deployment)
            registry = self.services.registry
            outcome = (await commands.run(self.services.db, caller, registry, mentions(text)))[1]
        if outcome is not None:
            await self.show(outcome)

    async def _home(self) -> Outcome:
        """The person's Home tab, as Slack would publish it for them now."""
        caller = Caller(self.user_id, self.clock(), self.services.settings.deployment)
        view = tab(await read(self.services.db, caller))
        return Outcome(
            Message(_("Your Home tab:"), [blocks.section(_("Your Home tab:"))] + view["blocks"])
        )

    async def _press(self, button: Button) -> Outcome | None:
        """What pressing the button does, as Slack's listener does it."""
        if button.url:
            opens = _("[{label}] opens {url}").format(label=button.label, url=button.url)
            return Outcome(Message(opens))
        press = self.presses.get(button.action_id)
        if press is None:
            return Outcome(Message(_("[{label}] does nothing here.").format(label=button.label)))
        caller = Caller(self.user_id, self.clock(), self.services.settings.deployment)
        action = {"type": "button", "action_id": button.action_id, "value": button.value}
        result = await attempt(press(self.services.db, caller, action))
        if isinstance(result, Outcome):
            return result
        return Outcome(Message(_form_needs_slack(button.label)))

    async def show(self, outcome: Outcome) -> None:
        """Print the reply, the files sent to the person, then what the bot posts because of it,
        with where it goes."""
        drawn = draw(outcome.reply, self.shown.channels)
        self.say(drawn.text)
        for upload in outcome.effects:
            self.say(sent(upload))
        deployment = self.services.settings.deployment
        posted = await deliver(self.services.db, deployment, self.shown, self.out, self.clock())
        buttons = [*drawn.buttons, *(b for d in posted for b in d.buttons)]
        if buttons:
            self.buttons = tuple(buttons)
        self.out.write("\n")
        self.out.flush()

    def say(self, text: str) -> None:
        """A line of the console's own."""
        self.out.write(text + "\n")


def mentions(text: str) -> str:
    """`@U0AAAA001` as Slack sends a mention, `<@U0AAAA001>`: people may be typed either way."""
    return _MENTION.sub(r"<@\1>", text)


def _ambiguous(buttons: tuple[Button, ...]) -> str:
    label = buttons[0].label
    head = _("Several buttons read [{label}]; type which one:").format(label=label)
    options = [
        f"• `{label} {n}`  {_first_line(button)}" for n, button in enumerate(buttons, start=1)
    ]
    return "\n".join([head, *options])


def _first_line(button: Button) -> str:
    line = button.near.strip().split("\n")[0] if button.near.strip() else button.value
    return line[:80]


def _form_needs_slack(label: str) -> str:
    return _(
        "[{label}] opens a form, and forms need Slack. Here, the subcommands do the same:"
        " type `help`."
    ).format(label=label)


def _strip_command(line: str, command: str) -> str | None:
    """The subcommand text of a typed line; None for a blank line or a comment."""
    if not line or line.startswith("#"):
        return None
    if line == command or line.startswith(command + " "):
        return line[len(command) :].strip()
    return line
