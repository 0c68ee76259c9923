"""The help text: what exists, and one subcommand explained with examples."""

from __future__ import annotations

from collections.abc import Iterable

from bot import blocks
from bot.commands import Registry, Subcommand
from bot.i18n import _, current
from bot.outcome import Message, UserError
from bot.text import escape


def spelling(subcommand: Subcommand) -> str:
    """The words a reader of the current language types first (Finnish alias in Finnish)."""
    return subcommand.alias if current() == "fi" else subcommand.name


def other_spelling(subcommand: Subcommand) -> str:
    """The other words that work as well."""
    return subcommand.name if current() == "fi" else subcommand.alias


def usage_line(command: str, subcommand: Subcommand) -> str:
    """`/network join <theme> [org:<organisation>]` in the reader's language."""
    arguments = escape(_(subcommand.usage)) if subcommand.usage else ""
    return f"`{command} {spelling(subcommand)}{' ' + arguments if arguments else ''}`"


def overview(command: str, registry: Registry) -> Message:
    """Everything the command offers, one line each."""
    lines = [f"• {usage_line(command, item)} — {_(item.summary)}" for item in registry]
    intro = _(
        "*{command}* helps the network: themes, work packages, materials, meetings and deadlines."
    )
    outro = _("For examples, type `{command} help <subcommand>`, e.g. `{command} help {example}`.")
    sample = next((item for item in registry if item.name != "help"), next(iter(registry)))
    title = intro.format(command=command)
    footer = escape(outro).format(command=command, example=spelling(sample))
    body = [blocks.section(title), *_chunks(lines), blocks.context(footer)]
    return Message("\n".join([title, *lines, footer]), body)


def group(command: str, word: str, subcommands: Iterable[Subcommand]) -> Message:
    """What follows a word that begins several subcommands (`teema`), one line each."""
    title = _("Write one of these after `{command} {word}`:").format(
        command=command, word=escape(word.replace("`", "'"))
    )
    lines = [f"• {usage_line(command, item)} — {_(item.summary)}" for item in subcommands]
    return Message("\n".join([title, *lines]), [blocks.section(title), *_chunks(lines)])


def topic(command: str, subcommand: Subcommand) -> Message:
    """One subcommand: usage, what it does, the other spelling, and examples."""
    also = _("Also works as `{command} {other}`.").format(
        command=command, other=other_spelling(subcommand)
    )
    lines = [usage_line(command, subcommand), _(subcommand.summary), also]
    if subcommand.examples:
        lines.append(_("Examples:"))
        lines.extend(
            f"`{command} {spelling(subcommand)} {_(example)}`" for example in subcommand.examples
        )
    text = "\n".join(lines)
    return Message(text, [blocks.section(text)])


def _chunks(lines: list[str]) -> list[blocks.Block]:
    """Sections of lines, each within the section text limit."""
    sections: list[blocks.Block] = []
    current_lines: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in current_lines) + len(line) > blocks.SECTION_TEXT_LIMIT - 10:
            sections.append(blocks.section("\n".join(current_lines)))
            current_lines = []
        current_lines.append(line)
    if current_lines:
        sections.append(blocks.section("\n".join(current_lines)))
    return sections


def write_it_like(command: str, subcommand: Subcommand) -> UserError:
    """The refusal that shows how a subcommand is written, e.g. `/network join <theme>`."""
    return UserError(_("Write it like this: {usage}").format(usage=usage_line(command, subcommand)))
