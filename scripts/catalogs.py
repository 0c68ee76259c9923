"""Refresh the message catalogs from the code: extract, merge into fi/sv/en, fill English.

Run with `make catalogs`. English is the source language, so its translations are the ids
themselves; Finnish and Swedish translations are written by hand in their `.po` files.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "bot" / "locales" / "messages.pot"


def main() -> None:
    """Extract, update every catalog, and fill the English one."""
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run(
        [
            *pybabel,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(POT),
            "app",
            "bot",
            "delivery",
            "handlers",
            "storage",
            "usecases",
        ],
        check=True,
        cwd=ROOT,
    )
    for language in ("fi", "sv", "en"):
        po = ROOT / "bot" / "locales" / language / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            po.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [*pybabel, "init", "-i", str(POT), "-d", "bot/locales", "-l", language],
                check=True,
                cwd=ROOT,
            )
        subprocess.run(
            [
                *pybabel,
                "update",
                "-i",
                str(POT),
                "-d",
                "bot/locales",
                "-l",
                language,
                "--no-fuzzy-matching",
                "--ignore-obsolete",
            ],
            check=True,
            cwd=ROOT,
        )
    _fill_english(ROOT / "bot" / "locales" / "en" / "LC_MESSAGES" / "messages.po")


def _fill_english(path: Path) -> None:
    with path.open("rb") as file:
        catalog = read_po(file, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple) or not message.string:
            message.string = message.id
    with path.open("wb") as file:
        write_po(file, catalog, sort_output=True, no_location=True)


if __name__ == "__main__":
    main()
