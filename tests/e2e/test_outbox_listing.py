"""`network-bot outbox` as an operator reads it: a table with a header, what each notification
is and where it goes in names, times in the network's time zone with the zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main

PLAN = """
network: {name: Testi, timezone: Europe/Helsinki, language: fi, announcement_channel: C0NETWORK}
themes:
  - {key: liikenne, name: Liikenne, channel: C0LIIKENNE, digest: false}
work_packages:
  - {ref: liikenne-1, title: Mittarit, owner_user: U0AAAA001, due: 2099-06-30}
deadlines:
  - {key: raportti, audience: liikenne, title: Raportti, due: 2099-04-28, remind: [7d]}
  - {key: kaikki, audience: all, title: Kaikille, due: 2099-01-28T16:00, remind: [1d]}
"""


def test_the_outbox_is_a_table_in_names_and_local_times(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    assert main(["import", str(plan)]) == 0
    capsys.readouterr()
    assert main(["outbox", "--state", "pending"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "id",
        "state",
        "what",
        "where",
        "due/sent",
        "tries",
        "last",
        "error",
    ]
    rows = [" ".join(line.split()[1:]) for line in lines[1:]]  # ids depend on the database
    assert rows == [
        "pending deadline reminder 1d: Kaikille announcements 2099-01-27 16:00 EET 0",
        "pending deadline reminder 7d: Raportti #liikenne 2099-04-21 09:00 EEST 0",
        "pending work package due soon: liikenne-1 DM U0AAAA001 2099-06-27 09:00 EEST 0",
        "pending work package overdue: liikenne-1 #liikenne 2099-07-01 09:00 EEST 0",
    ]
