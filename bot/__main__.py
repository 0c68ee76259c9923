"""The command line: `python -m bot <command>` (also installed as `network-bot`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence

from bot import logs
from bot.settings import Settings, SettingsError, load_settings, require

Command = Callable[[Settings, argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, build the settings once, and run the command."""
    arguments = parser().parse_args(argv)
    try:
        settings = load_settings()
        status: int = arguments.run(settings, arguments)
    except SettingsError as error:
        print(f"network-bot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status


def parser() -> argparse.ArgumentParser:
    """Every command of PRODUCT.md §5."""
    top = argparse.ArgumentParser(
        prog="network-bot", description="A Slack bot for a cooperation network."
    )
    commands = top.add_subparsers(title="commands", required=True, metavar="command")
    _add(
        commands, "run", "serve Slack if it is configured, else migrate and open the console", _run
    )
    _add(commands, "serve", "HTTP mode on PORT: /slack/events, /healthz", _serve)
    _add(commands, "socket", "Socket Mode (needs SLACK_APP_TOKEN)", _socket)
    _add(commands, "migrate", "bring the database schema up to date", _migrate)
    manifest = _add(commands, "manifest", "print the Slack app manifest", _manifest)
    manifest.add_argument("--url", help="the bot's public base URL (omit for Socket Mode)")
    console = _add(commands, "console", "talk to the bot in a terminal, no Slack needed", _console)
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


def _secrets(settings: Settings) -> list[str]:
    values = [settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token]
    return [value.get_secret_value() for value in values if value is not None]


def _run(settings: Settings, arguments: argparse.Namespace) -> int:
    if settings.slack_bot_token is None:
        _migrate(settings, arguments)
        arguments.user, arguments.lang = "U0CONSOLE", None
        return _console(settings, arguments)
    _migrate(settings, arguments)
    if settings.slack_app_token is not None:
        return _socket(settings, arguments)
    return _serve(settings, arguments)


def _serve(settings: Settings, _: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import build_app, build_services, build_web

    require(settings, "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    logs.configure(_secrets(settings))
    services = build_services(settings)
    web = build_web(services, build_app(services))
    uvicorn.run(web, host="0.0.0.0", port=settings.port, log_config=None, access_log=False)
    return 0


def _socket(settings: Settings, _: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.app import build_app, build_services

    require(settings, "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    logs.configure(_secrets(settings))
    services = build_services(settings)
    app_token = settings.slack_app_token.get_secret_value()  # type: ignore[union-attr]
    handler = AsyncSocketModeHandler(build_app(services), app_token)
    asyncio.run(handler.start_async())  # type: ignore[no-untyped-call]
    return 0


def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    asyncio.run(upgrade(settings.database_url))
    return 0


def _manifest(settings: Settings, arguments: argparse.Namespace) -> int:
    from ruamel.yaml import YAML

    from bot.manifest import manifest

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump(manifest(settings.slash_command, arguments.url), sys.stdout)
    return 0


def _console(settings: Settings, arguments: argparse.Namespace) -> int:
    from bot.app import build_services
    from bot.console import run_console

    logs.configure(_secrets(settings), level=30)
    services = build_services(settings)
    lang = arguments.lang or settings.language

    async def session() -> None:
        try:
            await run_console(services, arguments.user, lang)
        finally:
            await services.engine.dispose()

    asyncio.run(session())
    return 0


if __name__ == "__main__":
    sys.exit(main())
