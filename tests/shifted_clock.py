"""Run `python -m bot …` with this process's wall clock shifted (test-only; no production code
knows of it): `python -m tests.shifted_clock 60 clock` is a clock process on a host whose clock
runs a minute ahead. `datetime.now()`, `datetime.utcnow()` and `time.time()` are shifted; the
database's clock is not, and it alone must decide what is due and whose lease ran out."""

from __future__ import annotations

import datetime as dt
import runpy
import sys
import time
from typing import Any

_real_time = time.time


def main() -> None:
    shift = float(sys.argv[1])

    class Shifted(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return super().now(tz) + dt.timedelta(seconds=shift)

        @classmethod
        def utcnow(cls) -> Any:
            return super().utcnow() + dt.timedelta(seconds=shift)

    dt.datetime = Shifted  # type: ignore[misc]
    time.time = lambda: _real_time() + shift
    sys.argv = ["bot", *sys.argv[2:]]
    runpy.run_module("bot", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
