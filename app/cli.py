"""The command line: `python -m bot <command>` (also installed as `network-bot`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import warnings
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from app import processes
from app.settings import Settings, SettingsError, SettingWarning, load_settings
from bot import logs

if TYPE_CHECKING:
    from usecases.caller import Sessions

T = TypeVar("T")

Command = Callable[[Settings, argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, build the settings once, and run the command."""
    arguments = parser().parse_args(argv)
    try:
        settings = _settings()
        status: int = arguments.run(settings, arguments)
        sys.stdout.flush()
    except SettingsError as error:
        print(f"network-bot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()
    return status


def _reader_gone() -> int:
    """The output went into a pipe whose reader stopped early (`manifest | head`): end quietly.

    Python's recipe: standard output is pointed at devnull, so that the flush at exit does not
    fail again; the status is a shell's for a program ended by a closed pipe (128 + SIGPIPE).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


def _settings() -> Settings:
    """The settings; what they read in their own way is told in one line each, and start-up
    goes on."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SettingWarning)
        settings = load_settings()
    for warning in caught:
        if issubclass(warning.category, SettingWarning):
            print(f"network-bot: {warning.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return settings


def parser() -> argparse.ArgumentParser:
    """Every command of PRODUCT.md §5."""
    top = argparse.ArgumentParser(
        prog="network-bot", description="A Slack bot for a cooperation network."
    )
    commands = top.add_subparsers(title="commands", required=True, metavar="command")
    _add(
        commands, "run", "serve Slack if it is configured, else migrate and open the console", _run
    )
    _add(
        commands,
        "serve",
        "HTTP mode on HOST and PORT: /slack/events, /healthz",
        _process(processes.serve),
    )
    _add(commands, "socket", "Socket Mode (needs SLACK_APP_TOKEN)", _process(processes.socket_mode))
    _add(commands, "migrate", "bring the database schema up to date", _migrate)
    plan = _add(commands, "import", "load a network plan (YAML), all or nothing", _import)
    plan.add_argument("plan", type=Path, help="the plan file")
    plan.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    plan.add_argument("--prune", action="store_true", help="delete what the plan leaves out")
    export = _add(commands, "export", "write the whole network as a plan (YAML)", _export)
    export.add_argument("file", nargs="?", type=Path, help="where to write it (default: stdout)")
    _add(
        commands,
        "clock",
        "the scheduler alone: post reminders and digests when due",
        _process(processes.clock),
    )
    outbox = _add(commands, "outbox", "list notifications, or `outbox retry <id>`", _outbox)
    outbox.add_argument("action", nargs="?", choices=["retry"], help="re-queue a failed one")
    outbox.add_argument("id", nargs="?", type=int, help="the notification to retry")
    outbox.add_argument("--state", choices=["failed", "pending", "skipped", "sent", "cancelled"])
    outbox.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    calendar = _add(commands, "calendar", "print the calendar feed's secret address", _calendar)
    calendar.add_argument(
        "--rotate", action="store_true", help="give it a new address (the old one stops working)"
    )
    manifest = _add(commands, "manifest", "print the Slack app manifest", _manifest)
    manifest.add_argument("--url", help="the bot's public base URL (omit for Socket Mode)")
    console = _add(
        commands,
        "console",
        "talk to the bot in a terminal, no Slack needed (the example network the first time)",
        _console,
    )
    console.add_argument("--user", default="U0CONSOLE", help="the Slack user ID to act as")
    console.add_argument("--lang", choices=["fi", "sv", "en"], help="reply language")
    return top


def _add(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    text: str,
    run: Command,
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=text, description=text)
    command.set_defaults(run=run)
    return command


def _process(run: Callable[[Settings], int]) -> Command:
    """A long-running process as a command (it takes no arguments)."""
    return lambda settings, _: run(settings)


def _run(settings: Settings, arguments: argparse.Namespace) -> int:
    if settings.slack_bot_token is None:
        arguments.user, arguments.lang = "U0CONSOLE", None
        return _console(settings, arguments)
    _migrate(settings, arguments)
    if settings.slack_app_token is not None:
        return processes.socket_mode(settings)
    return processes.serve(settings)


def _outbox(settings: Settings, arguments: argparse.Namespace) -> int:
    from app.operator import list_outbox, retry_notification

    if arguments.action == "retry":
        if arguments.id is None:
            print("network-bot: outbox retry needs a notification id", file=sys.stderr)
            return 2
        return asyncio.run(retry_notification(settings, arguments.id))
    return asyncio.run(list_outbox(settings, arguments.state, arguments.limit))


def _calendar(settings: Settings, arguments: argparse.Namespace) -> int:
    from app.operator import calendar_address

    return asyncio.run(calendar_address(settings, arguments.rotate))


def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    asyncio.run(upgrade(settings.database_url))
    return 0


def _import(settings: Settings, arguments: argparse.Namespace) -> int:
    from usecases.plans import import_file

    _migrate(settings, arguments)  # a fresh database gets its tables first
    path, options = arguments.plan, {"prune": arguments.prune, "dry_run": arguments.dry_run}
    report = _on_database(
        settings, lambda db: import_file(db, settings.deployment, path, **options)
    )
    print(report.text, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def _export(settings: Settings, arguments: argparse.Namespace) -> int:
    from usecases.plans import export_text

    text = _on_database(settings, export_text)
    if arguments.file is None:
        sys.stdout.write(text)
    else:
        arguments.file.write_text(text, encoding="utf-8")
    return 0


def _load_example(settings: Settings) -> None:
    """The first time the console runs on an empty database, load the example network."""
    from usecases.plans import load_example

    example = Path(__file__).resolve().parent.parent / "examples" / "mal-verkosto.yaml"
    loaded = _on_database(settings, lambda db: load_example(db, settings.deployment, example))
    if loaded:
        print(loaded)


def _on_database(settings: Settings, work: Callable[[Sessions], Awaitable[T]]) -> T:
    """Run `work` on the settings' database, its connections closed afterwards."""
    from storage.db import create_engine, create_session_factory

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(create_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _manifest(settings: Settings, arguments: argparse.Namespace) -> int:
    import yaml

    from bot.manifest import manifest, url_problem

    if arguments.url is not None and (problem := url_problem(arguments.url)):
        print(f"network-bot: manifest --url: {problem}", file=sys.stderr)
        return 2
    document = manifest(settings.slash_command, arguments.url)
    yaml.safe_dump(document, sys.stdout, allow_unicode=True, sort_keys=False)
    return 0


def _console(settings: Settings, arguments: argparse.Namespace) -> int:
    from app.console.conversation import run_console
    from app.web import build_services

    _migrate(settings, arguments)
    _load_example(settings)
    logs.configure(processes.secrets(settings), level=30)
    services = build_services(settings)

    async def session() -> None:
        try:
            await run_console(services, arguments.user, arguments.lang)
        finally:
            await services.dispose()

    asyncio.run(session())
    return 0


if __name__ == "__main__":
    sys.exit(main())
