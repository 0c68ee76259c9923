"""The network plan file (PRODUCT.md §6): reading it into records, checking it, comparing it with
what is stored, and writing a network back as a plan."""

from bot.plan.problems import PlanError, Problem, format_problems
from bot.plan.reading import load_plan

__all__ = ["PlanError", "Problem", "format_problems", "load_plan"]
