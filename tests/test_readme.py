"""Every command the README shows works as written after `make run`: each `make` target exists,
each `.venv/bin/network-bot …` line is one the real command line accepts, and no command is
shown in a form that needs the virtual environment activated."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
PROGRAM = ".venv/bin/network-bot"
TEMPLATE = re.compile(r"[<>\[\]|…]")  # a form to fill in, not a command to type
ASSIGNMENT = re.compile(r"[A-Z_][A-Z0-9_]*=.*")  # one word of a command, as the shell splits it
PROGRAMS = ("make", "python", "python3", ".venv/bin/network-bot", "network-bot", "pip")


def shown_commands(text: str) -> list[str]:
    """The code spans, and the lines of the `sh` blocks, that run a program."""
    found: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        found += [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]
    without_blocks = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", without_blocks.replace("\n", " "))
    found += [span for span in spans if program(span) in PROGRAMS]
    return [command for command in found if not TEMPLATE.search(command)]


def program(command: str) -> str:
    """The program a command runs, after the settings given to it (`LANGUAGE=fi make run`)."""
    words = [word for word in command.split() if not re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", word)]
    return words[0] if words else ""


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w.-]*):", MAKEFILE, flags=re.MULTILINE))


COMMANDS = shown_commands(README)


def test_the_readme_shows_commands() -> None:
    assert any(command.startswith(PROGRAM) for command in COMMANDS)
    assert "make run" in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_the_readme_shows_works_as_written(command: str) -> None:
    words = shlex.split(command)
    while words and ASSIGNMENT.fullmatch(words[0]):
        words = words[1:]  # the environment of one command
    if words[:1] == ["make"]:
        variables = dict(word.split("=", 1) for word in words[1:] if ASSIGNMENT.fullmatch(word))
        targets = [word for word in words[1:] if not ASSIGNMENT.fullmatch(word)]
        assert set(targets) <= make_targets(), f"no such make target in {command!r}"
        if "ARGS" in variables:
            assert targets == ["console"], "ARGS is passed to the console only"
            parser().parse_args(["console", *shlex.split(variables["ARGS"])])
        return
    assert words[:1] == [PROGRAM], f"{command!r}: write it as {PROGRAM} …, which works as written"
    try:
        parser().parse_args(words[1:])
    except SystemExit as stop:
        pytest.fail(f"{command!r} is refused by the command line ({stop})")


def test_the_console_target_hands_its_arguments_on() -> None:
    recipe = MAKEFILE.split("\nconsole:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/network-bot console $(ARGS)" in recipe


def test_the_console_as_someone_else_works_on_a_fresh_clone(tmp_path: Path) -> None:
    """`make console ARGS="--user U0HKI00001 --lang en"` before anything else: the console
    migrates the new database and loads the example network itself."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--user", "U0HKI00001", "--lang", "en"],
        input="teemat\n",
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Loaded the example network" in done.stdout
    assert "Liikenne ja saavutettavuus" in done.stdout
