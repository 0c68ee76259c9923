"""The figures of `bench/load.py`: what each request gave, a phase's percentiles, the report."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from bench.load_mix import MIX, Request
from storage.db import create_engine
from storage.models import Material, Registration, Theme, WorkPackage, WorkPackageUpdate

OVER = 3000.0  # ms: Slack's deadline, beyond which a user sees an error
WRITES = tuple(kind.name for kind in MIX if kind.write)


@dataclass(frozen=True)
class Result:
    """One request: when its reply came (ms after sending), its ack, and what went wrong."""

    request: Request
    lag_ms: float  # how late the generator sent it
    reply_ms: float | None = None
    ack_ms: float | None = None
    error: str | None = None
    text: str = ""


@dataclass
class Phase:
    """The results of one app under one schedule, and what it cost the machine."""

    label: str
    results: list[Result]
    cpu_ms: dict[str, float]  # processor time used during the phase: app, slack, generator
    warmup: list[Result] = field(default_factory=list)  # the unmeasured first requests
    calls: dict[str, int] = field(default_factory=dict)  # the app's Web API calls
    rss_mib: float = 0.0

    @property
    def times(self) -> list[float]:
        return [r.reply_ms for r in self.results if r.reply_ms is not None]

    @property
    def error_count(self) -> int:
        return sum(r.error is not None for r in self.results)

    @property
    def warmup_errors(self) -> int:
        return sum(r.error is not None for r in self.warmup)

    @property
    def over(self) -> int:
        return sum(t > OVER for t in self.times)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), interpolated between the nearest ranks (as
    `statistics.quantiles(method="inclusive")` cuts); NaN of nothing."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def spread(values: Sequence[float]) -> str:
    """`p50 12.3  p95 45.6  p99 78.9 ms`."""
    p50, p95, p99 = (percentile(values, q) for q in (50, 95, 99))
    return f"p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms"


# --- writes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """What the writes of the mix leave in the database."""

    registrations: frozenset[tuple[str, str]]  # (user, theme key) of members
    updated: frozenset[str]  # the packages with a log entry since the run began
    addresses: frozenset[str]  # of the materials


async def written(url: str, since: datetime) -> Written:
    """What the database holds now."""
    registrations = select(Registration.user_id, Theme.key).join(Theme)
    updated = (
        select(Theme.key, WorkPackage.number)
        .join(WorkPackage, WorkPackage.theme_id == Theme.id)
        .join(WorkPackageUpdate)
        .where(WorkPackageUpdate.at >= since)
    )
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            pairs = await connection.execute(registrations.where(Registration.user_id.is_not(None)))
            refs = await connection.execute(updated)
            addresses = await connection.execute(select(Material.url))
            return Written(
                frozenset((str(user), key) for user, key in pairs),
                frozenset(f"{key}-{number}" for key, number in refs),
                frozenset(addresses.scalars()),
            )
    finally:
        await engine.dispose()


def unwritten(after: Written, results: Sequence[Result]) -> tuple[str, int]:
    """A line on whether every answered write is in the database, and how many are not."""
    done = [r for r in results if r.request.kind in WRITES and r.reply_ms and not r.error]
    missing = Counter[str]()
    for result in done:
        request, words = result.request, result.request.text.split()
        if request.kind in ("join", "leave"):
            there = (request.user, words[-1]) in after.registrations
            missing[request.kind] += there != (request.kind == "join")
        elif request.kind == "update":
            missing[request.kind] += words[1] not in after.updated
        else:
            missing[request.kind] += words[3] not in after.addresses
    answered = Counter(r.request.kind for r in done)
    counts = ", ".join(f"{answered[kind]} {kind}" for kind in WRITES)
    if not missing.total():
        return f"writes answered: {counts}; every one is in the database", 0
    wrong = ", ".join(f"{n} {kind}" for kind, n in missing.items() if n)
    return f"writes answered: {counts}; not in the database: {wrong}", missing.total()


# --- the report -------------------------------------------------------------------------------


def kinds_table(phase: Phase) -> list[str]:
    """Per kind of request: how many, the bot's p50 and p99, errors and slow replies."""
    lines = [f"  {'kind':<15}{'sent':>6}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'over 3 s':>10}"]
    by_kind: dict[str, list[Result]] = {kind.name: [] for kind in MIX}
    for result in phase.results:
        by_kind.setdefault(result.request.kind, []).append(result)
    for kind, results in by_kind.items():
        if not results:
            continue
        times = [r.reply_ms for r in results if r.reply_ms is not None]
        errors = sum(r.error is not None for r in results)
        lines.append(
            f"  {kind:<15}{len(results):>6}{percentile(times, 50):>9.1f}"
            f"{percentile(times, 99):>9.1f}{errors:>8}{sum(t > OVER for t in times):>10}"
        )
    return lines


