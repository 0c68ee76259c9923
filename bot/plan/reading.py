"""Read a network plan (PRODUCT.md §6): every problem with its path and line, or the records.

The text is read once (`bot.plan.document`), each item is validated on its own
(`bot.plan.items`, with the models of `bot.plan.models`), then the items against each other
(`bot.plan.checks`); a plan with no problem is built into records (`bot.plan.build`).
"""

from __future__ import annotations

from bot.plan.build import build
from bot.plan.checks import check
from bot.plan.document import Document, read
from bot.plan.items import validate
from bot.plan.problems import PlanError, Problem
from bot.plan.records import NetworkRecord, PlanRecords


def load_plan(text: str, current: NetworkRecord | None = None) -> PlanRecords:
    """The network a plan describes; `PlanError` listing every problem if it has any.

    `current` is the network as it stands (stored, or made of the settings): what a plan's
    `network:` leaves out is taken from it, and the plan's times are in its time zone unless
    the plan sets one.
    """
    document = read(text)
    items, problems = validate(document.values)
    items.current = current
    problems += check(items)
    if problems:
        raise PlanError(_placed(problems, document))
    return build(items)


def _placed(problems: list[Problem], document: Document) -> list[Problem]:
    """The problems with their lines, in the order of the file."""
    placed = [_with_line(problem, document) for problem in problems]
    return sorted(placed, key=lambda problem: problem.line or 0)


def _with_line(problem: Problem, document: Document) -> Problem:
    line = problem.line or document.line(problem.loc)
    message = problem.message
    if problem.first is not None:
        message += f" (first at line {document.line(problem.first)})"
    return Problem(problem.loc, message, line)