def samples(phase: Phase) -> list[str]:
    """The first reply of each kind, on one line each (to see that the mix asks sensible
    things)."""
    first: dict[str, str] = {}
    for result in phase.results:
        first.setdefault(result.request.kind, " ".join(result.text.split())[:160])
    return [f"  {kind}: {text}" for kind, text in first.items()]


def phase_lines(phase: Phase) -> list[str]:
    """A phase's replies and acks, errors by reason, and the processor time per request."""
    sent = len(phase.results)
    reasons = Counter(r.error for r in phase.results if r.error)
    errors = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common()) or "none"
    acks = [r.ack_ms for r in phase.results if r.ack_ms is not None]
    lags = [r.lag_ms for r in phase.results]
    cpu = ", ".join(f"{name} {ms / sent:.1f}" for name, ms in phase.cpu_ms.items())
    return [
        f"{phase.label:<4} replies {spread(phase.times)}   ({len(phase.times)} of {sent})",
        f"{'':<4} acks    {spread(acks)}",
        f"{'':<4} errors: {errors}; over 3 s: {phase.over}; warm-up errors: {phase.warmup_errors}",
        f"{'':<4} processor ms a request: {cpu}; peak RSS {phase.rss_mib:.0f} MiB",
        f"{'':<4} sent late by the generator: p99 {percentile(lags, 99):.1f} ms,"
        f" max {max(lags, default=0):.1f} ms",
    ]


RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", re.MULTILINE)
RAISED = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout)): ?(.*)$", re.MULTILINE)


def failures(log: str) -> str:
    """What the errors the log records were, most frequent first: the exception each ended in."""
    ends = Counter[str]()
    for record in RECORD.split(log):
        raised = RAISED.findall(record) if record.startswith("ERROR ") else []
        if raised:
            name, message = raised[-1]
            ends[f"{name}: {message[:70]}"] += 1
    return "; ".join(f"{n} × {end}" for end, n in ends.most_common(3)) or "none"


def report(
    phases: dict[str, Phase], writes: tuple[str, int], failed: dict[str, int], late: int, log: str
) -> None:
    """Print everything; last the line a threshold is checked on."""
    bot, bare = phases["bot"], phases["bare"]
    print(f"bot, per kind ({len(bot.results)} requests):")
    print("\n".join(kinds_table(bot)))
    for phase in (bot, bare):
        print("\n".join(phase_lines(phase)))
    calls = ", ".join(f"{m} {n}" for m, n in sorted(bot.calls.items()) if n) or "none"
    refused = ", ".join(f"{m} {n}" for m, n in sorted(failed.items())) or "none"
    print(f"bot Web API calls: {calls}; refused by Slack: {refused}")
    print(
        f"bot log: {log.count('request kind=command')} commands logged,"
        f" {log.count('outcome=error')} with outcome=error; replies after their request"
        f" gave up: {late}"
    )
    print(f"bot log, errors: {failures(log)}")
    line, missing = writes
    print(line)
    errors = bot.error_count + missing
    p99, ratio = percentile(bot.times, 99), percentile(bot.times, 99) / percentile(bare.times, 99)
    print(
        f"p99 ms: {p99:.1f}, ratio p99 bot/bare: {ratio:.2f}, errors: {errors},"
        f" over 3 s: {bot.over}, rss MiB: {bot.rss_mib:.0f}"
    )
